//! STAFF_CONTROL_RATE: form A's 控制率 is not 实际在职人数 ÷ 编制数.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt, pct};
use jixiao_forms::model::BasicForm;

/// Fires when the stated 控制率 differs from 实际在职人数 ÷ 编制数 by more than `tolerance`
/// percentage points. Points at the rate cell.
pub fn check(b: &BasicForm, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let (Some(auth), Some(actual), Some(rate)) = (b.staff_authorized.get(), b.staff_actual.get(), b.staff_rate.get())
    else {
        return;
    };
    if auth <= 0.0 {
        return;
    }
    let calc = actual / auth;
    if (rate - calc).abs() * 100.0 > ctx.param("tolerance") + 1e-9 {
        let message =
            format!("控制率填报{}，按实际在职{}人÷编制{}人计算为{}", pct(rate), fmt(actual), fmt(auth), pct(calc));
        out.push(ctx.flag_basic(b, b.staff_rate.at, message, Some(calc), Some(rate)));
    }
}
