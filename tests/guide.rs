//! 说明 and the rule names: an officer reads each finding's rule in Chinese and finds,
//! in the workbook itself, what it means and which tolerance was applied.

mod common;

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunOptions, run};
use jixiao_fixtures::{Layout, WorkbookSpec, seed};

fn guide_rows(config: Config) -> Vec<Vec<String>> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("审批局")).unwrap();
    WorkbookSpec::stacked("附表", seed::forms(), Layout::default()).save(&input.join("审批局/2022.xlsx")).unwrap();
    let out = dir.path().join("out");
    let opts = RunOptions { jobs: Some(1), ..run_options(&input, &out, config, false) };
    run(&opts).unwrap();
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let range = wb.worksheet_range("说明").unwrap();
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[test]
fn the_guide_names_every_rule_with_its_meaning_and_the_tolerance_in_force() {
    let config = Config::build(Some(("test.toml", "[rules.EXEC_RATE_MISMATCH]\ntolerance = 1.5\n"))).unwrap();
    let rows = guide_rows(config);
    for rule in jixiao_rules::catalog() {
        let row = rows.iter().find(|r| r[0] == rule.id).unwrap_or_else(|| panic!("{} missing", rule.id));
        assert_eq!(row[1], rule.name);
        assert!(!row[1].is_empty() && !row[3].is_empty(), "{row:?}");
        assert!(!rule.name.is_ascii(), "{}: a Chinese name", rule.id);
    }
    let exec = rows.iter().find(|r| r[0] == "EXEC_RATE_MISMATCH").unwrap();
    assert_eq!(exec[1], "执行率计算不符");
    assert_eq!(exec[4], "容差 1.5个百分点", "the user's tolerance, with its unit");
    let sum = rows.iter().find(|r| r[0] == "FUND_SOURCE_SUM").unwrap();
    assert_eq!(sum[4], "容差 0.05万元，或合计的 0.1%（取大者）");
    let high = rows.iter().find(|r| r[0] == "HIGH_SCORE_LOW_EXECUTION").unwrap();
    assert_eq!(high[4], "阈值 80%");
    for level in ["错误", "警告", "提示"] {
        let row = rows.iter().find(|r| r[0] == level).unwrap();
        assert!(row[3].chars().count() > 10, "{level} says what it asks of the office: {row:?}");
    }
    let grades = rows.iter().find(|r| r[0] == "等级").unwrap();
    assert_eq!(grades[3], "优 ≥ 90；良 ≥ 80 且 < 90；中 ≥ 60 且 < 80；差 < 60");
    assert!(rows.iter().any(|r| r[0] == "金额" && r[3].starts_with("万元")));
    // how the rankings are made, as this run made them: by the checked total by default
    let ranking = rows.iter().find(|r| r[0] == "排名").unwrap();
    assert!(ranking[3].starts_with("按核定总分"), "{ranking:?}");
    assert!(ranking[3].contains("无分项得分，无法核定总分"), "{ranking:?}");
    let versions = rows.iter().find(|r| r[0] == "重复报送").unwrap();
    assert!(versions[3].contains("已替代版本的疑点"), "{versions:?}");
}

#[test]
fn the_guide_says_when_the_stated_total_ranks() {
    let rows = guide_rows(Config::build(Some(("test.toml", "[ranking]\nby = \"stated\"\n"))).unwrap());
    let ranking = rows.iter().find(|r| r[0] == "排名").unwrap();
    assert!(ranking[3].starts_with("按填报总分"), "{ranking:?}");
}

#[test]
fn the_rules_command_prints_each_rule_with_its_chinese_name() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("rules")
        .env_remove("JIXIAO_LANG")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for rule in jixiao_rules::catalog() {
        assert!(text.contains(rule.id) && text.contains(rule.name) && text.contains(rule.meaning), "{}", rule.id);
    }
    // in Chinese: 级别 as 错误/警告/提示, not error/warning/info
    assert!(text.contains("【错误】") && !text.contains(" error "), "{text}");
}
