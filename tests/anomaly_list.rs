//! 疑点清单 as an officer acts on it: each finding's two values are named for the rule
//! (比较项) and shown in the rule's own unit — rates as %, amounts in 万元, points in 分 —
//! or as the form writes them where the value is text; no rule with a value leaves both
//! empty.

mod common;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::run;
use jixiao_fixtures::{Form, Layout, WorkbookSpec, seed, synth};
use jixiao_rules::Unit;

struct Finding {
    rule: String,
    pair: String,
    expected: (Data, String),
    actual: (Data, String),
}

fn findings() -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(input.join("审批局")).unwrap();
    WorkbookSpec::stacked("附表", seed::forms(), Layout::default()).save(&input.join("审批局/2022.xlsx")).unwrap();
    let (_, rate) = synth::project_pair("EXEC_RATE_MISMATCH", 7, false).unwrap();
    WorkbookSpec::stacked("表", vec![Form::Eval(rate)], Layout::default()).save(&input.join("示范局.xlsx")).unwrap();
    let out = dir.path().join("out");
    let opts = run_options(&input, &out, Config::default_config(), false);
    run(&opts).unwrap();
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let range = wb.worksheet_range("疑点清单").unwrap();
    let styles = wb.worksheet_style("疑点清单").unwrap();
    // row 0 is the sheet's title, row 1 the header
    let header: Vec<String> = range.rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    let col = |h: &str| header.iter().position(|x| x == h).unwrap_or_else(|| panic!("no {h}: {header:?}"));
    let (rule, pair, expected, actual) = (col("规则"), col("比较项"), col("计算值"), col("填报值"));
    let format = |r: usize, c: usize| {
        styles
            .get((r as u32, c as u32))
            .and_then(|s| s.number_format.as_ref())
            .map(|n| n.format_code.clone())
            .unwrap_or_default()
    };
    range
        .rows()
        .enumerate()
        .skip(2)
        .map(|(i, r)| Finding {
            rule: r[rule].to_string(),
            pair: r[pair].to_string(),
            expected: (r[expected].clone(), format(i, expected)),
            actual: (r[actual].clone(), format(i, actual)),
        })
        .collect()
}

fn first<'a>(all: &'a [Finding], rule: &str) -> &'a Finding {
    all.iter().find(|f| f.rule == rule).unwrap_or_else(|| panic!("no {rule}"))
}

#[test]
fn each_rule_shows_its_values_in_its_own_unit() {
    let all = findings();
    let rate = first(&all, "EXEC_RATE_MISMATCH");
    assert_eq!(rate.pair, "计算值 / 填报值");
    assert!(matches!(rate.expected.0, Data::Float(_)) && matches!(rate.actual.0, Data::Float(_)));
    assert_eq!((rate.expected.1.as_str(), rate.actual.1.as_str()), ("0.00%", "0.00%"), "rates as %");

    let total = first(&all, "TOTAL_MISMATCH");
    assert_eq!(total.pair, "核定总分 / 填报总分");
    assert_eq!(total.expected.1, "0.00\"分\"");

    let unit = first(&all, "UNIT_MISMATCH");
    assert_eq!(unit.pair, "换算值 / 填报值");
    assert_eq!(unit.expected.0, Data::Float(79.45));
    assert_eq!(unit.expected.1, "#,##0.00\"万元\"", "amounts in 万元");
    assert_eq!(unit.actual.0.to_string(), "794500元", "the raw text where the value is text");

    let dates: Vec<String> = all.iter().filter(|f| f.rule == "FILED_DATE").map(|f| f.actual.0.to_string()).collect();
    assert!(dates.contains(&"20234..25".to_string()) && dates.contains(&"2022年4月30日".to_string()), "{dates:?}");
    let early = all.iter().find(|f| f.rule == "FILED_DATE" && f.actual.0 == "2022年4月30日").unwrap();
    assert_eq!(early.expected.0.to_string(), "2023-01-01及以后");

    let broken: Vec<String> =
        all.iter().filter(|f| f.rule == "MALFORMED_NUMBER").map(|f| f.actual.0.to_string()).collect();
    assert!(broken.contains(&"2..23亿元".to_string()) && broken.contains(&"<!%".to_string()), "{broken:?}");

    let high = first(&all, "HIGH_SCORE_LOW_EXECUTION");
    assert_eq!(high.pair, "执行率阈值 / 执行率");
    assert_eq!((high.expected.0.clone(), high.actual.1.as_str()), (Data::Float(0.8), "0.00%"));

    let met = first(&all, "TARGET_MET_DEDUCTED");
    assert_eq!(met.pair, "年度指标值 / 实际完成值");
    assert!(matches!(met.expected.0, Data::String(_)), "targets as written: {:?}", met.expected.0);

    let subtotal = first(&all, "SUBTOTAL_MISMATCH");
    assert_eq!(subtotal.pair, "下级合计 / 上级金额");
    assert_eq!(subtotal.actual.1, "#,##0.00\"万元\"");

    // no rule that has a value to show leaves both columns empty
    for f in &all {
        let shows = jixiao_rules::rule(&f.rule).unwrap().shows;
        if shows.unit != Unit::Nothing {
            assert!(f.expected.0 != Data::Empty || f.actual.0 != Data::Empty, "{} shows nothing ({})", f.rule, f.pair);
        }
    }
}
