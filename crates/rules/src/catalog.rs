//! The catalog: every rule by id, with its default severity, thresholds and the function
//! that checks it (one file per rule, `TOTAL_MISMATCH` → `total_mismatch.rs`), and the
//! settings in force for a rule under the user's configuration.

use chrono::NaiveDate;

use crate::anomaly::{Anomaly, AnomalyRepr};
use crate::rule::{Check, Ctx, Rule, Unit, shows};
use crate::settings::{Checks, Severity};
use crate::{
    deduction_no_reason, duplicate_department, duplicate_project, exec_rate_mismatch, exec_score_mismatch, filed_date,
    formula_no_value, fund_source_sum, high_score_low_execution, malformed_number, missing_value, over_execution,
    score_over_weight, section_weight, staff_control_rate, subtotal_mismatch, target_met_deducted,
    target_missed_full_score, total_mismatch, unit_mismatch, weight_sum,
};

/// Every rule, in the order of the spec's catalog. Built once: it is consulted for every
/// file and, on cache hits, for every anomaly read back.
pub fn catalog() -> &'static [Rule] {
    static CATALOG: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(build_catalog);
    &CATALOG
}

fn build_catalog() -> Vec<Rule> {
    use Check::*;
    use Severity::*;
    use Unit::*;
    let rule = |(id, name, meaning), shows, severity, description, params, check| Rule {
        id,
        name,
        meaning,
        shows,
        severity,
        description,
        params,
        check,
    };
    vec![
        rule(
            ("EXEC_RATE_MISMATCH", "执行率计算不符", "填报的执行率与“全年执行数÷全年预算数”相差超过容差"),
            shows("计算值", "填报值", Rate),
            Error,
            "stated 执行率 differs from 全年执行数 ÷ 全年预算数 by more than `tolerance` percentage points",
            &[("tolerance", 0.5)],
            Evaluation(exec_rate_mismatch::check),
        ),
        rule(
            ("EXEC_SCORE_MISMATCH", "预算执行得分不符", "预算执行得分与“分值×执行率（最高按100%）”相差超过容差"),
            shows("计算值", "填报值", Score),
            Warning,
            "budget-execution 得分 differs from 分值 × min(执行率, 1) by more than `tolerance` points",
            &[("tolerance", 0.1)],
            Evaluation(exec_score_mismatch::check),
        ),
        rule(
            (
                "SCORE_OVER_WEIGHT",
                "得分超过分值",
                "某项得分（含总分）高于其分值，或为负数；排名所依据的总分（默认核定总分）超过分值的表不参与排名（待核实）",
            ),
            shows("分值", "得分", Score),
            Error,
            "a 得分 (the 总分 row's included) is above its 分值, or below 0",
            &[("tolerance", 0.0)],
            Evaluation(score_over_weight::check),
        ),
        rule(
            ("TOTAL_MISMATCH", "总分与分项合计不符", "填报总分与“预算执行得分+各指标得分”之和（核定总分）相差超过容差"),
            shows("核定总分", "填报总分", Score),
            Error,
            "stated 总分 得分 differs from exec score + Σ indicator scores by more than `tolerance`",
            &[("tolerance", 0.05)],
            Evaluation(total_mismatch::check),
        ),
        rule(
            ("WEIGHT_SUM", "分值合计不符", "预算执行分值与各指标分值之和不等于总分行的分值（未填时按满分计）"),
            shows("总分分值", "分值合计", Score),
            Warning,
            "exec weight + Σ indicator 分值 differs from the 总分 row's stated weight (else `expected`)",
            &[("tolerance", 0.01), ("expected", 100.0)],
            Evaluation(weight_sum::check),
        ),
        rule(
            ("SECTION_WEIGHT", "一级指标分值不符", "某一级指标下各指标分值之和与该一级指标标注的分值不符"),
            shows("标明分值", "分值合计", Score),
            Info,
            "Σ 分值 under a level-1 label differs from the points the label declares",
            &[("tolerance", 0.01)],
            Evaluation(section_weight::check),
        ),
        rule(
            ("TARGET_MISSED_FULL_SCORE", "未达目标仍得满分", "年度指标值与实际完成值可以比较，未达到目标，却得了满分"),
            shows("年度指标值", "实际完成值", Text),
            Warning,
            "target and actual comparable, target not met, yet 得分 = 分值",
            &[],
            Evaluation(target_missed_full_score::check),
        ),
        rule(
            ("TARGET_MET_DEDUCTED", "达到目标仍扣分", "年度指标值与实际完成值可以比较，已达到目标，却被扣分"),
            shows("年度指标值", "实际完成值", Text),
            Info,
            "target and actual comparable, target met, yet 得分 < 分值",
            &[],
            Evaluation(target_met_deducted::check),
        ),
        rule(
            ("DEDUCTION_NO_REASON", "扣分未说明原因", "得分低于分值，但偏差原因分析及改进措施为空"),
            shows("分值", "得分", Score),
            Warning,
            "得分 < 分值 and the reason cell is blank",
            &[],
            Evaluation(deduction_no_reason::check),
        ),
        rule(
            (
                "MISSING_VALUE",
                "必填项为空",
                "必填单元格为空：项目或部门名称、资金表全年预算数/全年执行数/得分、指标实际完成值/分值/得分、总分得分、填表人、填报日期",
            ),
            shows("", "", Nothing),
            Warning,
            "a required cell is blank (names, fund 全年预算数/全年执行数/得分, indicator 实际完成值/分值/得分, 总分 得分, 填表人, 填报日期)",
            &[],
            Evaluation(missing_value::check),
        ),
        rule(
            (
                "MALFORMED_NUMBER",
                "数字书写错误",
                "数字单元格或指标值、实际值中的数字写错（如“2..23亿元”“<!%”），无法识别，保留原文",
            ),
            shows("", "填报值", Text),
            Warning,
            "a number cell or a target/actual holds a broken number (`2..23亿元`, `<!%`)",
            &[],
            Evaluation(malformed_number::check),
        ),
        rule(
            ("UNIT_MISMATCH", "金额单位不符", "万元表中的金额按元（或亿元）填写；数据集中已换算为万元"),
            shows("换算值", "填报值", Wan),
            Warning,
            "an amount is written in 元 (or 亿元) in a 万元 table; the dataset holds the converted value",
            &[],
            Evaluation(unit_mismatch::check),
        ),
        rule(
            ("OVER_EXECUTION", "超预算执行", "全年执行数大于全年预算数（超出容差）"),
            shows("全年预算数", "全年执行数", Wan),
            Warning,
            "全年执行数 > 全年预算数 (+ `tolerance` 万元)",
            &[("tolerance", 0.0)],
            Evaluation(over_execution::check),
        ),
        rule(
            (
                "FUND_SOURCE_SUM",
                "资金来源合计不符",
                "项目表：当年财政拨款+上年结转资金+其他资金≠年度资金总额；部门表：基本支出+项目支出≠全年执行数",
            ),
            shows("分项合计", "总额", Wan),
            Warning,
            "fund sources do not add up to 年度资金总额 (form C) or 基本支出 + 项目支出 ≠ 全年执行数 (form B); tolerance max(`tolerance` 万元, `relative_tolerance` × total)",
            &[("tolerance", 0.05), ("relative_tolerance", 0.001)],
            Evaluation(fund_source_sum::check),
        ),
        rule(
            ("SUBTOTAL_MISMATCH", "基础数据小计不符", "基础数据表：下级项目金额之和与上级项目金额不符"),
            shows("下级合计", "上级金额", Wan),
            Warning,
            "form A: children do not add up to their parent in some amount column (same tolerance as FUND_SOURCE_SUM)",
            &[("tolerance", 0.05), ("relative_tolerance", 0.001)],
            Basic(subtotal_mismatch::check),
        ),
        rule(
            ("STAFF_CONTROL_RATE", "人员控制率不符", "基础数据表：控制率与“实际在职人数÷编制数”相差超过容差"),
            shows("计算值", "填报值", Rate),
            Warning,
            "form A: 控制率 differs from 实际在职人数 ÷ 编制数 by more than `tolerance` percentage points",
            &[("tolerance", 0.5)],
            Basic(staff_control_rate::check),
        ),
        rule(
            ("FILED_DATE", "填报日期异常", "填报日期无法识别为日期，早于评价年度结束，或晚于运行日期"),
            shows("应为", "填报日期", Text),
            Warning,
            "填报日期 is not a date, falls before the end of the evaluated year, or after the run date",
            &[],
            Evaluation(filed_date::check),
        ),
        rule(
            ("HIGH_SCORE_LOW_EXECUTION", "高分低执行", "填报总分达到“优”，而预算执行率低于阈值"),
            shows("执行率阈值", "执行率", Rate),
            Warning,
            "stated 总分 in the 优 band (grades.excellent) while the execution rate is below `threshold`",
            &[("threshold", 0.8)],
            Evaluation(high_score_low_execution::check),
        ),
        rule(
            ("DUPLICATE_PROJECT", "项目重复填报", "同一年度、同一部门的同一项目出现在多张表中；只有一个版本计入排名"),
            shows("", "", Nothing),
            Warning,
            "the same (year, department, project) appears in more than one form; only one version counts ([ranking] versions)",
            &[],
            Batch(duplicate_project::check),
        ),
        rule(
            (
                "DUPLICATE_DEPARTMENT",
                "部门重复报送",
                "同一年度、同一部门的部门整体自评表或基础数据表有多份；只有一个版本计入排名（默认以最后修改的文件为准）",
            ),
            shows("", "", Nothing),
            Warning,
            "another form A or B claims the same (year, department); only the version in the file modified last counts ([ranking] versions)",
            &[],
            Batch(duplicate_department::check),
        ),
        rule(
            ("DUPLICATE_FILE", "重复文件", "两个文件内容完全相同；副本中的表不重复计入"),
            shows("", "", Nothing),
            Info,
            "two input files have the same content; the copy's forms are not counted again",
            &[],
            Pipeline,
        ),
        rule(
            ("UNREADABLE_FILE", "文件无法读取", "文件损坏、加密、不是电子表格，或过大无法安全解压"),
            shows("", "", Nothing),
            Error,
            "a file cannot be opened: corrupt, encrypted, not a spreadsheet, too large to unpack safely",
            &[],
            Pipeline,
        ),
        rule(
            ("NO_FORM_FOUND", "未找到自评表", "能打开的工作簿中没有找到自评表"),
            shows("", "", Nothing),
            Warning,
            "a readable workbook holds no form",
            &[],
            Pipeline,
        ),
        rule(
            ("FORMULA_NO_VALUE", "公式无计算结果", "表格需要的单元格是公式，但没有保存计算结果（按空白处理）"),
            shows("", "", Nothing),
            Warning,
            "a cell the forms need holds a formula with no cached value (read as blank)",
            &[],
            Evaluation(formula_no_value::check),
        ),
    ]
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<Rule> {
    catalog().iter().find(|r| r.id == id).copied()
}

/// The Chinese name of a rule, the id itself for an unknown one.
pub fn name_of(id: &str) -> &str {
    rule(id).map(|r| r.name).unwrap_or(id)
}

/// The severity a rule reports with under `config`.
pub fn severity_of(config: &Checks, id: &str) -> Severity {
    config.rule(id).severity.or_else(|| rule(id).map(|r| r.severity)).unwrap_or(Severity::Warning)
}

/// A rule's threshold in force under `config` (the user's value, else the catalog's).
pub fn param(config: &Checks, id: &str, key: &str) -> f64 {
    let Some(rule) = catalog().iter().find(|r| r.id == id) else { return 0.0 };
    Ctx { rule, settings: config.rule(id), config, run_date: NaiveDate::default() }.param(key)
}

/// Whether a rule is switched on under `config`.
pub fn enabled(config: &Checks, id: &str) -> bool {
    config.rule(id).enabled.unwrap_or(true)
}

/// An [`Anomaly`] read back from the cache takes the catalog's own `&'static str` id; an
/// id the catalog does not know (a cache of another version) is refused.
impl TryFrom<AnomalyRepr> for Anomaly {
    type Error = String;

    fn try_from(a: AnomalyRepr) -> Result<Anomaly, String> {
        let rule = rule(&a.rule).map(|r| r.id).ok_or_else(|| format!("unknown rule {}", a.rule))?;
        Ok(a.with_rule(rule))
    }
}
