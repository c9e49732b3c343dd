//! The rankings as the finance office reads them: each department and project once
//! however many versions were handed in, the file that counted named in 文件清单, each
//! year ranked on its own, ranked and graded on the checked total (核定总分) unless
//! `[ranking] by = "stated"`, impossible or missing totals set apart as 待核实, a
//! department's counts covering everything it handed in, and on sample-data one count of
//! forms and findings on every sheet and in run.json.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::run;
use jixiao_fixtures::{Cv, Form, Layout, WorkbookSpec, seed};
use jixiao_report::dataset::read_table;

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

    // the older file's findings, DUPLICATE_* among them, are listed apart, not in 疑点清单
    let anomalies = sheet(&out, "已替代版本的疑点");
    let rule = col(&anomalies, "规则");
    let file = col(&anomalies, "文件");
    let dup_dept: Vec<_> = anomalies.iter().filter(|r| r[rule] == "DUPLICATE_DEPARTMENT").collect();
    // form B and form A of the older file
    assert_eq!(dup_dept.len(), 2, "{dup_dept:?}");
    assert!(dup_dept.iter().all(|r| r[file] == "审批局/自评修改版.xlsx"));
    let dup_proj = anomalies.iter().filter(|r| r[rule] == "DUPLICATE_PROJECT").count();
    assert_eq!(dup_proj, 8, "each project of the older file is flagged once");
    assert!(anomalies.iter().skip(1).all(|r| r[file] == "审批局/自评修改版.xlsx"), "only the older file's findings");
    assert!(anomalies.iter().skip(1).all(|r| r[col(&anomalies, "以此文件为准")] == "审批局/自评.xlsx"));
    let counted = sheet(&out, "疑点清单");
    assert!(!counted.iter().any(|r| r[col(&counted, "文件")] == "审批局/自评修改版.xlsx"), "counted once");
    // anomalies.parquet keeps both, the older file's flagged `superseded`
    let all = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
    let paths: Vec<_> = all.column("path").unwrap().str().unwrap().iter().map(Option::unwrap).collect();
    let flags: Vec<_> = all.column("superseded").unwrap().bool().unwrap().iter().map(Option::unwrap).collect();
    assert_eq!(paths.len(), anomalies.len() - 1 + counted.len() - 1);
    assert!(paths.iter().zip(&flags).all(|(p, f)| *f == (*p == "审批局/自评修改版.xlsx")), "{paths:?} {flags:?}");
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
    std::fs::write(&report, jixiao_fixtures::docx::to_bytes(&jixiao_fixtures::docx::seed_report()).unwrap()).unwrap();
    let t = SystemTime::now() - Duration::from_secs(10 * 86_400);
    std::fs::File::options().write(true).open(&report).unwrap().set_modified(t).unwrap();
    let out = run_with(&input, Config::default_config());
    let depts = sheet(&out, "部门排名");
    assert_eq!(depts.len(), 2, "{depts:?}");
    assert_eq!(depts[1][col(&depts, "文件")], "审批局/自评.xlsx");
    assert_eq!(sheet(&out, "项目排名").len(), 1 + 8);
    let anomalies = sheet(&out, "已替代版本的疑点");
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

/// The seed with the form of project `name` changed by `change`.
fn seed_with(name: &str, change: impl Fn(&mut jixiao_fixtures::FormSpec)) -> Vec<Form> {
    let mut forms = seed::forms();
    for f in forms.iter_mut() {
        if let Form::Eval(e) = f
            && matches!(&e.name, Cv::T(n) if n.contains(name))
        {
            change(e);
        }
    }
    forms
}

fn stated() -> Config {
    Config::build(Some(("test.toml", "[ranking]\nby = \"stated\"\n"))).unwrap()
}

/// Ranking by 填报总分 (`by = "stated"`), a stated total above the 总分 row's weight cannot
/// be right: not ranked, 待核实.
#[test]
fn a_total_above_its_weight_is_not_ranked_and_shows_pending() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let forms = seed_with("电子政务网租赁", |e| e.total_score = Cv::N(105.0));
    save(&WorkbookSpec::stacked("附表", forms, Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let out = run_with(&input, stated());
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
    assert_eq!((last[col(&projects, "填报等级")].as_str(), last[col(&projects, "核定等级")].as_str()), ("", ""));
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

/// By default the checked total ranks: a stated total above the weight no longer matters
/// when the items add up to less, but a checked total above it does.
#[test]
fn ranking_by_the_checked_total_sets_apart_a_checked_total_above_its_weight() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let forms = seed_with("电子政务网租赁", |e| e.total_score = Cv::N(105.0));
    save(&WorkbookSpec::stacked("附表", forms, Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let projects = sheet(&run_with(&input, Config::default_config()), "项目排名");
    let row = projects.iter().find(|r| r[col(&projects, "项目")].contains("电子政务网租赁")).unwrap();
    // 99.9, 98, then this one's 97
    assert_eq!(row[col(&projects, "排名")], "3", "{row:?}");
    assert_eq!(row[col(&projects, "核定等级")], "优");
    assert_eq!(row[col(&projects, "差异(填报−核定)")], "8");

    // an indicator scored 5 above its weight: the items add up to 102 of 100
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let forms = seed_with("电子政务网租赁", |e| {
        let i = e.indicators.iter_mut().find(|i| i.score.num().is_some()).unwrap();
        i.score = Cv::N(i.score.num().unwrap() + 5.0);
    });
    save(&WorkbookSpec::stacked("附表", forms, Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let projects = sheet(&run_with(&input, Config::default_config()), "项目排名");
    let last = projects.last().unwrap();
    assert!(last[col(&projects, "项目")].contains("电子政务网租赁"), "{last:?}");
    assert_eq!(last[col(&projects, "排名")], "待核实");
    assert!(last[col(&projects, "备注")].contains("核定总分102高于分值100"), "{last:?}");
    assert_eq!((last[col(&projects, "核定等级")].as_str(), last[col(&projects, "填报等级")].as_str()), ("", ""));
}

/// `[ranking] by = "stated"` keeps the order of before issue 22: by 填报总分, which comes
/// first, the stated grade beside it; the arithmetic errors rank on what they state.
#[test]
fn the_stated_total_can_rank_instead() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let out = run_with(&input, stated());
    let projects = sheet(&out, "项目排名");
    assert_eq!(&projects[0][4..9], ["填报总分", "填报等级", "核定总分", "核定等级", "差异(填报−核定)"]);
    let stated = col(&projects, "填报总分");
    let got: Vec<(&str, &str)> =
        projects.iter().skip(1).map(|r| (r[col(&projects, "排名")].as_str(), r[stated].as_str())).collect();
    // 99.9, 98, 97, 97, 95.9, 95.62, 95, 95: ties share a rank
    let ranks: Vec<&str> = got.iter().map(|g| g.0).collect();
    assert_eq!(ranks, ["1", "2", "3", "3", "5", "6", "7", "7"], "{got:?}");
    let courier = projects.iter().find(|r| r[col(&projects, "项目")].contains("快递服务经费")).unwrap();
    assert_eq!((courier[stated].as_str(), courier[col(&projects, "填报等级")].as_str()), ("95", "优"));
    assert_eq!(courier[col(&projects, "核定等级")], "良", "the checked grade beside it");
    let overview = sheet(&out, "总览");
    assert!(overview.iter().any(|r| r[0] == "等级分布（按填报总分）"));
    let excellent = overview.iter().find(|r| r[0] == "优").unwrap();
    assert_eq!(excellent[2], "8", "every seed project states 优");
}

/// By default: 核定总分 first, ranks by it, the grade is its grade.
#[test]
fn the_checked_total_ranks_and_grades_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    save(&WorkbookSpec::stacked("附表", seed::forms(), Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let out = run_with(&input, Config::default_config());
    let projects = sheet(&out, "项目排名");
    assert_eq!(&projects[0][4..9], ["核定总分", "核定等级", "填报总分", "填报等级", "差异(填报−核定)"]);
    let calc = col(&projects, "核定总分");
    let totals: Vec<f64> = projects.iter().skip(1).map(|r| r[calc].parse().unwrap()).collect();
    assert_eq!(totals, [99.9, 98.0, 97.0, 95.5, 85.0, 84.1, 83.12, 82.8]);
    let ranks: Vec<&str> = projects.iter().skip(1).map(|r| r[col(&projects, "排名")].as_str()).collect();
    assert_eq!(ranks, ["1", "2", "3", "4", "5", "6", "7", "8"]);
    // 快递服务经费 states 95 but adds up to 82.8, the lowest: last, 良
    let last = projects.last().unwrap();
    assert!(last[col(&projects, "项目")].contains("快递服务经费"));
    assert_eq!((last[col(&projects, "核定等级")].as_str(), last[col(&projects, "填报等级")].as_str()), ("良", "优"));
    assert_eq!(last[col(&projects, "差异(填报−核定)")], "12.2");
    let overview = sheet(&out, "总览");
    let grade = |g: &str| overview.iter().find(|r| r[0] == g).map(|r| r[2].clone()).unwrap_or_default();
    assert_eq!((grade("优").as_str(), grade("良").as_str()), ("4", "4"));
}

/// A form whose items carry no score at all (a Sichuan 工资性支出 form) has no checked
/// total: 待核实 with the reason, no grade in either column, no 核定总分, and outside every
/// average and grade count.
#[test]
fn a_form_without_item_scores_is_pending_ungraded_and_outside_averages() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let forms = seed_with("电子政务网租赁", |e| {
        e.funds.iter_mut().for_each(|f| f.score = Cv::E);
        e.indicators.iter_mut().for_each(|i| i.score = Cv::E);
    });
    save(&WorkbookSpec::stacked("附表", forms, Layout::default()), &input.join("审批局/自评.xlsx"), 1);
    let out = run_with(&input, Config::default_config());
    let projects = sheet(&out, "项目排名");
    let last = projects.last().unwrap();
    assert!(last[col(&projects, "项目")].contains("电子政务网租赁"), "{last:?}");
    assert_eq!(last[col(&projects, "排名")], "待核实");
    assert!(last[col(&projects, "备注")].contains("无分项得分，无法核定总分"), "{last:?}");
    assert_eq!(last[col(&projects, "核定总分")], "", "no checked total, not 0");
    assert_eq!(last[col(&projects, "填报总分")], "97", "the stated total is still shown");
    assert_eq!((last[col(&projects, "核定等级")].as_str(), last[col(&projects, "填报等级")].as_str()), ("", ""));
    let ranked: Vec<&Vec<String>> = projects.iter().skip(1).filter(|r| r[col(&projects, "排名")] != "待核实").collect();
    assert_eq!(ranked.len(), 7);
    let average = |c: &str| ranked.iter().map(|r| r[col(&projects, c)].parse::<f64>().unwrap()).sum::<f64>() / 7.0;

    let systems = sheet(&out, "分系统汇总");
    let total = systems.last().unwrap();
    let got = |c: &str| total[col(&systems, c)].parse::<f64>().unwrap();
    assert!((got("项目平均核定总分") - average("核定总分")).abs() < 1e-9, "{total:?}");
    assert!((got("项目平均填报总分") - average("填报总分")).abs() < 1e-9, "{total:?}");
    let overview = sheet(&out, "总览");
    let line = |label: &str| overview.iter().find(|r| r[0] == label).unwrap()[1].parse::<f64>().unwrap();
    assert!((line("项目平均核定总分（参与排名的表）") - average("核定总分")).abs() < 1e-9);
    assert!((line("项目平均填报总分（参与排名的表）") - average("填报总分")).abs() < 1e-9);
    let grade = |g: &str| overview.iter().find(|r| r[0] == g).map(|r| r[2].clone()).unwrap_or_default();
    assert_eq!([grade("优"), grade("良"), grade("待核实")], ["3", "4", "1"]);

    // the Parquet table says the form has no item scores and no checked grade
    let evals = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    let project: Vec<_> = evals.column("project").unwrap().str().unwrap().iter().collect();
    let at = project.iter().position(|p| p.is_some_and(|p| p.contains("电子政务网租赁"))).unwrap();
    assert_eq!(evals.column("has_item_scores").unwrap().bool().unwrap().get(at), Some(false));
    assert_eq!(evals.column("grade_calc").unwrap().str().unwrap().get(at), None);
    assert_eq!(evals.column("grade").unwrap().str().unwrap().get(at), Some("优"), "grade stays the stated one");
}

/// `sample-data/` copied with one time on every file: as in a fresh checkout, the 修改版
/// (sorting last) counts.
fn sample_data(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path, t: SystemTime) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target, t);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
                std::fs::File::options().write(true).open(&target).unwrap().set_modified(t).unwrap();
            }
        }
    }
    let input = dir.join("in");
    let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data"), &input, t);
    input
}

fn number(s: &str) -> usize {
    s.parse::<f64>().unwrap_or_else(|_| panic!("not a number: {s:?}")) as usize
}

/// Every count of errors, warnings, infos and forms agrees across 总览, 领导简报,
/// 分系统汇总, 疑点清单 (its rows by severity), 部门排名 / 项目排名 and run.json: the
/// findings of the superseded 第二中学 workbook are counted nowhere, and listed apart.
#[test]
fn sample_data_counts_agree_on_every_sheet_and_in_run_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(&sample_data(dir.path()), Config::default_config());
    let run: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let json = |a: &str, b: &str| run[a][b].as_u64().unwrap_or_else(|| panic!("run.json {a}.{b}")) as usize;
    let (errors, warnings, infos) =
        (json("anomalies", "error"), json("anomalies", "warning"), json("anomalies", "info"));
    let (departments, projects) = (json("forms", "department"), json("forms", "project"));
    assert_eq!(json("anomalies", "total"), errors + warnings + infos);
    assert!(errors > 0 && warnings > 0 && infos > 0);

    // 疑点清单, row by row
    let list = sheet(&out, "疑点清单");
    let level = |rows: &[Vec<String>], s: &str| rows.iter().skip(1).filter(|r| r[0] == s).count();
    assert_eq!([level(&list, "错误"), level(&list, "警告"), level(&list, "提示")], [errors, warnings, infos]);
    assert_eq!(list.len() - 1, errors + warnings + infos);

    // 总览: run figures, the per-rule table, the grade table; then 领导简报
    let overview = sheet(&out, "总览");
    let at = |label: &str| overview.iter().position(|r| r[0] == label).unwrap_or_else(|| panic!("no {label}"));
    let value = |label: &str| number(&overview[at(label)][1]);
    assert_eq!(value("疑点总数"), errors + warnings + infos);
    assert_eq!([value("其中：错误"), value("其中：警告"), value("其中：提示")], [errors, warnings, infos]);
    assert_eq!([value("部门整体支出自评表"), value("项目支出自评表")], [departments, projects]);
    let rules = at("疑点规则");
    let per_rule: Vec<&Vec<String>> = overview[rules + 1..].iter().take_while(|r| !r[0].is_empty()).collect();
    let column = |c: usize| per_rule.iter().map(|r| number(&r[c])).sum::<usize>();
    assert_eq!([column(1), column(2), column(3)], [errors, warnings, infos], "总览's rule table");
    let grades = overview.iter().find(|r| r[0].starts_with("等级分布")).unwrap();
    let total = &overview[at("合计（计入的表）")];
    assert_eq!([number(&total[1]), number(&total[2])], [departments, projects], "{grades:?}");
    let brief = at("领导简报");
    let below = |label: &str| {
        let i = overview[brief..].iter().position(|r| r[0] == label).unwrap_or_else(|| panic!("no {label}"));
        number(&overview[brief + i][1])
    };
    assert_eq!([below("疑点：错误"), below("疑点：警告"), below("疑点：提示")], [errors, warnings, infos]);
    assert_eq!([below("参评部门（部门整体支出自评表）"), below("参评项目（项目支出自评表）")], [departments, projects]);
    let by_count = brief + overview[brief..].iter().position(|r| r[0] == "疑点规则（按数量）").unwrap();
    let fired: Vec<&Vec<String>> = overview[by_count + 1..].iter().take_while(|r| !r[0].is_empty()).collect();
    let column = |c: usize| fired.iter().map(|r| number(&r[c])).sum::<usize>();
    assert_eq!([column(1), column(2), column(3)], [errors, warnings, infos], "领导简报's rule table");

    // 分系统汇总's 合计
    let systems = sheet(&out, "分系统汇总");
    let total = systems.last().unwrap();
    assert_eq!(total[0], "合计");
    let sum = |c: &str| number(&total[col(&systems, c)]);
    assert_eq!([sum("错误"), sum("警告"), sum("提示")], [errors, warnings, infos]);
    assert_eq!([sum("部门表数"), sum("项目表数")], [departments, projects]);
    let graded: usize = ["优", "良", "中", "差", "待核实", "无总分"].iter().map(|g| sum(&format!("{g}(部门表)"))).sum();
    assert_eq!(graded, departments);

    // the rankings list each form that counts once
    assert_eq!(sheet(&out, "部门排名").len() - 1, departments);
    assert_eq!(sheet(&out, "项目排名").len() - 1, projects);

    // the superseded version's findings: listed apart, never counted
    let older = "市卫生健康委系统/株洲市第二中学2022年度绩效自评.xlsx";
    let apart = sheet(&out, "已替代版本的疑点");
    assert_eq!(apart.len() - 1, json("anomalies", "superseded"));
    assert!(apart.len() > 1);
    assert!(apart.iter().skip(1).all(|r| r[col(&apart, "文件")] == older), "{apart:?}");
    let counts = col(&apart, "以此文件为准");
    assert!(
        apart.iter().skip(1).all(|r| r[counts] == "市卫生健康委系统/株洲市第二中学2022年度绩效自评（修改版）.xlsx")
    );
    assert!(!list.iter().any(|r| r[col(&list, "文件")] == older), "疑点清单 holds no finding of the older version");
    // the TOTAL_MISMATCH both versions carry is in 疑点清单 once
    let rule = col(&list, "规则");
    let school = |r: &&Vec<String>| r[col(&list, "部门")] == "株洲市第二中学" && r[rule] == "TOTAL_MISMATCH";
    assert_eq!(list.iter().filter(school).count(), 1);
    assert_eq!(json("forms", "superseded"), 8, "the older file's form B, form A and six projects");

    // anomalies.parquet keeps every finding, flagged
    let all = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
    let flags: Vec<bool> = all.column("superseded").unwrap().bool().unwrap().iter().map(Option::unwrap).collect();
    assert_eq!(flags.len(), list.len() - 1 + apart.len() - 1);
    assert_eq!(flags.iter().filter(|f| **f).count(), apart.len() - 1);
}

/// The seed's three projects whose items add up to less than they state (95.9 / 95 / 95.62
/// stated, 84.1 / 82.8 / 83.12 checked; spec §4) are 良 on the checked total and ranked below
/// every project whose checked total is higher, on sample-data.
#[test]
fn sample_data_grades_the_seed_arithmetic_errors_on_their_checked_totals() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_with(&sample_data(dir.path()), Config::default_config());
    let projects = sheet(&out, "项目排名");
    let (rank, name) = (col(&projects, "排名"), col(&projects, "项目"));
    let (calc, stated) = (col(&projects, "核定总分"), col(&projects, "填报总分"));
    let ranked: Vec<(u32, f64)> = projects
        .iter()
        .skip(1)
        .filter_map(|r| Some((r[rank].parse::<u32>().ok()?, r[calc].parse::<f64>().unwrap())))
        .collect();
    for (project, s, c) in
        [("窗口补贴", 95.9, 84.1), ("快递服务经费", 95.0, 82.8), ("项目技术审查会相关费用", 95.62, 83.12)]
    {
        let row = projects.iter().find(|r| r[name].contains(project)).unwrap_or_else(|| panic!("no {project}"));
        assert_eq!((row[stated].parse::<f64>().unwrap(), row[calc].parse::<f64>().unwrap()), (s, c), "{row:?}");
        assert_eq!(row[col(&projects, "核定等级")], "良", "{row:?}");
        assert_eq!(row[col(&projects, "填报等级")], "优", "the stated grade beside it");
        let place: u32 = row[rank].parse().unwrap();
        let higher = ranked.iter().filter(|(_, t)| *t > c).count() as u32;
        assert_eq!(
            place,
            higher + 1,
            "{project}: ranked right below the {higher} projects whose checked total is higher"
        );
        assert!(ranked.iter().filter(|(_, t)| *t > c).all(|(r, _)| *r < place));
    }
}
