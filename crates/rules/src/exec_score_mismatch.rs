//! EXEC_SCORE_MISMATCH: the budget-execution score is not 分值 × min(执行率, 1).

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt, pct, round2};
use jixiao_forms::model::Evaluation;

/// Fires when the fund table's 得分 differs from 分值 × min(rate, 1) by more than
/// `tolerance` points. The rate is the calculated one (执行数 ÷ 预算数) when both amounts
/// are there, else the stated one. Points at the score cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let Some(total) = e.total_fund() else { return };
    let (Some(score), Some(weight)) = (total.score.get(), total.weight.get()) else { return };
    let Some(rate) = e.exec_rate_calc().or(total.rate.get()) else { return };
    let expected = weight * rate.min(1.0);
    if (score - expected).abs() > ctx.param("tolerance") + 1e-9 {
        let message = format!(
            "预算执行得分填报{}，按分值{}×执行率{}应为{}",
            fmt(score),
            fmt(weight),
            pct(rate),
            fmt(round2(expected))
        );
        out.push(ctx.flag(e, total.score.at, message, Some(expected), Some(score)));
    }
}
