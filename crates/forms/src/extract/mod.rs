//! Turning located forms into records. One module per part of a form; this one holds
//! the cell helpers they share and the per-sheet entry point.

pub mod basic;
pub mod evaluation;
pub mod footer;
pub mod funds;
pub mod indicators;

use crate::labels::Labels;
use crate::model::{BasicForm, Evaluation, Field, FormKind, Note, Pos};
use jixiao_reader::grid::{Cell, Grid, Value};
use jixiao_text::values::number::{AmountUnit, Num, parse_amount, parse_number, parse_rate, rate_from_number, round9};

/// The forms of one sheet.
#[derive(Debug, Default)]
pub struct SheetForms {
    pub evaluations: Vec<Evaluation>,
    pub basics: Vec<BasicForm>,
    /// How the sheet was read where a person might read it otherwise (forms side by side
    /// read as blocks, a two-row header, a value under its label, the year from a name),
    /// for the file's note: the officer reads it in 文件清单, in Chinese.
    pub notes: Vec<String>,
}

/// Locates and extracts every form of a sheet, block by block (forms side by side are
/// read apart, see [`crate::layout`]). `path` is the file's relative path.
pub fn extract_sheet(grid: &Grid, labels: &Labels, path: &str) -> SheetForms {
    let mut out = SheetForms::default();
    let blocks = crate::layout::blocks(grid, labels);
    if blocks.len() == 1 {
        extract_block(grid, labels, path, &mut out);
        return out;
    }
    let names: Vec<String> = blocks.iter().map(|b| columns_name(b.left, b.right)).collect();
    // read by the officer in 文件清单: Chinese
    out.notes.push(format!("工作表“{}”中有并排的表，按区块分开读：{}", grid.sheet, names.join("、")));
    for b in blocks {
        extract_block(&grid.columns(b.left, b.right), labels, path, &mut out);
    }
    out
}

/// `A–I`: a block's columns as a person names them.
pub fn columns_name(left: u32, right: u32) -> String {
    let col = |c: u32| crate::model::a1((0, c)).trim_end_matches('1').to_string();
    format!("{}–{}", col(left), col(right.saturating_sub(1).max(left)))
}

/// The forms of one block, numbered on from those already found in the sheet.
fn extract_block(grid: &Grid, labels: &Labels, path: &str, out: &mut SheetForms) {
    let mut n = out.evaluations.len() + out.basics.len();
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
                if let Some(e) = evaluation::extract(grid, labels, &form, path, &id(n + 1), &mut out.notes) {
                    n += 1;
                    out.evaluations.push(e);
                }
            }
        }
    }
}

/// What a number cell is expected to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumKind {
    /// An amount, in the unit its table declares ([`AmountUnit::Wan`] unless it says
    /// `(元)`, `金额单位：元`…), converted to 万元. A cell that writes a unit of its own
    /// other than the table's is converted too, and noted (UNIT_MISMATCH).
    Amount(AmountUnit),
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
            f.value = Some(match kind {
                NumKind::Rate => rate_from_number(*v),
                NumKind::Amount(table) => round9(v * table.to_wan()),
                NumKind::Plain => *v,
            });
        }
        // a percent-formatted cell means what it shows: a rate of 0.98, else the 98 shown
        Value::Percent(v) => {
            f.value = Some(if kind == NumKind::Rate { *v } else { round9(v * 100.0) });
        }
        Value::Text(t) => {
            let (num, unit) = match kind {
                NumKind::Amount(_) => parse_amount(t),
                NumKind::Rate => (parse_rate(t), None),
                // points are often written with their unit: `96.6分`
                NumKind::Plain => (parse_number(t.trim().trim_end_matches('分')), None),
            };
            match num {
                Num::Value(v) => {
                    // a bare number is in the table's unit; one that names a unit is in that unit
                    f.value = Some(match (kind, unit) {
                        (NumKind::Amount(table), None) => round9(v * table.to_wan()),
                        _ => v,
                    })
                }
                Num::Malformed => f.note = Note::Malformed,
                _ => {}
            }
            if let (NumKind::Amount(table), Some(written)) = (kind, unit)
                && written != table
                && table == AmountUnit::Wan
            {
                f.note = match written {
                    AmountUnit::Yuan => Note::Yuan,
                    AmountUnit::Yi => Note::Yi,
                    AmountUnit::Wan => f.note,
                };
            }
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
    // `项目名称：农村饮水安全巩固提升`: the value in the label's own cell
    let own = grid.get(label);
    if let Some((_, value)) = crate::layout::inline_pair(own)
        && !value.is_empty()
    {
        return Field { value: Some(value.to_string()), raw: own.text(), at: Some(label), note: Note::None };
    }
    for c in label.1 + 1..grid.right() {
        let cell = grid.get((label.0, c));
        if cell.is_empty() || cell.merged_from == Some(label) {
            continue;
        }
        // the next label, alone or with its own value (`主管部门： | 实施单位：县农村供水站`)
        if is_label(cell.clean()) || crate::layout::inline_pair(cell).is_some_and(|(l, _)| is_label(&l)) {
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
