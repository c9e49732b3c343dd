//! The fund table (年度预算申请 / 项目资金 / 预算执行情况): a header row naming the amount
//! columns, then one row per fund source. Form B writes some amounts inside the label
//! (`其中：基本支出：958.07`); those are read as executed amounts.

use std::collections::HashMap;
use std::ops::Range;

use crate::config::{FundColumns, LabelSet, Labels};
use crate::extract::{NumKind, is_copy_of, num_field};
use crate::grid::Grid;
use crate::model::{Field, FundRow, Note};
use crate::normalize::clean_label;
use crate::values::number::{Num, parse_amount};

/// The fund table of a form.
#[derive(Debug)]
pub struct FundTable {
    pub header_row: u32,
    pub last_row: u32,
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
        [self.initial, self.full, self.executed, self.weight, self.rate, self.score].into_iter().flatten().min()
    }
}

/// Maps the header row's cells to roles; `None` unless both 全年预算数 and 全年执行数 are there.
pub fn header(grid: &Grid, row: u32, cols: &FundColumns) -> Option<FundCols> {
    let mut found = FundCols::default();
    let roles: [(&LabelSet, &mut Option<u32>); 6] = [
        (&cols.initial, &mut found.initial),
        (&cols.full, &mut found.full),
        (&cols.executed, &mut found.executed),
        (&cols.weight, &mut found.weight),
        (&cols.rate, &mut found.rate),
        (&cols.score, &mut found.score),
    ];
    let cells: Vec<(u32, &str)> = grid.row_cells(row, grid.left).map(|(c, cell)| (c, cell.clean())).collect();
    for (set, slot) in roles {
        *slot = cells.iter().find(|(_, t)| set.is_clean(t)).map(|(c, _)| *c);
    }
    (found.full.is_some() && found.executed.is_some()).then_some(found)
}

/// Finds and reads the fund table within `rows`.
pub fn extract(grid: &Grid, labels: &Labels, rows: Range<u32>) -> Option<FundTable> {
    let (header_row, cols) = rows.clone().find_map(|r| header(grid, r, &labels.fund_columns).map(|c| (r, c)))?;
    let first_num = cols.first().unwrap_or(u32::MAX);
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
                if let (Num::Value(v), _) = parse_amount(amount) {
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
        if let Some((c, label, source)) = row_label {
            let row = read_row(grid, r, c, &cols);
            let has_numbers = [&row.initial, &row.full, &row.executed, &row.weight, &row.rate, &row.score]
                .iter()
                .any(|f| f.value.is_some() || f.note != Note::None);
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
    Some(FundTable { header_row, last_row, rows: out })
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

fn read_row(grid: &Grid, r: u32, label_col: u32, cols: &FundCols) -> FundRow {
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
        initial: read(cols.initial, NumKind::Amount),
        full: read(cols.full, NumKind::Amount),
        executed: read(cols.executed, NumKind::Amount),
        weight: read(cols.weight, NumKind::Plain),
        rate: read(cols.rate, NumKind::Rate),
        score: read(cols.score, NumKind::Plain),
    }
}
