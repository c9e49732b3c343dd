//! Reading a workbook's bytes into grids, one per sheet, with calamine.
//!
//! The format is told by the file's magic bytes, not its extension: departments rename
//! files. Merged regions are filled here so that later stages never think about them.

use std::collections::HashSet;
use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Range, Reader, Xls, Xlsb, Xlsx};

use crate::grid::{Cell, Grid, Value};
use crate::inspect::{Container, inspect};
use crate::model::Pos;
use crate::values::date::from_excel_serial;

pub mod docx;
pub mod ods;
pub mod xls;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("empty file (0 bytes)")]
    Empty,
    #[error("not a spreadsheet: {0}")]
    NotSpreadsheet(String),
    #[error("the workbook is password-protected (encrypted)")]
    Encrypted,
    #[error("corrupt or truncated workbook: {0}")]
    Corrupt(String),
    #[error("too large to unpack safely: the archive declares {declared_mb} MB unpacked (limit {limit_mb} MB)")]
    TooLarge { declared_mb: u64, limit_mb: u64 },
    #[error("sheet `{sheet}` is too large ({cells} cells, limit {limit})")]
    SheetTooLarge { sheet: String, cells: u64, limit: u64 },
}

impl ReadError {
    /// The reason in Chinese, for the summary workbook.
    pub fn chinese(&self) -> String {
        match self {
            ReadError::Empty => "空文件（0字节）".into(),
            ReadError::NotSpreadsheet(_) => "不是电子表格文件（可能是改了扩展名的其他文件）".into(),
            ReadError::TooLarge { declared_mb, .. } => {
                format!("文件解压后过大（{declared_mb}兆字节），为安全起见未读取，请删去多余内容后重新提交")
            }
            ReadError::Encrypted => "文件设有打开密码（已加密），请提交未加密的文件".into(),
            // the parser's own (English) text stays in files.parquet's `error`
            ReadError::Corrupt(_) => "文件已损坏或不完整，请重新保存或导出后提交".into(),
            ReadError::SheetTooLarge { sheet, cells, .. } => {
                format!("工作表“{sheet}”过大（{cells}个单元格）")
            }
        }
    }
}

/// Reads every sheet of a workbook, after checking its container (see [`inspect`]).
pub fn read_workbook(bytes: &[u8], max_cells: u64, max_unpacked_bytes: u64) -> Result<Vec<Grid>, ReadError> {
    match inspect(bytes, max_unpacked_bytes)? {
        Container::Ods => {
            let mut wb: Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::OdsError| ReadError::Corrupt(e.to_string()))?;
            // calamine reports neither merged regions nor percentages for ODS: read them here
            let extras = ods::ods_extras(bytes, max_unpacked_bytes);
            let mut grids = read_sheets(&mut wb, max_cells, |_, _| Ok(Vec::new()))?;
            for grid in &mut grids {
                mark_percent(grid, extras.percent.get(&grid.sheet).map(Vec::as_slice).unwrap_or_default());
                for &(start, end) in extras.merges.get(&grid.sheet).map(Vec::as_slice).unwrap_or_default() {
                    grid.fill_merge(start, end);
                }
            }
            Ok(grids)
        }
        Container::Xlsx => {
            let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| ReadError::Corrupt(e.to_string()))?;
            let merges = crate::merges::xlsx_merges(bytes);
            let mut out = Vec::new();
            for name in wb.sheet_names() {
                let mut grid = xlsx_grid(&mut wb, &name, max_cells)?;
                for (start, end) in merges.get(&name).map(Vec::as_slice).unwrap_or_default() {
                    grid.fill_merge(*start, *end);
                }
                out.push(grid);
            }
            Ok(out)
        }
        Container::Xlsb => {
            let mut wb: Xlsb<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsbError| ReadError::Corrupt(e.to_string()))?;
            // merged regions of `.xlsb` are not read: the extractors carry labels down anyway
            read_sheets(&mut wb, max_cells, |_, _| Ok(Vec::new()))
        }
        Container::Xls => {
            let mut wb: Xls<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsError| match e {
                    calamine::XlsError::Password => ReadError::Encrypted,
                    other => ReadError::Corrupt(other.to_string()),
                })?;
            // percentages first, merges after, so a merged percentage is copied as one
            let mut grids = read_sheets(&mut wb, max_cells, |_, _| Ok(Vec::new()))?;
            let percent = xls::xls_percent_cells(bytes, max_unpacked_bytes);
            let aligned = percent.len() == grids.len();
            for (i, grid) in grids.iter_mut().enumerate() {
                if aligned {
                    mark_percent(grid, &percent[i]);
                }
                // a sheet whose merge list cannot be read still has its values: keep them
                for m in wb.merge_cells_by_sheet_name(&grid.sheet).unwrap_or_default() {
                    grid.fill_merge(m.start, m.end);
                }
            }
            Ok(grids)
        }
    }
}

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

fn read_sheets<'a, R, F>(wb: &mut R, max_cells: u64, merges: F) -> Result<Vec<Grid>, ReadError>
where
    R: Reader<Cursor<&'a [u8]>>,
    R::Error: std::fmt::Display,
    F: Fn(&mut R, &str) -> Result<Vec<Dimensions>, String>,
{
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| ReadError::Corrupt(format!("sheet `{name}`: {e}")))?;
        let mut grid = to_grid(&name, &range, max_cells)?;
        // A sheet whose merge list cannot be read still has its values: keep them.
        if let Ok(regions) = merges(wb, &name) {
            for m in regions {
                grid.fill_merge(m.start, m.end);
            }
        }
        out.push(grid);
    }
    Ok(out)
}

fn to_grid(name: &str, range: &Range<Data>, max_cells: u64) -> Result<Grid, ReadError> {
    let (top, left) = range.start().unwrap_or_default();
    let cells = range
        .used_cells()
        .map(|(r, c, d)| ((top + r as u32, left + c as u32), convert(d)))
        .filter(|(_, v)| *v != Value::Empty)
        .collect();
    grid_from_cells(name, cells, max_cells)
}

/// One `.xlsx` sheet, streamed cell by cell from calamine's reader: text is copied once,
/// straight from the shared-strings table into the grid, with no intermediate `Range`.
fn xlsx_grid(wb: &mut Xlsx<Cursor<&[u8]>>, name: &str, max_cells: u64) -> Result<Grid, ReadError> {
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
    while let Some((cell, style)) = reader.next_cell_with_style_id().map_err(corrupt)? {
        let pos = cell.get_position();
        let mut value = convert_ref(cell.get_value().clone());
        if let Value::Number(v) = value
            && percent.get(style).copied().unwrap_or(false)
        {
            value = Value::Percent(v);
        }
        if value != Value::Empty {
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
    grid_from_cells(name, cells, max_cells)
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

/// A grid over the bounding box of the non-empty cells.
fn grid_from_cells(name: &str, cells: Vec<(Pos, Value)>, max_cells: u64) -> Result<Grid, ReadError> {
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
        return Err(ReadError::SheetTooLarge { sheet: name.to_string(), cells: n, limit: max_cells });
    }
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
        Data::DateTimeIso(s) => match crate::values::parse_date(s.get(..10).unwrap_or(s)) {
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
    let range = match inspect(bytes, max_unpacked_bytes)? {
        Container::Xlsx => {
            let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| corrupt(e.to_string()))?;
            wb.worksheet_formula(sheet).map_err(|e| corrupt(e.to_string()))?
        }
        Container::Xls => {
            let mut wb: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsError| corrupt(e.to_string()))?;
            wb.worksheet_formula(sheet).map_err(|e| corrupt(e.to_string()))?
        }
        Container::Ods => {
            let mut wb: Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::OdsError| corrupt(e.to_string()))?;
            wb.worksheet_formula(sheet).map_err(|e| corrupt(e.to_string()))?
        }
        Container::Xlsb => {
            let mut wb: Xlsb<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsbError| corrupt(e.to_string()))?;
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
