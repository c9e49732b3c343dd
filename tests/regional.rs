//! Real forms of other regions (src/fixtures/regional.rs), read as a finance office would
//! check them: the budgets, rates, weights and scores on the form, how many indicators it
//! has, and which rules fire — and which must stay silent on a clean form.

mod common;

use common::*;
use jixiao_fixtures::regional::{self, RegionalForm};
use jixiao_forms::model::{Evaluation, a1};
use jixiao_rules::FileResult;

fn read(form: &RegionalForm, percent_cells: bool) -> FileResult {
    let dir = tempfile::tempdir().unwrap();
    let rel = format!("{}.xlsx", form.name);
    let path = dir.path().join(&rel);
    form.save(&path, percent_cells).unwrap();
    process_path(&path, &rel)
}

fn only(r: &FileResult) -> &Evaluation {
    assert_eq!(r.evaluations.len(), 1, "{:?}", r.evaluations.iter().map(|e| e.title()).collect::<Vec<_>>());
    &r.evaluations[0]
}

fn rules(r: &FileResult) -> Vec<(&'static str, String)> {
    let mut v: Vec<_> = r.anomalies.iter().map(|a| (a.rule, a.cell.clone())).collect();
    v.sort();
    v
}

fn fired(r: &FileResult, rule: &str) -> Vec<String> {
    rules(r).into_iter().filter(|(id, _)| *id == rule).map(|(_, c)| c).collect()
}

#[track_caller]
fn near(a: Option<f64>, b: f64) {
    assert!(a.is_some_and(|a| (a - b).abs() < 1e-6), "{a:?} != {b}");
}

/// Silent rules: the arithmetic rules a clean regional form must not trip.
const STRICT: &[&str] = &[
    "EXEC_RATE_MISMATCH",
    "EXEC_SCORE_MISMATCH",
    "TOTAL_MISMATCH",
    "WEIGHT_SUM",
    "SECTION_WEIGHT",
    "UNIT_MISMATCH",
    "TARGET_MISSED_FULL_SCORE",
    "FUND_SOURCE_SUM",
    "MALFORMED_NUMBER",
];

#[track_caller]
fn silent(r: &FileResult, except: &[&str]) {
    for rule in STRICT.iter().filter(|r| !except.contains(r)) {
        assert!(fired(r, rule).is_empty(), "{rule} fired: {:?}", rules(r));
    }
}

#[test]
fn yunnan_yongde_amounts_in_yuan_and_percent_cells() {
    // the same form with its percentages typed as percent-formatted numbers and as text
    for percent_cells in [true, false] {
        let r = read(&regional::yunnan_yongde(), percent_cells);
        let e = only(&r);
        assert_eq!(e.project.value.as_deref(), Some("义务教育营养改善计划专项资金"));
        assert_eq!(e.supervisor.value.as_deref(), Some("永德县教育体育局"));
        assert_eq!(e.implementer.value.as_deref(), Some("永德县明朗中学"));
        assert_eq!(e.year, Some(2022));
        // 387664.62元 → 万元, the raw kept
        near(e.budget_full(), 38.766462);
        near(e.executed(), 38.766462);
        assert_eq!(e.total_fund().unwrap().full.raw, "387664.62");
        assert_eq!(e.budget_initial(), None);
        near(e.exec_rate(), 1.0);
        near(e.exec_weight(), 10.0);
        near(e.exec_score(), 10.0);
        assert_eq!(e.indicators.len(), 9, "the empty 生态效益 row is not an indicator");
        near(Some(e.weight_calc()), 100.0);
        near(Some(e.score_calc()), 96.0);
        near(e.weight_total.value, 100.0);
        near(e.score_total.value, 96.0);
        let knowing = e.indicators.iter().find(|i| i.level3 == "政策知晓率").unwrap();
        assert_eq!(knowing.actual.value.as_deref(), Some("98%"));
        assert_eq!(knowing.met, Some(false), "═100% against 98%");
        let students = e.indicators.iter().find(|i| i.level3 == "学生满意度").unwrap();
        assert_eq!(students.met, Some(true), "≧95% against 100%");
        assert_eq!(fired(&r, "TARGET_MET_DEDUCTED"), vec!["I14"]);
        assert_eq!(fired(&r, "DEDUCTION_NO_REASON"), vec!["J14", "J17"], "the blank reason cells");
        silent(&r, &[]);
        assert!(fired(&r, "MISSING_VALUE").is_empty(), "{:?}", rules(&r));
    }
}

#[test]
fn anhui_xiaoxian_weight_before_target_and_breakdown_rows() {
    let r = read(&regional::anhui_xiaoxian(), true);
    let e = only(&r);
    assert_eq!(e.year, Some(2023), "the year stands on the line under the title");
    assert_eq!(e.implementer.value.as_deref(), Some("张庄寨镇人民政府"));
    near(e.budget_full(), 9.48);
    near(e.executed(), 9.48);
    near(e.exec_rate(), 1.0);
    near(e.exec_weight(), 10.0);
    near(e.exec_score(), 10.0);
    assert_eq!(e.funds.iter().filter(|f| f.source == "fiscal").count(), 1);
    assert_eq!(e.indicators.len(), 8, "{:#?}", e.indicators.iter().map(|i| &i.level3).collect::<Vec<_>>());
    assert!(e.indicators.iter().all(|i| !i.level3.starts_with("其中")));
    let first = &e.indicators[0];
    assert_eq!(first.level1, "产出指标");
    assert_eq!(first.level1_declared, Some(50.0));
    near(first.weight.value, 20.0);
    assert_eq!(first.target.value.as_deref(), Some("29.5亩"), "分值 comes before 年度指标值 here");
    let income = e.indicators.iter().find(|i| i.level3.starts_with("特色产业")).unwrap();
    assert_eq!(income.level2, "经济效益指标");
    assert_eq!(income.met, Some(true));
    near(Some(e.weight_calc()), 100.0);
    near(Some(e.score_calc()), 100.0);
    near(e.score_total.value, 100.0);
    assert!(r.anomalies.is_empty(), "{:?}", rules(&r));
}

#[test]
fn shanghai_putuo_yuan_with_thousands_separators() {
    let r = read(&regional::shanghai_putuo(), true);
    let e = only(&r);
    assert_eq!(e.year, Some(2022));
    near(e.budget_full(), 25.0);
    near(e.budget_initial(), 25.0);
    near(e.executed(), 21.54576);
    near(e.exec_rate(), 0.8619);
    near(e.exec_score(), 8.62);
    assert_eq!(e.indicators.len(), 5);
    let venue = e.indicators.iter().find(|i| i.level3 == "场馆开放满意度").unwrap();
    assert_eq!(venue.target_op, Some(jixiao_text::values::Op::Ge));
    near(venue.target_value, 90.0);
    near(Some(e.weight_calc()), 100.0);
    near(Some(e.score_calc()), 98.62);
    near(e.score_total.value, 98.62);
    silent(&r, &[]);
    assert!(r.anomalies.is_empty(), "{:?}", rules(&r));
}

#[test]
fn hubei_huangshi_execution_section_of_20_points_and_no_weight_column() {
    let r = read(&regional::hubei_huangshi(), true);
    let e = only(&r);
    assert_eq!(e.project.value.as_deref(), Some("共享工程"));
    assert_eq!(e.filled_date.value, chrono::NaiveDate::from_ymd_opt(2023, 6, 28), "填报日期 above the form");
    assert_eq!(e.filled_date.at.map(a1).as_deref(), Some("A4"));
    assert_eq!(e.implementer.value.as_deref(), Some("黄石市图书馆"));
    let total = e.total_fund().expect("年度财政资金总额 is the total row");
    assert_eq!(total.label, "年度财政资金总额");
    near(e.budget_full(), 5.0);
    near(e.executed(), 5.0);
    near(e.exec_rate(), 1.0);
    near(e.exec_weight(), 20.0);
    assert_eq!(total.weight.at.map(a1).as_deref(), Some("A10"), "the weight the section label declares");
    near(e.exec_score(), 20.0);
    assert_eq!(e.indicators.len(), 13);
    assert!(e.indicators.iter().all(|i| i.weight.value.is_none()));
    // one score merged over two indicators counts once
    let wifi = e.indicators.iter().find(|i| i.level3 == "WIFI布点全覆盖").unwrap();
    assert_eq!(wifi.score.value, None);
    near(Some(e.score_calc()), 100.0);
    near(e.score_total.value, 100.0);
    assert_eq!(e.weight_total.value, None, "the 总分 row states one number: the score");
    silent(&r, &[]);
    // the page's real gaps: the 社会效益 rows have no score, the second no values
    assert_eq!(fired(&r, "MISSING_VALUE"), vec!["F21", "G20", "G21"]);
}

#[test]
fn anhui_jinzhai_department_form_named_by_bumen() {
    let r = read(&regional::anhui_jinzhai(), true);
    let e = only(&r);
    assert_eq!(e.form, jixiao_forms::model::FormKind::Department);
    assert_eq!(e.department.value.as_deref(), Some("金寨县茶谷和美丽乡村建设服务中心"));
    assert_eq!(e.year, Some(2023));
    near(e.budget_full(), 329.77);
    near(e.executed(), 338.31);
    near(e.exec_rate(), 1.0259);
    assert_eq!(e.exec_score(), None);
    assert_eq!(e.indicators.len(), 10, "the empty `指标1:` slot is a placeholder");
    near(Some(e.weight_calc()), 100.0);
    near(Some(e.score_calc()), 88.0);
    near(e.score_total.value, 88.0);
    assert_eq!(fired(&r, "OVER_EXECUTION").len(), 1);
    assert_eq!(fired(&r, "MISSING_VALUE"), vec!["H5"]);
    silent(&r, &[]);
}

#[test]
fn beijing_haidian_rate_over_the_initial_budget() {
    let r = read(&regional::beijing_haidian(), true);
    let e = only(&r);
    assert_eq!(e.year, Some(2016));
    assert_eq!(e.supervisor.value.as_deref(), Some("北京市海淀区人民政府学院路街道办事处"));
    assert_eq!(e.implementer.value.as_deref(), Some("北京市海淀区学院路街道城市运行服务中心"));
    near(e.budget_initial(), 310.2);
    assert_eq!(e.budget_full(), None, "the form has no 全年预算数 column");
    near(e.exec_rate_calc(), 154.74 / 310.2);
    near(e.exec_weight(), 10.0);
    near(e.exec_score(), 5.0);
    assert_eq!(e.indicators.len(), 6);
    assert!(e.indicators.iter().all(|i| i.score.value.is_some()), "得分, not 得分计算方法");
    near(Some(e.weight_calc()), 100.0);
    near(Some(e.score_calc()), 95.0);
    near(e.score_total.value, 95.0);
    assert_eq!(fired(&r, "HIGH_SCORE_LOW_EXECUTION").len(), 1);
    silent(&r, &[]);
    assert!(fired(&r, "MISSING_VALUE").is_empty(), "{:?}", rules(&r));
}

#[test]
fn explain_shows_the_mapping_the_unit_and_the_skipped_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huangshi.xlsx");
    regional::hubei_huangshi().save(&path, true).unwrap();
    let text = jixiao::explain::explain_file(&path, &jixiao::config::Config::default_config()).unwrap();
    for line in [
        "项目支出绩效自评表（表C），标签「项目名称」在 A5",
        "年度：2022",
        "金额单位 万元（A10「预算执行情况(万元) (20分)」）",
        "B10「预算数(A)」→ 全年预算数（full）",
        "E12「年初目标值(A)」→ 年度指标值（target）",
        "分值（weight）：无此列",
        "预算执行分值取自表头所标的分数",
        "总分行：第 26 行",
        "--config my.toml",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let path = dir.path().join("yongde.xlsx");
    regional::yunnan_yongde().save(&path, true).unwrap();
    let text = jixiao::explain::explain_file(&path, &jixiao::config::Config::default_config()).unwrap();
    assert!(text.contains("金额单位 元（A3「项目资金 (元)」）"), "{text}");
    assert!(text.contains("跳过第 18 行：空行或占位符"), "{text}");
}

#[test]
fn explain_names_the_closest_candidate_on_a_sheet_without_a_form() {
    use jixiao_reader::grid::{Grid, Value};
    let t = |s: &str| Value::Text(s.to_string());
    let grid = Grid::from_rows(
        "附表3",
        vec![
            vec![t("附表3 指标明细")],
            vec![],
            vec![Value::Empty, t("一级指标"), t("二级指标"), t("三级指标"), t("分值"), t("得分")],
            vec![Value::Empty, t("产出指标"), t("数量指标"), t("培训人次"), Value::Number(10.0), Value::Number(10.0)],
        ],
    );
    let text = jixiao::explain::explain_grid(&grid, &jixiao::config::Config::default_config().labels);
    assert!(text.contains("没有找到表单"), "{text}");
    assert!(text.contains("三级指标/得分表头在 D3，但其上方没有表单名称标签"), "{text}");
}

/// A small form of our own around the fund table and total row given, for the cases the
/// real pages above do not isolate.
fn small(fund_rows: &'static str, total_row: &'static str) -> FileResult {
    let rows: &'static str = Box::leak(
        format!(
            "2022年度项目支出绩效自评表||||||||\n{fund_rows}\n年度总体目标|完成培训||||||\n\
             |一级指标|二级指标|三级指标|年度指标值|实际完成值|分值|得分|偏差原因分析及改进措施\n\
             |产出指标|数量指标|培训人次|≥100人次|120人次|#50|#50|\n\
             |效益指标|社会效益指标|群众满意度|≥90%|%0.98|#40|#36|宣传不足\n{total_row}\n"
        )
        .into_boxed_str(),
    );
    let form = RegionalForm { name: "small", source: "ours", rows, merges: &[] };
    read(&form, true)
}

#[test]
fn a_unit_note_above_the_table_declares_yuan_and_is_not_a_unit_mismatch() {
    let yuan = small(
        "金额单位：元||||||||\n项目名称|培训项目||主管部门|市人社局||||\n|资金|年初预算数|全年预算数|全年执行数|分值|执行率|得分|\n\
         |年度资金总额|#1500000|#1500000|#1200000|#10|80%|#8|\n|其中:当年财政拨款|#1500000|#1500000|#1200000||||",
        "|总分|||||#100|#94|",
    );
    let e = only(&yuan);
    near(e.budget_full(), 150.0);
    near(e.executed(), 120.0);
    assert!(fired(&yuan, "UNIT_MISMATCH").is_empty(), "{:?}", rules(&yuan));
    silent(&yuan, &[]);
    // the twin: a 万元 table with one amount written in 元 is flagged, and converted
    let wan = small(
        "项目名称|培训项目||主管部门|市人社局||||\n|资金(万元)|年初预算数|全年预算数|全年执行数|分值|执行率|得分|\n\
         |年度资金总额|#150|#150|1200000元|#10|80%|#8|\n|其中:当年财政拨款|#150|#150|#120||||",
        "|总分|||||#100|#94|",
    );
    near(only(&wan).executed(), 120.0);
    assert_eq!(fired(&wan, "UNIT_MISMATCH"), vec!["E4"]);
}

#[test]
fn a_total_row_that_declares_its_weight_in_its_label() {
    let r = small(
        "项目名称|培训项目||主管部门|市人社局||||\n|资金|年初预算数|全年预算数|全年执行数|分值|执行率|得分|\n\
         |年度资金总额|#100|#100|#80|#10|%0.8|#8|",
        "|总分(100分)|#94|自评等级|优||||",
    );
    let e = only(&r);
    near(e.weight_total.value, 100.0);
    near(e.score_total.value, 94.0);
    near(e.exec_rate(), 0.8);
    near(Some(e.score_calc()), 94.0);
    // 98% typed as a percentage meets ≥90%: no TARGET_MISSED_FULL_SCORE, and 36 of 40 with
    // the target met is TARGET_MET_DEDUCTED, with a reason given
    assert_eq!(e.indicators[1].met, Some(true));
    assert_eq!(fired(&r, "TARGET_MET_DEDUCTED").len(), 1);
    silent(&r, &[]);
}

#[test]
fn a_synonym_added_in_a_config_file_maps_an_unknown_header() {
    let dir = tempfile::tempdir().unwrap();
    let form = RegionalForm {
        name: "unknown_header",
        source: "ours",
        rows: "2022年度项目支出绩效自评表||||||\n项目名称|培训项目||||\n\
               |一级指标|二级指标|三级指标|考核目标|实际完成值|分值|得分\n\
               |产出指标|数量指标|培训人次|≥100人次|80人次|#90|#90\n|总分|||||#90|#90",
        merges: &[],
    };
    let path = dir.path().join("f.xlsx");
    form.save(&path, true).unwrap();
    let default = jixiao::config::Config::default_config();
    let before = jixiao::explain::explain_file(&path, &default).unwrap();
    assert!(before.contains("年度指标值（target）：无此列"), "{before}");
    assert!(before.contains("未对应到字段的表头：E3「考核目标」"), "{before}");
    assert!(before.contains("[labels.indicator_columns]"), "the output says how to add one");
    let toml = dir.path().join("my.toml");
    std::fs::write(&toml, "[labels.indicator_columns]\ntarget = [\"考核目标\"]\n").unwrap();
    let cfg = jixiao::config::Config::load(Some(&toml)).unwrap();
    let after = jixiao::explain::explain_file(&path, &cfg).unwrap();
    assert!(after.contains("E3「考核目标」→ 年度指标值（target）"), "{after}");
    // and the run reads it: the target is now compared, and missed at full score
    let r = process_with(&path, "f.xlsx", &cfg);
    assert_eq!(r.evaluations[0].indicators[0].met, Some(false));
    assert_eq!(fired(&r, "TARGET_MISSED_FULL_SCORE"), vec!["H4"]);
}

#[test]
fn anhui_shouxian_department_scoring_sheet_found_by_its_title() {
    let r = read(&regional::anhui_shouxian(), true);
    let e = only(&r);
    assert_eq!(e.form, jixiao_forms::model::FormKind::Department);
    assert_eq!(e.year, Some(2023));
    assert_eq!(e.department.value, None, "单位 is blank on the page");
    assert!(e.funds.is_empty());
    assert_eq!(e.indicators.len(), 7);
    let rate = e.indicators.iter().find(|i| i.level3 == "预算执行率").unwrap();
    assert_eq!(rate.level1, "执行");
    near(rate.weight.value, 5.0);
    near(rate.score.value, 4.9);
    let declared: Vec<(String, Option<f64>)> = e.sections.iter().map(|s| (s.level1.clone(), s.declared)).collect();
    assert_eq!(declared, vec![("规划".to_string(), Some(15.0)), ("执行".to_string(), Some(35.0))]);
    near(Some(e.weight_calc()), 50.0);
    near(Some(e.score_calc()), 47.9);
    near(e.weight_total.value, 50.0);
    near(e.score_total.value, 47.9);
    assert_eq!(fired(&r, "MISSING_VALUE"), vec!["B2"]);
    assert!(fired(&r, "DEDUCTION_NO_REASON").is_empty(), "no column to write a reason in");
    silent(&r, &[]);
}

#[test]
fn ods_and_xls_percentages_are_percentages() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let xlsx = read(&regional::yunnan_yongde(), true);
    for ext in ["ods", "xls"] {
        let name = format!("regional_percent.{ext}");
        let other = process_path(&fixtures.join(&name), &name);
        assert_eq!(essence(only(&other)), essence(only(&xlsx)), "LibreOffice's .{ext} of the same form");
        assert_eq!(rules(&other), rules(&xlsx), ".{ext}: no TARGET_MISSED_FULL_SCORE on 100% read as 1");
    }
}

#[test]
fn sichuan_zhongjiang_operators_in_actuals_and_weights_that_do_not_add_up() {
    let r = read(&regional::sichuan_zhongjiang(), true);
    let e = only(&r);
    assert_eq!(e.year, Some(2022));
    near(e.budget_full(), 20.0);
    near(e.exec_rate(), 1.0);
    assert_eq!(e.indicators.len(), 9);
    let ruler = e.indicators.iter().find(|i| i.level3 == "安装坡面水标尺").unwrap();
    assert_eq!(ruler.met, Some(true), "≥266米 against ≥266米");
    near(ruler.actual_value, 266.0);
    let cost = e.indicators.iter().find(|i| i.level3 == "项目计划总投资").unwrap();
    assert_eq!(cost.target_op, Some(jixiao_text::values::Op::Le), "a bare cost target means at most");
    assert_eq!(cost.met, Some(true));
    near(Some(e.weight_calc()), 110.0);
    near(Some(e.score_calc()), 110.0);
    near(e.weight_total.value, 100.0);
    near(e.score_total.value, 100.0);
    assert_eq!(fired(&r, "WEIGHT_SUM").len(), 1);
    assert_eq!(fired(&r, "TOTAL_MISMATCH").len(), 1);
    silent(&r, &["WEIGHT_SUM", "TOTAL_MISMATCH"]);
}
