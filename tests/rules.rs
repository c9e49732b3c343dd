//! The rule catalog: the seed audit of spec §4, every rule on a generated form where it
//! fires and on its clean twin where it does not, and planted anomalies found again.

mod common;

use std::collections::BTreeSet;

use common::*;
use jixiao::config::Config;
use jixiao::pipeline::finish_batch;
use jixiao_fixtures::synth::{basic_pair, departments, project_pair};
use jixiao_fixtures::{Form, Layout, WorkbookSpec};
use jixiao_rules::FileResult;

/// The rules whose firing on a consistent form would be a false alarm about arithmetic.
const ARITHMETIC: &[&str] = &[
    "EXEC_RATE_MISMATCH",
    "EXEC_SCORE_MISMATCH",
    "SCORE_OVER_WEIGHT",
    "TOTAL_MISMATCH",
    "WEIGHT_SUM",
    "TARGET_MISSED_FULL_SCORE",
    "OVER_EXECUTION",
    "FUND_SOURCE_SUM",
    "HIGH_SCORE_LOW_EXECUTION",
    "UNIT_MISMATCH",
];

#[test]
fn seed_audit_of_spec_section_4() {
    let r = seed_result();
    let audit: [(&str, &[&str]); 9] = [
        ("株洲市行政审批服务局", &["DEDUCTION_NO_REASON", "TARGET_MET_DEDUCTED", "MALFORMED_NUMBER"]),
        ("窗口补贴", &["TOTAL_MISMATCH", "WEIGHT_SUM", "FILED_DATE", "MISSING_VALUE", "MALFORMED_NUMBER"]),
        ("一件事一次办改革经费", &[]),
        (
            "快递服务经费",
            &["TOTAL_MISMATCH", "WEIGHT_SUM", "HIGH_SCORE_LOW_EXECUTION", "DEDUCTION_NO_REASON", "MISSING_VALUE"],
        ),
        ("信息资源共享交换平台", &["TOTAL_MISMATCH", "UNIT_MISMATCH", "FUND_SOURCE_SUM", "MISSING_VALUE"]),
        (
            "项目技术审查会相关费用",
            &[
                "TOTAL_MISMATCH",
                "WEIGHT_SUM",
                "HIGH_SCORE_LOW_EXECUTION",
                "MISSING_VALUE",
                "FILED_DATE",
                "SECTION_WEIGHT",
            ],
        ),
        ("电子政务外网网络安全", &[]),
        ("电子政务网租赁", &[]),
        ("市民中心大厅运转维护费", &["TOTAL_MISMATCH", "DEDUCTION_NO_REASON", "MISSING_VALUE"]),
    ];
    for (name, listed) in audit {
        let fired: BTreeSet<&str> = rules_on(&r, name).into_iter().collect();
        for rule in listed {
            assert!(fired.contains(rule), "{name}: {rule} must fire; fired {fired:?}");
        }
        for rule in ARITHMETIC {
            assert!(!fired.contains(rule) || listed.contains(rule), "{name}: {rule} fired but the audit lists none");
        }
    }
    let msgs = |rule: &str, name: &str| -> Vec<String> {
        r.anomalies
            .iter()
            .filter(|a| a.rule == rule && form(&r, name).eval_id == *a.eval_id.as_ref().unwrap())
            .map(|a| a.message.clone())
            .collect()
    };
    let b = msgs("DEDUCTION_NO_REASON", "株洲市行政审批服务局");
    assert!(b.iter().any(|m| m.contains("服务面积")) && b.iter().any(|m| m.contains("市民办事满意度")), "{b:?}");
    assert_eq!(b.len(), 2, "政府采购执行率 has its reason");
    assert!(msgs("TARGET_MET_DEDUCTED", "株洲市行政审批服务局").iter().any(|m| m.contains("服务面积")));
    assert!(msgs("MALFORMED_NUMBER", "株洲市行政审批服务局").iter().any(|m| m.contains("2..23亿元")));
    assert!(msgs("MALFORMED_NUMBER", "窗口补贴").iter().any(|m| m.contains("<!%")));
    assert!(msgs("MISSING_VALUE", "窗口补贴").iter().any(|m| m.contains("主管部门")));
    assert!(msgs("FILED_DATE", "窗口补贴").iter().any(|m| m.contains("2022-04-30")));
    let info = msgs("MISSING_VALUE", "信息资源共享交换平台");
    for field in ["上线试运行", "填表人", "填报日期"] {
        assert!(info.iter().any(|m| m.contains(field)), "信息资源: MISSING_VALUE {field}: {info:?}");
    }
    assert!(msgs("FUND_SOURCE_SUM", "信息资源共享交换平台").iter().any(|m| m.starts_with("年初预算数")));
    let unit = r.anomalies.iter().find(|a| a.rule == "UNIT_MISMATCH").unwrap();
    assert!(unit.message.contains("794500元") && unit.message.contains("79.45"), "{}", unit.message);
    let courier = msgs("DEDUCTION_NO_REASON", "快递服务经费");
    assert!(courier.iter().any(|m| m.contains("15/20")), "{courier:?}");
    assert!(msgs("HIGH_SCORE_LOW_EXECUTION", "快递服务经费").iter().any(|m| m.contains("78.11%")));
    assert!(msgs("HIGH_SCORE_LOW_EXECUTION", "项目技术审查会相关费用").iter().any(|m| m.contains("62.7%")));
    assert!(msgs("FILED_DATE", "项目技术审查会相关费用").iter().any(|m| m.contains("20234..25")));
    assert!(msgs("MISSING_VALUE", "项目技术审查会相关费用").iter().any(|m| m.contains("资金表得分")));
    assert!(
        msgs("SECTION_WEIGHT", "项目技术审查会相关费用")
            .iter()
            .any(|m| m.contains("满意度指标标明10分") && m.contains("7.5"))
    );
    let hall = msgs("MISSING_VALUE", "市民中心大厅运转维护费");
    assert!(
        hall.iter().filter(|m| m.contains("实际完成值")).count() >= 4
            && hall.iter().any(|m| m.contains("办事人满意度”得分")),
        "{hall:?}"
    );
    // form A: 市级专项资金 against its lines, in the three amount columns
    let sub: Vec<_> = r.anomalies.iter().filter(|a| a.rule == "SUBTOTAL_MISMATCH").collect();
    assert_eq!(sub.len(), 3, "{sub:?}");
    assert!(sub.iter().all(|a| a.message.contains("市级专项资金")));
    let sums: Vec<f64> = sub.iter().filter_map(|a| a.expected).collect();
    assert!(
        sums.iter().any(|s| (s - 574.35).abs() < 1e-6) && sums.iter().any(|s| (s - 931.0467).abs() < 1e-6),
        "{sums:?}"
    );
    assert!(
        !r.anomalies.iter().any(|a| a.rule == "STAFF_CONTROL_RATE"),
        "42 ÷ 43 = 97.7%, stated 98%: within 0.5 points"
    );
}

#[test]
fn every_form_finding_points_at_a_cell() {
    let r = seed_result();
    for a in &r.anomalies {
        assert!(!a.cell.is_empty() && a.eval_id.is_some(), "{a:?}");
    }
    let reason =
        r.anomalies.iter().find(|a| a.rule == "DEDUCTION_NO_REASON" && a.message.contains("服务面积")).unwrap();
    assert!(reason.cell.starts_with('I'), "the reason column: {}", reason.cell);
}

/// Rules that can be planted into one project form.
const PROJECT_RULES: &[&str] = &[
    "TOTAL_MISMATCH",
    "WEIGHT_SUM",
    "EXEC_RATE_MISMATCH",
    "EXEC_SCORE_MISMATCH",
    "SCORE_OVER_WEIGHT",
    "SECTION_WEIGHT",
    "TARGET_MISSED_FULL_SCORE",
    "TARGET_MET_DEDUCTED",
    "DEDUCTION_NO_REASON",
    "MISSING_VALUE",
    "MALFORMED_NUMBER",
    "UNIT_MISMATCH",
    "OVER_EXECUTION",
    "FUND_SOURCE_SUM",
    "FILED_DATE",
    "HIGH_SCORE_LOW_EXECUTION",
];

fn fired(r: &FileResult) -> BTreeSet<&'static str> {
    r.anomalies.iter().map(|a| a.rule).collect()
}

#[test]
fn each_rule_fires_on_its_fixture_and_not_on_the_clean_twin() {
    let dir = tempfile::tempdir().unwrap();
    for rule in PROJECT_RULES {
        for sichuan in [false, true] {
            if sichuan && *rule == "SECTION_WEIGHT" {
                continue; // Sichuan's level-1 labels declare no points: nothing to check
            }
            // the standard template has a 满意度 section; some seeds have no ≥…% target
            let Some((clean, dirty)) = (1..40).find_map(|s| project_pair(rule, s, sichuan)) else {
                panic!("{rule}: cannot plant")
            };
            let layout = Layout { sichuan, ..Layout::default() };
            let tag = if sichuan { "sc" } else { "std" };
            let c = process(
                dir.path(),
                &format!("{rule}/{tag}-clean.xlsx"),
                &WorkbookSpec::stacked("表", vec![Form::Eval(clean)], layout),
            );
            let d = process(
                dir.path(),
                &format!("{rule}/{tag}-dirty.xlsx"),
                &WorkbookSpec::stacked("表", vec![Form::Eval(dirty)], layout),
            );
            assert!(fired(&d).contains(rule), "{rule} ({tag}) must fire: {:?}", d.anomalies);
            assert!(!fired(&c).contains(rule), "{rule} ({tag}) fired on the clean twin: {:?}", c.anomalies);
            assert!(c.anomalies.is_empty(), "clean twin of {rule} ({tag}) has findings: {:?}", c.anomalies);
        }
    }
    for rule in ["SUBTOTAL_MISMATCH", "STAFF_CONTROL_RATE"] {
        let (clean, dirty) = basic_pair(rule, 3).unwrap();
        let c = process(
            dir.path(),
            &format!("{rule}/clean.xlsx"),
            &WorkbookSpec::stacked("表", vec![Form::Basic(clean)], Layout::default()),
        );
        let d = process(
            dir.path(),
            &format!("{rule}/dirty.xlsx"),
            &WorkbookSpec::stacked("表", vec![Form::Basic(dirty)], Layout::default()),
        );
        assert!(fired(&d).contains(rule), "{rule} must fire: {:?}", d.anomalies);
        assert!(c.anomalies.is_empty(), "clean twin of {rule}: {:?}", c.anomalies);
    }
}

#[test]
fn batch_rules_duplicate_project_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, _) = project_pair("TOTAL_MISMATCH", 5, false).unwrap();
    let once = WorkbookSpec::stacked("表", vec![Form::Eval(clean.clone())], Layout::default());
    let twice =
        WorkbookSpec::stacked("表", vec![Form::Eval(clean.clone()), Form::Eval(clean.clone())], Layout::default());
    let config = Config::default_config();
    let a = process(dir.path(), "a/once.xlsx", &once);
    let b = process(dir.path(), "b/twice.xlsx", &twice);
    let data = finish_batch(vec![a.clone(), b], &config.settings, run_date());
    // findings of superseded versions, DUPLICATE_PROJECT among them, are set apart
    let dup: Vec<_> = data.superseded_anomalies.iter().filter(|x| x.rule == "DUPLICATE_PROJECT").collect();
    assert!(!data.anomalies.iter().any(|x| x.rule == "DUPLICATE_PROJECT"), "not counted");
    // once.xlsx and the two forms of twice.xlsx: one version counts — with no file times,
    // the path that sorts last, and in it the first form — and the two others are flagged
    assert_eq!(dup.len(), 2, "{dup:?}");
    assert!(dup.iter().all(|x| !x.cell.is_empty() && x.message.contains("以b/twice.xlsx")), "{dup:?}");
    assert_eq!(dup.iter().filter(|x| x.path == "a/once.xlsx").count(), 1);
    assert_eq!(data.counted().count(), 1, "the project is ranked once");
    // a byte-identical copy is DUPLICATE_FILE, and its forms are not counted again
    let copy = process_path(&dir.path().join("a/once.xlsx"), "z/copy.xlsx");
    let data = finish_batch(vec![a, copy], &config.settings, run_date());
    assert_eq!(data.evaluations.len(), 1);
    assert!(data.anomalies.iter().any(|x| x.rule == "DUPLICATE_FILE" && x.path == "z/copy.xlsx"));
    let all = data.all_anomalies();
    assert!(!all.iter().any(|(x, _)| x.rule == "DUPLICATE_PROJECT"), "a file copy is not a duplicate project");
}

#[test]
fn planted_anomalies_in_unseen_departments_are_found_and_consistent_forms_stay_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let depts = departments(44, 31337);
    let results: Vec<FileResult> = depts.iter().map(|d| process(dir.path(), &d.path, &d.workbook)).collect();
    let data = finish_batch(results, &Config::default_config().settings, run_date());
    let planted: Vec<_> = depts.iter().flat_map(|d| d.planted.iter()).collect();
    assert!(planted.len() >= 15, "{} planted", planted.len());
    let mut found = 0;
    for p in &planted {
        // those of superseded versions included (DUPLICATE_*), listed apart
        let hit = data
            .all_anomalies()
            .iter()
            .any(|(a, _)| a.rule == p.rule && a.path == p.path && (p.form.is_empty() || a.project == p.form));
        if hit {
            found += 1;
        } else {
            eprintln!("missed: {p:?}");
        }
    }
    eprintln!("planted anomalies found: {found}/{}", planted.len());
    assert_eq!(found, planted.len());
    // no arithmetic rule fires on a form nothing was planted into
    for (a, _) in data.all_anomalies().into_iter().filter(|(a, _)| ARITHMETIC.contains(&a.rule)) {
        let planted_here = planted.iter().any(|p| p.path == a.path && (p.form.is_empty() || p.form == a.project));
        assert!(planted_here, "false alarm: {a:?}");
    }
}

#[test]
fn docs_rules_md_is_the_catalog() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md")).unwrap();
    let generated = jixiao_rules::describe(&Config::default_config().settings.checks, true);
    assert_eq!(committed, generated, "regenerate with: cargo run -- rules --markdown > docs/rules.md");
    for rule in jixiao_rules::catalog() {
        if let jixiao_rules::Check::Evaluation(_) | jixiao_rules::Check::Basic(_) | jixiao_rules::Check::Batch(_) =
            rule.check
        {
            let file = format!("{}/crates/rules/src/{}.rs", env!("CARGO_MANIFEST_DIR"), rule.id.to_lowercase());
            assert!(std::path::Path::new(&file).exists(), "{} lives in {file}", rule.id);
        }
    }
}
