//! UNIT_MISMATCH: amounts written in 元 (or 亿元) in a 万元 table.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, fmt};
use jixiao_forms::model::{Evaluation, Note, a1};

/// Fires once per form whose fund table holds amounts in 元 or 亿元; the dataset holds the
/// converted 万元 values. Points at the first such cell and names how many there are.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let cells: Vec<_> = e
        .funds
        .iter()
        .flat_map(|f| [&f.initial, &f.full, &f.executed])
        .filter(|f| matches!(f.note, Note::Yuan | Note::Yi))
        .collect();
    // name a cell that shows the problem: a non-zero amount if there is one
    let Some(first) = cells.iter().find(|f| f.value.is_some_and(|v| v != 0.0)).or(cells.first()) else { return };
    let unit = if first.note == Note::Yuan { "元" } else { "亿元" };
    let message = format!(
        "资金表以{unit}填报（{}：{} = {}万元，共{}处），已按万元换算",
        first.at.map(a1).unwrap_or_default(),
        first.raw.trim(),
        first.value.map(fmt).unwrap_or_default(),
        cells.len()
    );
    out.push(ctx.flag(e, first.at, message, first.value, None).with_text(None, Some(first.raw.trim().to_string())));
}
