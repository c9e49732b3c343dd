//! `summary.xlsx`, the workbook a finance officer opens: 总览, 部门排名, 项目排名, 疑点清单,
//! 指标明细, 基础数据, 文件清单, 说明, then 分系统汇总, 报送情况 and 已替代版本的疑点. One
//! module per sheet; this one holds the shared table
//! writer (bold frozen header, autofilter, widths for Chinese text, print set-up).
//!
//! Text that came from an input cell is always written as a string, never as a formula,
//! and cut at Excel's 32,767-character cell limit with a visible marker.

mod anomalies;
mod basic;
pub mod circular;
mod files;
pub use files::status_zh;
pub mod guide;
mod indicators;
mod leadership;
mod overview;
pub mod placing;
mod rankings;
mod ranks;
pub mod region;
pub mod roster;
pub mod systems;
pub mod tracking;

use std::path::{Path, PathBuf};

use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError};

use crate::batch::Batch;
use crate::run_report::RunReport;
use crate::settings::Settings;
use jixiao_rules::FileResult;

#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    #[error("cannot write summary workbook {path}: {cause}")]
    Xlsx { path: String, cause: XlsxError },
    #[error(transparent)]
    Circular(#[from] circular::CircularError),
}

/// Sheet names, in order. Other tools may look for them: keep them stable (说明, the
/// reading guide, was added last so the others keep their places).
pub const SHEETS: [&str; 8] = ["总览", "部门排名", "项目排名", "疑点清单", "指标明细", "基础数据", "文件清单", "说明"];

/// Sheets added after 说明 (issues 15 and 22), in order: the others keep their places.
pub const EXTRA_SHEETS: [&str; 3] = [systems::SHEET, roster::SHEET, anomalies::SUPERSEDED_SHEET];

/// What the summary knows besides the batch: each form's 所属系统, the roster, and the
/// office's tracking of findings read back from the previous summary.
#[derive(Debug, Default, Clone)]
pub struct Extras {
    pub systems: crate::systems::Systems,
    pub roster: Option<crate::roster::Roster>,
    pub tracking: tracking::Tracking,
    /// The roster's path relative to INPUT_DIR when it sits inside it: not a submission.
    pub roster_file: Option<String>,
    /// `--replies`: the departments' 整改情况说明, by finding (疑点清单's 部门反馈).
    pub replies: crate::feedback::replies::Answers,
}

/// Rows above the data of every table: the title row (region, year, run date) and the
/// column headers.
pub const HEAD_ROWS: u32 = 2;

/// Excel's last row is 1,048,576: a detail sheet holds at most this many data rows (below
/// its title and header rows) and continues in `指标明细(2)`, `指标明细(3)`…
pub const MAX_DATA_ROWS: u32 = 1_048_576 - HEAD_ROWS;

/// The last row index of a sheet.
const LAST_ROW: u32 = 1_048_575;

/// What every sheet's title row says: region, year(s) and run date.
#[derive(Debug, Clone)]
pub struct Title {
    pub region: String,
    /// `2022年度`, `2021—2022年度`, or empty when no year is known.
    pub years: String,
    pub run_date: String,
}

impl Title {
    /// `株洲市2022年度预算绩效自评汇总 · 部门排名（运行日期：2024-05-01）`
    pub fn text(&self, sheet: &str) -> String {
        format!("{}{}预算绩效自评汇总 · {sheet}（运行日期：{}）", self.region, self.years, self.run_date)
    }

    /// The region of a run: the one given (`--region`, `[report] region`), else the
    /// division the departments' names start with most often ([`region::named_most`]),
    /// else none — never a folder's name.
    pub fn region<'a>(config: &Settings, departments: impl IntoIterator<Item = &'a str>) -> String {
        if !config.report.region.trim().is_empty() {
            return config.report.region.trim().to_string();
        }
        region::named_most(departments).unwrap_or_default()
    }

    /// `2022年度` for one year, `2021—2022年度` for several, empty for none; a configured
    /// year wins.
    pub fn years(config: &Settings, years: impl IntoIterator<Item = i32>) -> String {
        if let Some(y) = config.report.year {
            return format!("{y}年度");
        }
        let years: std::collections::BTreeSet<i32> = years.into_iter().collect();
        match (years.first(), years.last()) {
            (Some(a), Some(b)) if a == b => format!("{a}年度"),
            (Some(a), Some(b)) => format!("{a}—{b}年度"),
            _ => String::new(),
        }
    }
}

/// The years a file name states (`2022年`, `2022年度`): what the two sheets streamed
/// before any form is read name in their titles.
pub fn years_in_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<i32> {
    let mut out = Vec::new();
    for name in names {
        let b = name.as_bytes();
        for i in 0..b.len().saturating_sub(4) {
            let digits = &b[i..i + 4];
            let before_ok = i == 0 || !b[i - 1].is_ascii_digit();
            // ASCII digits: `i` and `i + 4` are character boundaries
            if before_ok
                && digits.iter().all(u8::is_ascii_digit)
                && name[i + 4..].starts_with('年')
                && let Ok(y) = name[i..i + 4].parse::<i32>()
                && (2000..=2099).contains(&y)
            {
                out.push(y);
            }
        }
    }
    out
}

/// How a table prints and scrolls: the columns printed (the leading ones; the file, sheet
/// and row columns come last and are left out) and the columns frozen beside the data.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub print_cols: u16,
    pub freeze_cols: u16,
}

/// A detail sheet written row by row in constant-memory mode as results arrive.
struct Stream {
    name: &'static str,
    cols: &'static [Col],
    /// Worksheet indices of this stream's parts, in order.
    parts: Vec<usize>,
    /// Next row to write in the current part.
    row: u32,
    /// The current part's column formats.
    formats: ColFormats,
}

/// Excel keeps at most 65,530 hyperlinks per sheet: past this many rows, file names are
/// written as plain text.
pub const MAX_LINKS: usize = 65_000;

/// Writes `summary.xlsx`. Every sheet is written in constant-memory mode (rows in order,
/// flushed as they go), so the workbook costs little memory at any scale. The two large detail sheets (指标明细, 基础数据) are streamed
/// while files are processed ([`SummaryWriter::add`]); the sheets that need every form
/// sorted (rankings, anomalies) and the file log are written by [`SummaryWriter::finish`].
pub struct SummaryWriter {
    wb: Workbook,
    path: PathBuf,
    input_root: PathBuf,
    fmts: Formats,
    sheets: usize,
    title: Title,
    indicators: Stream,
    basic: Stream,
    extras: Extras,
    /// Worksheet index of the first of [`EXTRA_SHEETS`].
    extra_at: usize,
    /// See [`SummaryWriter::set_final_dir`].
    final_dir: Option<PathBuf>,
    /// Where the 通报 draft goes, if anywhere ([`SummaryWriter::write_circular_to`]).
    circular: Option<PathBuf>,
}

const OVERVIEW: usize = 0;
const DEPARTMENTS: usize = 1;
const PROJECTS: usize = 2;
const ANOMALIES: usize = 3;
const FILES: usize = 6;
const GUIDE: usize = 7;

impl SummaryWriter {
    /// Starts the workbook with its sheets in their order. `title` is what the two streamed
    /// sheets' title rows say (their rows are written before any form is read: the region
    /// and year are the ones given or those the file and folder names state); the other
    /// sheets' titles name the region and years of the forms read.
    pub fn create(path: &Path, input_root: &Path, title: Title) -> Result<SummaryWriter, SummaryError> {
        let err = |cause| SummaryError::Xlsx { path: path.display().to_string(), cause };
        let mut wb = Workbook::new();
        wb.set_default_format(&Formats::default_format(), 18, 72).map_err(err)?;
        // level 2 deflates several times faster than the default for a slightly larger file
        wb.set_zip_compression_level(2);
        let fmts = Formats::new();
        for name in &SHEETS[..4] {
            wb.add_worksheet_with_constant_memory().and_then(|ws| ws.set_name(*name)).map_err(err)?;
        }
        let mut w = SummaryWriter {
            wb,
            path: path.to_path_buf(),
            input_root: input_root.to_path_buf(),
            fmts,
            sheets: 4,
            title,
            indicators: Stream {
                name: SHEETS[4],
                cols: indicators::COLS,
                parts: Vec::new(),
                row: 0,
                formats: ColFormats::default(),
            },
            basic: Stream {
                name: SHEETS[5],
                cols: basic::COLS,
                parts: Vec::new(),
                row: 0,
                formats: ColFormats::default(),
            },
            extras: Extras::default(),
            extra_at: 0,
            final_dir: None,
            circular: None,
        };
        w.new_part(true).map_err(err)?;
        w.new_part(false).map_err(err)?;
        for name in [SHEETS[FILES], SHEETS[GUIDE]] {
            w.wb.add_worksheet_with_constant_memory().and_then(|ws| ws.set_name(name)).map_err(err)?;
            w.sheets += 1;
        }
        w.extra_at = w.sheets;
        for name in EXTRA_SHEETS {
            w.wb.add_worksheet_with_constant_memory().and_then(|ws| ws.set_name(name)).map_err(err)?;
            w.sheets += 1;
        }
        Ok(w)
    }

    /// The 系统, roster and tracking the sheets written by [`SummaryWriter::finish`] use.
    pub fn set_extras(&mut self, extras: Extras) {
        self.extras = extras;
    }

    /// The folder the workbook will be moved to when the run is complete (OUT_DIR), which
    /// its file links are relative to; unset: the folder it is written in.
    pub fn set_final_dir(&mut self, dir: &Path) {
        self.final_dir = Some(dir.to_path_buf());
    }

    /// The departments' answers read back (`--replies`), for 疑点清单.
    pub fn set_replies(&mut self, replies: crate::feedback::replies::Answers) {
        self.extras.replies = replies;
    }

    /// Has [`SummaryWriter::finish`] also write the 通报 draft ([`circular`]) to `path`,
    /// from the same figures as the sheets.
    pub fn write_circular_to(&mut self, path: PathBuf) {
        self.circular = Some(path);
    }

    /// Adds a constant-memory sheet for a stream (the first, or the next part).
    fn new_part(&mut self, indicator_stream: bool) -> Result<(), XlsxError> {
        let index = self.sheets;
        let stream = if indicator_stream { &mut self.indicators } else { &mut self.basic };
        let name = if stream.parts.is_empty() {
            stream.name.to_string()
        } else {
            format!("{}({})", stream.name, stream.parts.len() + 1)
        };
        // low-memory mode: rows are flushed as they go, like constant-memory mode, but text
        // goes to the shared-strings table, so a department, file or indicator name
        // repeated on thousands of rows is stored once (a smaller file, faster to write)
        let ws = self.wb.add_worksheet_with_low_memory()?;
        header(ws, &name, &self.fmts, stream.cols, &self.title.text(&name))?;
        stream.parts.push(index);
        stream.row = HEAD_ROWS;
        stream.formats = ColFormats::default();
        self.sheets += 1;
        Ok(())
    }

    fn push_rows(&mut self, indicator_stream: bool, rows: Vec<Vec<V>>) -> Result<(), XlsxError> {
        for row in rows {
            let full = if indicator_stream { self.indicators.row } else { self.basic.row } > LAST_ROW;
            if full {
                self.new_part(indicator_stream)?;
            }
            let stream = if indicator_stream { &mut self.indicators } else { &mut self.basic };
            let (index, r) = (*stream.parts.last().unwrap_or(&0), stream.row);
            stream.row += 1;
            let ws = self.wb.worksheet_from_index(index)?;
            for (c, v) in row.into_iter().enumerate() {
                write_value(ws, r, c as u16, v, &self.fmts, &mut stream.formats)?;
            }
        }
        Ok(())
    }

    /// Streams the detail rows of some files' forms.
    pub fn add(&mut self, results: &[FileResult]) -> Result<(), SummaryError> {
        let path = self.path.display().to_string();
        let err = |cause| SummaryError::Xlsx { path: path.clone(), cause };
        for r in results {
            for e in &r.evaluations {
                self.push_rows(true, indicators::rows(e)).map_err(err)?;
            }
            for b in &r.basics {
                self.push_rows(false, basic::rows(b)).map_err(err)?;
            }
        }
        Ok(())
    }

    /// Writes the sorted sheets and the file log, and saves the workbook. Returns where each
    /// department stands, as 部门排名 shows it (for the feedback workbooks).
    pub fn finish(
        mut self,
        data: &Batch,
        report: &RunReport,
        config: &Settings,
    ) -> Result<placing::Placings, SummaryError> {
        let path = self.path.display().to_string();
        let err = |cause| SummaryError::Xlsx { path: path.clone(), cause };
        // links are relative to where the workbook ends up, not to the staging folder it is
        // written in (one level deeper: its links would climb one folder too many)
        let out_dir = match &self.final_dir {
            Some(d) => d.clone(),
            None => self.path.parent().unwrap_or(Path::new(".")).to_path_buf(),
        };
        let fmts = std::mem::replace(&mut self.fmts, Formats::new());
        // absolute once here, so that each of the many file links does not ask for the
        // working directory twice
        let out_dir = std::path::absolute(&out_dir).unwrap_or(out_dir);
        let input_root = std::path::absolute(&self.input_root).unwrap_or_else(|_| self.input_root.clone());
        let years = data.evaluations.iter().filter_map(|e| e.year).chain(data.basics.iter().filter_map(|b| b.year));
        let departments = data
            .evaluations
            .iter()
            .filter_map(|e| e.department.as_deref())
            .chain(data.basics.iter().map(|b| &*b.department));
        let title = Title {
            years: Title::years(config, years),
            region: Title::region(config, departments),
            ..self.title.clone()
        };
        let extras = std::mem::take(&mut self.extras);
        let ctx = Ctx {
            data,
            report,
            config,
            fmts: &fmts,
            input_root: &input_root,
            out_dir: &out_dir,
            title: &title,
            extras: &extras,
        };
        let ranks = ranks::Ranks::compute(data, config);
        let placings = placing::Placings::compute(&ctx, &ranks);
        overview::write(self.wb.worksheet_from_index(OVERVIEW).map_err(err)?, &ctx, &ranks).map_err(err)?;
        rankings::write_departments(self.wb.worksheet_from_index(DEPARTMENTS).map_err(err)?, &ctx, &ranks)
            .map_err(err)?;
        rankings::write_projects(self.wb.worksheet_from_index(PROJECTS).map_err(err)?, &ctx, &ranks).map_err(err)?;
        anomalies::write(self.wb.worksheet_from_index(ANOMALIES).map_err(err)?, &ctx).map_err(err)?;
        files::write(self.wb.worksheet_from_index(FILES).map_err(err)?, &ctx).map_err(err)?;
        guide::write(self.wb.worksheet_from_index(GUIDE).map_err(err)?, &ctx).map_err(err)?;
        systems::write(self.wb.worksheet_from_index(self.extra_at).map_err(err)?, &ctx, &ranks).map_err(err)?;
        roster::write(self.wb.worksheet_from_index(self.extra_at + 1).map_err(err)?, &ctx).map_err(err)?;
        anomalies::write_superseded(self.wb.worksheet_from_index(self.extra_at + 2).map_err(err)?, &ctx)
            .map_err(err)?;
        for stream in [&self.indicators, &self.basic] {
            let last = stream.parts.len() - 1;
            for (i, &index) in stream.parts.iter().enumerate() {
                let rows = if i == last { stream.row - HEAD_ROWS } else { MAX_DATA_ROWS };
                let ws = self.wb.worksheet_from_index(index).map_err(err)?;
                let layout = Layout { print_cols: stream.cols.len() as u16 - 3, freeze_cols: 0 };
                finish_table(ws, rows, stream.cols, layout).map_err(err)?;
            }
        }
        if let Some(path) = &self.circular {
            circular::write(path, &circular::build(&ctx, &ranks), &report.run_date)?;
        }
        self.wb.save(&self.path).map_err(err)?;
        Ok(placings)
    }
}

/// What every sheet writer gets.
pub struct Ctx<'a> {
    pub data: &'a Batch,
    pub report: &'a RunReport,
    pub config: &'a Settings,
    pub fmts: &'a Formats,
    pub input_root: &'a Path,
    pub out_dir: &'a Path,
    pub extras: &'a Extras,
    pub title: &'a Title,
}

/// The cell formats, made once.
pub struct Formats {
    pub header: Format,
    pub text: Format,
    pub wrap: Format,
    pub wan: Format,
    pub pct: Format,
    pub score: Format,
    /// A score that disagrees with its counterpart (填报 vs 核定): highlighted.
    pub score_marked: Format,
    /// An amount with its unit (`1,234.50万元`), where a column mixes units (疑点清单).
    pub wan_unit: Format,
    /// Points with their unit (`9.50分`).
    pub score_unit: Format,
    /// Years and row numbers: no separator.
    pub int: Format,
    /// Counts: `12,345`.
    pub count: Format,
    /// Conditional-format fills: an error, a doubtful value.
    pub cf_red: Format,
    pub cf_orange: Format,
    pub link: Format,
    pub title: Format,
    pub error: Format,
    pub warning: Format,
    pub info: Format,
}

impl Formats {
    /// The workbook's default cell format: what plain text is shown in.
    fn default_format() -> Format {
        Format::new().set_font_name("等线").set_font_size(11)
    }

    fn new() -> Formats {
        let font = "等线";
        // centred vertically: a wrapped name two lines high and the numbers beside it line up
        let base = Format::new().set_font_name(font).set_font_size(11).set_align(FormatAlign::VerticalCenter);
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
            score_marked: base.clone().set_num_format("0.00").set_background_color("FFE699"),
            wan_unit: base.clone().set_num_format("#,##0.00\"万元\""),
            score_unit: base.clone().set_num_format("0.00\"分\""),
            int: base.clone().set_num_format("0"),
            count: base.clone().set_num_format("#,##0"),
            cf_red: Format::new().set_background_color("FFC7CE").set_font_color("9C0006"),
            cf_orange: Format::new().set_background_color("FFEB9C").set_font_color("9C5700"),
            link: base.clone().set_font_color("0563C1").set_underline(rust_xlsxwriter::FormatUnderline::Single),
            title: base.clone().set_bold().set_font_size(14).set_align(FormatAlign::VerticalCenter),
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
    /// A score highlighted (see [`Formats::score_marked`]).
    ScoreMarked(Option<f64>),
    /// An amount shown with 万元.
    WanUnit(Option<f64>),
    /// Points shown with 分.
    ScoreUnit(Option<f64>),
    Int(Option<i64>),
    /// A count, with thousands separators.
    Count(Option<i64>),
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
    // Excel counts UTF-16 units: a character outside the BMP counts twice
    if s.encode_utf16().count() <= MAX_CELL {
        return s.to_string();
    }
    let marker = "…[已截断]";
    let mut room = MAX_CELL - marker.encode_utf16().count();
    let kept: String = s
        .chars()
        .take_while(|c| {
            let n = c.len_utf16();
            let fits = n <= room;
            room = room.saturating_sub(n);
            fits
        })
        .collect();
    format!("{kept}{marker}")
}

/// Columns at least this wide hold long text (names, reasons, messages): they wrap.
const WRAP_WIDTH: f64 = 12.0;

/// Writes a sheet's title row (row 0): what every printed page starts with.
pub fn title_row(ws: &mut Worksheet, f: &Formats, text: &str) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, text, &f.title)?;
    ws.set_row_height(0, 24)?;
    Ok(())
}

/// The page set-up of every sheet: A4 landscape, narrow side margins, fit to the page
/// width, the footer `第1页 共3页`.
pub fn page_setup(ws: &mut Worksheet, printed_widths: &[f64]) {
    ws.set_landscape();
    ws.set_paper_size(9); // A4
    ws.set_margins(SIDE_MARGIN_IN, SIDE_MARGIN_IN, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_scale(print_scale(printed_widths));
    ws.set_footer("&C第&P页 共&N页");
}

/// Side margins of a printed sheet, in inches.
const SIDE_MARGIN_IN: f64 = 0.25;
/// The workbook's body text, in points ([`Formats`]): printed text must stay at 9 pt or
/// more, so no sheet prints below [`MIN_SCALE`].
const BODY_PT: f64 = 11.0;
const MIN_SCALE: u16 = (9.0 / BODY_PT * 100.0 + 0.999) as u16;

/// The print scale (%) at which columns of these widths (characters of the workbook's
/// default font, 8 pixels each plus 5 of padding in Excel; 9 are allowed, as LibreOffice
/// measures them wider when 等线 is not installed) fit an A4 landscape page between the
/// side margins: 100 when they fit as they are, never below [`MIN_SCALE`] (text at 9 pt;
/// wider columns then continue on a second page rather than shrink out of reading). Not
/// Excel's "fit to one page wide", which shrank a wide sheet to 6 pt.
pub fn print_scale(widths: &[f64]) -> u16 {
    let needed: f64 = widths.iter().map(|w| w * 9.0 + 5.0).sum::<f64>().max(1.0);
    let room = (11.69 - 2.0 * SIDE_MARGIN_IN) * 96.0;
    ((room / needed * 100.0).floor() as u16).clamp(MIN_SCALE, 100)
}

/// Lines a text takes in a wrapping column `width` characters wide (a CJK character takes
/// two), at most 8: the row height that shows it whole, since LibreOffice does not grow
/// rows when it opens a file.
fn lines_in(text: &str, width: f64) -> u32 {
    let units: f64 = text.lines().map(|l| l.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>()).sum();
    let breaks = text.lines().count().max(1) as f64;
    let per_line = (width - 1.0).max(1.0);
    ((units / per_line).ceil().max(breaks) as u32).clamp(1, 8)
}

/// The height of one line of body text, in points.
const LINE_PT: f64 = 15.0;

/// Names a sheet and writes its title row and bold header row, with column widths; long
/// text columns wrap.
pub fn header(ws: &mut Worksheet, name: &str, f: &Formats, cols: &[Col], title: &str) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    title_row(ws, f, title)?;
    for (c, col) in cols.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, col.0, &f.header)?;
        ws.set_column_width(c as u16, col.1)?;
        if col.1 >= WRAP_WIDTH {
            ws.set_column_format(c as u16, &f.wrap)?;
        }
    }
    ws.set_row_height(1, 44)?;
    Ok(())
}

/// Freezes the title, header and `layout.freeze_cols` columns, adds the autofilter over
/// `rows` data rows, sets up printing: the leading `layout.print_cols` columns (not the
/// file, sheet and row columns), title and header rows repeated on every page.
pub fn finish_table(ws: &mut Worksheet, rows: u32, cols: &[Col], layout: Layout) -> Result<(), XlsxError> {
    ws.set_freeze_panes(HEAD_ROWS, layout.freeze_cols)?;
    let last_col = cols.len().saturating_sub(1) as u16;
    ws.autofilter(HEAD_ROWS - 1, 0, HEAD_ROWS - 1 + rows.max(1), last_col)?;
    let print_last = layout.print_cols.clamp(1, last_col + 1) - 1;
    let printed: Vec<f64> = cols.iter().take(usize::from(print_last) + 1).map(|c| c.1).collect();
    page_setup(ws, &printed);
    ws.set_print_area(0, 0, HEAD_ROWS - 1 + rows.max(1), print_last)?;
    ws.set_repeat_rows(0, HEAD_ROWS - 1)?;
    Ok(())
}

/// The text itself when it fits in a cell (no copy: this runs for every text cell),
/// else [`clip`]ped.
fn fit(s: String) -> String {
    if s.len() <= MAX_CELL { s } else { clip(&s) }
}

/// Writes a title row, a header row and data rows as a filtered, frozen, printable table.
/// Returns the number of data rows.
pub fn table(
    ws: &mut Worksheet,
    ctx: &Ctx,
    name: &str,
    cols: &[Col],
    layout: Layout,
    rows: impl Iterator<Item = Vec<V>>,
) -> Result<u32, XlsxError> {
    let f = ctx.fmts;
    header(ws, name, f, cols, &ctx.title.text(name))?;
    let mut r = HEAD_ROWS;
    let mut rows = rows;
    let mut formats = ColFormats::default();
    for row in rows.by_ref() {
        if r == LAST_ROW {
            // Excel's last row: say where the rest is instead of failing the whole workbook
            let rest = 1 + rows.count();
            ws.write_string(r, 0, format!("（另有{rest}行超出Excel行数上限，见 dataset/*.parquet）"))?;
            r += 1;
            break;
        }
        let lines = row
            .iter()
            .zip(cols)
            .filter(|(_, col)| col.1 >= WRAP_WIDTH)
            .map(|(v, col)| match v {
                V::Text(t) | V::Styled(t, _) => lines_in(t, col.1),
                _ => 1,
            })
            .max()
            .unwrap_or(1);
        if lines > 1 {
            ws.set_row_height(r, LINE_PT * f64::from(lines))?;
        }
        for (c, v) in row.into_iter().enumerate() {
            write_value(ws, r, c as u16, v, f, &mut formats)?;
        }
        r += 1;
    }
    finish_table(ws, r - HEAD_ROWS, cols, layout)?;
    Ok(r - HEAD_ROWS)
}

/// The number formats of a table.
#[derive(Clone, Copy, PartialEq)]
enum NumFmt {
    Wan,
    Pct,
    Score,
    Int,
    Count,
    WanUnit,
    ScoreUnit,
}

impl NumFmt {
    fn format(self, f: &Formats) -> &Format {
        match self {
            NumFmt::Wan => &f.wan,
            NumFmt::Pct => &f.pct,
            NumFmt::Score => &f.score,
            NumFmt::Int => &f.int,
            NumFmt::Count => &f.count,
            NumFmt::WanUnit => &f.wan_unit,
            NumFmt::ScoreUnit => &f.score_unit,
        }
    }
}

/// The number format of each column of a sheet, set on the column the first time a number
/// is written to it. Later numbers in that format are written without one and take the
/// column's: rust_xlsxwriter hashes a cell's `Format` on every write, which was two
/// thirds of the time spent writing numbers. A number in another format (a 控制率 among
/// amounts) is written with its own.
#[derive(Default)]
struct ColFormats(Vec<Option<NumFmt>>);

fn write_number(
    ws: &mut Worksheet,
    (r, c): (u32, u16),
    x: f64,
    kind: NumFmt,
    f: &Formats,
    cols: &mut ColFormats,
) -> Result<(), XlsxError> {
    let i = c as usize;
    if cols.0.len() <= i {
        cols.0.resize(i + 1, None);
    }
    match cols.0[i] {
        Some(k) if k == kind => {}
        Some(_) => {
            ws.write_number_with_format(r, c, x, kind.format(f))?;
            return Ok(());
        }
        None => {
            ws.set_column_format(c, kind.format(f))?;
            cols.0[i] = Some(kind);
        }
    }
    ws.write_number(r, c, x)?;
    Ok(())
}

fn write_value(ws: &mut Worksheet, r: u32, c: u16, v: V, f: &Formats, cols: &mut ColFormats) -> Result<(), XlsxError> {
    match v {
        V::Text(s) => {
            // plain text takes the workbook's default format (等线 11): writing it without
            // a format skips a format lookup per cell, a large share of writing time
            if !s.is_empty() {
                ws.write_string(r, c, fit(s))?;
            }
        }
        V::Styled(s, pick) => {
            ws.write_string_with_format(r, c, fit(s), pick(f))?;
        }
        V::Wan(Some(x)) => write_number(ws, (r, c), x, NumFmt::Wan, f, cols)?,
        V::Pct(Some(x)) => write_number(ws, (r, c), x, NumFmt::Pct, f, cols)?,
        V::Score(Some(x)) => write_number(ws, (r, c), x, NumFmt::Score, f, cols)?,
        V::Int(Some(x)) => write_number(ws, (r, c), x as f64, NumFmt::Int, f, cols)?,
        V::Count(Some(x)) => write_number(ws, (r, c), x as f64, NumFmt::Count, f, cols)?,
        V::WanUnit(Some(x)) => write_number(ws, (r, c), x, NumFmt::WanUnit, f, cols)?,
        V::ScoreUnit(Some(x)) => write_number(ws, (r, c), x, NumFmt::ScoreUnit, f, cols)?,
        V::ScoreMarked(Some(x)) => {
            ws.write_number_with_format(r, c, x, &f.score_marked)?;
        }
        V::Link(url, text) => {
            // no input text may fail the summary: a link Excel cannot hold (a long path or
            // sheet name past its 2,079 characters) is written as the plain file name
            let written = url.encode_utf16().count() <= MAX_URL_CHARS
                && match ws.write_url_with_text(r, c, Url::new(url).set_text(clip(&text)), clip(&text)) {
                    Ok(_) => true,
                    Err(XlsxError::MaxUrlLengthExceeded) => false,
                    Err(e) => return Err(e),
                };
            if written {
                ws.set_cell_format(r, c, &f.link)?;
            } else {
                ws.write_string(r, c, clip(&text))?;
            }
        }
        V::Wan(None)
        | V::Pct(None)
        | V::Score(None)
        | V::ScoreMarked(None)
        | V::WanUnit(None)
        | V::ScoreUnit(None)
        | V::Int(None)
        | V::Count(None) => {}
    }
    Ok(())
}

/// The longest link Excel keeps (and rust_xlsxwriter writes): 2,080 characters, less
/// a margin for the `file:///` form it adds to relative links.
pub const MAX_URL_CHARS: usize = 2_000;

/// A link from the summary to a source file (and a cell in it), relative to OUT_DIR so it
/// keeps working when the input and output folders are moved together. Past
/// [`MAX_LINKS`] rows of a sheet (`row`), plain text.
pub fn file_link(ctx: &Ctx, row: usize, rel: &str, sheet: &str, cell: &str) -> V {
    if row >= MAX_LINKS {
        return V::Text(rel.to_string());
    }
    let abs = ctx.input_root.join(rel);
    let target = relative_path(ctx.out_dir, &abs).unwrap_or(abs);
    // `#` would start the in-file location and `%` an escape: encode both in the path
    let path = target.display().to_string().replace('\\', "/").replace('%', "%25").replace('#', "%23");
    let mut url = format!("file:///{path}");
    // a cell of a workbook (`K101`), never of a Word report: Word opens no `#sheet!cell`
    let is_word = rel.rsplit('.').next().is_some_and(|e| e.eq_ignore_ascii_case("docx"));
    if !sheet.is_empty() && !cell.is_empty() && cell.is_ascii() && !is_word {
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
pub fn severity_zh(s: jixiao_rules::Severity) -> &'static str {
    match s {
        jixiao_rules::Severity::Error => "错误",
        jixiao_rules::Severity::Warning => "警告",
        jixiao_rules::Severity::Info => "提示",
    }
}
