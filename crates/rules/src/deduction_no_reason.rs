//! DEDUCTION_NO_REASON: points deducted and no reason given.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::Evaluation;

/// Fires when 得分 < 分值 and the 偏差原因分析 cell is blank. Points at the reason cell.
/// Silent on a template with no reason column: there was nowhere to write one.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    for i in &e.indicators {
        let (Some(s), Some(w)) = (i.score.get(), i.weight.get()) else { continue };
        if s < w - 1e-9 && i.reason.value.is_none() && i.reason.at.is_some() {
            let message = format!("指标“{}”扣{}分（{}/{}），未填写偏差原因", i.level3, fmt(w - s), fmt(s), fmt(w));
            out.push(ctx.flag(e, i.reason.at.or(i.score.at), message, Some(w), Some(s)));
        }
    }
}
