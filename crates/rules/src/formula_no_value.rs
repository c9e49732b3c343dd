//! FORMULA_NO_VALUE: a formula the forms need has no computed value.

use crate::anomaly::Anomaly;
use crate::rule::Ctx;
use jixiao_forms::model::{Evaluation, Note};

/// Fires on each number cell of a form that holds a formula with no cached value (the
/// workbook was written by a program that never calculated it); the value is treated as
/// blank. Points at that cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    for (what, f) in e.number_fields() {
        if f.note == Note::FormulaNoValue {
            out.push(ctx.flag(e, f.at, format!("{what}是未计算的公式（无缓存值），按空白处理"), None, None));
        }
    }
}
