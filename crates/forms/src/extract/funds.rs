//! The fund table (年度预算申请 / 项目资金 / 预算执行情况): a header row naming the amount
//! columns, then one row per fund source. Form B writes some amounts inside the label
//! (`其中：基本支出：958.07`); those are read as executed amounts.

use std::collections::HashMap;
use std::ops::Range;

use crate::extract::{NumKind, is_copy_of, num_field};
use crate::labels::{FundColumns, LabelSet, Labels};
use crate::labels::{map_header, strength};
use crate::model::{Field, FundRow, Note, Pos};
use jixiao_reader::grid::{Grid, Value};
use jixiao_text::normalize::{clean_label, declared_points};
use jixiao_text::values::number::{AmountUnit, Num, parse_amount, round9};

/// The fund table of a form.
#[derive(Debug)]
pub struct FundTable {
    pub header_row: u32,
    pub last_row: u32,
    /// The unit its amounts are written in, as the table declares it (万元 when silent).
    pub unit: AmountUnit,
    /// Where the unit was declared, when it was.
    pub unit_at: Option<Pos>,
    pub cols: FundCols,
    pub rows: Vec<FundRow>,
}

/// Column of each amount role in the header row.
#[derive(Debug, Default, Clone, Copy)]
pub struct FundCols {
    pub initial: Option<u32>,
    pub full: Option<u32>,
    pub executed: Option<u32>,
    pub weight: Option<u32>,
    pub rate: Option<u32>,
    pub score: Option<u32>,
}

impl FundCols {
    fn first(&self) -> Option<u32> {
        self.all().into_iter().flatten().min()
    }

    fn all(&self) -> [Option<u32>; 6] {
        [self.initial, self.full, self.executed, self.weight, self.rate, self.score]
    }
}

/// Maps the header row's cells to roles by their words (see [`crate::labels`]); `None`
/// unless a budget (全年预算数, or 年初预算数 where a template has no other) and 全年执行数
/// are there.
pub fn header(grid: &Grid, row: u32, cols: &FundColumns) -> Option<FundCols> {
    let cells: Vec<(u32, &str)> = grid.row_cells(row, grid.left).map(|(c, cell)| (c, cell.clean())).collect();
    // cheap test first: the rows above a fund table (name, 主管部门…) have no 执行数 label
    if !cells.iter().any(|(_, t)| strength(&cols.executed, t) > 0) {
        return None;
    }
    let roles: [&LabelSet; 6] = [&cols.initial, &cols.full, &cols.executed, &cols.weight, &cols.rate, &cols.score];
    let [initial, full, executed, weight, rate, score] = map_header(&cells, &roles)[..] else { return None };
    let found = FundCols { initial, full, executed, weight, rate, score };
    ((found.full.is_some() || found.initial.is_some()) && found.executed.is_some()).then_some(found)
}

/// The unit the table declares: in a header cell (`全年预算数(元)`), in the table's heading
/// (`项目资金(元)`), or in a note between the form's first row and the header
/// (`金额单位：元`, `单位：万元`). The declaration nearest the header wins.
fn declared_unit(grid: &Grid, from_row: u32, header_row: u32) -> Option<(AmountUnit, Pos)> {
    (from_row..=header_row).rev().find_map(|r| {
        grid.row_cells(r, grid.left).find_map(|(c, cell)| match &cell.value {
            Value::Text(t) => AmountUnit::declared_in(t).map(|u| (u, (r, c))),
            _ => None,
        })
    })
}

/// Finds and reads the fund table within `rows`; `notes_from` is the form's first row,
/// where a unit note above the table may start.
pub fn extract(grid: &Grid, labels: &Labels, rows: Range<u32>, notes_from: u32) -> Option<FundTable> {
    let (header_row, cols) = rows.clone().find_map(|r| header(grid, r, &labels.fund_columns).map(|c| (r, c)))?;
    let (unit, unit_at) = match declared_unit(grid, notes_from.min(header_row), header_row) {
        Some((u, at)) => (u, Some(at)),
        None => (AmountUnit::Wan, None),
    };
    let first_num = cols.first().unwrap_or(u32::MAX);
    // points the header declares for the budget execution (`预算执行情况(20分)`,
    // `得分(20分*执行率)`) when the table has no 分值 column
    let declared_weight = if cols.weight.is_none() {
        grid.row_cells(header_row, grid.left)
            .find_map(|(c, cell)| declared_points(cell.norm()).map(|w| (w, (header_row, c), cell.text())))
    } else {
        None
    };
    let mut out = Vec::new();
    let mut last_row = header_row;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for r in header_row + 1..rows.end {
        // each cell's label, cleaned once when the grid was built
        let cells: Vec<(u32, &str)> = grid.row_cells(r, grid.left).map(|(c, cell)| (c, cell.clean())).collect();
        if cells.iter().any(|(_, l)| {
            labels.fields.fund_end.is_clean(l)
                || labels.indicator_columns.level3.is_clean(l)
                || labels.fields.total_row.is_clean(l)
        }) {
            break;
        }
        last_row = r;
        let mut row_label: Option<(u32, String, Option<String>)> = None;
        for &(c, label) in &cells {
            // an amount inside the label cell: 基本支出:958.07
            if let Some((lab, amount)) = label.split_once(':')
                && let Some(source) = labels.fund_source(&clean_label(lab))
            {
                if let (Num::Value(v), written) = parse_amount(amount) {
                    let v = if written.is_none() { round9(v * unit.to_wan()) } else { v };
                    let executed =
                        Field { value: Some(v), raw: amount.to_string(), at: Some((r, c)), ..Field::default() };
                    let row = FundRow {
                        source: source.to_string(),
                        label: lab.to_string(),
                        row: r,
                        executed,
                        ..FundRow::default()
                    };
                    push(&mut out, &mut seen, row);
                }
                continue;
            }
            if c >= first_num || row_label.as_ref().is_some_and(|(_, _, s)| s.is_some()) {
                continue;
            }
            let source = labels.fund_source(label).map(str::to_string);
            // a known source label wins; else the label nearest the numbers, unless it is
            // the table's own heading merged down the side (项目资金(万元))
            let is_side_heading = grid.get((r, c)).merged_from.is_some_and(|(mr, _)| mr < r);
            if source.is_some() || !is_side_heading {
                row_label = Some((c, label.to_string(), source));
            }
        }
        // a budget-execution section with no row labels (`预算执行情况 | 预算数 | 执行数 …`
        // over one row of numbers): its first row of numbers is the total
        let unlabelled = row_label.is_none() && !out.iter().any(|f: &FundRow| f.source == "total");
        if unlabelled {
            let (c, heading) = grid
                .row_cells(header_row, grid.left)
                .find(|(c, _)| *c < first_num)
                .map(|(c, cell)| (c, cell.clean().to_string()))
                .unwrap_or((grid.left, String::new()));
            row_label = Some((c, heading, Some("total".to_string())));
        }
        if let Some((c, label, source)) = row_label {
            let mut row = read_row(grid, r, c, &cols, unit);
            let has_numbers = [&row.initial, &row.full, &row.executed, &row.weight, &row.rate, &row.score]
                .iter()
                .any(|f| f.value.is_some() || f.note != Note::None);
            if unlabelled && !has_numbers {
                continue;
            }
            if source.as_deref() == Some("total")
                && let Some((w, at, raw)) = &declared_weight
            {
                row.weight = Field { value: Some(*w), raw: raw.clone(), at: Some(*at), note: Note::None };
            }
            match source {
                // an empty source row is a placeholder, but the total row is always kept
                Some(s) if has_numbers || s == "total" => {
                    push(&mut out, &mut seen, FundRow { source: s, label, ..row })
                }
                Some(_) => {}
                None if has_numbers && !label.is_empty() => {
                    push(&mut out, &mut seen, FundRow { source: label.clone(), label, ..row })
                }
                None => {}
            }
        }
    }
    Some(FundTable { header_row, last_row, unit, unit_at, cols, rows: out })
}

/// Keeps the first row of each source; a repeated label is kept under a numbered source.
fn push(out: &mut Vec<FundRow>, seen: &mut HashMap<String, usize>, mut row: FundRow) {
    let n = seen.entry(row.source.clone()).or_insert(0);
    *n += 1;
    if *n > 1 {
        row.source = format!("{}_{}", row.source, n);
    }
    out.push(row);
}

fn read_row(grid: &Grid, r: u32, label_col: u32, cols: &FundCols, unit: AmountUnit) -> FundRow {
    let read = |col: Option<u32>, kind: NumKind| -> Field<f64> {
        match col {
            Some(c) if !is_copy_of(grid.get((r, c)), (r, label_col)) => num_field(grid, (r, c), kind),
            Some(c) => Field { at: Some((r, c)), ..Field::default() },
            None => Field::default(),
        }
    };
    FundRow {
        source: String::new(),
        label: String::new(),
        row: r,
        initial: read(cols.initial, NumKind::Amount(unit)),
        full: read(cols.full, NumKind::Amount(unit)),
        executed: read(cols.executed, NumKind::Amount(unit)),
        weight: read(cols.weight, NumKind::Plain),
        rate: read(cols.rate, NumKind::Rate),
        score: read(cols.score, NumKind::Plain),
    }
}
