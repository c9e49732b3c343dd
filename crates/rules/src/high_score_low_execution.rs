//! HIGH_SCORE_LOW_EXECUTION: an 优 self-score while the money was not spent.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt, pct};
use jixiao_forms::model::Evaluation;

/// Fires when the stated 总分 is in the 优 band (grades.excellent, 90) while the execution
/// rate (calculated, else stated) is below `threshold` (0.8). Points at the 总分 cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let Some(score) = e.score_total.get() else { return };
    let Some(rate) = e.exec_rate_calc().or(e.exec_rate()) else { return };
    let band = ctx.config.grades.excellent;
    if score >= band && rate < ctx.param("threshold") {
        let message = format!("自评总分{}（优），但预算执行率仅{}", fmt(score), pct(rate));
        out.push(ctx.flag(e, e.score_total.at, message, Some(ctx.param("threshold")), Some(rate)));
    }
}
