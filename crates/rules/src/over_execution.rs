//! OVER_EXECUTION: more executed than budgeted.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::Evaluation;

/// Fires when 全年执行数 > 全年预算数 (+ `tolerance` 万元). Points at the executed cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let Some(total) = e.total_fund() else { return };
    let (Some(full), Some(executed)) = (total.full.get(), total.executed.get()) else { return };
    if executed > full + ctx.param("tolerance") + 1e-9 {
        let message = format!("全年执行数{}万元超过全年预算数{}万元", fmt(executed), fmt(full));
        out.push(ctx.flag(e, total.executed.at, message, Some(full), Some(executed)));
    }
}
