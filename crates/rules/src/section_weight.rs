//! SECTION_WEIGHT: the weights under a level-1 label do not add up to what it declares.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::Evaluation;

/// Fires when Σ 分值 of the rows under a level-1 label (`产出指标(50分)`) differs from the
/// points the label declares. Labels that declare nothing are not checked. Points at the
/// level-1 label. Silent on a form whose indicators have no 分值 column.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    // a table with no 分值 column declares its sections' points but never splits them
    if !e.has_weights() {
        return;
    }
    for s in &e.sections {
        let Some(declared) = s.declared else { continue };
        let rows = e.indicators.iter().filter(|i| i.level1 == s.level1 && i.level1_declared == s.declared);
        let sum: f64 = rows.filter_map(|i| i.weight.get()).sum();
        if (sum - declared).abs() > ctx.param("tolerance") + 1e-9 {
            let message = format!("{}标明{}分，其下指标分值合计为{}", s.level1, fmt(declared), fmt(sum));
            out.push(ctx.flag(e, Some(s.at), message, Some(declared), Some(sum)));
        }
    }
}
