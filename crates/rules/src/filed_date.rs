//! FILED_DATE: a 填报日期 that is not a date, or not a plausible one.

use chrono::{Datelike, NaiveDate};

use crate::anomaly::Anomaly;
use crate::rule::Ctx;
use jixiao_forms::model::Evaluation;

/// Fires when 填报日期 is filled in but is not a date (`20234..25`), falls before the end of
/// the evaluated year (a self-evaluation of 2022 filed on 2022-04-30), or after the run
/// date. A blank date is MISSING_VALUE's business. Points at the date cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let f = &e.filled_date;
    if f.raw.trim().is_empty() {
        return;
    }
    let (message, bound) = match (f.value, e.year) {
        (None, _) => (format!("填报日期“{}”不是有效日期", f.raw.trim()), "有效日期".to_string()),
        (Some(d), Some(y)) if d < NaiveDate::from_ymd_opt(y + 1, 1, 1).unwrap_or(d) => {
            (format!("填报日期{}早于{}年度结束，自评应在年度结束后填报", d, y), format!("{}-01-01及以后", y + 1))
        }
        (Some(d), _) if d > ctx.run_date => {
            (format!("填报日期{}晚于本次运行日期{}", d, ctx.run_date), format!("{}及以前", ctx.run_date))
        }
        _ => return,
    };
    let actual = f.value.map(|d| d.year() as f64);
    // the date as the form writes it (`2022年4月30日`, `20234..25`)
    let written = Some(f.raw.trim().to_string());
    out.push(ctx.flag(e, f.at, message, None, actual).with_text(Some(bound), written));
}
