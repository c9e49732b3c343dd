//! The indicator table: a header row (一级指标 … 得分 …), indicator rows with level-1 and
//! level-2 carried down, placeholder rows skipped, closed by the 总分 / 合计 row.

use std::ops::Range;

use crate::config::{IndicatorColumns, LabelSet, Labels};
use crate::extract::{NumKind, is_copy_of, num_field, text_field};
use crate::grid::Grid;
use crate::model::{Field, Indicator, Section};
use crate::normalize::{declared_points, norm};
use crate::values::quantity::{Op, Parsed, meets, parse_quantity};

#[derive(Debug)]
pub struct IndicatorTable {
    pub header_row: u32,
    /// Last row read (the total row excluded).
    pub last_row: u32,
    pub total_row: Option<u32>,
    pub rows: Vec<Indicator>,
    pub sections: Vec<Section>,
    pub weight_total: Field<f64>,
    pub score_total: Field<f64>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct IndicatorCols {
    pub level1: Option<u32>,
    pub level2: Option<u32>,
    pub level3: u32,
    pub nature: Option<u32>,
    pub target: Option<u32>,
    pub unit: Option<u32>,
    pub actual: Option<u32>,
    pub weight: Option<u32>,
    pub score: Option<u32>,
    pub reason: Option<u32>,
}

/// Maps a header row; `None` unless it has 三级指标 and 分值 or 得分.
pub fn header(grid: &Grid, row: u32, cols: &IndicatorColumns) -> Option<IndicatorCols> {
    let cells: Vec<(u32, String)> =
        grid.row_cells(row, grid.left).map(|(c, cell)| (c, cell.clean().to_string())).collect();
    let find = |set: &LabelSet| cells.iter().find(|(_, t)| set.is_clean(t)).map(|(c, _)| *c);
    let level3 = find(&cols.level3)?;
    let (weight, score) = (find(&cols.weight), find(&cols.score));
    if weight.is_none() && score.is_none() {
        return None;
    }
    Some(IndicatorCols {
        level1: find(&cols.level1),
        level2: find(&cols.level2),
        level3,
        nature: find(&cols.nature),
        target: find(&cols.target),
        unit: find(&cols.unit),
        actual: find(&cols.actual),
        weight,
        score,
        reason: find(&cols.reason),
    })
}

const PLACEHOLDERS: &[&str] = &["", "…", "……", "...", "......", "/", "-", "——"];

/// Finds and reads the indicator table within `rows`.
pub fn extract(grid: &Grid, labels: &Labels, rows: Range<u32>) -> Option<IndicatorTable> {
    let cols_cfg = &labels.indicator_columns;
    let (header_row, cols) = rows.clone().find_map(|r| header(grid, r, cols_cfg).map(|c| (r, c)))?;
    let mut table = IndicatorTable {
        header_row,
        last_row: header_row,
        total_row: None,
        rows: Vec::new(),
        sections: Vec::new(),
        weight_total: Field::default(),
        score_total: Field::default(),
    };
    let (mut level1, mut declared, mut level2) = (String::new(), None, String::new());
    let footer_keys = [&labels.footer.filled_by, &labels.footer.filled_date, &labels.footer.phone];
    for r in header_row + 1..rows.end {
        // the total row: 总分 / 合计 left of the target column
        let limit = cols.target.unwrap_or(cols.level3 + 1);
        if let Some((c, _)) = grid
            .row_cells(r, grid.left)
            .find(|(c, cell)| *c < limit.max(cols.level3 + 1) && labels.fields.total_row.is_clean(cell.clean()))
        {
            table.total_row = Some(r);
            read_total(grid, r, c, &cols, &mut table);
            break;
        }
        let is_footer = |t: &str| footer_keys.iter().any(|k| k.found_in(t));
        if grid.row_cells(r, grid.left).any(|(_, cell)| is_footer(cell.norm())) {
            break;
        }
        table.last_row = r;

        if let Some(c) = cols.level1 {
            let cell = grid.get((r, c));
            if !cell.is_empty() {
                let name = cell.clean().to_string();
                if name != level1 || cell.merged_from.is_none() && declared_points(cell.norm()) != declared {
                    level1 = name;
                    declared = declared_points(cell.norm());
                    level2.clear();
                    let at = cell.merged_from.unwrap_or((r, c));
                    table.sections.push(Section { level1: level1.clone(), declared, at });
                }
            }
        }
        if let Some(c) = cols.level2 {
            let cell = grid.get((r, c));
            if !cell.is_empty() && !is_copy_of(cell, (r, cols.level1.unwrap_or(u32::MAX))) {
                level2 = cell.clean().to_string();
            }
        }
        let level3_cell = grid.get((r, cols.level3));
        let level3 = if level3_cell.merged_from.is_some_and(|(mr, _)| mr == r) {
            String::new()
        } else {
            level3_cell.text().trim().to_string()
        };
        let own = |col: Option<u32>| -> Option<u32> {
            // a cell copied from a merge starting left of it belongs to that cell, not here
            col.filter(|&c| !grid.get((r, c)).merged_from.is_some_and(|(mr, mc)| mr == r && mc < c))
        };
        let read_text = |col: Option<u32>| {
            own(col)
                .map(|c| text_field(grid, (r, c)))
                .unwrap_or_else(|| Field { at: col.map(|c| (r, c)), ..Field::default() })
        };
        let read_num = |col: Option<u32>| {
            own(col)
                .map(|c| num_field(grid, (r, c), NumKind::Plain))
                .unwrap_or_else(|| Field { at: col.map(|c| (r, c)), ..Field::default() })
        };
        let target = read_text(cols.target);
        let actual = read_text(cols.actual);
        let weight = read_num(cols.weight);
        let score = read_num(cols.score);
        let placeholder = PLACEHOLDERS.contains(&norm(&level3).as_str());
        if placeholder
            && [&target, &actual].iter().all(|f| f.value.is_none())
            && [&weight, &score].iter().all(|f| f.is_blank())
        {
            continue;
        }
        let nature = read_text(cols.nature).value.unwrap_or_default();
        let unit_col = read_text(cols.unit).value.unwrap_or_default();
        let reason = read_text(cols.reason);
        let is_cost = labels.indicator_kinds.cost.is_clean(&level2);
        let mut ind = Indicator {
            row: r,
            level1: level1.clone(),
            level1_declared: declared,
            level2: level2.clone(),
            level3,
            target_parsed: parse_with_unit(target.value.as_deref(), &unit_col),
            actual_parsed: parse_with_unit(actual.value.as_deref(), &unit_col),
            target,
            actual,
            weight,
            score,
            reason,
            nature,
            unit_col,
            met: None,
            target_op: None,
            target_value: None,
            target_hi: None,
            actual_value: None,
            unit: None,
        };
        compare(&mut ind, is_cost);
        table.rows.push(ind);
    }
    Some(table)
}

/// Parses a target or actual, adding the 度量单位 column's unit to a bare number.
fn parse_with_unit(text: Option<&str>, unit_col: &str) -> Parsed {
    let Some(t) = text else { return Parsed::Empty };
    let parsed = parse_quantity(t);
    match &parsed {
        Parsed::Quantity(q) if q.unit.is_empty() && q.scale == 1.0 && !unit_col.trim().is_empty() => {
            match parse_quantity(&format!("{t}{}", norm(unit_col))) {
                Parsed::Quantity(q2) => Parsed::Quantity(q2),
                _ => parsed,
            }
        }
        _ => parsed,
    }
}

/// Fills the comparison columns: operator in force, values, unit, met.
fn compare(ind: &mut Indicator, is_cost: bool) {
    let bare_op = Op::from_nature(&ind.nature).unwrap_or(if is_cost { Op::Le } else { Op::Ge });
    if let Parsed::Quantity(t) = &ind.target_parsed {
        let op = if t.op == Op::Bare { bare_op } else { t.op };
        ind.target_op = Some(op);
        ind.target_value = Some(t.value * t.scale);
        ind.target_hi = t.hi.map(|h| h * t.scale);
        ind.unit = Some(t.unit.clone());
    }
    if let Parsed::Quantity(a) = &ind.actual_parsed {
        ind.actual_value = Some(a.value * a.scale);
        if ind.unit.as_deref().is_none_or(str::is_empty) {
            ind.unit = Some(a.unit.clone());
        }
    }
    if let (Parsed::Quantity(t), Parsed::Quantity(a)) = (&ind.target_parsed, &ind.actual_parsed) {
        let target = if t.op == Op::Bare { crate::values::Quantity { op: bare_op, ..t.clone() } } else { t.clone() };
        ind.met = meets(&target, a, bare_op);
        if ind.met.is_some() && a.unit.is_empty() && a.scale == 1.0 {
            // the actual was read in the target's unit
            ind.actual_value = Some(a.value * t.scale);
        }
    }
}

/// The 总分 row: stated weight and score in their columns, else the first two numbers
/// to the right of the label.
fn read_total(grid: &Grid, r: u32, label_col: u32, cols: &IndicatorCols, table: &mut IndicatorTable) {
    let in_col = |col: Option<u32>| {
        col.filter(|&c| c > label_col && !is_copy_of(grid.get((r, c)), (r, label_col)) && !grid.get((r, c)).is_empty())
            .map(|c| num_field(grid, (r, c), NumKind::Plain))
    };
    let mut weight = in_col(cols.weight);
    let mut score = in_col(cols.score);
    if weight.is_none() || score.is_none() {
        let mut right = grid
            .row_cells(r, label_col + 1)
            .filter(|(c, cell)| !is_copy_of(cell, (r, label_col)) && Some(*c) != cols.reason)
            .map(|(c, _)| num_field(grid, (r, c), NumKind::Plain))
            .filter(|f| f.value.is_some() || f.note != crate::model::Note::None);
        if weight.is_none() {
            weight = right.next();
        } else {
            right.next();
        }
        if score.is_none() {
            score = right.next();
        }
    }
    table.weight_total = weight.unwrap_or(Field { at: cols.weight.map(|c| (r, c)), ..Field::default() });
    table.score_total = score.unwrap_or(Field { at: cols.score.map(|c| (r, c)), ..Field::default() });
}
