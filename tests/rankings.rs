//! The rankings as the finance office reads them: each department and project once
//! however many versions were handed in, the file that counted named in 文件清单, each
//! year ranked on its own, impossible totals set apart as 待核实, and a department's
//! counts covering everything it handed in.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::dataset::read_table;
use jixiao::fixtures::{Cv, Form, Layout, WorkbookSpec, seed};
use jixiao::pipeline::run;

fn run_with(input: &Path, config: Config) -> PathBuf {
    let out = input.parent().unwrap().join("out");
    let opts = run_options(input, &out, config, false);
    run(&opts).unwrap();
    out
}

/// A sheet of summary.xlsx as text, header first (the title row above it left out).
fn sheet(out: &Path, name: &str) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range.rows().skip(1).map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// The column of a sheet by its header.
fn col(rows: &[Vec<String>], header: &str) -> usize {
    rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]))
}

fn save(spec: &WorkbookSpec, path: &Path, days_old: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    spec.save(path).unwrap();
    let t = SystemTime::now() - Duration::from_secs(days_old * 86_400);
    std::fs::File::options().write(true).open(path).unwrap().set_modified(t).unwrap();
}

/// The seed's forms with every "2022" in titles made `year`.
fn seed_of_year(year: i32) -> Vec<Form> {
    let retitle = |s: &str| s.replace("2022", &year.to_string());
    seed::forms()
        .into_iter()
        .map(|f| match f {
            Form::Eval(mut e) => {
                e.title = retitle(&e.title);
                Form::Eval(e)
            }
            Form::Basic(mut b) => {
                b.title = retitle(&b.title);
                Form::Basic(b)
            }
        })
        .collect()
}

/// The seed department handed in twice: the original, and a re-formatted copy (one form
/// per sheet, so not byte-identical) saved earlier although its name sorts after.
fn resubmitted(dir: &Path) -> PathBuf {
    let input = dir.join("in");
    let stacked = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    save(&stacked, &input.join("审批局/自评.xlsx"), 1);
    let reformatted = WorkbookSpec::one_per_sheet(seed::forms(), Layout { top: 2, ..Layout::default() });
    save(&reformatted, &input.join("审批局/自评修改版.xlsx"), 30);
    input
}

#[test]
fn a_resubmitted_department_is_ranked_once_and_the_older_file_says_superseded() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(&resubmitted(dir.path()), Config::default_config());

    let depts = sheet(&out, "部门排名");
    assert_eq!(depts.len(), 2, "one department, one row: {depts:?}");
    assert_eq!(depts[1][col(&depts, "排名")], "1");
    assert_eq!(depts[1][col(&depts, "文件")], "审批局/自评.xlsx", "the file modified last counts");
    let projects = sheet(&out, "项目排名");
    assert_eq!(projects.len(), 1 + 8, "each project once");
    assert!(projects.iter().skip(1).all(|r| r[col(&projects, "文件")] == "审批局/自评.xlsx"));

    let files = sheet(&out, "文件清单");
    let older = files.iter().find(|r| r[0] == "审批局/自评修改版.xlsx").unwrap();
    assert_eq!(older[col(&files, "状态")], "已被替代");
    assert_eq!(older[col(&files, "以此文件为准")], "审批局/自评.xlsx");
    assert!(older[col(&files, "原因")].contains("审批局/自评.xlsx"), "{older:?}");
    let newer = files.iter().find(|r| r[0] == "审批局/自评.xlsx").unwrap();
    assert_eq!(newer[col(&files, "状态")], "正常");

    let table = read_table(&out.join("dataset/files.parquet")).unwrap();
    let paths: Vec<_> = table.column("path").unwrap().str().unwrap().iter().collect();
    let by: Vec<_> = table.column("superseded_by").unwrap().str().unwrap().iter().collect();
    let status: Vec<_> = table.column("status").unwrap().str().unwrap().iter().collect();
    assert_eq!(paths, vec![Some("审批局/自评.xlsx"), Some("审批局/自评修改版.xlsx")]);
    assert_eq!(by, vec![None, Some("审批局/自评.xlsx")]);
    assert_eq!(status, vec![Some("ok"), Some("ok")], "status stays one of the contract's values");

    let anomalies = sheet(&out, "疑点清单");
    let rule = col(&anomalies, "规则");
    let file = col(&anomalies, "文件");
    let dup_dept: Vec<_> = anomalies.iter().filter(|r| r[rule] == "DUPLICATE_DEPARTMENT").collect();
    // form B and form A of the older file
    assert_eq!(dup_dept.len(), 2, "{dup_dept:?}");
    assert!(dup_dept.iter().all(|r| r[file] == "审批局/自评修改版.xlsx"));
    let dup_proj = anomalies.iter().filter(|r| r[rule] == "DUPLICATE_PROJECT").count();
    assert_eq!(dup_proj, 8, "each project of the older file is flagged once");
    // the department's counts are of the version that counts: the same as with one file
    let single = tempfile::tempdir().unwrap();
    let input = single.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let alone = sheet(&run_with(&input, Config::default_config()), "部门排名");
    let errors = col(&depts, "错误(全部表)");
    assert_eq!(depts[1][errors], alone[1][errors]);
}

#[test]
fn a_workbook_also_handed_in_as_a_word_report_is_ranked_once() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let report = input.join("审批局/自评报告.docx");
    std::fs::write(&report, jixiao::fixtures::docx::to_bytes(&jixiao::fixtures::docx::seed_report()).unwrap()).unwrap();
    let t = SystemTime::now() - Duration::from_secs(10 * 86_400);
    std::fs::File::options().write(true).open(&report).unwrap().set_modified(t).unwrap();
    let out = run_with(&input, Config::default_config());
    let depts = sheet(&out, "部门排名");
    assert_eq!(depts.len(), 2, "{depts:?}");
    assert_eq!(depts[1][col(&depts, "文件")], "审批局/自评.xlsx");
    assert_eq!(sheet(&out, "项目排名").len(), 1 + 8);
    let anomalies = sheet(&out, "疑点清单");
    let (rule, file, cell) = (col(&anomalies, "规则"), col(&anomalies, "文件"), col(&anomalies, "单元格"));
    let on_report: Vec<_> = anomalies.iter().filter(|r| r[rule] == "DUPLICATE_DEPARTMENT").collect();
    assert_eq!(on_report.len(), 2, "forms A and B of the report: {on_report:?}");
    // a Word report's findings name its tables, never a grid cell that means nothing in Word
    assert!(on_report.iter().all(|r| r[file] == "审批局/自评报告.docx" && r[cell].is_empty()), "{on_report:?}");
}

#[test]
fn a_corrected_department_form_alone_supersedes_only_that_form() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 30);
    let corrected = WorkbookSpec::stacked("附表", vec![Form::Eval(seed::department())], Layout::default());
    save(&corrected, &input.join("审批局/部门整体自评（更正）.xlsx"), 1);
    let out = run_with(&input, Config::default_config());
    let depts = sheet(&out, "部门排名");
    assert_eq!(depts.len(), 2);
    assert_eq!(depts[1][col(&depts, "文件")], "审批局/部门整体自评（更正）.xlsx");
    assert_eq!(depts[1][col(&depts, "项目表数")], "8", "the projects of the first file still count for it");
    assert_eq!(sheet(&out, "项目排名").len(), 1 + 8);
    let files = sheet(&out, "文件清单");
    let first = files.iter().find(|r| r[0] == "审批局/自评.xlsx").unwrap();
    assert_eq!(first[col(&files, "状态")], "部分表被替代");
    assert!(first[col(&files, "原因")].starts_with("1张表"), "{first:?}");
}

#[test]
fn path_order_can_choose_the_version_instead() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::build(Some(("test.toml", "[ranking]\nversions = \"path\"\n"))).unwrap();
    let out = run_with(&resubmitted(dir.path()), config);
    let depts = sheet(&out, "部门排名");
    assert_eq!(depts.len(), 2);
    assert_eq!(depts[1][col(&depts, "文件")], "审批局/自评修改版.xlsx", "the path that sorts last counts");
    let files = sheet(&out, "文件清单");
    let older = files.iter().find(|r| r[0] == "审批局/自评.xlsx").unwrap();
    assert_eq!(older[col(&files, "以此文件为准")], "审批局/自评修改版.xlsx");
}

#[test]
fn a_department_counts_everything_it_handed_in() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let out = run_with(&input, Config::default_config());
    let depts = sheet(&out, "部门排名");
    let all = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
    let severities: Vec<_> = all.column("severity").unwrap().str().unwrap().iter().flatten().collect();
    let count = |s: &str| severities.iter().filter(|x| **x == s).count().to_string();
    assert_eq!(depts[1][col(&depts, "项目表数")], "8");
    // the seed's errors are all on its project forms (TOTAL_MISMATCH…), none on form B
    assert_eq!(depts[1][col(&depts, "错误(全部表)")], count("error"));
    assert_ne!(count("error"), "0");
    assert_eq!(depts[1][col(&depts, "警告(全部表)")], count("warning"));
    assert_eq!(depts[1][col(&depts, "提示(全部表)")], count("info"));
}

#[test]
fn each_year_is_ranked_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed_of_year(2022), Layout::default()), &input.join("审批局/2022.xlsx"), 1);
    save(&WorkbookSpec::stacked("附表", seed_of_year(2023), Layout::default()), &input.join("审批局/2023.xlsx"), 1);
    let out = run_with(&input, Config::default_config());
    let depts = sheet(&out, "部门排名");
    let (year, rank) = (col(&depts, "年度"), col(&depts, "排名"));
    let got: Vec<(&str, &str)> = depts.iter().skip(1).map(|r| (r[year].as_str(), r[rank].as_str())).collect();
    assert_eq!(got, vec![("2023", "1"), ("2022", "1")], "a year is not a version of another");
    let projects = sheet(&out, "项目排名");
    let (year, rank) = (col(&projects, "年度"), col(&projects, "排名"));
    let firsts: Vec<&str> = projects.iter().skip(1).filter(|r| r[rank] == "1").map(|r| r[year].as_str()).collect();
    assert_eq!(firsts, vec!["2023", "2022"]);
}

#[test]
fn a_total_above_its_weight_is_not_ranked_and_shows_pending() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut forms = seed::forms();
    for f in forms.iter_mut() {
        if let Form::Eval(e) = f
            && matches!(&e.name, Cv::T(n) if n.contains("电子政务网租赁"))
        {
            e.total_score = Cv::N(105.0);
        }
    }
    save(&WorkbookSpec::stacked("附表", forms, Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let out = run_with(&input, Config::default_config());
    let projects = sheet(&out, "项目排名");
    let (rank, name, note) = (col(&projects, "排名"), col(&projects, "项目"), col(&projects, "备注"));
    assert_eq!(projects[1][rank], "1");
    assert!(!projects[1][name].contains("电子政务网租赁"), "an impossible total never tops the ranking");
    let last = projects.last().unwrap();
    assert!(last[name].contains("电子政务网租赁"), "{last:?}");
    assert_eq!(last[rank], "待核实");
    assert!(last[note].contains("填报总分105高于分值100"), "{last:?}");
    assert_eq!(last[col(&projects, "填报总分")], "105");
    assert_eq!(last[col(&projects, "核定总分")], "97");
    // 总览's grade table counts it apart, and adds up to the forms
    let overview = sheet(&out, "总览");
    let grade = |g: &str| overview.iter().find(|r| r[0] == g).map(|r| r[2].clone()).unwrap_or_default();
    assert_eq!(grade("待核实"), "1");
    let sum: usize =
        ["优", "良", "中", "差", "待核实", "无总分"].iter().map(|g| grade(g).parse::<usize>().unwrap()).sum();
    assert_eq!(sum, 8, "the grade table adds up to the project forms");
    let anomalies = sheet(&out, "疑点清单");
    let (rule, project) = (col(&anomalies, "规则"), col(&anomalies, "项目"));
    assert!(
        anomalies.iter().any(|r| r[rule] == "SCORE_OVER_WEIGHT" && r[project].contains("电子政务网租赁")),
        "the 总分 row is SCORE_OVER_WEIGHT"
    );
}

#[test]
fn the_calculated_total_can_rank_instead() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let config = Config::build(Some(("test.toml", "[ranking]\nby = \"calculated\"\n"))).unwrap();
    let out = run_with(&input, config);
    let projects = sheet(&out, "项目排名");
    let calc = col(&projects, "核定总分");
    let totals: Vec<f64> = projects.iter().skip(1).map(|r| r[calc].parse().unwrap()).collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "by 核定总分: {totals:?}");
    // 快递服务经费 states 95 but adds up to 82.8, the lowest: last by calculation
    assert!(projects.last().unwrap()[col(&projects, "项目")].contains("快递服务经费"));
    assert_eq!(projects[1][col(&projects, "排名")], "1");
}
