//! Property tests for the value parsers and the form locator: whatever people type, the
//! parsers never panic, and what they can read they read back exactly.

use jixiao::config::Config;
use jixiao_reader::grid::{Grid, Value};
use jixiao_text::values::quantity::{Op, Parsed, meets, parse_quantity};
use jixiao_text::values::{Num, parse_date, parse_number, parse_rate};
use proptest::prelude::*;

fn op_text() -> impl Strategy<Value = (Op, &'static str, bool)> {
    // (operator, spelling, written after the number)
    prop_oneof![
        Just((Op::Ge, "≥", false)),
        Just((Op::Ge, ">=", false)),
        Just((Op::Ge, "不低于", false)),
        Just((Op::Ge, "以上", true)),
        Just((Op::Gt, ">", false)),
        Just((Op::Le, "≤", false)),
        Just((Op::Le, "不超过", false)),
        Just((Op::Le, "以内", true)),
        Just((Op::Lt, "<", false)),
        Just((Op::Eq, "=", false)),
        Just((Op::Bare, "", false)),
    ]
}

fn unit() -> impl Strategy<Value = (&'static str, f64, &'static str)> {
    // (written unit, scale, base unit)
    prop_oneof![
        Just(("", 1.0, "")),
        Just(("%", 1.0, "%")),
        Just(("件", 1.0, "件")),
        Just(("万元", 1e4, "元")),
        Just(("亿元", 1e8, "元")),
        Just(("万条", 1e4, "条")),
        Just(("个", 1.0, "个")),
        Just(("天", 1.0, "天")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsers_never_panic(s in "\\PC{0,40}") {
        let _ = parse_quantity(&s);
        let _ = parse_number(&s);
        let _ = parse_rate(&s);
        let _ = parse_date(&s);
        let _ = jixiao_text::values::parse_amount(&s);
    }

    #[test]
    fn targets_read_back((op, spelled, suffix) in op_text(), cents in 0u64..10_000_000, (u, scale, base) in unit(), pad in "[ \u{3000}]{0,2}") {
        let v = cents as f64 / 100.0;
        let num = jixiao_text::values::number::fmt_number(v);
        let text = if suffix { format!("{pad}{num}{u}{spelled}") } else { format!("{pad}{spelled}{num}{u}") };
        match parse_quantity(&text) {
            Parsed::Quantity(q) => {
                prop_assert_eq!(q.op, op);
                prop_assert!((q.value - v).abs() < 1e-9);
                prop_assert_eq!(q.scale, scale);
                prop_assert_eq!(q.unit.as_str(), base);
            }
            other => prop_assert!(false, "{} → {:?}", text, other),
        }
    }

    #[test]
    fn ranges_read_back(lo in 0u32..10_000, width in 1u32..10_000, (u, _, base) in unit()) {
        let text = format!("{lo}-{}{u}", lo + width);
        match parse_quantity(&text) {
            Parsed::Quantity(q) => {
                prop_assert_eq!(q.op, Op::Range);
                prop_assert_eq!(q.hi, Some((lo + width) as f64));
                prop_assert_eq!(q.unit.as_str(), base);
            }
            other => prop_assert!(false, "{} → {:?}", text, other),
        }
    }

    #[test]
    fn comparison_agrees_with_arithmetic(t in 0u32..1000, a in 0u32..1000, (u, _, _) in unit()) {
        let target = match parse_quantity(&format!("≥{t}{u}")) { Parsed::Quantity(q) => q, _ => unreachable!() };
        let actual = match parse_quantity(&format!("{a}{u}")) { Parsed::Quantity(q) => q, _ => unreachable!() };
        prop_assert_eq!(meets(&target, &actual, Op::Ge), Some(a >= t));
        let cost = match parse_quantity(&format!("{t}{u}")) { Parsed::Quantity(q) => q, _ => unreachable!() };
        prop_assert_eq!(meets(&cost, &actual, Op::Le), Some(a <= t), "a bare target on a cost row means at most");
    }

    #[test]
    fn sentences_with_numbers_are_free_text(a in 1u32..100, b in 1u32..100, word in "[压缩提升减少增加]{2}") {
        let s = format!("办理时限由{a}天{word}为{b}天");
        prop_assert_eq!(parse_quantity(&s), Parsed::Free);
    }

    #[test]
    fn numbers_as_text_read_back(cents in 0u64..100_000_000_000u64, pad in "[ \u{3000}\n]{0,2}") {
        let v = cents as f64 / 100.0;
        let int = (cents / 100).to_string();
        let grouped: String = int.as_bytes().rchunks(3).rev().map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(",");
        let text = format!("{pad}{grouped}.{:02}", cents % 100);
        prop_assert_eq!(parse_number(&text), Num::Value(v));
        prop_assert_eq!(parse_rate(&format!("{}%", jixiao_text::values::number::fmt_number(v))), Num::Value(jixiao_text::values::number::round9(v / 100.0)));
    }

    #[test]
    fn dates_in_every_spelling(y in 2000i32..2040, m in 1u32..=12, d in 1u32..=28) {
        let want = chrono::NaiveDate::from_ymd_opt(y, m, d);
        for s in [format!("{y}.{m}.{d}"), format!("{y}年{m}月{d}日"), format!("{y}-{m:02}-{d:02}"), format!("{y}/{m}/{d}")] {
            prop_assert_eq!(parse_date(&s), want, "{}", s);
        }
        let broken = format!("{y}{m}..{d}");
        prop_assert_eq!(parse_date(&broken), None);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn locator_and_extractors_survive_any_grid(cells in proptest::collection::vec(proptest::collection::vec(cell(), 0..12), 0..40)) {
        let grid = Grid::from_rows("s", cells);
        let config = Config::default_config();
        let forms = jixiao_forms::extract::extract_sheet(&grid, &config.labels, "x.xlsx");
        let _ = jixiao_rules::check_forms(&forms.evaluations, &forms.basics, &config.settings.checks, chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap());
    }
}

/// Cell values biased towards the labels and numbers forms hold, so random grids do hit
/// the extractors' paths.
fn cell() -> impl Strategy<Value = Value> {
    let labels = [
        "项目支出名称",
        "市级预算部门名称",
        "财政供养人员情况",
        "经费控制情况",
        "主管部门",
        "实施单位",
        "年初预算数",
        "全年预算数",
        "全年执行数",
        "分值",
        "执行率",
        "得分",
        "年度资金总额",
        "其中：当年财政拨款",
        "其中：基本支出：958.07",
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "偏差原因分析及改进措施",
        "总分",
        "合计",
        "产出指标(50分)",
        "成本指标",
        "填表人：胡静 填报日期：2023.6.28",
        "编制数",
        "2022年预算数",
        "2021年决算数",
        "2022年决算数",
        "1、公务接待",
        "其中：公车购置",
        "2022年度项目支出绩效自评表",
        "≥90%",
        "2..23亿元",
        "<!%",
        "794500元",
        "……",
        "指标性质",
        "度量单位",
    ];
    prop_oneof![
        3 => Just(Value::Empty),
        3 => proptest::sample::select(labels.to_vec()).prop_map(|s| Value::Text(s.to_string())),
        2 => (-10.0f64..2000.0).prop_map(Value::Number),
        1 => "\\PC{0,12}".prop_map(Value::Text),
    ]
}
