//! What a department should do about a finding of each rule, in the plain Chinese of a
//! 整改通知: the feedback workbooks print it beside every finding, after the finding's own
//! message. Thresholds are those in force (`[rules.ID]` of the config).

use crate::catalog::param;
use crate::rule::pct;
use crate::settings::{Checks, Severity};

/// The correction a rule asks for; `None` for an id the catalog does not know.
pub fn advice(id: &str, config: &Checks) -> Option<String> {
    let text = match id {
        "EXEC_RATE_MISMATCH" => {
            "请按“全年执行数÷全年预算数”重新计算执行率，更正执行率（及按执行率计算的得分）。".into()
        }
        "EXEC_SCORE_MISMATCH" => "请按“分值×执行率（执行率超过100%的按100%计）”重新计算预算执行得分并更正。".into(),
        "SCORE_OVER_WEIGHT" => "得分不能高于分值，也不能为负数：请按评分标准重新打分，并相应更正总分。".into(),
        "TOTAL_MISMATCH" => {
            "总分应等于预算执行得分与各项指标得分之和：请逐项核对得分，更正总分或有误的分项得分。".into()
        }
        "WEIGHT_SUM" => {
            "预算执行分值与各项指标分值合计应等于总分分值（一般为100分）：请补齐缺漏的指标或调整分值。".into()
        }
        "SECTION_WEIGHT" => "请使该一级指标下各指标的分值之和与其标明的分值一致。".into(),
        "TARGET_MISSED_FULL_SCORE" => {
            "实际完成值未达到年度指标值，不应得满分：请按完成程度扣分，并填写偏差原因分析及改进措施。".into()
        }
        "TARGET_MET_DEDUCTED" => {
            "实际完成值已达到年度指标值却被扣分：如扣分有其他理由，请在偏差原因分析栏写明；否则请更正得分。".into()
        }
        "DEDUCTION_NO_REASON" => "扣分的指标须说明原因：请在“偏差原因分析及改进措施”栏填写扣分原因和改进措施。".into(),
        "MISSING_VALUE" => "请补填该单元格；确实无此项的请填“无”或“/”并在整改情况说明中说明。".into(),
        "MALFORMED_NUMBER" => "请改为能识别的数字（如“2.23亿元”“≥90%”），删去多余或错误的符号。".into(),
        "UNIT_MISMATCH" => "本表金额单位为万元：请将按元（或亿元）填写的金额换算为万元后填写。".into(),
        "OVER_EXECUTION" => {
            "执行数超过预算数：请核对全年预算数（含调整后预算）和全年执行数；确属超预算支出的，请说明原因。".into()
        }
        "FUND_SOURCE_SUM" => {
            "请核对各资金来源（或基本支出、项目支出）的金额，使其合计等于资金总额（或全年执行数）。".into()
        }
        "SUBTOTAL_MISMATCH" => "请核对下级明细项目的金额，使其合计等于上级项目金额。".into(),
        "STAFF_CONTROL_RATE" => "请按“实际在职人数÷编制数”重新计算控制率并更正。".into(),
        "FILED_DATE" => "请填写实际填报日期（评价年度结束之后、报送之前），写法如“2023年4月25日”。".into(),
        "HIGH_SCORE_LOW_EXECUTION" => format!(
            "预算执行率低于{}而自评为“优”：请对照实际完成情况复核各项得分；得分无误的，请在整改情况说明中说明理由。",
            pct(param(config, "HIGH_SCORE_LOW_EXECUTION", "threshold"))
        ),
        "DUPLICATE_PROJECT" => "同一项目报送了多份自评表：请确认以哪一份为准，撤回或更正其余各份。".into(),
        "DUPLICATE_DEPARTMENT" => "部门整体自评表（或基础数据表）报送了多份：请确认以哪一份为准，撤回其余各份。".into(),
        "DUPLICATE_FILE" => "重复报送了内容完全相同的文件，只计一次，无需处理。".into(),
        "UNREADABLE_FILE" => "文件无法打开：请重新保存为未加密的Excel文件（.xlsx）后报送。".into(),
        "NO_FORM_FOUND" => "文件中未找到自评表：请确认报送的是规定格式的绩效自评表。".into(),
        "FORMULA_NO_VALUE" => {
            "单元格是公式但没有保存计算结果：请在Excel中打开、重新计算并保存后报送，或直接填写数值。".into()
        }
        _ => return None,
    };
    Some(text)
}

/// What the department must do, by severity: correct and hand in again (错误), check and
/// correct or explain (警告), or nothing (提示).
pub fn by_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "须更正后重新报送。",
        Severity::Warning => "请核实：有误的请更正，无误的请在整改情况说明中说明理由。",
        Severity::Info => "供参考，无需重新报送。",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_advice() {
        let config = crate::settings::Checks::builtin();
        for r in crate::catalog::catalog() {
            let a = advice(r.id, &config).unwrap_or_else(|| panic!("no advice for {}", r.id));
            assert!(a.ends_with('。') && !a.is_ascii(), "{}: {a}", r.id);
        }
        assert!(advice("HIGH_SCORE_LOW_EXECUTION", &config).unwrap().contains("80%"));
        assert_eq!(advice("NO_SUCH_RULE", &config), None);
    }
}
