//! The office's year-end workflow (issue 15) as a user checks it on generated folders:
//! 分系统汇总 adds up to the Parquet tables, 报送情况 finds the missing, extra and misspelt
//! departments of a roster, a department's feedback workbook says what to correct, and a
//! 整改状态 typed into 疑点清单 survives a re-run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunExtras, RunOptions, run_with};
use jixiao_fixtures::synth;
use jixiao_report::dataset::read_table;
use polars::prelude::*;

fn opts(input: &Path, out: &Path, cache: bool) -> RunOptions {
    run_options(input, out, Config::default_config(), cache)
}

/// Departments `ids` of the synthetic corpus, under their bureau folders (二 systems and
/// more), each once: no version supersedes another.
fn corpus(dir: &Path, ids: &[usize]) -> PathBuf {
    let input = dir.join("in");
    for &i in ids {
        let d = synth::department(i, 7, (2, 4));
        let p = input.join(&d.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        d.workbook.save(&p).unwrap();
    }
    input
}

fn sheet(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// A table sheet of summary.xlsx, header first (the title row above it left out).
fn table(path: &Path, name: &str) -> Vec<Vec<String>> {
    let mut rows = sheet(path, name);
    rows.remove(0);
    rows
}

fn col(rows: &[Vec<String>], header: &str) -> usize {
    rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]))
}

fn num(s: &str) -> f64 {
    s.parse().unwrap_or(0.0)
}

#[test]
fn system_sums_equal_the_parquet_tables() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), &[0, 1, 2, 3, 5, 6, 10]);
    let out = dir.path().join("out");
    run_with(&opts(&input, &out, false), &RunExtras::default()).unwrap();

    let evals = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    let anomalies = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
    let strs = |df: &DataFrame, c: &str| -> Vec<String> {
        df.column(c).unwrap().str().unwrap().iter().map(|s| s.unwrap_or_default().to_string()).collect()
    };
    let f64s = |df: &DataFrame, c: &str| -> Vec<f64> {
        df.column(c).unwrap().f64().unwrap().iter().map(|x| x.unwrap_or(0.0)).collect()
    };
    let (sys, form, budget, executed) =
        (strs(&evals, "system"), strs(&evals, "form"), f64s(&evals, "budget_full"), f64s(&evals, "executed"));
    let mut expect: BTreeMap<String, (f64, f64, usize, usize)> = BTreeMap::new();
    for i in 0..evals.height() {
        let e = expect.entry(sys[i].clone()).or_default();
        if form[i] == "department" {
            e.0 += budget[i];
            e.1 += executed[i];
            e.2 += 1;
        } else {
            e.3 += 1;
        }
    }
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for (s, sev) in strs(&anomalies, "system").into_iter().zip(strs(&anomalies, "severity")) {
        if sev == "error" {
            *errors.entry(s).or_default() += 1;
        }
    }
    assert!(expect.len() >= 4, "several systems: {expect:?}");
    assert!(expect.contains_key("市教育局系统"), "the first folder names the 系统: {expect:?}");

    let rows = table(&out.join("summary.xlsx"), "分系统汇总");
    let (c_sys, c_b, c_x, c_d, c_p, c_err, c_rate) = (
        col(&rows, "所属系统"),
        col(&rows, "全年预算数(万元,部门表)"),
        col(&rows, "全年执行数(万元,部门表)"),
        col(&rows, "部门表数"),
        col(&rows, "项目表数"),
        col(&rows, "错误"),
        col(&rows, "执行率"),
    );
    let body: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[c_sys] != "合计").collect();
    assert_eq!(body.len(), expect.len());
    for r in &body {
        let e = &expect[&r[c_sys]];
        assert!((num(&r[c_b]) - e.0).abs() < 1e-6, "{}: budget {} vs {}", r[c_sys], r[c_b], e.0);
        assert!((num(&r[c_x]) - e.1).abs() < 1e-6, "{}: executed", r[c_sys]);
        assert_eq!(num(&r[c_d]) as usize, e.2, "{}: department forms", r[c_sys]);
        assert_eq!(num(&r[c_p]) as usize, e.3, "{}: project forms", r[c_sys]);
        assert_eq!(num(&r[c_err]) as usize, errors.get(&r[c_sys]).copied().unwrap_or(0), "{}: errors", r[c_sys]);
        if e.0 != 0.0 {
            assert!((num(&r[c_rate]) - e.1 / e.0).abs() < 1e-9);
        }
    }
    let total = rows.iter().find(|r| r[c_sys] == "合计").expect("a 合计 row");
    let all: f64 = expect.values().map(|e| e.0).sum();
    assert!((num(&total[c_b]) - all).abs() < 1e-6);

    // the rankings say which 系统 and rank within it
    let depts = table(&out.join("summary.xlsx"), "部门排名");
    let (s, w) = (col(&depts, "所属系统"), col(&depts, "系统内排名"));
    let edu: Vec<&Vec<String>> = depts[1..].iter().filter(|r| r[s] == "市教育局系统").collect();
    assert!(!edu.is_empty());
    assert_eq!(edu[0][w], "1", "the best of a 系统 is its first");
    let projects = table(&out.join("summary.xlsx"), "项目排名");
    assert!(projects[1..].iter().any(|r| r[col(&projects, "部门内排名")] == "1"));
    let anomalies_sheet = table(&out.join("summary.xlsx"), "疑点清单");
    col(&anomalies_sheet, "所属系统");
    let files = table(&out.join("summary.xlsx"), "文件清单");
    assert!(files[1..].iter().all(|r| !r[col(&files, "所属系统")].is_empty()));
}

#[test]
fn roster_finds_missing_extra_and_misspelt_departments() {
    let dir = tempfile::tempdir().unwrap();
    // 0 第一中学, 1 第二中学, 2 实验小学, 3 职业技术学院 (on no roster)
    let input = corpus(dir.path(), &[0, 1, 2, 3]);
    // a file that cannot be read, in a folder named after a roster department
    std::fs::create_dir_all(input.join("市教育局系统/株洲市第三中学")).unwrap();
    std::fs::write(input.join("市教育局系统/株洲市第三中学/自评.pdf"), b"%PDF-1.4").unwrap();
    let roster = dir.path().join("名单.csv");
    std::fs::write(
        &roster,
        "序号,部门名称,所属系统\n\
         1,第一中学 ,市教育局系统\n\
         2,株洲市实验小学（本级）,市教育局系统\n\
         3,株洲市第二中字,市卫生健康委系统\n\
         4,株洲市园林局,市住建局系统\n\
         5,株洲市第三中学,市教育局系统\n",
    )
    .unwrap();
    // the handed-in name carries the bracket written the other way
    let out = dir.path().join("out");
    let extras = RunExtras { roster: Some(roster), ..RunExtras::default() };
    run_with(&opts(&input, &out, false), &extras).unwrap();
    let rows = table(&out.join("summary.xlsx"), "报送情况");
    let (cat, name, handed, note) =
        (col(&rows, "类别"), col(&rows, "名单名称"), col(&rows, "报送名称"), col(&rows, "说明"));
    let find = |c: &str, n: &str| rows[1..].iter().filter(|r| r[cat] == c && (r[name] == n || r[handed] == n)).count();
    assert_eq!(find("已匹配", "第一中学"), 1, "a dropped 株洲市 and a trailing space match: {rows:?}");
    assert_eq!(find("未报送", "株洲市园林局"), 1, "nothing handed in");
    assert_eq!(find("未识别", "株洲市第三中学"), 1, "handed in, nothing read");
    assert_eq!(find("未报送", "株洲市第二中字"), 1, "the misspelt roster name matches nothing");
    let extra =
        rows[1..].iter().find(|r| r[cat] == "名单外" && r[handed] == "株洲市第二中学").expect("misspelt: 名单外");
    assert_eq!(extra[name], "株洲市第二中字", "the closest roster name is suggested");
    let far = rows[1..].iter().find(|r| r[cat] == "名单外" && r[handed] == "株洲市职业技术学院").expect("extra");
    assert!(far[note].contains("名单中无此部门"));
    // 实验小学's roster name has （本级）: not matched, but suggested
    let school = rows[1..].iter().find(|r| r[cat] == "名单外" && r[handed] == "株洲市实验小学").expect("名单外");
    assert_eq!(school[name], "株洲市实验小学（本级）");
    assert_eq!(find("已匹配", "株洲市第二中学"), 0);
    // run.json and the sheet's order: 未报送 first
    assert_eq!(rows[1][cat], "未报送");
    // 报送统计 below the list, audited by hand: 教育 expects 第一中学 (matched), 实验小学（本级）
    // (nothing under that name) and 第三中学 (a file not read: handed in); the others one each
    let at = rows.iter().position(|r| r[0] == "报送统计").expect("a totals block");
    assert_eq!(rows[at + 1][..5], ["所属系统", "应报", "已报", "未报", "报送率"]);
    let totals: BTreeMap<&str, Vec<&str>> =
        rows[at + 2..].iter().map(|r| (r[0].as_str(), r[1..5].iter().map(String::as_str).collect())).collect();
    assert_eq!(totals["市教育局系统"], ["3", "2", "1", "0.6666666666666666"]);
    assert_eq!(totals["市卫生健康委系统"], ["1", "0", "1", "0"]);
    assert_eq!(totals["市住建局系统"], ["1", "0", "1", "0"]);
    assert_eq!(totals["合计"], ["5", "2", "3", "0.4"], "{totals:?}");
}

#[test]
fn missing_forms_without_a_roster() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    // a department form alone, no project form
    let d = synth::department(0, 7, (0, 1));
    let p = input.join(&d.path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    d.workbook.save(&p).unwrap();
    let out = dir.path().join("out");
    run_with(&opts(&input, &out, false), &RunExtras::default()).unwrap();
    let rows = table(&out.join("summary.xlsx"), "报送情况");
    let cat = col(&rows, "类别");
    let missing: Vec<_> = rows[1..].iter().filter(|r| r[cat] == "缺表").collect();
    assert_eq!(missing.len(), 1, "{rows:?}");
    assert!(missing[0][col(&rows, "说明")].contains("缺项目支出绩效自评表"));
}

#[test]
fn feedback_workbook_of_one_department() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    // the seed department: its findings are known (spec §4)
    let seed = jixiao_fixtures::WorkbookSpec::stacked(
        "附表",
        jixiao_fixtures::seed::forms(),
        jixiao_fixtures::Layout::default(),
    );
    std::fs::create_dir_all(input.join("市政务系统")).unwrap();
    seed.save(&input.join("市政务系统/审批局自评.xlsx")).unwrap();
    std::fs::write(input.join("市政务系统/株洲市行政审批服务局自评报告.doc"), b"\xd0\xcf\x11\xe0").unwrap();
    let out = dir.path().join("out");
    let extras = RunExtras { feedback: true, ..RunExtras::default() };
    let report = run_with(&opts(&input, &out, true), &extras).unwrap();
    let path = out.join("反馈/市政务系统/株洲市行政审批服务局.xlsx");
    assert!(path.exists(), "{:?}", std::fs::read_dir(out.join("反馈")).map(|d| d.count()));
    let rows = sheet(&path, "整改通知");
    let text: Vec<String> = rows.iter().map(|r| r.join("|")).collect();
    let all = text.join("\n");
    assert!(text[0].contains("株洲市行政审批服务局2022年度绩效自评材料审核反馈"), "{all}");
    let line = |label: &str| text.iter().find(|l| l.starts_with(&format!("{label}|"))).cloned().unwrap_or_default();
    assert!(line("生成日期").contains("2023年12月31日"), "{all}");
    assert!(line("所属系统").contains("市政务系统"));
    // 窗口补贴: stated 95.9, calculated 84.1, as numbers
    let forms: Vec<String> = sheet(&path, "报送的自评表").iter().map(|r| r.join("|")).collect();
    let window = forms.iter().find(|l| l.contains("|窗口补贴|")).expect("the project form");
    assert!(window.contains("|95.9|84.1|"), "{window}");
    // findings, errors first, with cell and the two values, and what to do
    let first_finding = text.iter().position(|l| l.starts_with("序号|")).unwrap() + 1;
    assert!(text[first_finding].starts_with("1|错误|"), "{}", text[first_finding]);
    let total = text
        .iter()
        .find(|l| l.contains("TOTAL_MISMATCH") && l.contains("窗口补贴") && l.contains("|错误|"))
        .expect("TOTAL_MISMATCH");
    assert!(total.contains("|95.9|84.1|"), "{total}");
    assert!(total.contains("总分应等于预算执行得分与各项指标得分之和"), "the rule's advice: {total}");
    assert!(all.contains("“错误”须更正后重新报送"), "what each severity asks: {all}");
    let sev: Vec<&str> = text[first_finding..].iter().filter_map(|l| l.split('|').nth(1)).collect();
    let rank = |s: &str| ["错误", "警告", "提示"].iter().position(|x| *x == s).unwrap_or(9);
    assert!(sev.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{sev:?}");
    let unread = forms.iter().find(|l| l.contains("株洲市行政审批服务局自评报告.doc")).expect("the file not read");
    assert!(unread.contains("|未读取|"), "and why: {unread}");
    let fb = report.feedback.expect("counted");
    assert_eq!((fb.departments, fb.rebuilt), (1, 1));

    // a re-run with nothing changed copies the workbook
    let again = run_with(&opts(&input, &out, true), &extras).unwrap();
    assert_eq!(again.feedback.map(|f| f.rebuilt), Some(0));
    assert_eq!(sheet(&path, "整改通知"), rows);
}

#[test]
fn typed_status_survives_a_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let seed = jixiao_fixtures::WorkbookSpec::stacked(
        "附表",
        jixiao_fixtures::seed::forms(),
        jixiao_fixtures::Layout::default(),
    );
    std::fs::create_dir_all(input.join("审批局")).unwrap();
    seed.save(&input.join("审批局/自评.xlsx")).unwrap();
    let out = dir.path().join("out");
    run_with(&opts(&input, &out, true), &RunExtras::default()).unwrap();
    let summary = out.join("summary.xlsx");
    let rows = sheet(&summary, "疑点清单");
    // row 0 is the title, row 1 the header
    let (st, note) = (col(&rows[1..], "整改状态"), col(&rows[1..], "备注"));
    assert!(rows[2..].iter().all(|r| r[st] == "未整改"));
    // the office marks the second finding and saves the workbook (here: its 疑点清单 rewritten)
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("疑点清单").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let v = match (r, c) {
                (3, c) if c == st => "已整改",
                (3, c) if c == note => "6月已补报",
                _ => v.as_str(),
            };
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    wb.save(&summary).unwrap();
    let marked = rows[3].clone();
    run_with(&opts(&input, &out, true), &RunExtras::default()).unwrap();
    let again = table(&summary, "疑点清单");
    let same = |r: &Vec<String>| {
        ["规则", "部门", "项目", "单元格"].iter().all(|h| r[col(&again, h)] == marked[col(&rows[1..], h)])
    };
    let row = again[1..].iter().find(|r| same(r)).expect("the same finding again");
    assert_eq!((row[st].as_str(), row[note].as_str()), ("已整改", "6月已补报"));
    assert_eq!(again[1..].iter().filter(|r| r[st] == "已整改").count(), 1, "only that finding");
}

#[test]
fn overview_for_leadership() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path(), &[0, 1, 3, 5]);
    let out = dir.path().join("out");
    run_with(&opts(&input, &out, false), &RunExtras::default()).unwrap();
    let rows = sheet(&out.join("summary.xlsx"), "总览");
    let at = |label: &str| rows.iter().position(|r| r[0] == label).unwrap_or_else(|| panic!("no {label}"));
    let start = at("领导简报");
    let shares =
        rows.iter().position(|r| r[0] == "等级占比（按核定总分）").expect("grade shares, by the checked total");
    assert!(shares > start);
    let pct: f64 = rows[shares + 1..shares + 7].iter().map(|r| num(&r[2])).sum();
    assert!((pct - 1.0).abs() < 1e-9, "department shares add up to 100 %");
    let rules = at("疑点规则（按数量）");
    let counts: Vec<f64> = rows[rules + 1..].iter().take_while(|r| !r[0].is_empty()).map(|r| num(&r[4])).collect();
    assert!(!counts.is_empty() && counts.iter().all(|c| *c > 0.0), "no zero rows: {counts:?}");
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first: {counts:?}");
    let worst = at("错误最多的部门");
    assert!(rows[worst + 1..].iter().take_while(|r| !r[0].is_empty()).count() <= 10);
}

#[test]
fn only_the_department_that_changed_gets_a_new_feedback_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let depts = synth::departments(2, 2022);
    for d in &depts {
        let path = input.join(&d.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        d.workbook.save(&path).unwrap();
    }
    let out = dir.path().join("out");
    let extras = RunExtras { feedback: true, ..RunExtras::default() };
    let first = run_with(&opts(&input, &out, true), &extras).unwrap().feedback.expect("counted");
    assert_eq!((first.departments, first.rebuilt), (2, 2));
    // the second department re-submits its workbook with its forms moved down: its
    // findings now point elsewhere, the first department's are untouched
    let moved = jixiao_fixtures::Layout { top: 4, ..jixiao_fixtures::Layout::default() };
    let mut spec = depts[1].workbook.clone();
    for sheet in &mut spec.sheets {
        sheet.layout = moved;
    }
    spec.save(&input.join(&depts[1].path)).unwrap();
    let again = run_with(&opts(&input, &out, true), &extras).unwrap().feedback.expect("counted");
    assert_eq!((again.departments, again.rebuilt), (2, 1));
}
