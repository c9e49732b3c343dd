//! MALFORMED_NUMBER: a broken number (`2..23亿元`, `<!%`), kept as text, never guessed.

use crate::model::{Anomaly, Evaluation, Field, Note};
use crate::rules::Ctx;
use crate::values::Parsed;

/// Fires on each number cell (fund table, weights, scores, totals) and each target or
/// actual that holds a broken number. Points at that cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let mut flag = |what: String, raw: &str, at| {
        out.push(ctx.flag(e, at, format!("{what}“{}”不是有效数字", raw.trim()), None, None));
    };
    let mut num = |what: String, f: &Field<f64>| {
        if f.note == Note::Malformed {
            flag(what, &f.raw, f.at);
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
            num(format!("资金表{}{}", fr.label, name), f);
        }
    }
    for i in &e.indicators {
        num(format!("指标“{}”分值", i.level3), &i.weight);
        num(format!("指标“{}”得分", i.level3), &i.score);
    }
    num("总分分值".into(), &e.weight_total);
    num("总分得分".into(), &e.score_total);
    for i in &e.indicators {
        if i.target_parsed == Parsed::Malformed {
            flag(format!("指标“{}”年度指标值", i.level3), &i.target.raw, i.target.at);
        }
        if i.actual_parsed == Parsed::Malformed {
            flag(format!("指标“{}”实际完成值", i.level3), &i.actual.raw, i.actual.at);
        }
    }
}
