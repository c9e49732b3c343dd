//! What a person sees in a sheet before reading it: its blocks, and a label's value in the
//! same cell.
//!
//! A form is a rectangle, rows and columns. Forms stacked in one sheet are told apart by
//! [`crate::locate`] (a form runs until the next one starts); forms side by side (a clerk's
//! comparison sheet, A–I and L–T) are told apart here: the sheet's columns split where a
//! column is empty from top to bottom, or where a title starts right of another a few rows
//! apart, and a band of columns becomes a block of its own when it holds a form's anchor or
//! title and so does the block to its left. An empty spacer column inside one form (no anchor on its
//! right) does not split it.
//!
//! A label may carry its value in its own cell, as clerks type it: `项目名称：农村饮水安全巩固
//! 提升`, `主管部门:县水利局`, two pairs in one cell (`单位名称:保山市退役军人事务局 填报日期:
//! 2023年4月6日`). [`inline_pair`] reads such a cell; the locator and every header field use it.

use jixiao_reader::grid::{Cell, Grid, Value};
use jixiao_text::normalize::clean_label;

use crate::labels::{LabelSet, Labels};

/// Titles side by side stand at most this many rows apart; a form is taller.
const TITLES_ROWS_APART: u32 = 5;
/// Titles looked at per sheet: a form sheet has a few; a hostile one may have millions.
const MAX_TITLES: usize = 1_000;

/// A block of a sheet: the columns `left..right`, all rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub left: u32,
    pub right: u32,
}

/// The blocks of a sheet, left to right; one covering the whole sheet when it holds no
/// forms side by side (the common case, found without looking at any label).
pub fn blocks(grid: &Grid, labels: &Labels) -> Vec<Block> {
    let whole = vec![Block { left: grid.left, right: grid.right() }];
    let mut filled = vec![false; grid.width as usize];
    let mut titles: Vec<(u32, u32)> = Vec::new();
    for r in grid.top..grid.bottom() {
        for c in grid.left..grid.right() {
            let cell = grid.get((r, c));
            if cell.is_empty() {
                continue;
            }
            filled[(c - grid.left) as usize] = true;
            if cell.merged_from.is_none() && is_title(cell, labels) && titles.len() < MAX_TITLES {
                titles.push((r, c));
            }
        }
    }
    // where a title stands right of another one a few rows apart: a form beside it starts
    // there, with or without an empty column between them (stacked forms' titles are a
    // form's height apart)
    let mut splits = vec![false; grid.width as usize];
    for &(r2, c2) in &titles {
        if titles.iter().any(|&(r1, c1)| c1 + 2 < c2 && r1.abs_diff(r2) <= TITLES_ROWS_APART) {
            splits[(c2 - grid.left) as usize] = true;
        }
    }
    // runs of filled columns, cut where a second title starts
    let mut runs: Vec<Block> = Vec::new();
    for (i, f) in filled.iter().enumerate() {
        let c = grid.left + i as u32;
        match (f, runs.last_mut()) {
            (true, Some(b)) if b.right == c && !splits[i] => b.right = c + 1,
            (true, _) => runs.push(Block { left: c, right: c + 1 }),
            (false, _) => {}
        }
    }
    if runs.len() < 2 {
        return whole;
    }
    let mut out: Vec<(Block, bool)> = Vec::new();
    for run in runs {
        let anchored = has_anchor(grid, labels, run);
        match out.last_mut() {
            Some((b, left_anchored)) if !(anchored && *left_anchored) => {
                b.right = run.right;
                *left_anchored |= anchored;
            }
            _ => out.push((run, anchored)),
        }
    }
    if out.len() < 2 {
        return whole;
    }
    // the first block reaches back to the sheet's edge, the last to its end
    let n = out.len();
    out.iter()
        .enumerate()
        .map(|(i, (b, _))| Block {
            left: if i == 0 { grid.left } else { b.left },
            right: if i + 1 == n { grid.right() } else { b.right },
        })
        .collect()
}

/// True when the columns of `b` hold what starts a form: its title, form A's first block
/// label, or a name label (项目名称, 部门名称…) with its value in the same columns — a
/// label whose value lies beyond an empty column is one form's label and value split by a
/// spacer, not a form of its own.
fn has_anchor(grid: &Grid, labels: &Labels, b: Block) -> bool {
    let f = &labels.forms;
    (grid.top..grid.bottom()).any(|r| {
        (b.left..b.right).any(|c| {
            let cell = grid.get((r, c));
            if cell.is_empty() || cell.merged_from.is_some() {
                return false;
            }
            if f.basic.is_clean(cell.clean()) || is_title(cell, labels) {
                return true;
            }
            let named = is_anchor_label(cell, &f.project) || is_anchor_label(cell, &f.department);
            named
                && (inline_pair(cell).is_some_and(|(_, v)| !v.is_empty())
                    || (c + 1..b.right)
                        .any(|k| !grid.get((r, k)).is_empty() && grid.get((r, k)).merged_from != Some((r, c))))
        })
    })
}

/// A form's title: `…绩效自评表`, its year in parentheses or not.
fn is_title(cell: &Cell, labels: &Labels) -> bool {
    cell.clean().ends_with('表') && labels.forms.title_marker.found_in(cell.norm())
}

/// True when a cell is this label, written alone (`项目名称`, `项目名称：`) or with its
/// value (`项目名称：农村饮水安全巩固提升`).
pub fn is_label(cell: &Cell, set: &LabelSet) -> bool {
    set.is_clean(cell.clean()) || inline_pair(cell).is_some_and(|(l, _)| set.is_clean(&l))
}

/// [`is_label`] for a label that starts a form. Joined to its value, the label must be
/// four characters or more: `部门:临沧市永德县明朗中学` beside a project form's title names
/// the form's unit, and a two-character `部门` or `单位` glued to a name is too common a
/// phrase to start a form.
pub fn is_anchor_label(cell: &Cell, set: &LabelSet) -> bool {
    set.is_clean(cell.clean()) || inline_pair(cell).is_some_and(|(l, _)| l.chars().count() >= 4 && set.is_clean(&l))
}

/// The label and value of a cell that holds both, `label：value` (full- or half-width
/// colon): the label cleaned as labels are compared, the value trimmed and cut where a
/// next `label:` begins in the same cell (`单位名称:X 填报日期:Y` → `单位名称`, `X`).
/// `None` for a cell without a colon, or whose part before it is too long to be a label.
pub fn inline_pair(cell: &Cell) -> Option<(String, &str)> {
    let Value::Text(text) = &cell.value else { return None };
    split_pair(text).map(|(label, value, _)| (label, value))
}

/// Every `label：value` pair of a cell, left to right: `主管部门:县水利局  实施单位:县农村供水站`
/// holds two.
pub fn inline_pairs(cell: &Cell) -> Vec<(String, &str)> {
    let Value::Text(text) = &cell.value else { return Vec::new() };
    let mut out = Vec::new();
    let mut rest = text.as_str();
    while let Some((label, value, after)) = split_pair(rest) {
        out.push((label, value));
        if after.trim().is_empty() {
            break;
        }
        rest = after;
    }
    out
}

/// The first pair of a text, `label：value rest`: the cleaned label, the trimmed value, and
/// the text after it (where a next pair may start). `None` without a colon, or when the part
/// before it is empty or too long to be a label.
fn split_pair(text: &str) -> Option<(String, &str, &str)> {
    let at = text.find([':', '：'])?;
    let head = &text[..at];
    let tail = text[at..].trim_start_matches([':', '：']);
    if head.trim().is_empty() || head.chars().count() > 16 {
        return None;
    }
    let label = clean_label(head);
    if label.is_empty() {
        return None;
    }
    let value = next_pair_cut(tail);
    Some((label, value.trim().trim_matches('\u{3000}').trim(), &tail[value.len()..]))
}

/// `X 填报日期:Y` → `X`: the text before a space-separated `word:` that starts another pair.
fn next_pair_cut(value: &str) -> &str {
    let mut end = value.len();
    for (i, ch) in value.char_indices() {
        if !(ch.is_whitespace() || ch == '\u{3000}') {
            continue;
        }
        let next = value[i..].trim_start();
        let Some(colon) = next.find([':', '：']) else { break };
        let word = &next[..colon];
        if (2..=8).contains(&word.chars().count()) && !word.contains(char::is_whitespace) {
            end = i;
            break;
        }
    }
    &value[..end]
}

/// Where a form's year was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearFrom {
    /// The title or the rows around it (`（2022年度）`).
    Title,
    /// The sheet's name.
    Sheet,
    /// The file's name (`2022年…自评表.xlsx`).
    FileName,
    /// A folder holding the file, the nearest first.
    Folder,
}

impl YearFrom {
    /// Where, in the words `jixiao explain` prints.
    pub fn chinese(self) -> &'static str {
        match self {
            YearFrom::Title => "标题",
            YearFrom::Sheet => "工作表名",
            YearFrom::FileName => "文件名",
            YearFrom::Folder => "文件夹名",
        }
    }
}

/// A form's year from every place a person would look, in order: its title (found by the
/// locator), the sheet's name, the file's name, then the folders it sits in, nearest first.
/// `path` is the file's path relative to the input folder, `/`-separated.
pub fn year(title: Option<i32>, sheet: &str, path: &str) -> Option<(i32, YearFrom)> {
    use jixiao_text::normalize::year_in;
    if let Some(y) = title {
        return Some((y, YearFrom::Title));
    }
    if let Some(y) = year_in(sheet) {
        return Some((y, YearFrom::Sheet));
    }
    let mut parts = path.rsplit('/');
    if let Some(y) = parts.next().and_then(year_in) {
        return Some((y, YearFrom::FileName));
    }
    parts.find_map(year_in).map(|y| (y, YearFrom::Folder))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn the_year_from_title_sheet_file_name_then_folders() {
        assert_eq!(year(Some(2023), "2022年", "2021年/a.xlsx"), Some((2023, YearFrom::Title)));
        assert_eq!(year(None, "2022年自评", "2021年/a.xlsx"), Some((2022, YearFrom::Sheet)));
        assert_eq!(year(None, "Sheet1", "局A/2022年项目支出绩效自评表.xlsx"), Some((2022, YearFrom::FileName)));
        assert_eq!(year(None, "Sheet1", "2021年度自评/局A/自评表.xlsx"), Some((2021, YearFrom::Folder)));
        assert_eq!(year(None, "Sheet1", "局A/自评表.xlsx"), None);
    }

    #[test]
    fn every_pair_of_a_cell() {
        let c = Cell::new(text("主管部门:县水利局  实施单位：县农村供水站"));
        assert_eq!(inline_pairs(&c), vec![("主管部门".into(), "县水利局"), ("实施单位".into(), "县农村供水站")]);
        let c = Cell::new(text("单位名称:某某局\u{3000}填报日期:2023年4月6日"));
        assert_eq!(inline_pairs(&c), vec![("单位名称".into(), "某某局"), ("填报日期".into(), "2023年4月6日")]);
        assert!(inline_pairs(&Cell::new(text("项目名称"))).is_empty());
    }

    #[test]
    fn pairs_in_one_cell() {
        let cell = |s: &str| Cell::new(text(s));
        let c = cell("项目名称：农村饮水安全巩固提升");
        assert_eq!(inline_pair(&c), Some(("项目名称".into(), "农村饮水安全巩固提升")));
        let c = cell("主管部门:县水利局");
        assert_eq!(inline_pair(&c), Some(("主管部门".into(), "县水利局")));
        let c = cell("单位名称:保山市退役军人事务局 填报日期:2023年4月6日");
        assert_eq!(inline_pair(&c), Some(("单位名称".into(), "保山市退役军人事务局")));
        let c = cell("项目名称：");
        assert_eq!(inline_pair(&c), Some(("项目名称".into(), "")));
        assert_eq!(inline_pair(&cell("项目名称")), None);
        let note = cell("说明：本表由项目单位填写，一式两份，报财政局绩效科备案");
        assert!(!is_label(&note, &Labels::builtin().forms.project), "a pair, but not a name label");
        assert_eq!(inline_pair(&Cell::new(Value::Number(3.0))), None);
    }

    #[test]
    fn two_forms_side_by_side_are_two_blocks_and_a_spacer_column_is_not() {
        let labels = Labels::builtin();
        let e = Value::Empty;
        let row = |a: &str, b: &str, c: &str, d: &str| vec![text(a), text(b), e.clone(), text(c), text(d)];
        let side = Grid::from_rows(
            "s",
            vec![row("项目名称", "甲", "项目名称", "乙"), row("主管部门", "局A", "主管部门", "局B")],
        );
        assert_eq!(blocks(&side, &labels), vec![Block { left: 0, right: 2 }, Block { left: 3, right: 5 }]);
        let spacer =
            Grid::from_rows("s", vec![row("项目名称", "甲", "分值", "得分"), row("主管部门", "局A", "10", "9")]);
        assert_eq!(blocks(&spacer, &labels), vec![Block { left: 0, right: 5 }]);
    }
}
