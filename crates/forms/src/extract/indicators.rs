//! The indicator table: a header row (一级指标 … 得分 …), indicator rows with level-1 and
//! level-2 carried down, placeholder rows skipped, closed by the 总分 / 合计 row.

use std::ops::Range;

use crate::extract::{NumKind, is_copy_of, num_field, text_field};
use crate::labels::{IndicatorColumns, LabelSet, Labels};
use crate::labels::{map_header, strength};
use crate::model::{Field, Indicator, Section};
use jixiao_reader::grid::Grid;
use jixiao_text::normalize::{declared_points, norm, norm_cow};
use jixiao_text::values::number::{Num, is_not_applicable, parse_number, parse_rate};
use jixiao_text::values::quantity::{Op, Parsed, meets, parse_quantity};

#[derive(Debug)]
pub struct IndicatorTable {
    pub header_row: u32,
    /// The header's last row: `header_row + 1` for a two-row header band.
    pub band_end: u32,
    /// Last row read (the total row excluded).
    pub last_row: u32,
    pub total_row: Option<u32>,
    pub rows: Vec<Indicator>,
    pub sections: Vec<Section>,
    pub weight_total: Field<f64>,
    pub score_total: Field<f64>,
    /// Rows read as template placeholders, not indicators, and why (for `jixiao explain`).
    pub skipped: Vec<(u32, &'static str)>,
    pub cols: IndicatorCols,
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

/// Maps a header row by its words (see [`crate::labels`]); `None` unless it has 三级指标
/// and 分值 or 得分.
pub fn header(grid: &Grid, row: u32, cols: &IndicatorColumns) -> Option<IndicatorCols> {
    let mut cells: Vec<(u32, &str)> = grid.row_cells(row, grid.left).map(|(c, cell)| (c, cell.clean())).collect();
    // cheap test first: most rows of a sheet hold no 三级指标 label at all
    if !cells.iter().any(|(_, t)| strength(&cols.level3, t) > 0) {
        return None;
    }
    map_indicator_header(&cells, cols).or_else(|| {
        // a two-row header (`绩效指标 | 年度指标值 | 实际完成值 | 分值 | 得分` over `一级指标 |
        // 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位`) written without merges: the
        // row above fills the columns this row leaves empty
        let above = row.checked_sub(1).filter(|r| *r >= grid.top)?;
        for (c, cell) in grid.row_cells(above, grid.left) {
            if !cells.iter().any(|(k, _)| *k == c) {
                cells.push((c, cell.clean()));
            }
        }
        cells.sort_by_key(|(c, _)| *c);
        map_indicator_header(&cells, cols)
    })
}

fn map_indicator_header(cells: &[(u32, &str)], cols: &IndicatorColumns) -> Option<IndicatorCols> {
    let roles = role_sets(cols);
    let [level1, level2, level3, nature, target, unit, actual, weight, score, reason] = map_header(cells, &roles)[..]
    else {
        return None;
    };
    if weight.is_none() && score.is_none() {
        return None;
    }
    Some(IndicatorCols { level1, level2, level3: level3?, nature, target, unit, actual, weight, score, reason })
}

/// The header band's second row, mapped with the first, when the row under the header row
/// is a header too: `年度指标值` merged over `指标性质 | 指标值 | 度量单位`, or a header's
/// words wrapped onto a second row (`年度 / 指标值`). Such a row holds no number, and under
/// 三级指标 it holds nothing of its own (an indicator row names its indicator there); each of
/// its own cells names a column's role, alone or joined to the cell above. Each column's
/// label is then its lower cell where that names a role, else the two joined, else the
/// upper cell.
fn second_header_row(grid: &Grid, row: u32, cfg: &IndicatorColumns, first: &IndicatorCols) -> Option<IndicatorCols> {
    use jixiao_reader::grid::Value;
    let below = row + 1;
    if below >= grid.bottom() {
        return None;
    }
    let roles = role_sets(cfg);
    let names_role = |t: &str| roles.iter().any(|set| strength(set, t) > 0);
    let is_copy_from_above = |c: u32| grid.get((below, c)).merged_from.is_some_and(|(mr, _)| mr < below);
    let l3 = grid.get((below, first.level3));
    let l3_joined = format!("{}{}", grid.get((row, first.level3)).clean(), l3.clean());
    let l3_header = l3.is_empty()
        || is_copy_from_above(first.level3)
        || strength(&cfg.level3, l3.clean()) > 0
        || strength(&cfg.level3, &l3_joined) > 0;
    if !l3_header {
        return None;
    }
    let mut own = 0;
    let mut cells: Vec<(u32, String)> = Vec::new();
    for c in grid.left..grid.right() {
        let (upper, lower) = (grid.get((row, c)), grid.get((below, c)));
        let lower_own = !lower.is_empty() && !is_copy_from_above(c) && lower.merged_from.is_none_or(|(_, mc)| mc == c);
        if lower_own {
            // a number, typed or as text (`10`, `95%`), is data, never a header
            let number = matches!(parse_number(lower.clean()), Num::Value(_))
                || matches!(parse_rate(lower.clean()), Num::Value(_));
            if matches!(lower.value, Value::Number(_) | Value::Percent(_)) || number {
                return None;
            }
            let joined = format!("{}{}", upper.clean(), lower.clean());
            // a column no role is read from (`绩效` over `指标` at the table's left edge) keeps
            // its joined words, unmapped
            let label = if names_role(lower.clean()) { lower.clean().to_string() } else { joined };
            own += 1;
            cells.push((c, label));
        } else if !upper.is_empty() && !upper.merged_from.is_some_and(|(mr, mc)| mr == row && mc < c) {
            // a group label merged over several columns names its first column only
            cells.push((c, upper.clean().to_string()));
        }
    }
    if own == 0 {
        // a tall header: every cell merged down over both rows; the second is no indicator
        let tall = (grid.left..grid.right()).all(|c| {
            let lower = grid.get((below, c));
            lower.is_empty() || is_copy_from_above(c)
        }) && !grid.get((below, first.level3)).is_empty();
        return tall.then_some(*first);
    }
    // a merge over several columns names one column: its first
    let refs: Vec<(u32, &str)> = cells.iter().map(|(c, t)| (*c, t.as_str())).collect();
    map_indicator_header(&dedup_merged(&refs), cfg)
}

/// A header whose words are wrapped onto two rows (`三级` over `指标`, `年度指` over `标值`), as
/// a header typed with line breaks and read back row by row leaves it: mapped with each
/// column's two cells joined. Looked for only on a row that starts a 三级指标 label.
fn wrapped_header(grid: &Grid, row: u32, cfg: &IndicatorColumns) -> Option<IndicatorCols> {
    use jixiao_reader::grid::Value;
    let starts_level3 =
        |t: &str| t.chars().count() >= 2 && cfg.level3.synonyms().iter().any(|s| s.starts_with(t) && s.as_str() != t);
    if !grid.row_cells(row, grid.left).any(|(_, cell)| starts_level3(cell.clean())) {
        return None;
    }
    let below = row + 1;
    let mut cells: Vec<(u32, String)> = Vec::new();
    for c in grid.left..grid.right() {
        let (upper, lower) = (grid.get((row, c)), grid.get((below, c)));
        if matches!(lower.value, Value::Number(_) | Value::Percent(_)) {
            return None;
        }
        let own = |cell: &jixiao_reader::grid::Cell, r: u32| {
            !cell.is_empty() && cell.merged_from.is_none_or(|(mr, mc)| mr == r && mc == c)
        };
        let text = match (own(upper, row), own(lower, below)) {
            (true, true) => format!("{}{}", upper.clean(), lower.clean()),
            (true, false) => upper.clean().to_string(),
            (false, true) => lower.clean().to_string(),
            (false, false) => continue,
        };
        cells.push((c, text));
    }
    let refs: Vec<(u32, &str)> = cells.iter().map(|(c, t)| (*c, t.as_str())).collect();
    map_indicator_header(&refs, cfg)
}

/// A header's cells with the copies of a merge spread over several columns left out where
/// the row below names those columns itself.
fn dedup_merged<'a>(cells: &[(u32, &'a str)]) -> Vec<(u32, &'a str)> {
    let mut out: Vec<(u32, &str)> = Vec::new();
    for &(c, t) in cells {
        if out.last().is_some_and(|(_, prev)| *prev == t) {
            continue;
        }
        out.push((c, t));
    }
    out
}

/// The role sets of an indicator header, in [`IndicatorCols`] order.
fn role_sets(cols: &IndicatorColumns) -> [&LabelSet; 10] {
    [
        &cols.level1,
        &cols.level2,
        &cols.level3,
        &cols.nature,
        &cols.target,
        &cols.unit,
        &cols.actual,
        &cols.weight,
        &cols.score,
        &cols.reason,
    ]
}

/// Names a template row holds where no indicator was written.
const PLACEHOLDERS: &[&str] = &["", "…", "……", "...", "......", "/", "-", "——"];

/// Why an indicator row was skipped as a template placeholder, if it is one: no name of
/// its own (`……`, `/`, `指标1：`) and nothing in its value cells but blanks or
/// "does not apply" marks (`/`, `—`, `无`).
pub fn placeholder_reason(level3: &str, cells: &[&str]) -> Option<&'static str> {
    // most rows hold values: tell them apart before normalizing anything
    let void = |t: &str| t.trim().is_empty() || is_not_applicable(&norm_cow(t));
    if !cells.iter().all(|t| void(t)) {
        return None;
    }
    let name = norm_cow(level3);
    if PLACEHOLDERS.contains(&name.as_ref()) || is_not_applicable(&name) {
        Some("空行或占位符")
    } else if is_numbered_blank(&name) {
        Some("模板编号行（如“指标1：”），未填写")
    } else {
        None
    }
}

/// `指标1`, `指标2:`, `1.`, `(1)`: a template's numbered slot with no name written in.
fn is_numbered_blank(name: &str) -> bool {
    let t = name.trim_end_matches(['/', '／', '-', '—', '…', ' ']).trim_end_matches([':', '：', '.', '、']);
    let t = t.strip_prefix("指标").unwrap_or(t);
    let t = t.trim_start_matches('(').trim_end_matches(')');
    !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
}

/// Finds and reads the indicator table within `rows`.
pub fn extract(grid: &Grid, labels: &Labels, rows: Range<u32>) -> Option<IndicatorTable> {
    let cols_cfg = &labels.indicator_columns;
    let (header_row, cols) = rows
        .clone()
        .find_map(|r| header(grid, r, cols_cfg).or_else(|| wrapped_header(grid, r, cols_cfg)).map(|c| (r, c)))?;
    // a header band of two rows: the second row is part of the header, never an indicator
    let (band_end, cols) = match second_header_row(grid, header_row, cols_cfg, &cols) {
        Some(cols) => (header_row + 1, cols),
        None => (header_row, cols),
    };
    let mut table = IndicatorTable {
        header_row,
        band_end,
        last_row: band_end,
        total_row: None,
        rows: Vec::new(),
        sections: Vec::new(),
        weight_total: Field::default(),
        score_total: Field::default(),
        skipped: Vec::new(),
        cols,
    };
    let (mut level1, mut declared, mut level2) = (String::new(), None, String::new());
    let footer_keys = [&labels.footer.filled_by, &labels.footer.filled_date, &labels.footer.phone];
    for r in band_end + 1..rows.end {
        // the total row: 总分 / 合计 / 总分(100分), first in its row or after another label
        // (`其他需要说明事项 | 无 | 总分 | 100 | 96`)
        if let Some((c, _)) =
            grid.row_cells(r, grid.left).find(|(_, cell)| labels.fields.total_row.is_clean(cell.clean()))
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
        let read_num = |col: Option<u32>| match own(col) {
            // one score merged down over two indicators belongs to the first: counting it
            // again here would add it twice; the copy's text stays, so it is not "blank"
            Some(c) if grid.get((r, c)).merged_from.is_some_and(|(mr, _)| mr < r) => {
                Field { raw: grid.get((r, c)).text(), at: Some((r, c)), ..Field::default() }
            }
            Some(c) => num_field(grid, (r, c), NumKind::Plain),
            None => Field { at: col.map(|c| (r, c)), ..Field::default() },
        };
        let target = read_text(cols.target);
        let actual = read_text(cols.actual);
        let weight = read_num(cols.weight);
        let score = read_num(cols.score);
        if let Some(why) = placeholder_reason(&level3, &[&target.raw, &actual.raw, &weight.raw, &score.raw]) {
            table.skipped.push((r, why));
            continue;
        }
        // `其中桃树种植面积 | 1.5亩 | 1.5亩` under a scored parent: a breakdown of the
        // indicator above, with no points of its own
        if weight.is_blank() && score.is_blank() && norm_cow(&level3).starts_with("其中") && !table.rows.is_empty() {
            table.skipped.push((r, "上一指标的分项（其中…），不单独计分"));
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
        let target =
            if t.op == Op::Bare { jixiao_text::values::Quantity { op: bare_op, ..t.clone() } } else { t.clone() };
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
    // `总分(100分) | 96`: the label states the weight, the number beside it is the score
    if weight.is_none()
        && let Some(w) = declared_points(grid.get((r, label_col)).norm())
    {
        let raw = grid.get((r, label_col)).text();
        weight = Some(Field { value: Some(w), raw, at: Some((r, label_col)), note: crate::model::Note::None });
    }
    if weight.is_none() || score.is_none() {
        let taken = [weight.as_ref().and_then(|f| f.at), score.as_ref().and_then(|f| f.at)];
        let mut right = grid
            .row_cells(r, label_col + 1)
            .filter(|(c, cell)| {
                // the cells already read in their own columns are not read again
                !is_copy_of(cell, (r, label_col)) && Some(*c) != cols.reason && !taken.contains(&Some((r, *c)))
            })
            .map(|(c, _)| num_field(grid, (r, c), NumKind::Plain))
            .filter(|f| f.value.is_some() || f.note != crate::model::Note::None);
        if weight.is_none() {
            weight = right.next();
        }
        if score.is_none() {
            score = right.next();
        }
    }
    table.weight_total = weight.unwrap_or(Field { at: cols.weight.map(|c| (r, c)), ..Field::default() });
    table.score_total = score.unwrap_or(Field { at: cols.score.map(|c| (r, c)), ..Field::default() });
}
