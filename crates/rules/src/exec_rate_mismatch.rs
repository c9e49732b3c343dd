//! EXEC_RATE_MISMATCH: the stated execution rate is not 全年执行数 ÷ 全年预算数.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, pct};
use jixiao_forms::model::Evaluation;

/// Fires when the stated 执行率 of the total fund row differs from executed ÷ full budget
/// by more than `tolerance` percentage points. Points at the stated rate cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let Some(total) = e.total_fund() else { return };
    let (Some(stated), Some(calc)) = (total.rate.get(), e.exec_rate_calc()) else {
        return;
    };
    if (stated - calc).abs() * 100.0 > ctx.param("tolerance") + 1e-9 {
        let message = format!(
            "执行率填报{}，按全年执行数{}÷全年预算数{}计算为{}",
            pct(stated),
            crate::rule::fmt(e.executed().unwrap_or(0.0)),
            crate::rule::fmt(e.budget_full().unwrap_or(0.0)),
            pct(calc)
        );
        out.push(ctx.flag(e, total.rate.at, message, Some(calc), Some(stated)));
    }
}
