//! WEIGHT_SUM: the weights of a form do not add up to its stated total (100).

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::Evaluation;

/// Fires when exec weight + Σ indicator 分值 differs from the 总分 row's stated weight, or
/// from `expected` (100) when none is stated. Points at the 总分 row's weight cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    // no 分值 column (only 得分): the weights cannot be added up, so nothing to report
    if e.indicators.is_empty() || !e.has_weights() {
        return;
    }
    let expected = e.weight_total.get().unwrap_or(ctx.param("expected"));
    let sum = e.weight_calc();
    if (sum - expected).abs() > ctx.param("tolerance") + 1e-9 {
        let ind: f64 = e.indicators.iter().filter_map(|i| i.weight.get()).sum();
        let message = format!(
            "分值合计为{}（预算执行{}+指标{}），应为{}",
            fmt(sum),
            fmt(e.exec_weight().unwrap_or(0.0)),
            fmt(ind),
            fmt(expected)
        );
        let at = e.weight_total.at.or(e.score_total.at);
        out.push(ctx.flag(e, at, message, Some(expected), Some(sum)));
    }
}
