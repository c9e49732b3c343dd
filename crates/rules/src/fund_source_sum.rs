//! FUND_SOURCE_SUM: the fund sources do not add up to the total.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, amount_tolerance, fmt};
use jixiao_forms::model::{Evaluation, Field, FormKind, FundRow};

/// Sources that make up the total of a project's fund table (form C, both templates).
const PROJECT_PARTS: &[&str] = &["fiscal", "carryover", "other", "special_account", "unit_funds"];

/// Fires, per amount column, when 当年财政拨款 + 上年结转资金 + 其他资金 (and the Sichuan
/// template's other sources) ≠ 年度资金总额 on form C, or 基本支出 + 项目支出 ≠ 全年执行数
/// on form B. A column whose parts are all blank is not checked. Tolerance:
/// max(`tolerance` 万元, `relative_tolerance` × total). Points at the total's cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let Some(total) = e.total_fund() else { return };
    match e.form {
        FormKind::Department => {
            let parts: Vec<&FundRow> =
                e.funds.iter().filter(|f| f.source == "basic" || f.source == "project").collect();
            compare(
                e,
                ctx,
                out,
                "全年执行数",
                &total.executed,
                parts.iter().map(|f| &f.executed).collect(),
                "基本支出+项目支出",
            );
        }
        _ => {
            let parts: Vec<&FundRow> = e.funds.iter().filter(|f| PROJECT_PARTS.contains(&f.source.as_str())).collect();
            let names = parts.iter().map(|f| f.label.as_str()).collect::<Vec<_>>().join("+");
            compare(e, ctx, out, "年初预算数", &total.initial, parts.iter().map(|f| &f.initial).collect(), &names);
            compare(e, ctx, out, "全年预算数", &total.full, parts.iter().map(|f| &f.full).collect(), &names);
            compare(e, ctx, out, "全年执行数", &total.executed, parts.iter().map(|f| &f.executed).collect(), &names);
        }
    }
}

fn compare(
    e: &Evaluation,
    ctx: &Ctx,
    out: &mut Vec<Anomaly>,
    column: &str,
    total: &Field<f64>,
    parts: Vec<&Field<f64>>,
    names: &str,
) {
    let Some(t) = total.get() else { return };
    if parts.iter().all(|p| p.value.is_none()) {
        return;
    }
    let sum: f64 = parts.iter().filter_map(|p| p.get()).sum();
    if (sum - t).abs() > amount_tolerance(ctx, t) {
        let message = format!("{column}：{names}合计{}万元，与年度资金总额{}万元不符", fmt(sum), fmt(t));
        out.push(ctx.flag(e, total.at, message, Some(sum), Some(t)));
    }
}
