//! Turning located forms into records. One module per part of a form; this one holds
//! the cell helpers they share and the per-sheet entry point.

pub mod basic;
pub mod evaluation;
pub mod footer;
pub mod funds;
pub mod indicators;

use crate::config::Labels;
use crate::grid::{Cell, Grid, Value};
use crate::model::{BasicForm, Evaluation, Field, FormKind, Note, Pos};
use crate::values::number::{AmountUnit, Num, parse_amount, parse_number, parse_rate, rate_from_number};

/// The forms of one sheet.
#[derive(Debug, Default)]
pub struct SheetForms {
    pub evaluations: Vec<Evaluation>,
    pub basics: Vec<BasicForm>,
}

/// Locates and extracts every form of a sheet. `path` is the file's relative path.
pub fn extract_sheet(grid: &Grid, labels: &Labels, path: &str) -> SheetForms {
    let mut out = SheetForms::default();
    let mut n = 0;
    for form in crate::locate::locate(grid, labels) {
        let id = |n: usize| format!("{path}#{}#{n}", grid.sheet);
        match form.kind {
            FormKind::Basic => {
                if let Some(b) = basic::extract(grid, labels, &form, path, &id(n + 1)) {
                    n += 1;
                    out.basics.push(b);
                }
            }
            FormKind::Department | FormKind::Project => {
                if let Some(e) = evaluation::extract(grid, labels, &form, path, &id(n + 1)) {
                    n += 1;
                    out.evaluations.push(e);
                }
            }
        }
    }
    out
}

/// What a number cell is expected to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumKind {
    /// An amount in a 万元 table (元 and 亿元 converted, and noted).
    Amount,
    /// A rate, as a fraction.
    Rate,
    /// Points or counts.
    Plain,
}

/// Reads a number cell, keeping its text and noting what was odd about it.
pub fn num_field(grid: &Grid, pos: Pos, kind: NumKind) -> Field<f64> {
    let cell = grid.get(pos);
    let mut f = Field { value: None, raw: cell.text(), at: Some(pos), note: Note::None };
    if cell.formula_no_value {
        f.note = Note::FormulaNoValue;
        return f;
    }
    match &cell.value {
        Value::Number(v) => {
            f.value = Some(if kind == NumKind::Rate { rate_from_number(*v) } else { *v });
        }
        Value::Text(t) => {
            let (num, unit) = match kind {
                NumKind::Amount => parse_amount(t),
                NumKind::Rate => (parse_rate(t), AmountUnit::Wan),
                NumKind::Plain => (parse_number(t), AmountUnit::Wan),
            };
            match num {
                Num::Value(v) => f.value = Some(v),
                Num::Malformed => f.note = Note::Malformed,
                _ => {}
            }
            f.note = match unit {
                AmountUnit::Yuan => Note::Yuan,
                AmountUnit::Yi => Note::Yi,
                AmountUnit::Wan => f.note,
            };
        }
        _ => {}
    }
    f
}

/// Reads a text cell (trimmed), `None` when blank.
pub fn text_field(grid: &Grid, pos: Pos) -> Field<String> {
    let cell = grid.get(pos);
    let raw = cell.text();
    let t = raw.trim().trim_matches('\u{3000}').trim().to_string();
    let note = if cell.formula_no_value { Note::FormulaNoValue } else { Note::None };
    Field { value: (!t.is_empty()).then(|| t.clone()), raw, at: Some(pos), note }
}

/// The value written to the right of a label: the first non-empty cell after it that is
/// not a copy of the label's own merge and not another label. Blank when the next thing
/// to the right is another label (`主管部门 | | 实施单位 |`).
pub fn value_right(grid: &Grid, label: Pos, is_label: impl Fn(&str) -> bool) -> Field<String> {
    for c in label.1 + 1..grid.right() {
        let cell = grid.get((label.0, c));
        if cell.is_empty() || cell.merged_from == Some(label) {
            continue;
        }
        if is_label(cell.clean()) {
            break;
        }
        return text_field(grid, (label.0, c));
    }
    Field { at: Some((label.0, label.1 + 1)), ..Field::default() }
}

/// True when a cell is a copy of a merge that started at `origin`.
pub fn is_copy_of(cell: &Cell, origin: Pos) -> bool {
    cell.merged_from == Some(origin)
}
