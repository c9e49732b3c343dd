//! FORMULA_NO_VALUE: a formula the forms need has no computed value.

use crate::model::{Anomaly, Evaluation, Field, Note};
use crate::rules::Ctx;

/// Fires on each number cell of a form that holds a formula with no cached value (the
/// workbook was written by a program that never calculated it); the value is treated as
/// blank. Points at that cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let mut test = |what: String, f: &Field<f64>| {
        if f.note == Note::FormulaNoValue {
            out.push(ctx.flag(e, f.at, format!("{what}是未计算的公式（无缓存值），按空白处理"), None, None));
        }
    };
    for fr in &e.funds {
        for (name, f) in [
            ("年初预算数", &fr.initial),
            ("全年预算数", &fr.full),
            ("全年执行数", &fr.executed),
            ("分值", &fr.weight),
            ("执行率", &fr.rate),
            ("得分", &fr.score),
        ] {
            test(format!("资金表{}{}", fr.label, name), f);
        }
    }
    for i in &e.indicators {
        test(format!("指标“{}”分值", i.level3), &i.weight);
        test(format!("指标“{}”得分", i.level3), &i.score);
    }
    test("总分分值".into(), &e.weight_total);
    test("总分得分".into(), &e.score_total);
}
