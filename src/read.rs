//! Reading a workbook's bytes into grids, one per sheet, with calamine.
//!
//! The format is told by the file's magic bytes, not its extension: departments rename
//! files. Merged regions are filled here so that later stages never think about them.

use std::collections::HashSet;
use std::io::Cursor;

use calamine::{Data, Dimensions, Ods, Range, Reader, Xls, Xlsx};

use crate::grid::{Cell, Grid, Value};
use crate::inspect::{Container, inspect};
use crate::model::Pos;
use crate::values::date::from_excel_serial;

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
            ReadError::TooLarge { declared_mb, .. } => format!("文件解压后过大（{declared_mb} MB），为安全起见未读取"),
            ReadError::Encrypted => "文件已加密，无法读取".into(),
            ReadError::Corrupt(e) => format!("文件损坏或不完整（{e}）"),
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
            // calamine reports no merged regions for ODS; the extractors do not need them
            read_sheets(&mut wb, max_cells, |_, _| Ok(Vec::new()))
        }
        Container::Xlsx => {
            let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
                .map_err(|e: calamine::XlsxError| ReadError::Corrupt(e.to_string()))?;
            let merges = crate::merges::xlsx_merges(bytes);
            read_sheets(&mut wb, max_cells, |_, name| {
                Ok(merges
                    .get(name)
                    .map(|v| v.iter().map(|(a, b)| Dimensions { start: *a, end: *b }).collect())
                    .unwrap_or_default())
            })
        }
        Container::Xls => {
            let mut wb: Xls<_> =
                calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsError| match e {
                    calamine::XlsError::Password => ReadError::Encrypted,
                    other => ReadError::Corrupt(other.to_string()),
                })?;
            read_sheets(&mut wb, max_cells, |wb, name| wb.merge_cells_by_sheet_name(name).map_err(|e| e.to_string()))
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
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return Ok(Grid::new(name, 0, 0, 0, 0));
    };
    let height = end.0 - start.0 + 1;
    let width = end.1 - start.1 + 1;
    let cells = height as u64 * width as u64;
    if cells > max_cells {
        return Err(ReadError::SheetTooLarge { sheet: name.to_string(), cells, limit: max_cells });
    }
    let mut grid = Grid::new(name, start.0, start.1, height, width);
    for (r, row) in range.rows().enumerate() {
        for (c, data) in row.iter().enumerate() {
            let value = convert(data);
            if value != Value::Empty {
                grid.set((start.0 + r as u32, start.1 + c as u32), Cell::new(value));
            }
        }
    }
    Ok(grid)
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
    };
    Ok(collect(range))
}
