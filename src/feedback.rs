//! `--feedback`: one workbook per department, `OUT_DIR/反馈/<系统>/<部门>.xlsx`, that the
//! office can send as it is (整改通知): a header (year, unit, 系统, run date), the
//! department's forms with stated (填报) and calculated (核定) figures, every finding of
//! its forms sorted 错误 → 警告 → 提示 with sheet, cell, 计算值 / 填报值 and what to correct,
//! and its files that were not read, with why.
//!
//! Written into the run's staging folder (swapped in with the rest), departments in
//! parallel. With the cache in use a department's workbook is copied from the previous
//! run when its content — everything written, run date included — hashes the same
//! (`cache/feedback.tsv` keeps one hash per workbook).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, XlsxError};
use sha2::{Digest, Sha256};

use crate::config::{Config, Severity};
use crate::model::{Anomaly, EvalSummary, FileRecord, FileStatus, FormKind};
use crate::normalize::norm;
use crate::pipeline::Batch;
use crate::rules::Unit;
use crate::systems::Systems;

pub const FOLDER: &str = "反馈";
pub const INDEX: &str = "feedback.tsv";

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("cannot write feedback workbook {path}: {cause}")]
    Xlsx { path: String, cause: XlsxError },
    #[error("cannot write {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
}

pub struct FeedbackJob<'a> {
    pub batch: &'a Batch,
    pub config: &'a Config,
    pub systems: &'a Systems,
    pub run_date: NaiveDate,
    /// The staging folder (OUT_DIR to be).
    pub staging: &'a Path,
    /// The previous OUT_DIR, whose workbooks may be reused (none: rebuild all).
    pub previous: Option<&'a Path>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub departments: usize,
    pub rebuilt: usize,
}

/// One department's content, as text rows: hashed, then written.
#[derive(Debug, Default)]
pub struct Sheet {
    pub department: String,
    pub system: String,
    pub years: Vec<i32>,
    pub forms: Vec<Vec<String>>,
    pub findings: Vec<Vec<String>>,
    pub unread: Vec<Vec<String>>,
}

pub const FORM_COLS: [&str; 11] = [
    "表",
    "项目",
    "年度",
    "填报总分",
    "核定总分",
    "填报执行率",
    "核定执行率",
    "全年预算数(万元)",
    "全年执行数(万元)",
    "文件",
    "工作表",
];
pub const FINDING_COLS: [&str; 10] =
    ["序号", "级别", "问题", "表（项目）", "文件", "工作表", "单元格", "计算值", "填报值", "整改要求"];
pub const UNREAD_COLS: [&str; 3] = ["文件", "状态", "原因"];

fn opt(x: Option<f64>, f: impl Fn(f64) -> String) -> String {
    x.map(f).unwrap_or_default()
}

fn pct(x: f64) -> String {
    format!("{}%", crate::rules::fmt(x * 100.0))
}

/// A finding's value as the department reads it.
fn shown(text: &Option<String>, number: Option<f64>, unit: Unit) -> String {
    if let Some(t) = text {
        return t.clone();
    }
    match unit {
        Unit::Rate => opt(number, pct),
        Unit::Wan => opt(number, |x| format!("{}万元", crate::rules::fmt(x))),
        Unit::Score => opt(number, |x| format!("{}分", crate::rules::fmt(x))),
        Unit::Text | Unit::Nothing => String::new(),
    }
}

/// What to do about a finding, in plain Chinese.
fn fix(a: &Anomaly) -> String {
    let what = a.message.trim_end_matches('。');
    match a.severity {
        Severity::Error => format!("{what}。请核对原始数据，更正后重新报送。"),
        Severity::Warning => format!("{what}。请核实；如填写有误请更正，如无误请在报送时说明原因。"),
        Severity::Info => format!("{what}。供参考，无需重新报送，可在自评报告中说明。"),
    }
}

fn severity_zh(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        Severity::Info => "提示",
    }
}

fn form_row(e: &EvalSummary) -> Vec<String> {
    let score = |x: Option<f64>| opt(x, crate::rules::fmt);
    vec![
        match e.form {
            FormKind::Department => "部门整体支出绩效自评表".into(),
            _ => "项目支出绩效自评表".into(),
        },
        e.project.as_deref().unwrap_or_default().to_string(),
        e.year.map(|y| y.to_string()).unwrap_or_default(),
        score(e.score_total),
        score(Some(e.score_calc)),
        opt(e.exec_rate_stated, pct),
        opt(e.exec_rate_calc, pct),
        score(e.budget_full),
        score(e.executed),
        e.path().to_string(),
        e.sheet().to_string(),
    ]
}

/// Every department's sheet: departments with a form that counts, their findings (of the
/// versions that count) and their files not read (by the folder or file named after them).
pub fn sheets(batch: &Batch, systems: &Systems) -> Vec<Sheet> {
    let mut by: BTreeMap<String, Sheet> = BTreeMap::new();
    let mut forms: BTreeMap<String, Vec<&EvalSummary>> = BTreeMap::new();
    for e in batch.counted() {
        let Some(d) = e.department.as_deref().filter(|d| !d.trim().is_empty()) else { continue };
        let k = norm(d);
        let s = by.entry(k.clone()).or_default();
        if s.department.is_empty() {
            s.department = d.trim().to_string();
            s.system = systems.of(e.path(), Some(d));
        }
        if let Some(y) = e.year
            && !s.years.contains(&y)
        {
            s.years.push(y);
        }
        forms.entry(k).or_default().push(e);
    }
    for (k, mut list) in forms {
        // the department form first, then its projects by name
        list.sort_by(|a, b| {
            (a.form != FormKind::Department, a.title()).cmp(&(b.form != FormKind::Department, b.title()))
        });
        if let Some(s) = by.get_mut(&k) {
            s.forms = list.into_iter().map(form_row).collect();
        }
    }
    let superseded = batch.superseded_ids();
    let mut findings: HashMap<String, Vec<&Anomaly>> = HashMap::new();
    for a in &batch.anomalies {
        if a.eval_id.as_deref().is_some_and(|id| superseded.contains(id)) {
            continue;
        }
        let k = norm(&a.department);
        if by.contains_key(&k) {
            findings.entry(k).or_default().push(a);
        }
    }
    for (k, mut list) in findings {
        list.sort_by(|a, b| a.severity.cmp(&b.severity).then_with(|| (&a.path, &a.sheet).cmp(&(&b.path, &b.sheet))));
        if let Some(s) = by.get_mut(&k) {
            s.findings = list
                .into_iter()
                .enumerate()
                .map(|(i, a)| {
                    let shows = crate::rules::rule(a.rule).map(|r| r.shows);
                    let unit = shows.map_or(Unit::Nothing, |s| s.unit);
                    let number = |x: Option<f64>| if unit == Unit::Text { None } else { x };
                    vec![
                        (i + 1).to_string(),
                        severity_zh(a.severity).into(),
                        crate::rules::rule(a.rule).map(|r| r.name).unwrap_or(a.rule).to_string(),
                        if a.project.is_empty() { "部门整体".into() } else { a.project.clone() },
                        a.path.clone(),
                        a.sheet.clone(),
                        a.cell.clone(),
                        shown(&a.expected_text, number(a.expected), unit),
                        shown(&a.actual_text, number(a.actual), unit),
                        fix(a),
                    ]
                })
                .collect();
        }
    }
    let keys: Vec<String> = by.keys().cloned().collect();
    let unread = batch
        .files
        .iter()
        .filter(|f| matches!(f.status, FileStatus::Failed | FileStatus::Skipped | FileStatus::NoForm));
    for f in unread {
        if let Some(k) = owner(f, &keys) {
            let reason = batch
                .anomalies
                .iter()
                .find(|a| a.path == f.path && a.eval_id.is_none())
                .map(|a| a.message.clone())
                .or_else(|| f.error.clone())
                .unwrap_or_default();
            if let Some(s) = by.get_mut(&k) {
                s.unread.push(vec![f.path.clone(), crate::summary::status_zh(f.status).into(), reason]);
            }
        }
    }
    by.into_values().collect()
}

/// The department a file not read belongs to: one named by a folder of its path or
/// contained in its file name.
fn owner(f: &FileRecord, keys: &[String]) -> Option<String> {
    let parts: Vec<String> = f.path.split('/').map(norm).collect();
    let (folders, name) = parts.split_at(parts.len().saturating_sub(1));
    folders.iter().rev().find(|p| keys.contains(p)).cloned().or_else(|| {
        name.first().and_then(|n| keys.iter().filter(|k| n.contains(k.as_str())).max_by_key(|k| k.len()).cloned())
    })
}

/// A name usable as a file or folder name on Windows and Unix.
pub fn safe_name(s: &str) -> String {
    let t: String =
        s.trim()
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let t = t.trim_matches(|c| c == '.' || c == ' ').to_string();
    if t.is_empty() { "未命名".into() } else { t.chars().take(80).collect() }
}

/// The workbook's path under OUT_DIR (`反馈/<系统>/<部门>.xlsx`).
pub fn rel_path(s: &Sheet) -> PathBuf {
    Path::new(FOLDER).join(safe_name(&s.system)).join(format!("{}.xlsx", safe_name(&s.department)))
}

fn digest(s: &Sheet, run_date: NaiveDate) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION"));
    h.update(run_date.to_string());
    h.update(&s.department);
    h.update([0]);
    h.update(&s.system);
    for rows in [&s.forms, &s.findings, &s.unread] {
        for r in rows {
            for c in r {
                h.update(c);
                h.update([0]);
            }
            h.update([1]);
        }
        h.update([2]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes every department's workbook into the staging folder, in parallel (on the
/// caller's rayon pool), reusing the previous run's where nothing changed.
pub fn write_all(job: &FeedbackJob) -> Result<Written, FeedbackError> {
    let sheets = sheets(job.batch, job.systems);
    let old_index: HashMap<String, String> = job
        .previous
        .and_then(|p| std::fs::read_to_string(p.join("cache").join(INDEX)).ok())
        .map(|t| t.lines().filter_map(|l| l.split_once('\t')).map(|(a, b)| (a.to_string(), b.to_string())).collect())
        .unwrap_or_default();
    // two departments whose names make the same file name: the second gets a number
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    let plans: Vec<(PathBuf, &Sheet)> = sheets
        .iter()
        .map(|s| {
            let mut rel = rel_path(s);
            let n = seen.entry(rel.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                rel.set_file_name(format!("{}（{}）.xlsx", safe_name(&s.department), n));
            }
            (rel, s)
        })
        .collect();
    let results: Vec<Result<(String, String, bool), FeedbackError>> = plans
        .par_iter()
        .map(|(rel, s)| {
            let key = rel.to_string_lossy().replace('\\', "/");
            let hash = digest(s, job.run_date);
            let dest = job.staging.join(rel);
            let io = |cause| FeedbackError::Io { path: dest.display().to_string(), cause };
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            if let Some(prev) = job.previous
                && old_index.get(&key) == Some(&hash)
            {
                let old = prev.join(rel);
                if std::fs::hard_link(&old, &dest).is_ok() || std::fs::copy(&old, &dest).is_ok() {
                    return Ok((key, hash, false));
                }
            }
            write_one(&dest, s, job)
                .map_err(|cause| FeedbackError::Xlsx { path: dest.display().to_string(), cause })?;
            Ok((key, hash, true))
        })
        .collect();
    let mut index = String::new();
    let mut w = Written::default();
    for r in results {
        let (key, hash, rebuilt) = r?;
        index.push_str(&format!("{key}\t{hash}\n"));
        w.departments += 1;
        w.rebuilt += usize::from(rebuilt);
    }
    let cache = job.staging.join("cache");
    let path = cache.join(INDEX);
    std::fs::create_dir_all(&cache)
        .and_then(|_| std::fs::write(&path, index))
        .map_err(|cause| FeedbackError::Io { path: path.display().to_string(), cause })?;
    Ok(w)
}

fn write_one(dest: &Path, s: &Sheet, job: &FeedbackJob) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let base = Format::new().set_font_name("等线").set_font_size(11);
    let title = base.clone().set_bold().set_font_size(14);
    let bold = base.clone().set_bold();
    let head = base
        .clone()
        .set_bold()
        .set_background_color("DDEBF7")
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let wrap = base.clone().set_text_wrap().set_align(FormatAlign::Top);
    let ws = wb.add_worksheet();
    ws.set_name("整改通知")?;
    let years: Vec<String> = s.years.iter().map(|y| y.to_string()).collect();
    let year = if years.is_empty() { String::new() } else { format!("{}年度", years.join("、")) };
    ws.write_string_with_format(0, 0, format!("{}{year}绩效自评材料审核反馈", s.department), &title)?;
    let errors = s.findings.iter().filter(|r| r[1] == "错误").count();
    let warnings = s.findings.iter().filter(|r| r[1] == "警告").count();
    let meta = [
        ("单位", s.department.clone()),
        ("所属系统", s.system.clone()),
        ("年度", years.join("、")),
        ("生成日期", job.run_date.format("%Y年%m月%d日").to_string()),
        (
            "审核结果",
            format!(
                "共{}张自评表，发现问题{}条（错误{errors}条、警告{warnings}条、提示{}条），未能读取的文件{}个",
                s.forms.len(),
                s.findings.len(),
                s.findings.len() - errors - warnings,
                s.unread.len()
            ),
        ),
    ];
    let mut r = 2u32;
    for (k, v) in meta {
        ws.write_string_with_format(r, 0, k, &bold)?;
        ws.write_string(r, 1, v)?;
        r += 1;
    }
    let section = |ws: &mut rust_xlsxwriter::Worksheet,
                   r: &mut u32,
                   name: &str,
                   cols: &[&str],
                   rows: &[Vec<String>]|
     -> Result<(), XlsxError> {
        *r += 1;
        ws.write_string_with_format(*r, 0, name, &bold)?;
        *r += 1;
        for (c, h) in cols.iter().enumerate() {
            ws.write_string_with_format(*r, c as u16, *h, &head)?;
        }
        *r += 1;
        if rows.is_empty() {
            ws.write_string(*r, 0, "无")?;
            *r += 1;
        }
        for row in rows {
            for (c, v) in row.iter().enumerate() {
                if c + 1 == cols.len() && cols.len() > 3 {
                    ws.write_string_with_format(*r, c as u16, v, &wrap)?;
                } else if !v.is_empty() {
                    ws.write_string(*r, c as u16, v)?;
                }
            }
            *r += 1;
        }
        Ok(())
    };
    section(ws, &mut r, "一、报送的自评表（填报为表中所填，核定为按表中数据计算）", &FORM_COLS, &s.forms)?;
    section(ws, &mut r, "二、需整改的问题（按错误、警告、提示排列）", &FINDING_COLS, &s.findings)?;
    section(ws, &mut r, "三、未能读取的文件", &UNREAD_COLS, &s.unread)?;
    for (c, w) in [24.0, 26.0, 16.0, 20.0, 34.0, 14.0, 10.0, 14.0, 14.0, 60.0, 14.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    wb.save(dest)
}
