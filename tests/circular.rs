//! The 通报 draft (`通报草稿.docx`, issue 22) read back with jixiao's own Word reader: its
//! title names the summary's region and year, and the figures of its tables — 报送情况 per
//! 系统, the grade mix, grades and execution rate per 系统, the departments with errors —
//! and the count of each rule in 发现的主要问题 equal what summary.xlsx shows.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunExtras, run_with};
use jixiao_reader::read::docx::{Place, WordDoc, read_docx};
use jixiao_report::summary::circular::{DEADLINE_PLACEHOLDER, FILE};

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// Runs on sample-data with its roster, as the office would.
fn run_sample(out: &Path) {
    let input = sample_data();
    let opts = run_options(&input, out, Config::default_config(), false);
    let extras = RunExtras { roster: Some(input.join("名单.csv")), ..RunExtras::default() };
    run_with(&opts, &extras).unwrap();
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap_or_else(|e| panic!("no sheet {name}: {e}"));
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

fn col(header: &[String], name: &str) -> usize {
    header.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

fn num(s: &str) -> f64 {
    s.trim().trim_end_matches('%').replace(',', "").parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// The document as the reader sees it: paragraphs outside tables, and each table's rows
/// (merged cells filled in) under the caption paragraph above it.
struct Doc {
    paragraphs: Vec<String>,
    tables: BTreeMap<String, Vec<Vec<String>>>,
}

fn read_back(path: &Path) -> Doc {
    let bytes = std::fs::read(path).unwrap();
    let WordDoc { grid, layout } = read_docx(&bytes, 10_000_000, 100 << 20).unwrap();
    let row_text = |r: u32| -> Vec<String> { (0..=grid.right()).map(|c| grid.get((r, c)).text()).collect() };
    let mut paragraphs = Vec::new();
    for (r, place) in layout.rows.iter().enumerate() {
        if let Place::Paragraph(_) = place {
            paragraphs.push(row_text(r as u32).concat());
        }
    }
    let mut tables = BTreeMap::new();
    for t in &layout.tables {
        let caption = row_text(t.first_row - 1).concat();
        let mut rows: Vec<Vec<String>> = (t.first_row..t.first_row + t.rows).map(row_text).collect();
        // the grid is as wide as the widest table: keep this table's columns
        let width = rows.iter().map(|r| r.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1)).max();
        rows.iter_mut().for_each(|r| r.truncate(width.unwrap_or(0)));
        tables.insert(caption, rows);
    }
    Doc { paragraphs, tables }
}

impl Doc {
    fn table(&self, caption_ends: &str) -> &Vec<Vec<String>> {
        self.tables
            .iter()
            .find(|(c, _)| c.ends_with(caption_ends))
            .map(|(_, t)| t)
            .unwrap_or_else(|| panic!("no table {caption_ends}; have {:?}", self.tables.keys().collect::<Vec<_>>()))
    }
}

#[test]
fn the_circular_draft_agrees_with_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run_sample(&out);
    let doc = read_back(&out.join(FILE));
    let summary = out.join("summary.xlsx");

    // the title: the region and years of the summary's titles
    let overview = sheet(&summary, "总览");
    let head = &overview[0][0];
    let region_year = &head[..head.find("预算绩效自评汇总").unwrap()];
    assert_eq!(doc.paragraphs[0], format!("关于{region_year}部门预算绩效自评情况的通报（草稿）"));
    for h in ["一、报送情况", "二、自评结果", "三、发现的主要问题", "四、存在错误的部门", "五、整改要求"]
    {
        assert!(doc.paragraphs.iter().any(|p| p == h), "no heading {h}");
    }
    assert!(doc.paragraphs.iter().any(|p| p.contains(DEADLINE_PLACEHOLDER)), "the deadline's placeholder");

    // 报送情况: 未报 per 系统 as the 报送情况 sheet lists the 未报送
    let intake = sheet(&summary, "报送情况");
    let (cat, sys) = (col(&intake[1], "类别"), col(&intake[1], "所属系统"));
    let mut missing: BTreeMap<String, usize> = BTreeMap::new();
    for r in &intake[2..] {
        if r[cat] == "未报送" {
            *missing.entry(r[sys].clone()).or_default() += 1;
        }
    }
    let t = doc.table("分系统报送情况");
    assert_eq!(t[0], ["所属系统", "应报", "已报", "未报", "报送率"]);
    for r in &t[1..t.len() - 1] {
        assert_eq!(num(&r[3]) as usize, missing.get(&r[0]).copied().unwrap_or(0), "未报 of {}", r[0]);
        assert_eq!(num(&r[1]), num(&r[2]) + num(&r[3]), "应报 = 已报 + 未报 in {}", r[0]);
    }
    let total = t.last().unwrap();
    assert_eq!(total[0], "合计");
    assert_eq!(num(&total[3]) as usize, missing.values().sum::<usize>());
    let roster_len = std::fs::read_to_string(sample_data().join("名单.csv")).unwrap().lines().skip(1).count();
    assert_eq!(num(&total[1]) as usize, roster_len, "应报: every roster department");

    // the grade mix: 总览's 等级分布 (forms that count, by the ranking's total)
    let at = overview.iter().position(|r| r[0].starts_with("等级分布")).expect("等级分布 in 总览");
    let mut grades: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in &overview[at + 1..] {
        if r[0].is_empty() {
            break;
        }
        let total = r[0].starts_with("合计");
        let label = if total { "合计".to_string() } else { r[0].clone() };
        grades.insert(label, (num(&r[1]), num(&r[2])));
        if total {
            break;
        }
    }
    let t = doc.table("自评等级分布");
    // two header rows: the merged 部门整体支出 / 项目支出 cells are filled across
    assert_eq!(t[0], ["自评等级", "部门整体支出", "部门整体支出", "项目支出", "项目支出"]);
    assert_eq!(t[1], ["自评等级", "表数", "占比", "表数", "占比"]);
    for r in &t[2..] {
        let (d, p) = grades[&r[0]];
        assert_eq!((num(&r[1]), num(&r[3])), (d, p), "grade {}", r[0]);
    }
    for (g, (d, p)) in &grades {
        if d + p > 0.0 {
            assert!(t[2..].iter().any(|r| &r[0] == g), "grade {g} missing from the draft");
        }
    }

    // per 系统: 分系统汇总's department forms per grade and execution rate
    let systems = sheet(&summary, "分系统汇总");
    let h = &systems[1];
    let (name, forms, rate) = (col(h, "所属系统"), col(h, "部门表数"), col(h, "执行率"));
    let grade_cols: Vec<usize> =
        ["优(部门表)", "良(部门表)", "中(部门表)", "差(部门表)"].iter().map(|g| col(h, g)).collect();
    let t = doc.table("分系统自评情况（部门整体支出）");
    assert_eq!(t[0][..3], ["所属系统", "参评部门", "自评等级"]);
    assert_eq!(t[1][2..7], ["优", "良", "中", "差", "未定等级"]);
    let mut seen = 0;
    for r in &t[2..] {
        let s =
            systems[2..].iter().find(|s| s[name] == r[0]).unwrap_or_else(|| panic!("系统 {} not in 分系统汇总", r[0]));
        assert_eq!(num(&r[1]), num(&s[forms]), "参评部门 of {}", r[0]);
        for (i, c) in grade_cols.iter().enumerate() {
            assert_eq!(num(&r[2 + i]), num(&s[*c]), "{} of {}", ["优", "良", "中", "差"][i], r[0]);
        }
        if !s[rate].is_empty() {
            assert_eq!(r[7], format!("{:.2}%", num(&s[rate]) * 100.0), "执行率 of {}", r[0]);
        }
        seen += 1;
    }
    let with_forms = systems[2..].iter().filter(|s| s[name] != "合计" && num(&s[forms]) > 0.0).count();
    assert_eq!(seen, with_forms + 1, "every 系统 with department forms, and 合计");

    // departments with errors: 部门排名's 错误(全部表) and 警告(全部表)
    let ranking = sheet(&summary, "部门排名");
    let h = &ranking[1];
    let (dept, errors, warnings) = (col(h, "部门"), col(h, "错误(全部表)"), col(h, "警告(全部表)"));
    let expected: BTreeMap<&str, (f64, f64)> = ranking[2..]
        .iter()
        .filter(|r| num(&r[errors]) > 0.0)
        .map(|r| (r[dept].as_str(), (num(&r[errors]), num(&r[warnings]))))
        .collect();
    assert!(!expected.is_empty(), "sample-data has departments with errors");
    let t = doc.table("存在错误的部门");
    assert_eq!(t[0], ["序号", "部门", "所属系统", "疑点数", "疑点数"]);
    assert_eq!(t[1], ["序号", "部门", "所属系统", "错误", "警告"]);
    let listed: BTreeMap<&str, (f64, f64)> = t[2..].iter().map(|r| (r[1].as_str(), (num(&r[3]), num(&r[4])))).collect();
    assert_eq!(listed, expected);

    // 发现的主要问题: one item per rule that fired, its count as 领导简报 counts it
    let at = overview.iter().position(|r| r[0] == "疑点规则（按数量）").expect("领导简报's rules");
    let mut rules = 0;
    for r in overview[at + 1..].iter().take_while(|r| !r[0].is_empty()) {
        let name = &r[0][..r[0].rfind('（').unwrap()];
        let count = num(&r[4]) as usize;
        let item = doc
            .paragraphs
            .iter()
            .find(|p| p.starts_with('（') && p.contains(&format!("）{name}（")))
            .unwrap_or_else(|| panic!("no item for {name}"));
        assert!(item.contains(&format!("，{count}处")), "{name}: {count} in {item}");
        assert!(item.contains("。如"), "an example for {name}: {item}");
        rules += 1;
    }
    assert!(rules > 3, "several rules fired on sample-data");
}

#[test]
fn a_run_without_roster_or_findings_still_writes_the_draft() {
    let dir = tempfile::tempdir().unwrap();
    let (input, out) = (dir.path().join("in"), dir.path().join("out"));
    std::fs::create_dir_all(&input).unwrap();
    let opts = run_options(&input, &out, Config::default_config(), false);
    run_with(&opts, &RunExtras::default()).unwrap();
    let doc = read_back(&out.join(FILE));
    assert!(doc.paragraphs[0].starts_with("关于"), "{:?}", doc.paragraphs[0]);
    assert!(doc.paragraphs.iter().any(|p| p.contains("未提供应报部门名单")));
    assert!(doc.paragraphs.iter().any(|p| p == "审核未发现问题。"));
    assert!(doc.paragraphs.iter().any(|p| p == "审核未发现存在错误的部门。"));
    // listed in the manifest: a re-run replaces it
    let manifest = std::fs::read_to_string(out.join(jixiao::pipeline::outdir::MANIFEST)).unwrap();
    assert!(manifest.contains(FILE), "{manifest}");
    run_with(&opts, &RunExtras::default()).unwrap();
    assert!(out.join(FILE).is_file());
}

#[test]
fn the_deadline_and_contact_come_from_the_feedback_settings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let user =
        "[feedback]\noffice = \"株洲市财政局预算绩效管理科\"\nphone = \"0731-28661234\"\ndeadline = 2024-01-15\n";
    let config = Config::build(Some(("绩效科.toml", user))).unwrap();
    let opts = run_options(&sample_data(), &out, config, false);
    run_with(&opts, &RunExtras::default()).unwrap();
    let doc = read_back(&out.join(FILE));
    let five: Vec<&String> = doc.paragraphs.iter().skip_while(|p| !p.starts_with("五、")).collect();
    assert!(five.iter().any(|p| p.contains("于2024年1月15日前")), "{five:?}");
    assert!(five.iter().any(|p| p.contains("株洲市财政局预算绩效管理科，0731-28661234")), "{five:?}");
    assert!(!doc.paragraphs.iter().any(|p| p.contains(DEADLINE_PLACEHOLDER)), "no placeholder once it is set");
}
