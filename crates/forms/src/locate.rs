//! Finding the forms in a sheet by their labels, never by fixed addresses.
//!
//! A form B or C starts at its name label (项目支出名称, 市级预算部门名称…), a form A at its
//! first block label (财政供养人员情况). The title row just above, when there is one,
//! gives the year and becomes the form's first row. A form runs until the next form
//! starts, so any number of forms can be stacked in one sheet at any offset.

use crate::labels::Labels;
use crate::layout::is_anchor_label;
use crate::model::{FormKind, Pos};
use jixiao_reader::grid::Grid;
use jixiao_text::normalize::year_in;

/// Where a form sits in its sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub kind: FormKind,
    /// The label cell that identified the form.
    pub anchor: Pos,
    /// The form's first cell: its title when found, else the anchor.
    pub start: Pos,
    pub year: Option<i32>,
    /// First row past the form.
    pub end_row: u32,
    /// The form was found by its title alone (`2023年度部门整体支出绩效评价自评表` over a
    /// scoring table, with no 部门名称 label): the anchor is the title.
    pub by_title: bool,
}

/// A title with no name label within this many rows below it anchors a form itself.
const TITLE_ANCHOR_ROWS: u32 = 6;

/// The kind of form a title names, if it names one: `…部门整体支出…自评表` or `…项目…自评表`.
fn titled_kind(norm: &str) -> Option<FormKind> {
    if norm.contains("基础数据") {
        None
    } else if norm.contains("项目") {
        Some(FormKind::Project)
    } else if norm.contains("部门") || norm.contains("整体") {
        Some(FormKind::Department)
    } else {
        None
    }
}

/// How many rows above an anchor are searched for the form's title.
const TITLE_ROWS_ABOVE: u32 = 3;

/// Finds every form in a sheet, top to bottom.
pub fn locate(grid: &Grid, labels: &Labels) -> Vec<Located> {
    let mut anchors: Vec<(FormKind, Pos, bool)> = Vec::new();
    let mut titles: Vec<(FormKind, Pos)> = Vec::new();
    for r in grid.top..grid.bottom() {
        for (c, cell) in grid.row_cells(r, grid.left) {
            if cell.norm().is_empty() || cell.merged_from.is_some() {
                continue;
            }
            // longer text is a sentence, unless it is a label with its value (`项目名称：…`)
            let long = cell.norm().chars().count() > 40;
            // a title ends in 表 once its year in parentheses is gone: test that first, it is cheap
            if !long
                && cell.clean().ends_with('表')
                && labels.forms.title_marker.found_in(cell.norm())
                && let Some(kind) = titled_kind(cell.norm())
            {
                titles.push((kind, (r, c)));
                continue;
            }
            let label = cell.clean();
            // `单位名称:某某局 填报日期:2023年4月6日`, two pairs in one cell, starts a form only
            // under its title (保山); at a form's foot it is the footer
            if crate::layout::inline_pairs(cell).len() > 1
                && !titles.iter().any(|&(_, (tr, _))| tr < r && r - tr <= TITLE_ROWS_ABOVE)
            {
                continue;
            }
            let kind = if is_anchor_label(cell, &labels.forms.project) {
                FormKind::Project
            } else if is_anchor_label(cell, &labels.forms.department) {
                FormKind::Department
            } else if !long && labels.forms.basic.is_clean(label) {
                FormKind::Basic
            } else {
                continue;
            };
            // A form A has several block labels; only the first one starts a form.
            if kind == FormKind::Basic && anchors.last().is_some_and(|(k, _, _)| *k == FormKind::Basic) {
                continue;
            }
            anchors.push((kind, (r, c), false));
        }
    }
    // a title with no name label under it (nor a form just above it) starts a form itself
    for (kind, at) in titles {
        let labelled =
            anchors.iter().any(|(_, a, _)| a.0 + TITLE_ROWS_ABOVE >= at.0 && a.0 <= at.0 + TITLE_ANCHOR_ROWS);
        if !labelled {
            anchors.push((kind, at, true));
        }
    }
    anchors.sort_by_key(|(_, a, _)| *a);

    let mut forms: Vec<Located> = Vec::with_capacity(anchors.len());
    for (i, &(kind, anchor, by_title)) in anchors.iter().enumerate() {
        let floor = forms.last().map(|f: &Located| f.anchor.0 + 1).unwrap_or(grid.top);
        let (start, year) = if by_title {
            let below = anchor.0 + 1;
            let year = year_in(grid.get(anchor).norm())
                .or_else(|| grid.row_cells(below, grid.left).find_map(|(_, c)| year_in(c.norm())));
            (anchor, year)
        } else {
            find_title(grid, labels, anchor, floor)
        };
        if let Some(prev) = forms.last_mut() {
            prev.end_row = start.0;
        }
        let end_row = anchors.get(i + 1).map(|(_, p, _)| p.0).unwrap_or(grid.bottom());
        forms.push(Located { kind, anchor, start, year, end_row, by_title });
    }
    forms
}

/// Looks up to three rows above the anchor for a title; returns the form's start and year.
fn find_title(grid: &Grid, labels: &Labels, anchor: Pos, floor: u32) -> (Pos, Option<i32>) {
    let lowest = anchor.0.saturating_sub(TITLE_ROWS_ABOVE).max(floor);
    for r in (lowest..anchor.0).rev() {
        for (c, cell) in grid.row_cells(r, grid.left) {
            let is_title = labels.forms.title_marker.found_in(cell.norm());
            if is_title {
                // the year may stand on a line of its own under the title: `(2023年度)`
                let year = year_in(cell.norm()).or_else(|| {
                    (r..anchor.0).find_map(|yr| grid.row_cells(yr, grid.left).find_map(|(_, c)| year_in(c.norm())))
                });
                return ((r, c), year);
            }
        }
    }
    (anchor, None)
}
