//! 报送情况: who handed in what, against the roster (`--roster`) when there is one.
//! One row per finding of the intake, by 类别:
//!
//! - 已匹配: a roster department and the name it handed in under (匹配方式 says whether the
//!   names are identical or equal once brackets, spaces and the 株洲市 prefix are set aside);
//! - 未报送: on the roster, nothing handed in (with the closest name handed in, if any:
//!   usually the same department with a typo);
//! - 未识别: handed in, nothing read (failed, not read by design, or no form in it);
//! - 缺表: project forms but no department form for a year, or a department form and no
//!   project form;
//! - 名单外: a department name on no roster, with the closest roster name suggested.
//!
//! Without a roster only 未识别 and 缺表 are listed.

use std::collections::{BTreeMap, BTreeSet};

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::roster::key;
use crate::summary::files::status_zh;
use crate::summary::{Col, Ctx, HEAD_ROWS, Layout, V, table};
use jixiao_forms::model::FormKind;
use jixiao_rules::FileStatus;

pub const SHEET: &str = "报送情况";

/// One line of the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub category: &'static str,
    pub system: String,
    pub roster_name: String,
    pub handed_name: String,
    pub note: String,
    pub file: String,
}

#[derive(Default)]
struct Handed {
    name: String,
    /// year → (department forms, project forms).
    years: BTreeMap<Option<i32>, (usize, usize)>,
    path: String,
}

/// The intake's lines, in category order.
pub fn lines(ctx: &Ctx) -> Vec<Line> {
    let m = &ctx.config.roster;
    let data = ctx.data;
    // departments that handed in a form that was read, by key
    let mut handed: BTreeMap<String, Handed> = BTreeMap::new();
    for e in data.counted() {
        let Some(name) = e.department.as_deref().filter(|d| !d.trim().is_empty()) else { continue };
        let h = handed.entry(key(name, m)).or_default();
        if h.name.is_empty() {
            h.name = name.trim().to_string();
            h.path = e.path().to_string();
        }
        let y = h.years.entry(e.year).or_default();
        match e.form {
            FormKind::Department => y.0 += 1,
            _ => y.1 += 1,
        }
    }
    for b in &data.basics {
        let h = handed.entry(key(&b.department, m)).or_default();
        if h.name.is_empty() {
            h.name = b.department.trim().to_string();
            h.path = b.path.to_string();
        }
    }
    let unread: Vec<_> = data
        .files
        .iter()
        .filter(|f| matches!(f.status, FileStatus::Failed | FileStatus::Skipped | FileStatus::NoForm))
        .filter(|f| ctx.extras.roster_file.as_deref() != Some(f.path.as_str()))
        .collect();
    let mut out = Vec::new();
    let system = |path: &str, dept: &str| ctx.extras.systems.of(path, Some(dept));
    let mut claimed_unread = BTreeSet::new();
    let mut on_roster = BTreeSet::new();
    // roster entries matched by a name handed in, or by a file not read
    let mut taken = std::collections::HashSet::new();
    let mut missing = Vec::new();
    if let Some(roster) = &ctx.extras.roster {
        for (idx, e) in roster.entries.iter().enumerate() {
            let k = key(&e.name, m);
            let sys = if e.system.is_empty() { ctx.extras.systems.of("", Some(&e.name)) } else { e.system.clone() };
            if let Some(h) = handed.get(&k) {
                on_roster.insert(k);
                taken.insert(idx);
                let how = if h.name == e.name.trim() {
                    "名称一致"
                } else {
                    "规范化后一致（括号、空格、前缀不计）"
                };
                out.push(Line {
                    category: "已匹配",
                    system: sys,
                    roster_name: e.name.clone(),
                    handed_name: h.name.clone(),
                    note: how.into(),
                    file: h.path.clone(),
                });
                continue;
            }
            // nothing read for it: a file in a folder of its name that could not be read?
            let files: Vec<_> = unread
                .iter()
                .filter(|f| {
                    f.path.split('/').any(|part| {
                        let part = part.rsplit_once('.').map_or(part, |(stem, _)| stem);
                        let pk = key(part, m);
                        pk == k || (!k.is_empty() && pk.contains(&k))
                    })
                })
                .collect();
            if files.is_empty() {
                missing.push((e.name.clone(), sys.clone()));
            } else {
                taken.insert(idx);
            }
            for f in files {
                claimed_unread.insert(f.path.clone());
                out.push(Line {
                    category: "未识别",
                    system: sys.clone(),
                    roster_name: e.name.clone(),
                    handed_name: String::new(),
                    note: format!("{}：{}", status_zh(f.status), f.error.clone().unwrap_or_default()),
                    file: f.path.clone(),
                });
            }
        }
        for (name, sys) in missing {
            // the closest name handed in that matched no roster entry: likely this one, misspelt
            let k = key(&name, m);
            let near = handed
                .iter()
                .filter(|(hk, _)| !on_roster.contains(*hk))
                .filter(|(_, h)| {
                    roster.closest(&h.name, m, &taken).is_some_and(|(i, _)| roster.entries[i].name == name)
                })
                .map(|(hk, h)| (crate::roster::distance(&k, hk), h))
                .min_by_key(|(d, _)| *d);
            let note = match near {
                Some((d, h)) => {
                    format!("未收到该部门的材料；报送名称“{}”与之相差{d}个字，请核实是否为同一部门", h.name)
                }
                None => "未收到该部门的材料".into(),
            };
            out.push(Line {
                category: "未报送",
                system: sys,
                roster_name: name,
                handed_name: String::new(),
                note,
                file: String::new(),
            });
        }
    }
    for f in unread.iter().filter(|f| !claimed_unread.contains(&f.path)) {
        let dept = jixiao_text::names::parent_folder(&f.path);
        out.push(Line {
            category: "未识别",
            system: system(&f.path, &dept),
            roster_name: String::new(),
            handed_name: dept,
            note: format!("{}：{}", status_zh(f.status), f.error.clone().unwrap_or_default()),
            file: f.path.clone(),
        });
    }
    for h in handed.values() {
        for (year, (b, c)) in &h.years {
            let y = year.map(|y| format!("{y}年度")).unwrap_or_default();
            let note = match (b, c) {
                (0, c) if *c > 0 => format!("{y}有{c}张项目支出绩效自评表，缺部门整体支出绩效自评表"),
                (b, 0) if *b > 0 => format!("{y}有部门整体支出绩效自评表，缺项目支出绩效自评表"),
                _ => continue,
            };
            out.push(Line {
                category: "缺表",
                system: system(&h.path, &h.name),
                roster_name: String::new(),
                handed_name: h.name.clone(),
                note,
                file: h.path.clone(),
            });
        }
    }
    if let Some(roster) = &ctx.extras.roster {
        for (k, h) in &handed {
            if on_roster.contains(k) {
                continue;
            }
            let (suggest, note) = match roster.closest(&h.name, m, &taken) {
                Some((i, d)) => {
                    let r = &roster.entries[i].name;
                    (r.clone(), format!("名单中无此部门；最接近的名单名称“{r}”（相差{d}个字），请核实名称是否写错"))
                }
                None => (String::new(), "名单中无此部门，也无相近名称".into()),
            };
            out.push(Line {
                category: "名单外",
                system: system(&h.path, &h.name),
                roster_name: suggest,
                handed_name: h.name.clone(),
                note,
                file: h.path.clone(),
            });
        }
    }
    let order = |c: &str| ["未报送", "未识别", "缺表", "名单外", "已匹配"].iter().position(|x| *x == c).unwrap_or(9);
    out.sort_by(|a, b| {
        order(a.category).cmp(&order(b.category)).then_with(|| a.system.cmp(&b.system)).then_with(|| {
            (a.roster_name.as_str(), a.handed_name.as_str()).cmp(&(b.roster_name.as_str(), b.handed_name.as_str()))
        })
    });
    out
}

/// 报送统计 of one 系统 (or, last, 合计): the roster departments expected and those that
/// handed in nothing. Without a roster, nothing is expected and only the departments
/// whose forms were read are counted (`expected` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    pub system: String,
    pub expected: Option<usize>,
    pub handed: usize,
    pub missing: usize,
}

impl Total {
    /// 报送率: handed in of those expected.
    pub fn rate(&self) -> Option<f64> {
        self.expected.filter(|e| *e > 0).map(|e| self.handed as f64 / e as f64)
    }
}

/// The totals of 报送情况 per 系统, then 合计. A roster department counts as handed in when
/// any file of it was found (read or not: 已匹配 and 未识别), as missing when nothing was
/// (未报送). Without a roster, departments with a form read are counted, per 系统.
pub fn totals(lines: &[Line], counted: &[(String, String)], has_roster: bool) -> Vec<Total> {
    let mut by: BTreeMap<String, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    if has_roster {
        for l in lines.iter().filter(|l| !l.roster_name.is_empty()) {
            let e = by.entry(l.system.clone()).or_default();
            match l.category {
                "已匹配" | "未识别" => {
                    e.0.insert(&l.roster_name);
                }
                "未报送" => {
                    e.1.insert(&l.roster_name);
                }
                _ => {}
            }
        }
    } else {
        for (system, dept) in counted {
            by.entry(system.clone()).or_default().0.insert(dept);
        }
    }
    let mut out: Vec<Total> = by
        .into_iter()
        .map(|(system, (handed, missing))| Total {
            system,
            expected: has_roster.then_some(handed.len() + missing.len()),
            handed: handed.len(),
            missing: missing.len(),
        })
        .collect();
    let all = Total {
        system: "合计".into(),
        expected: has_roster.then(|| out.iter().filter_map(|t| t.expected).sum()),
        handed: out.iter().map(|t| t.handed).sum(),
        missing: out.iter().map(|t| t.missing).sum(),
    };
    out.push(all);
    out
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let cols = [
        Col("类别", 8.0),
        Col("所属系统", 20.0),
        Col("名单名称", 28.0),
        Col("报送名称", 28.0),
        Col("说明", 60.0),
        Col("文件", 40.0),
    ];
    let lines = lines(ctx);
    let mut counted: Vec<(String, String)> = ctx
        .data
        .counted()
        .filter_map(|e| {
            let d = e.department.as_deref().filter(|d| !d.trim().is_empty())?;
            Some((ctx.extras.systems.of(e.path(), Some(d)), key(d, &ctx.config.roster)))
        })
        .collect();
    counted.sort();
    counted.dedup();
    let totals = totals(&lines, &counted, ctx.extras.roster.is_some());
    let rows = lines.into_iter().map(|l| {
        vec![
            V::Text(l.category.into()),
            V::Text(l.system),
            V::Text(l.roster_name),
            V::Text(l.handed_name),
            V::Text(l.note),
            V::Text(l.file),
        ]
    });
    let n = table(ws, ctx, SHEET, &cols, Layout { print_cols: 5, freeze_cols: 1 }, rows)?;
    // 报送统计 below the list, a row apart (outside its filter), printed with it
    let f = ctx.fmts;
    let mut r = HEAD_ROWS + n.max(1) + 1;
    ws.write_string_with_format(r, 0, "报送统计", &f.header)?;
    let heads = if ctx.extras.roster.is_some() {
        ["所属系统", "应报", "已报", "未报", "报送率"]
    } else {
        ["所属系统", "已报（未提供名单，应报未知）", "", "", ""]
    };
    r += 1;
    for (c, h) in heads.iter().enumerate().filter(|(_, h)| !h.is_empty()) {
        ws.write_string_with_format(r, c as u16, *h, &f.header)?;
    }
    for t in &totals {
        r += 1;
        ws.write_string_with_format(r, 0, &t.system, &f.text)?;
        match t.expected {
            Some(e) => {
                ws.write_number_with_format(r, 1, e as f64, &f.count)?;
                ws.write_number_with_format(r, 2, t.handed as f64, &f.count)?;
                ws.write_number_with_format(r, 3, t.missing as f64, &f.count)?;
                if let Some(rate) = t.rate() {
                    ws.write_number_with_format(r, 4, rate, &f.pct)?;
                }
            }
            None => {
                ws.write_number_with_format(r, 1, t.handed as f64, &f.count)?;
            }
        }
    }
    ws.set_print_area(0, 0, r, 4)?;
    Ok(())
}
