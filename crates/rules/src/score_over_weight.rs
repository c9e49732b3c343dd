//! SCORE_OVER_WEIGHT: a score above its weight, or below zero.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::{Evaluation, Field};

/// Fires on every 得分 above its 分值 or below 0: each indicator row, the fund table's
/// total row and the 总分 row (a stated 总分 of 105 against 100 cannot be right, and would
/// otherwise top the ranking). Points at the score cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let mut test = |what: &str, score: &Field<f64>, weight: &Field<f64>| {
        let Some(s) = score.get() else { return };
        let tol = ctx.param("tolerance") + 1e-9;
        if s < -tol {
            out.push(ctx.flag(e, score.at, format!("{what}得分为{}，不能为负", fmt(s)), Some(0.0), Some(s)));
        } else if let Some(w) = weight.get().filter(|w| s > w + tol) {
            out.push(ctx.flag(e, score.at, format!("{what}得分{}高于分值{}", fmt(s), fmt(w)), Some(w), Some(s)));
        }
    };
    if let Some(total) = e.total_fund() {
        test("预算执行", &total.score, &total.weight);
    }
    for i in &e.indicators {
        test(&format!("指标“{}”", i.level3), &i.score, &i.weight);
    }
    test("总分", &e.score_total, &e.weight_total);
}
