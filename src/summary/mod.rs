//! `summary.xlsx`, the workbook a finance officer opens: 总览, 部门排名, 项目排名, 疑点清单,
//! 指标明细, 基础数据, 文件清单. One module per sheet; this one holds the shared table
//! writer (bold frozen header, autofilter, widths for Chinese text, print set-up).
//!
//! Text that came from an input cell is always written as a string, never as a formula,
//! and cut at Excel's 32,767-character cell limit with a visible marker.

mod anomalies;
mod basic;
mod files;
mod indicators;
mod overview;
mod rankings;

use std::path::Path;

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError};

use crate::config::Config;
use crate::pipeline::{RunData, RunReport};

#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("cannot write summary workbook {path}: {cause}")]
    Xlsx { path: String, cause: XlsxError },
}

/// Sheet names, in order. Other tools may look for them: keep them stable.
pub const SHEETS: [&str; 7] = ["总览", "部门排名", "项目排名", "疑点清单", "指标明细", "基础数据", "文件清单"];

/// Writes the summary workbook.
pub fn write(path: &Path, data: &RunData, report: &RunReport, config: &Config) -> Result<(), SummaryError> {
    let err = |cause| SummaryError::Xlsx { path: path.display().to_string(), cause };
    let mut wb = Workbook::new();
    let fmts = Formats::new();
    let ctx = Ctx {
        data,
        report,
        config,
        fmts: &fmts,
        input_root: Path::new(&report.input),
        out_dir: path.parent().unwrap_or(Path::new(".")),
    };
    let ranks = rankings::Ranks::compute(data);
    overview::write(wb.add_worksheet(), &ctx, &ranks).map_err(err)?;
    rankings::write_departments(wb.add_worksheet(), &ctx, &ranks).map_err(err)?;
    rankings::write_projects(wb.add_worksheet(), &ctx, &ranks).map_err(err)?;
    anomalies::write(wb.add_worksheet(), &ctx).map_err(err)?;
    indicators::write(wb.add_worksheet(), &ctx).map_err(err)?;
    basic::write(wb.add_worksheet(), &ctx).map_err(err)?;
    files::write(wb.add_worksheet(), &ctx).map_err(err)?;
    wb.save(path).map_err(err)
}

/// What every sheet writer gets.
pub struct Ctx<'a> {
    pub data: &'a RunData,
    pub report: &'a RunReport,
    pub config: &'a Config,
    pub fmts: &'a Formats,
    pub input_root: &'a Path,
    pub out_dir: &'a Path,
}

/// The cell formats, made once.
pub struct Formats {
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub wan: Format,
    pub pct: Format,
    pub score: Format,
    pub int: Format,
    pub link: Format,
    pub title: Format,
    pub error: Format,
    pub warning: Format,
    pub info: Format,
}

impl Formats {
    fn new() -> Formats {
        let font = "等线";
        let base = Format::new().set_font_name(font).set_font_size(10.5);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_background_color("DDEBF7")
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            text: base.clone(),
            wrap: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            wan: base.clone().set_num_format("#,##0.00"),
            pct: base.clone().set_num_format("0.00%"),
            score: base.clone().set_num_format("0.00"),
            int: base.clone().set_num_format("0"),
            link: base.clone().set_font_color("0563C1").set_underline(rust_xlsxwriter::FormatUnderline::Single),
            title: base.clone().set_bold().set_font_size(14),
            error: base.clone().set_font_color("C00000").set_bold(),
            warning: base.clone().set_font_color("C65911"),
            info: base.clone().set_font_color("595959"),
        }
    }
}

/// A value for a table cell.
pub enum V {
    Text(String),
    Wan(Option<f64>),
    Pct(Option<f64>),
    Score(Option<f64>),
    Int(Option<i64>),
    /// A link to a source file: (relative URL, shown text).
    Link(String, String),
    /// Text in a format chosen by the caller (severity colours).
    Styled(String, fn(&Formats) -> &Format),
}

/// A column: header text and width in characters (a CJK character counts as two).
pub struct Col(pub &'static str, pub f64);

/// Excel's cell limit; longer text is cut with a marker.
const MAX_CELL: usize = 32_767;

/// Cuts text to Excel's limit, saying so.
pub fn clip(s: &str) -> String {
    if s.chars().count() <= MAX_CELL {
        return s.to_string();
    }
    let marker = "…[已截断]";
    let keep = MAX_CELL - marker.chars().count();
    format!("{}{marker}", s.chars().take(keep).collect::<String>())
}

/// Writes a header row and data rows as a filtered, frozen, printable table.
pub fn table(
    ws: &mut Worksheet,
    name: &str,
    f: &Formats,
    cols: &[Col],
    rows: impl Iterator<Item = Vec<V>>,
) -> Result<u32, XlsxError> {
    ws.set_name(name)?;
    for (c, col) in cols.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, col.0, &f.header)?;
        ws.set_column_width(c as u16, col.1)?;
    }
    ws.set_row_height(0, 30)?;
    let mut r = 1u32;
    for row in rows {
        for (c, v) in row.into_iter().enumerate() {
            write_value(ws, r, c as u16, v, f)?;
        }
        r += 1;
    }
    let last_col = cols.len().saturating_sub(1) as u16;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, r.saturating_sub(1).max(1), last_col)?;
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(r - 1)
}

fn write_value(ws: &mut Worksheet, r: u32, c: u16, v: V, f: &Formats) -> Result<(), XlsxError> {
    match v {
        V::Text(s) => {
            if !s.is_empty() {
                ws.write_string_with_format(r, c, clip(&s), &f.text)?;
            }
        }
        V::Styled(s, pick) => {
            ws.write_string_with_format(r, c, clip(&s), pick(f))?;
        }
        V::Wan(Some(x)) => {
            ws.write_number_with_format(r, c, x, &f.wan)?;
        }
        V::Pct(Some(x)) => {
            ws.write_number_with_format(r, c, x, &f.pct)?;
        }
        V::Score(Some(x)) => {
            ws.write_number_with_format(r, c, x, &f.score)?;
        }
        V::Int(Some(x)) => {
            ws.write_number_with_format(r, c, x as f64, &f.int)?;
        }
        V::Link(url, text) => {
            ws.write_url_with_text(r, c, Url::new(url).set_text(clip(&text)), clip(&text))?;
            ws.set_cell_format(r, c, &f.link)?;
        }
        V::Wan(None) | V::Pct(None) | V::Score(None) | V::Int(None) => {}
    }
    Ok(())
}

/// A link from the summary to a source file (and a cell in it), relative to OUT_DIR so it
/// keeps working when the input and output folders are moved together.
pub fn file_link(ctx: &Ctx, rel: &str, sheet: &str, cell: &str) -> V {
    let abs = ctx.input_root.join(rel);
    let target = relative_path(ctx.out_dir, &abs).unwrap_or(abs);
    // `#` would start the in-file location and `%` an escape: encode both in the path
    let path = target.display().to_string().replace('\\', "/").replace('%', "%25").replace('#', "%23");
    let mut url = format!("file:///{path}");
    if !sheet.is_empty() && !cell.is_empty() {
        url.push_str(&format!("#'{}'!{}", sheet.replace('\'', "''"), cell));
    }
    V::Link(url, rel.to_string())
}

/// `to` relative to the folder `from`, both made absolute first.
fn relative_path(from: &Path, to: &Path) -> Option<std::path::PathBuf> {
    let from = std::path::absolute(from).ok()?;
    let to = std::path::absolute(to).ok()?;
    let (fc, tc): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = fc.iter().zip(&tc).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut out = std::path::PathBuf::new();
    for _ in common..fc.len() {
        out.push("..");
    }
    for c in &tc[common..] {
        out.push(c);
    }
    Some(out)
}

/// The Chinese name of a severity.
pub fn severity_zh(s: crate::config::Severity) -> &'static str {
    match s {
        crate::config::Severity::Error => "错误",
        crate::config::Severity::Warning => "警告",
        crate::config::Severity::Info => "提示",
    }
}
