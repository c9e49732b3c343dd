//! TARGET_MET_DEDUCTED: a target met, yet points deducted.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::Evaluation;

/// Fires when target and actual are comparable, the target is met, and 得分 < 分值.
/// Points at the score cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    for i in &e.indicators {
        let (Some(true), Some(s), Some(w)) = (i.met, i.score.get(), i.weight.get()) else { continue };
        if s < w - 1e-9 {
            let message = format!(
                "指标“{}”年度指标值{}、实际完成值{}，已达成却扣分（{}/{}）",
                i.level3,
                i.target.value.as_deref().unwrap_or(""),
                i.actual.value.as_deref().unwrap_or(""),
                fmt(s),
                fmt(w)
            );
            out.push(
                ctx.flag(e, i.score.at, message, Some(w), Some(s))
                    .with_text(i.target.value.clone(), i.actual.value.clone()),
            );
        }
    }
}
