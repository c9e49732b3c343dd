//! MALFORMED_NUMBER: a broken number (`2..23亿元`, `<!%`), kept as text, never guessed.

use crate::anomaly::Anomaly;
use crate::rule::Ctx;
use jixiao_forms::model::{Evaluation, Note};
use jixiao_text::values::Parsed;

/// Fires on each number cell (fund table, weights, scores, totals) and each target or
/// actual that holds a broken number. Points at that cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let mut flag = |what: String, raw: &str, at| {
        let message = format!("{what}“{}”不是有效数字", raw.trim());
        out.push(ctx.flag(e, at, message, None, None).with_text(None, Some(raw.trim().to_string())));
    };
    for (what, f) in e.number_fields() {
        if f.note == Note::Malformed {
            flag(what, &f.raw, f.at);
        }
    }
    for i in &e.indicators {
        if i.target_parsed == Parsed::Malformed {
            flag(format!("指标“{}”年度指标值", i.level3), &i.target.raw, i.target.at);
        }
        if i.actual_parsed == Parsed::Malformed {
            flag(format!("指标“{}”实际完成值", i.level3), &i.actual.raw, i.actual.at);
        }
    }
}
