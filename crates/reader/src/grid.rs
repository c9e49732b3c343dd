//! A sheet as the locator and extractors see it: a dense grid of cells with merged
//! regions filled in and text pre-normalized for matching.

use std::borrow::Cow;

use chrono::NaiveDate;

use jixiao_text::normalize::{decorations, norm_cow};
use jixiao_text::values::number::fmt_number;

/// A cell position: 0-based absolute (row, column) in its sheet.
pub type Pos = (u32, u32);

/// `A1` notation of a 0-based (row, column).
pub fn a1(pos: Pos) -> String {
    let (row, mut col) = pos;
    let mut letters = Vec::new();
    loop {
        letters.push((b'A' + (col % 26) as u8) as char);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    format!("{}{}", letters.into_iter().collect::<String>(), row + 1)
}

/// A cell's value, reduced to what the forms need.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Empty,
    Number(f64),
    /// A number shown with a percent format (`0%`, `0.00%`): the cell holds 0.98 and the
    /// person who typed it sees and means `98%`. Kept apart from [`Value::Number`] so every
    /// reader of the cell can treat it as the percentage it is (spec §1, Values).
    Percent(f64),
    Text(String),
    Date(NaiveDate),
    Bool(bool),
    /// An Excel error value (`#DIV/0!`…).
    Error(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub value: Value,
    /// Normalized text (see [`jixiao_text::normalize::norm`]) when it differs from the text
    /// itself; most cells are already normalized and store nothing here. Read it with
    /// [`Cell::norm`].
    norm: Option<Box<str>>,
    /// The byte range of the normalized text that is the label without decorations
    /// (see [`decorations`]), computed once per cell because every stage compares labels.
    clean: (u32, u32),
    /// Set on the cells of a merged region other than its top-left one.
    pub merged_from: Option<Pos>,
    /// A formula with no cached value: reads as empty.
    pub formula_no_value: bool,
}

impl Cell {
    pub fn new(value: Value) -> Cell {
        let (norm, clean) = match &value {
            Value::Text(s) => {
                let n = norm_cow(s);
                let (a, b) = decorations(&n);
                let owned = match n {
                    Cow::Borrowed(_) => None,
                    Cow::Owned(n) => Some(n.into_boxed_str()),
                };
                (owned, (a as u32, b as u32))
            }
            _ => (None, (0, 0)),
        };
        Cell { value, norm, clean, merged_from: None, formula_no_value: false }
    }

    /// The text normalized for matching (see [`jixiao_text::normalize::norm`]); empty for non-text cells.
    pub fn norm(&self) -> &str {
        match (&self.norm, &self.value) {
            (Some(n), _) => n,
            (None, Value::Text(s)) => s,
            _ => "",
        }
    }

    /// [`Cell::norm`] without label decorations (see [`jixiao_text::normalize::clean_label`]).
    pub fn clean(&self) -> &str {
        self.norm().get(self.clean.0 as usize..self.clean.1 as usize).unwrap_or("")
    }

    /// The bytes of text the cell holds (0 for other values).
    pub fn text_len(&self) -> u64 {
        match &self.value {
            Value::Text(s) | Value::Error(s) => s.len() as u64,
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        match &self.value {
            Value::Empty => true,
            Value::Text(_) => self.norm().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way a person reads it (numbers without trailing zeros).
    pub fn text(&self) -> String {
        match &self.value {
            Value::Empty => String::new(),
            Value::Number(v) => fmt_number(*v),
            Value::Percent(v) => format!("{}%", fmt_number(jixiao_text::values::number::round9(v * 100.0))),
            Value::Text(s) => s.clone(),
            Value::Date(d) => d.format("%Y-%m-%d").to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Error(e) => e.clone(),
        }
    }
}

/// One sheet. Positions are absolute (0-based row, column), whatever the used range.
#[derive(Debug, Clone, Default)]
pub struct Grid {
    pub sheet: String,
    pub top: u32,
    pub left: u32,
    pub height: u32,
    pub width: u32,
    cells: Vec<Cell>,
}

static EMPTY: Cell =
    Cell { value: Value::Empty, norm: None, clean: (0, 0), merged_from: None, formula_no_value: false };

impl Grid {
    /// A grid covering rows `top..top+height` and columns `left..left+width`.
    pub fn new(sheet: &str, top: u32, left: u32, height: u32, width: u32) -> Grid {
        let n = height as usize * width as usize;
        Grid { sheet: sheet.to_string(), top, left, height, width, cells: vec![Cell::default(); n] }
    }

    /// Builds a grid from rows of text/number cells at (0, 0); used by tests and fuzzing.
    pub fn from_rows(sheet: &str, rows: Vec<Vec<Value>>) -> Grid {
        let width = rows.iter().map(|r| r.len()).max().unwrap_or(0) as u32;
        let mut g = Grid::new(sheet, 0, 0, rows.len() as u32, width);
        for (r, row) in rows.into_iter().enumerate() {
            for (c, v) in row.into_iter().enumerate() {
                g.set((r as u32, c as u32), Cell::new(v));
            }
        }
        g
    }

    fn index(&self, (r, c): Pos) -> Option<usize> {
        if r < self.top || c < self.left || r >= self.top + self.height || c >= self.left + self.width {
            return None;
        }
        Some((r - self.top) as usize * self.width as usize + (c - self.left) as usize)
    }

    pub fn get(&self, pos: Pos) -> &Cell {
        self.index(pos).map(|i| &self.cells[i]).unwrap_or(&EMPTY)
    }

    pub fn set(&mut self, pos: Pos, cell: Cell) {
        if let Some(i) = self.index(pos) {
            self.cells[i] = cell;
        }
    }

    pub fn get_mut(&mut self, pos: Pos) -> Option<&mut Cell> {
        self.index(pos).map(|i| &mut self.cells[i])
    }

    /// A copy of the columns `left..right` alone (positions unchanged): one block of a
    /// sheet that holds two forms side by side.
    pub fn columns(&self, left: u32, right: u32) -> Grid {
        let (left, right) = (left.max(self.left), right.min(self.right()));
        let mut g = Grid::new(&self.sheet, self.top, left, self.height, right.saturating_sub(left));
        for r in self.top..self.bottom() {
            for c in left..right {
                let cell = self.get((r, c));
                if !cell.is_empty() {
                    g.set((r, c), cell.clone());
                }
            }
        }
        g
    }

    /// First row index past the grid.
    pub fn bottom(&self) -> u32 {
        self.top + self.height
    }

    /// First column index past the grid.
    pub fn right(&self) -> u32 {
        self.left + self.width
    }

    /// Copies the top-left value of a merged region into its other cells, marking them,
    /// so that every cell of a merge reads the merged value.
    pub fn fill_merge(&mut self, start: Pos, end: Pos) {
        let mut unbounded = u64::MAX;
        self.fill_merge_bounded(start, end, &mut unbounded);
    }

    /// [`Grid::fill_merge`], walking only the part of the region inside the grid and at
    /// most `work` units: a cell costs one unit plus one per 32 bytes of the copied text.
    /// A region that would cost more than is left is not filled (false), and `work` is
    /// unchanged: regions overlapping by the hundred thousand, or one long text merged over
    /// a huge area, cost their file a note instead of minutes and gigabytes.
    pub fn fill_merge_bounded(&mut self, start: Pos, end: Pos, work: &mut u64) -> bool {
        let (r0, c0) = (start.0.max(self.top), start.1.max(self.left));
        let r_end = end.0.min(self.bottom().saturating_sub(1));
        let c_end = end.1.min(self.right().saturating_sub(1));
        if self.height == 0 || self.width == 0 || r0 > r_end || c0 > c_end {
            return true;
        }
        let origin = self.get(start).clone();
        let per_cell = 1 + origin.norm().len() as u64 / 32 + origin.text_len() / 32;
        let cost = (r_end - r0 + 1) as u64 * (c_end - c0 + 1) as u64 * per_cell;
        if cost > *work {
            return false;
        }
        *work -= cost;
        for r in r0..=r_end {
            for c in c0..=c_end {
                if (r, c) == start {
                    continue;
                }
                if let Some(cell) = self.get_mut((r, c))
                    && cell.is_empty()
                {
                    *cell = Cell { merged_from: Some(start), ..origin.clone() };
                }
            }
        }
        true
    }

    /// The cells of a row from `from` rightwards that start a value: non-empty and not a
    /// copy of a merge that started further left in the same row.
    pub fn row_cells(&self, row: u32, from: u32) -> impl Iterator<Item = (u32, &Cell)> {
        (from.max(self.left)..self.right()).filter_map(move |c| {
            let cell = self.get((row, c));
            if cell.is_empty() {
                return None;
            }
            match cell.merged_from {
                Some((mr, mc)) if mr == row || mc < c => {
                    // a horizontal copy: skip unless it starts at `from`'s left edge
                    if mc < from { Some((c, cell)) } else { None }
                }
                _ => Some((c, cell)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_fill_and_row_cells_skip_copies() {
        let mut g = Grid::from_rows(
            "s",
            vec![
                vec![Value::Text("项目名称".into()), Value::Empty, Value::Text("窗口补贴".into()), Value::Empty],
                vec![Value::Empty, Value::Empty, Value::Empty, Value::Empty],
            ],
        );
        g.fill_merge((0, 0), (1, 1));
        assert_eq!(g.get((1, 1)).norm(), "项目名称");
        let cells: Vec<u32> = g.row_cells(0, 0).map(|(c, _)| c).collect();
        assert_eq!(cells, vec![0, 2]);
        // the second row of a vertical merge still shows its label once
        let cells: Vec<u32> = g.row_cells(1, 0).map(|(c, _)| c).collect();
        assert_eq!(cells, vec![0]);
        assert_eq!(fmt_number(9.9), "9.9");
        assert_eq!(fmt_number(100.0), "100");
    }

    #[test]
    fn a1_addresses() {
        assert_eq!(a1((0, 0)), "A1");
        assert_eq!(a1((9, 25)), "Z10");
        assert_eq!(a1((0, 26)), "AA1");
        assert_eq!(a1((4, 27)), "AB5");
    }
}
