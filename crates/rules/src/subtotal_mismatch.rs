//! SUBTOTAL_MISMATCH: form A lines do not add up to their parent.

use crate::anomaly::Anomaly;
use crate::rule::{Ctx, amount_tolerance, fmt};
use jixiao_forms::model::{BasicForm, BasicLine, Field};

/// Reads one amount column of a line.
type Column = fn(&BasicLine) -> &Field<f64>;

/// Fires, per amount column, when a form A line's children do not add up to it
/// (市级专项资金 against its one-line-per-fund children, 三公经费 against 1、2、3、…).
/// Columns where the parent or all children are blank are not checked. Points at the
/// parent's cell.
pub fn check(b: &BasicForm, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    for (i, parent) in b.lines.iter().enumerate() {
        let children: Vec<&BasicLine> = b.lines.iter().filter(|l| l.parent_index == Some(i)).collect();
        if children.is_empty() {
            continue;
        }
        let columns: [(&str, Column); 3] =
            [("上年决算数", |l| &l.prev_final), ("本年预算数", |l| &l.budget), ("本年决算数", |l| &l.final_)];
        for (name, col) in columns {
            let Some(p) = col(parent).get() else { continue };
            if children.iter().all(|c| col(c).value.is_none()) {
                continue;
            }
            let sum: f64 = children.iter().filter_map(|c| col(c).get()).sum();
            if (sum - p).abs() > amount_tolerance(ctx, p) {
                let message =
                    format!("“{}”{}为{}，其下{}项合计为{}", parent.item, name, fmt(p), children.len(), fmt(sum));
                out.push(ctx.flag_basic(b, col(parent).at, message, Some(sum), Some(p)));
            }
        }
    }
}
