//! Reading a workbook's bytes into grids, one per sheet, with calamine.
//!
//! The format is told by the file's magic bytes, not its extension: departments rename
//! files. Merged regions are filled here so that later stages never think about them.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Range, Reader, Xls, Xlsb, Xlsx};

use crate::error::ReadError;
use crate::grid::Pos;
use crate::grid::{Cell, Grid, Value};
use crate::inspect::{Container, Kind, NotRead, inspect, not_a_workbook, opened};
use crate::limits::ReadLimits;
use crate::opened::{Opened, Zip, calamine_open};
use docx::WordDoc;
use jixiao_text::values::date::from_excel_serial;

pub mod docx;
pub mod ods;
pub mod xls;

/// Reads every sheet of a workbook, after checking its container (see [`inspect`]).
pub fn read_workbook(bytes: &[u8], max_cells: u64, max_unpacked_bytes: u64) -> Result<Vec<Grid>, ReadError> {
    read_workbook_noting(bytes, &ReadLimits::new(max_cells, max_unpacked_bytes)).map(|w| w.grids)
}

/// A workbook's sheets, and the sheets that could not be read, each with why.
#[derive(Debug, Default)]
pub struct Workbook {
    pub grids: Vec<Grid>,
    pub skipped: Vec<String>,
}

/// The cells of all a workbook's grids together are bounded by the per-sheet limit too:
/// the sheets are held at once, and a dozen sheets each just under the limit would be
/// gigabytes.
struct Budget {
    left: u64,
    limit: u64,
    /// Bytes of text left for the workbook's cells: each cell holds its own copy, so one
    /// long shared string referenced in every cell would otherwise be copied per reference.
    text_left: u64,
    text_limit: u64,
    max_sheets: u64,
}

impl Budget {
    fn text_too_large(&self) -> ReadError {
        ReadError::TextTooLarge { limit_mb: self.text_limit >> 20 }
    }
}

/// [`read_workbook`], skipping a sheet that cannot be read (damaged, too large, over the
/// workbook's cell budget) while reading the others, and saying which. A workbook none of
/// whose sheets can be read fails with the first sheet's reason.
///
/// A panic inside the reader library (calamine indexes past the end of some damaged records
/// the pre-checks do not foresee, found by fuzzing) becomes this file's error, naming where
/// it happened, rather than an internal error.
pub fn read_workbook_noting(bytes: &[u8], limits: &ReadLimits) -> Result<Workbook, ReadError> {
    guarded(|| {
        opened(bytes, limits.max_unpacked_bytes, |bytes, kind, o| match kind {
            Kind::Workbook(container) => read_opened(bytes, container, o, limits),
            other => Err(not_a_workbook(other, bytes)),
        })
    })
}

/// What a file holds, read from one identification of its bytes.
pub enum Document {
    /// A workbook's sheets, and which of the formats it is.
    Sheets(Workbook, Container),
    /// A Word report's tables.
    Word(Box<WordDoc>),
    /// A format the tool does not read; the error is what a file named as a workbook is
    /// refused with.
    NotRead(NotRead, ReadError),
}

/// Reads a file whatever its name: identified by its bytes once, its container opened
/// once for every pre-check and side read, its workbook (or Word report) read from that
/// (see [`crate::opened`]). A panic inside a reader library becomes this file's error, as
/// in [`read_workbook_noting`].
pub fn read_file(bytes: &[u8], limits: &ReadLimits) -> Result<Document, ReadError> {
    guarded(|| {
        opened(bytes, limits.max_unpacked_bytes, |bytes, kind, mut o| match kind {
            Kind::Workbook(container) => {
                read_opened(bytes, container, o, limits).map(|book| Document::Sheets(book, container))
            }
            Kind::Docx => {
                let zip = o.zip().ok_or_else(|| ReadError::Corrupt("not a zip archive".into()))?;
                docx::read_docx_in(zip, limits.max_cells, limits.max_unpacked_bytes)
                    .map(|doc| Document::Word(Box::new(doc)))
            }
            Kind::NotRead(n) => Ok(Document::NotRead(n, not_a_workbook(kind, bytes))),
        })
    })
}

/// Runs a read, a panic in it becoming the file's error.
fn guarded<T>(read: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).unwrap_or_else(|panic| {
        let msg = panic_message(&*panic);
        Err(ReadError::Corrupt(format!("the spreadsheet reader (calamine) failed on a damaged record ({msg})")))
    })
}

/// What a caught panic said.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}

/// Reads a workbook whose container identification opened: the pre-checks, then the
/// cells with calamine, with merged regions and percent formats from the same opening.
fn read_opened(
    bytes: &[u8],
    container: Container,
    mut opened: Opened<'_>,
    limits: &ReadLimits,
) -> Result<Workbook, ReadError> {
    let (max_cells, max_unpacked_bytes) = (limits.max_cells, limits.max_unpacked_bytes);
    crate::inspect::precheck(&mut opened, container, limits)?;
    let mut budget = Budget {
        left: max_cells,
        limit: max_cells,
        text_left: limits.max_text_bytes,
        text_limit: limits.max_text_bytes,
        max_sheets: limits.max_sheets,
    };
    match container {
        Container::Ods => {
            // calamine reports neither merged regions nor percentages for ODS: read them here,
            // and the sizes its dense ranges will have, before it allocates them
            let extras = opened.zip().map(|zip| ods::ods_extras(zip, max_unpacked_bytes)).unwrap_or_default();
            let mut total = 0u64;
            for (sheet, &cells) in &extras.spans {
                total = total.saturating_add(cells);
                if cells > max_cells {
                    return Err(ReadError::OdsTooLarge { sheet: sheet.clone(), cells, limit: max_cells });
                }
            }
            if total > max_cells {
                return Err(ReadError::WorkbookTooLarge { cells: total, limit: max_cells });
            }
            let mut wb: Ods<_> =
                calamine_open(bytes).map_err(|e: calamine::OdsError| ReadError::Corrupt(e.to_string()))?;
            let mut book = read_sheets(&mut wb, &mut budget, |_, _| Ok(Vec::new()))?;
            for grid in &mut book.grids {
                mark_percent(grid, extras.percent.get(&grid.sheet).map(Vec::as_slice).unwrap_or_default());
                let regions = extras.merges.get(&grid.sheet).map(Vec::as_slice).unwrap_or_default();
                fill_merges(grid, regions.iter().copied(), &mut book.skipped);
            }
            Ok(book)
        }
        Container::Xlsx => {
            let mut wb: Xlsx<_> =
                calamine_open(bytes).map_err(|e: calamine::XlsxError| ReadError::Corrupt(e.to_string()))?;
            let Opened::Zip(zip) = &mut opened else {
                return Err(ReadError::Corrupt("not a zip archive".into()));
            };
            let merges = crate::merges::xlsx_merges(zip);
            let mut book = Workbook::default();
            let mut first_error = None;
            // a build with overflow checks (tests, fuzzing) searches before calamine reads, as
            // calamine panics there; a release build only once a sheet shows the sign
            let mut bad_references = cfg!(debug_assertions).then(|| crate::merges::xlsx_bad_references(zip));
            for name in wb.sheet_names() {
                let grid = xlsx_grid_placed(&mut wb, &name, &mut budget, zip, &mut bad_references);
                match grid {
                    Ok(mut grid) => {
                        let regions = merges.get(&name).map(Vec::as_slice).unwrap_or_default();
                        fill_merges(&mut grid, regions.iter().copied(), &mut book.skipped);
                        book.grids.push(grid);
                    }
                    Err(e) => {
                        book.skipped.push(format!("sheet `{name}` skipped: {e}"));
                        first_error.get_or_insert(e);
                    }
                }
            }
            match first_error {
                Some(e) if book.grids.is_empty() => Err(e),
                _ => Ok(book),
            }
        }
        Container::Xlsb => {
            let mut wb: Xlsb<_> =
                calamine_open(bytes).map_err(|e: calamine::XlsbError| ReadError::Corrupt(e.to_string()))?;
            // merged regions of `.xlsb` are not read: the extractors carry labels down anyway
            read_sheets(&mut wb, &mut budget, |_, _| Ok(Vec::new()))
        }
        Container::Xls => {
            let mut wb: Xls<_> = calamine_open(bytes).map_err(|e: calamine::XlsError| match e {
                calamine::XlsError::Password => ReadError::Encrypted,
                other => ReadError::Corrupt(other.to_string()),
            })?;
            // percentages first, merges after, so a merged percentage is copied as one
            let mut book = read_sheets(&mut wb, &mut budget, |_, _| Ok(Vec::new()))?;
            // the percent list follows the workbook's sheets, skipped ones included
            let names = wb.sheet_names();
            let percent = opened.workbook_stream().map(xls::percent_cells).filter(|p| p.len() == names.len());
            if percent.is_none() {
                book.skipped.push("number formats not read: a percentage may read as a fraction".into());
            }
            for grid in book.grids.iter_mut() {
                let at = names.iter().position(|n| *n == grid.sheet);
                if let Some(cells) = at.and_then(|i| percent.as_ref()?.get(i)) {
                    mark_percent(grid, cells);
                }
                // a sheet whose merge list cannot be read still has its values: keep them
                let regions = wb.merge_cells_by_sheet_name(&grid.sheet).unwrap_or_default();
                fill_merges(grid, regions.into_iter().map(|m| (m.start, m.end)), &mut book.skipped);
            }
            Ok(book)
        }
    }
}

/// Excel's last row and column (XFD1048576), 1-based: no valid sheet has a cell past them.
const EXCEL_ROWS: u32 = 1_048_576;
const EXCEL_COLUMNS: u32 = 16_384;

/// Number cells shown with a percent format become [`Value::Percent`].
fn mark_percent(grid: &mut Grid, cells: &[Pos]) {
    for &pos in cells {
        if let Some(cell) = grid.get_mut(pos)
            && let Value::Number(v) = cell.value
        {
            cell.value = Value::Percent(v);
        }
    }
}

/// No sheet a person made has more merged regions than this.
pub const MAX_MERGES_PER_SHEET: usize = 100_000;

/// Fills a sheet's merged regions, within the bounds [`Grid::fill_merge`] keeps; says so
/// when regions were left out.
fn fill_merges(grid: &mut Grid, regions: impl Iterator<Item = (Pos, Pos)>, notes: &mut Vec<String>) {
    // every region may fill cells up to the grid's size in all, plus its own top-left cell
    let mut work = grid.height as u64 * grid.width as u64 + MAX_MERGES_PER_SHEET as u64;
    let mut left_out = 0usize;
    for (i, (start, end)) in regions.enumerate() {
        if i >= MAX_MERGES_PER_SHEET || !grid.fill_merge_bounded(start, end, &mut work) {
            left_out += 1;
        }
    }
    if left_out > 0 {
        notes.push(format!(
            "sheet `{}`: {left_out} merged regions not filled (over {MAX_MERGES_PER_SHEET} regions or overlapping the same cells again and again)",
            grid.sheet
        ));
    }
}

fn read_sheets<'a, R, F>(wb: &mut R, budget: &mut Budget, merges: F) -> Result<Workbook, ReadError>
where
    R: Reader<Cursor<&'a [u8]>>,
    R::Error: std::fmt::Display,
    F: Fn(&mut R, &str) -> Result<Vec<Dimensions>, String>,
{
    let names = wb.sheet_names();
    if names.len() as u64 > budget.max_sheets {
        return Err(ReadError::TooManySheets { sheets: names.len() as u64, limit: budget.max_sheets });
    }
    let mut book = Workbook::default();
    let mut first_error = None;
    for name in names {
        let grid = wb
            .worksheet_range(&name)
            .map_err(|e| ReadError::Corrupt(format!("sheet `{name}`: {e}")))
            .and_then(|range| to_grid(&name, &range, budget));
        let mut grid = match grid {
            Ok(g) => g,
            Err(e) => {
                book.skipped.push(format!("sheet `{name}` skipped: {e}"));
                first_error.get_or_insert(e);
                continue;
            }
        };
        // A sheet whose merge list cannot be read still has its values: keep them.
        if let Ok(regions) = merges(wb, &name) {
            fill_merges(&mut grid, regions.into_iter().map(|m| (m.start, m.end)), &mut book.skipped);
        }
        book.grids.push(grid);
    }
    match first_error {
        Some(e) if book.grids.is_empty() => Err(e),
        _ => Ok(book),
    }
}

fn to_grid(name: &str, range: &Range<Data>, budget: &mut Budget) -> Result<Grid, ReadError> {
    let (top, left) = range.start().unwrap_or_default();
    let cells = range
        .used_cells()
        .map(|(r, c, d)| ((top + r as u32, left + c as u32), convert(d)))
        .filter(|(_, v)| *v != Value::Empty)
        .collect();
    grid_from_cells(name, cells, budget)
}

/// [`xlsx_grid`], refusing a sheet with a cell reference calamine cannot place.
/// calamine accumulates a reference's column and row in a `u32` unchecked: with overflow
/// checks it panics (caught here, for this sheet), without them it puts the cell
/// elsewhere, almost surely past Excel's last cell. Either sign has the workbook's sheets
/// searched for such references once (`inspect::refs`, into `bad`), and a sheet that has
/// one is skipped, saying which.
fn xlsx_grid_placed(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    budget: &mut Budget,
    zip: &mut Zip<'_>,
    bad: &mut Option<HashMap<String, String>>,
) -> Result<Grid, ReadError> {
    let unplaceable = |reference: &str| {
        ReadError::Corrupt(format!(
            "sheet `{name}`: the cell reference `{reference}` lies past any column or row the reader can place"
        ))
    };
    if let Some(reference) = bad.as_ref().and_then(|b| b.get(name)) {
        return Err(unplaceable(reference));
    }
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| xlsx_grid(wb, name, budget)));
    let suspect = match &read {
        Ok(Ok(g)) => g.bottom() > EXCEL_ROWS || g.right() > EXCEL_COLUMNS,
        _ => true,
    };
    if suspect && let Some(reference) = bad.get_or_insert_with(|| crate::merges::xlsx_bad_references(zip)).get(name) {
        return Err(unplaceable(reference));
    }
    read.unwrap_or_else(|panic| {
        Err(ReadError::Corrupt(format!(
            "sheet `{name}`: the spreadsheet reader (calamine) failed on a damaged record ({})",
            panic_message(&*panic)
        )))
    })
}

/// One `.xlsx` sheet, streamed cell by cell from calamine's reader: text is copied once,
/// straight from the shared-strings table into the grid, with no intermediate `Range`.
fn xlsx_grid(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str, budget: &mut Budget) -> Result<Grid, ReadError> {
    let max_cells = budget.limit;
    let corrupt = |e: calamine::XlsxError| ReadError::Corrupt(format!("sheet `{name}`: {e}"));
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        // a chart sheet or dialog sheet: no cells
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Grid::new(name, 0, 0, 0, 0)),
        Err(e) => return Err(corrupt(e)),
    };
    // which styles of the palette show a number as a percentage: typed `98%`, stored 0.98
    let percent: Vec<bool> = reader
        .styles()
        .iter()
        .map(|s| s.number_format.as_ref().is_some_and(|f| is_percent_format(&f.format_code)))
        .collect();
    let mut cells = Vec::new();
    let mut text = 0u64;
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(corrupt)? {
        let pos = cell.get_position();
        let mut value = convert_ref(cell.get_value().clone());
        if let Value::Number(v) = value
            && percent.get(style).copied().unwrap_or(false)
        {
            value = Value::Percent(v);
        }
        if value != Value::Empty {
            // one long shared string referenced in every cell is copied per cell: bounded
            if let Value::Text(s) = &value {
                text += s.len() as u64;
                if text > budget.text_left {
                    return Err(budget.text_too_large());
                }
            }
            // a sheet with more cells than the limit is refused before its grid is built
            if cells.len() as u64 >= max_cells {
                return Err(ReadError::SheetTooLarge {
                    sheet: name.to_string(),
                    cells: cells.len() as u64 + 1,
                    limit: max_cells,
                });
            }
            cells.push((pos, value));
        }
    }
    grid_from_cells(name, cells, budget)
}

/// True when a number format code shows its number as a percentage: a `%` outside quoted
/// text and not escaped (`0%`, `0.00%`, `#,##0.0%`; not `0"%"`, `0\%`).
pub fn is_percent_format(code: &str) -> bool {
    let mut quoted = false;
    let mut escaped = false;
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// A grid over the bounding box of the non-empty cells, within the sheet limit and what is
/// left of the workbook's budget.
fn grid_from_cells(name: &str, cells: Vec<(Pos, Value)>, budget: &mut Budget) -> Result<Grid, ReadError> {
    let max_cells = budget.limit;
    let Some(first) = cells.first() else {
        return Ok(Grid::new(name, 0, 0, 0, 0));
    };
    let (mut top, mut left, mut bottom, mut right) = (first.0.0, first.0.1, first.0.0, first.0.1);
    for ((r, c), _) in &cells {
        top = top.min(*r);
        bottom = bottom.max(*r);
        left = left.min(*c);
        right = right.max(*c);
    }
    let (height, width) = (bottom - top + 1, right - left + 1);
    let n = height as u64 * width as u64;
    if n > max_cells {
        return Err(ReadError::SheetSpread {
            sheet: name.to_string(),
            cells: cells.len() as u64,
            rows: height as u64,
            cols: width as u64,
            area: n,
            limit: max_cells,
        });
    }
    let text: u64 = cells.iter().map(|(_, v)| if let Value::Text(s) = v { s.len() as u64 } else { 0 }).sum();
    if text > budget.text_left {
        return Err(budget.text_too_large());
    }
    budget.text_left -= text;
    if n > budget.left {
        return Err(ReadError::WorkbookTooLarge { cells: budget.limit - budget.left + n, limit: budget.limit });
    }
    budget.left -= n;
    let mut grid = Grid::new(name, top, left, height, width);
    for (pos, value) in cells {
        grid.set(pos, Cell::new(value));
    }
    Ok(grid)
}

/// calamine's borrowed value to ours, moving owned text instead of copying it.
fn convert_ref(d: DataRef) -> Value {
    match d {
        DataRef::SharedString(s) => Value::Text(s.to_string()),
        DataRef::String(s) => Value::Text(s),
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => convert(&Data::Int(i)),
        DataRef::Float(f) => convert(&Data::Float(f)),
        DataRef::Bool(b) => Value::Bool(b),
        DataRef::DateTime(dt) => convert(&Data::DateTime(dt)),
        DataRef::DateTimeIso(s) => convert(&Data::DateTimeIso(s)),
        DataRef::DurationIso(s) => Value::Text(s),
        DataRef::Error(e) => convert(&Data::Error(e)),
    }
}

/// calamine's value to ours. Dates become dates; durations and odd types become text.
fn convert(d: &Data) -> Value {
    match d {
        Data::Empty => Value::Empty,
        Data::Int(i) => Value::Number(*i as f64),
        Data::Float(f) => Value::Number(*f),
        Data::String(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Bool(*b),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                match from_excel_serial(dt.as_f64()) {
                    Some(date) => Value::Date(date),
                    None => Value::Number(dt.as_f64()),
                }
            } else {
                Value::Number(dt.as_f64())
            }
        }
        Data::DateTimeIso(s) => match jixiao_text::values::parse_date(s.get(..10).unwrap_or(s)) {
            Some(date) => Value::Date(date),
            None => Value::Text(s.clone()),
        },
        Data::DurationIso(s) => Value::Text(s.clone()),
        Data::Error(e) => Value::Error(format!("#{e:?}")),
    }
}

/// Cells of a sheet that hold a formula, by position. Read only when a form has blank
/// number cells, to tell "blank" from "a formula nobody calculated" (FORMULA_NO_VALUE).
pub fn formula_cells(bytes: &[u8], sheet: &str, max_unpacked_bytes: u64) -> Result<HashSet<Pos>, ReadError> {
    let bytes = &*crate::inspect::ole::lenient(bytes);
    formula_cells_in(bytes, inspect(bytes, max_unpacked_bytes)?, sheet)
}

/// [`formula_cells`] of a workbook already read as `container` (see [`Document::Sheets`]):
/// calamine opens it once more, nothing identifies it again. An `.xls` whose directory
/// needed repair is read as calamine reads it, unrepaired (calamine finds its streams by
/// name).
pub fn formula_cells_in(bytes: &[u8], container: Container, sheet: &str) -> Result<HashSet<Pos>, ReadError> {
    fn collect(r: Range<String>) -> HashSet<Pos> {
        let Some((top, left)) = r.start() else { return HashSet::new() };
        let mut out = HashSet::new();
        for (i, row) in r.rows().enumerate() {
            for (j, f) in row.iter().enumerate() {
                if !f.is_empty() {
                    out.insert((top + i as u32, left + j as u32));
                }
            }
        }
        out
    }
    let corrupt = |e: String| ReadError::Corrupt(e);
    let range = match container {
        Container::Xlsx => {
            // streamed, positions only: calamine's `worksheet_formula` builds a dense range
            // to the farthest formula (a stray one at XFD1048576 is 17 billion cells) and
            // reserves room for every shared-formula index the file names (`si`)
            let mut wb: Xlsx<_> = calamine_open(bytes).map_err(|e: calamine::XlsxError| corrupt(e.to_string()))?;
            let mut reader = wb.worksheet_cells_reader(sheet).map_err(|e| corrupt(e.to_string()))?;
            let mut out = HashSet::new();
            while let Some(cell) = reader.next_cell_with_formula_metadata().map_err(|e| corrupt(e.to_string()))? {
                if cell.formula.is_some() {
                    out.insert(cell.pos);
                }
            }
            return Ok(out);
        }
        Container::Xls => {
            let mut wb: Xls<_> = calamine_open(bytes).map_err(|e: calamine::XlsError| corrupt(e.to_string()))?;
            wb.worksheet_formula(sheet).map_err(|e| corrupt(e.to_string()))?
        }
        Container::Ods => {
            let mut wb: Ods<_> = calamine_open(bytes).map_err(|e: calamine::OdsError| corrupt(e.to_string()))?;
            wb.worksheet_formula(sheet).map_err(|e| corrupt(e.to_string()))?
        }
        Container::Xlsb => {
            let mut wb: Xlsb<_> = calamine_open(bytes).map_err(|e: calamine::XlsbError| corrupt(e.to_string()))?;
            wb.worksheet_formula(sheet).map_err(|e| corrupt(e.to_string()))?
        }
    };
    Ok(collect(range))
}

#[cfg(test)]
mod tests {
    use super::is_percent_format;

    #[test]
    fn percent_formats_are_told_from_literal_percent_signs() {
        for code in ["0%", "0.00%", "#,##0.0%", "[Red]0.0%"] {
            assert!(is_percent_format(code), "{code}");
        }
        for code in ["General", "0.00", r#"0"%""#, r"0\%", "yyyy-mm-dd"] {
            assert!(!is_percent_format(code), "{code}");
        }
    }
}
