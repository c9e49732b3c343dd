//! Form A (部门整体支出绩效评价基础数据表): the staffing block (编制数, 实际在职人数, 控制率)
//! and the spending-control table, whose lines form a tree:
//! a top line (三公经费), numbered lines under it (`1、公务用车购置和维护经费`), `其中` lines
//! under those, and unprefixed lines after a numbered line as its children (one line per
//! special fund under `3、市级专项资金`).

use crate::extract::{NumKind, num_field};
use crate::labels::{BasicLabels, Labels};
use crate::locate::Located;
use crate::model::{BasicForm, BasicLine, Field};
use jixiao_reader::grid::Grid;
use jixiao_text::normalize::{clean_label, norm};

/// Extracts a form A; `None` when neither block is found.
pub fn extract(grid: &Grid, labels: &Labels, form: &Located, path: &str, form_id: &str) -> Option<BasicForm> {
    let b = &labels.basic;
    let rows = form.anchor.0..form.end_row;
    let mut out = BasicForm {
        form_id: form_id.to_string(),
        path: path.to_string(),
        sheet: grid.sheet.clone(),
        start: form.start,
        year: crate::layout::year(form.year, &grid.sheet, path).map(|(y, _)| y),
        department: String::new(),
        staff_authorized: Field::default(),
        staff_actual: Field::default(),
        staff_rate: Field::default(),
        lines: Vec::new(),
    };
    let mut found = false;
    for r in rows.clone() {
        let cells: Vec<(u32, String)> =
            grid.row_cells(r, grid.left).map(|(c, cell)| (c, strip_year(cell.clean()).1)).collect();
        let col = |set: &crate::labels::LabelSet| cells.iter().find(|(_, t)| set.is_clean(t)).map(|(c, _)| *c);
        if let (Some(a), Some(rate)) = (col(&b.staff_authorized), col(&b.staff_rate)) {
            let actual = col(&b.staff_actual);
            if let Some(vr) = (r + 1..rows.end.min(r + 4))
                .find(|&vr| !grid.get((vr, a)).is_empty() || !grid.get((vr, rate)).is_empty())
            {
                out.staff_authorized = num_field(grid, (vr, a), NumKind::Plain);
                out.staff_actual = actual.map(|c| num_field(grid, (vr, c), NumKind::Plain)).unwrap_or_default();
                out.staff_rate = num_field(grid, (vr, rate), NumKind::Rate);
                found = true;
            }
        }
        if let Some(cols) = spending_header(grid, r, b, out.year) {
            out.lines = spending_lines(grid, labels, r + 1..rows.end, &cols);
            found = true;
            break;
        }
    }
    found.then_some(out)
}

/// Splits a leading year off a label: `2021年决算数` → (Some(2021), `决算数`).
fn strip_year(label: &str) -> (Option<i32>, String) {
    let digits: String = label.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.len() == 4 {
        let rest = &label[4..];
        if let Some(r) = rest.strip_prefix("年度").or_else(|| rest.strip_prefix('年')) {
            return (digits.parse().ok(), r.to_string());
        }
    }
    (None, label.to_string())
}

struct SpendingCols {
    label: u32,
    prev_final: Option<u32>,
    budget: Option<u32>,
    final_: Option<u32>,
}

/// The spending header: 上年决算数 | 本年预算数 | 本年决算数, years in the labels or not.
fn spending_header(grid: &Grid, r: u32, b: &BasicLabels, year: Option<i32>) -> Option<SpendingCols> {
    let cells: Vec<(u32, Option<i32>, String)> = grid
        .row_cells(r, grid.left)
        .map(|(c, cell)| {
            let (y, t) = strip_year(cell.clean());
            (c, y, t)
        })
        .collect();
    let budget = cells.iter().find(|(_, _, t)| b.budget.is_clean(t)).map(|(c, _, _)| *c)?;
    let mut prev_final = cells.iter().find(|(_, _, t)| b.prev_final.is_clean(t)).map(|(c, _, _)| *c);
    let finals: Vec<&(u32, Option<i32>, String)> = cells.iter().filter(|(_, _, t)| b.final_.is_clean(t)).collect();
    let mut final_ = None;
    for (c, y, _) in finals.iter().map(|x| (x.0, x.1, &x.2)) {
        let earlier = match (y, year) {
            (Some(y), Some(fy)) => y < fy,
            _ => c < budget,
        };
        if earlier && prev_final.is_none() {
            prev_final = Some(c);
        } else if final_.is_none() {
            final_ = Some(c);
        }
    }
    let label = cells.first().map(|(c, _, _)| *c)?;
    (final_.is_some() || prev_final.is_some()).then_some(SpendingCols {
        label,
        prev_final,
        budget: Some(budget),
        final_,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum LineKind {
    Top,
    Numbered,
    Qizhong,
    Plain,
}

fn line_kind(raw_norm: &str, item: &str, b: &BasicLabels) -> LineKind {
    if b.top_items.is_clean(item) {
        LineKind::Top
    } else if raw_norm.starts_with("其中") {
        LineKind::Qizhong
    } else if numbering_len(raw_norm) > 0 {
        LineKind::Numbered
    } else {
        LineKind::Plain
    }
}

/// Length in bytes of a leading `1、` / `(1)` / `一、` numbering.
fn numbering_len(t: &str) -> usize {
    let digits = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    if digits > 0 {
        let rest = &t[digits..];
        for sep in ["、", ".", "."] {
            if rest.starts_with(sep) {
                return digits + sep.len();
            }
        }
    }
    if let Some(rest) = t.strip_prefix('(') {
        let d = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十".contains(*c))
            .map(char::len_utf8)
            .sum::<usize>();
        if d > 0 && rest[d..].starts_with(')') {
            return 1 + d + 1;
        }
    }
    0
}

fn spending_lines(grid: &Grid, labels: &Labels, rows: std::ops::Range<u32>, cols: &SpendingCols) -> Vec<BasicLine> {
    let b = &labels.basic;
    let mut lines: Vec<BasicLine> = Vec::new();
    let (mut top, mut numbered, mut last): (Option<usize>, Option<usize>, Option<(usize, LineKind)>) =
        (None, None, None);
    for r in rows {
        let cell = grid.get((r, cols.label));
        let raw_norm = norm(&cell.text());
        let cleaned = clean_label(&raw_norm);
        let item = cleaned[numbering_len(&cleaned)..].trim_end_matches(':').to_string();
        if b.end_items.is_clean(&item) {
            break;
        }
        if ["", "…", "……", "...", "......"].contains(&item.as_str()) {
            continue;
        }
        let kind = line_kind(&raw_norm, &item, b);
        let parent = match kind {
            LineKind::Top => None,
            LineKind::Numbered => top,
            LineKind::Qizhong => numbered.or(top),
            LineKind::Plain => match last {
                Some((i, LineKind::Numbered)) => Some(i),
                Some((i, _)) => lines[i].parent_index.or(top),
                None => top,
            },
        };
        let read = |c: Option<u32>| {
            c.map(|c| num_field(grid, (r, c), NumKind::Amount(jixiao_text::values::number::AmountUnit::Wan)))
                .unwrap_or_default()
        };
        let idx = lines.len();
        lines.push(BasicLine {
            row: r,
            item: item.clone(),
            parent: parent.map(|p: usize| lines[p].item.clone()),
            parent_index: parent,
            prev_final: read(cols.prev_final),
            budget: read(cols.budget),
            final_: read(cols.final_),
        });
        match kind {
            LineKind::Top => {
                top = Some(idx);
                numbered = None;
            }
            LineKind::Numbered => numbered = Some(idx),
            _ => {}
        }
        last = Some((idx, kind));
    }
    lines
}
