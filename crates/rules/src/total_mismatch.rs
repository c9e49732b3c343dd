//! TOTAL_MISMATCH: the stated 总分 得分 is not the sum of its parts.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::Evaluation;

/// Fires when |stated 总分 − (exec score + Σ indicator scores)| > tolerance. Points at the
/// stated score cell. A blank part counts as 0 (spec §4), a blank total does not fire.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let Some(stated) = e.score_total.get() else {
        return;
    };
    let calc = e.score_calc();
    if (stated - calc).abs() > ctx.param("tolerance") + 1e-9 {
        let ind: f64 = e.indicators.iter().filter_map(|i| i.score.get()).sum();
        let message = format!(
            "总分填报{}，按分项合计为{}（预算执行{}+指标{}）",
            fmt(stated),
            fmt(calc),
            fmt(e.exec_score().unwrap_or(0.0)),
            fmt(ind)
        );
        out.push(ctx.flag(e, e.score_total.at, message, Some(calc), Some(stated)));
    }
}
