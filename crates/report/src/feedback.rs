//! `--feedback`: one workbook per department, `OUT_DIR/反馈/<系统>/<部门>.xlsx`, that the
//! office sends as it is (整改通知) and the department sends back with its answers
//! (`--replies`, see [`replies`]).
//!
//! Sheet 整改通知, printed A4 portrait at a scale that keeps the 10 pt body text at 9 pt or
//! more (the scale is computed from the column widths, never "fit to page"):
//! - the issuing block from `[feedback]` (发文单位, 联系人, 联系电话, 反馈期限), the
//!   department, its 系统, year and the run date, and what was found;
//! - the department's standing as 部门排名 prints it: 填报/核定总分, grade, rank among all
//!   departments and within its 系统 (see [`crate::summary::placing`]);
//! - every finding of its forms, 错误 → 警告 → 提示, with what to correct (the finding's
//!   message and its rule's advice, [`jixiao_rules::advice`]), where (位置), its values as
//!   numbers in their unit's format in 填报值 / 核定值 / 标准 (a threshold or bound is a
//!   标准, never a 核定值), and an empty 整改情况说明 column — the only unlocked cells of
//!   the sheet — for the department's answer. Right of the print area the identification
//!   columns (规则编号, 文件, 工作表, 单元格, 表编号) let [`replies`] match a returned row to
//!   its finding whatever was re-sorted or inserted; the header row repeats on every page.
//!
//! Sheet 报送的自评表: the department's forms with stated (填报) and calculated (核定)
//! figures, and its files that were not read, with why.
//!
//! Written into the run's staging folder (swapped in with the rest), departments in
//! parallel. With the cache in use a department's workbook is copied from the previous
//! run when its content — everything written, run date and issuing block included —
//! hashes the same (`cache/feedback.tsv` keeps one hash per workbook).

pub mod replies;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use rayon::prelude::*;
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, ProtectionOptions, Workbook, Worksheet, XlsxError};
use sha2::{Digest, Sha256};

use crate::batch::Batch;
use crate::settings::{FeedbackSettings, RankBy, Settings};
use crate::summary::placing::{Placing, Placings};
use crate::systems::Systems;
use jixiao_forms::model::{EvalSummary, FormKind};
use jixiao_rules::Severity;
use jixiao_rules::Unit;
use jixiao_rules::{Anomaly, FileRecord, FileStatus};
use jixiao_text::normalize::norm;

pub const FOLDER: &str = "反馈";
pub const INDEX: &str = "feedback.tsv";

/// The sheets, in order.
pub const NOTICE_SHEET: &str = "整改通知";
pub const FORMS_SHEET: &str = "报送的自评表";

/// Header labels [`replies`] reads a returned workbook by: keep them stable.
pub const REPLY: &str = "整改情况说明";
pub const RULE_ID: &str = "规则编号";
pub const FORM: &str = "表（项目）";
pub const FILE: &str = "文件";
pub const SHEET: &str = "工作表";
pub const CELL: &str = "单元格";
pub const EVAL_ID: &str = "表编号";
/// The label of the department's name in the block above the findings.
pub const RECIPIENT: &str = "受文单位";
/// What an empty `[feedback]` value prints as.
pub const UNSET: &str = "（未设置）";

/// The findings table: header and width (in Excel's character units). The first
/// [`FINDING_PRINTED`] are printed; the identification columns after them are for the
/// reply reader and the screen.
pub const FINDING_COLS: [(&str, f64); 15] = [
    ("序号", 3.5),
    ("级别", 4.5),
    ("问题", 8.5),
    (FORM, 9.0),
    ("位置", 9.0),
    ("填报值", 9.5),
    ("核定值", 9.5),
    ("标准", 9.0),
    ("问题说明及整改要求", 20.0),
    (REPLY, 16.0),
    (RULE_ID, 24.0),
    (FILE, 32.0),
    (SHEET, 14.0),
    (CELL, 8.0),
    (EVAL_ID, 36.0),
];
pub const FINDING_PRINTED: usize = 10;

/// The forms table of sheet 报送的自评表, all printed.
pub const FORM_COLS: [(&str, f64); 11] = [
    ("序号", 3.5),
    ("类别", 7.0),
    ("名称", 15.5),
    ("年度", 5.5),
    ("全年预算数(万元)", 10.0),
    ("全年执行数(万元)", 10.0),
    ("填报执行率", 8.0),
    ("核定执行率", 8.0),
    ("填报总分", 7.0),
    ("核定总分", 7.0),
    ("位置", 13.0),
];

/// The body text's size (pt); the print scale keeps it at [`MIN_PRINTED_PT`] or more.
pub const BODY_PT: f64 = 10.0;
pub const MIN_PRINTED_PT: f64 = 9.0;
/// A4 portrait (inches) and the side margins of both sheets.
const PAPER_WIDTH_IN: f64 = 8.27;
const SIDE_MARGIN_IN: f64 = 0.25;
/// Pixels per unit of column width. Excel counts 7 (Calibri 11's digit); LibreOffice
/// measures the digit of its own Calibri (Carlito) unrounded, 7.4: the scale is computed
/// for the wider, so the printed columns fit the page in both.
const PX_PER_UNIT: f64 = 7.5;
/// A text line's height per point of font size (CJK fonts' line spacing, with room).
const LINE: f64 = 1.45;

#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("cannot write feedback workbook {path}: {cause}")]
    Xlsx { path: String, cause: XlsxError },
    #[error("cannot write {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
}

pub struct FeedbackJob<'a> {
    pub batch: &'a Batch,
    pub config: &'a Settings,
    pub systems: &'a Systems,
    /// Where each department stands, as the summary's 部门排名 shows it.
    pub placings: &'a Placings,
    pub run_date: NaiveDate,
    /// The staging folder (OUT_DIR to be).
    pub staging: &'a Path,
    /// The previous OUT_DIR, whose workbooks may be reused (none: rebuild all).
    pub previous: Option<&'a Path>,
}

#[derive(Debug, Default, Clone, Copy)]
pub struct Written {
    pub departments: usize,
    pub rebuilt: usize,
}

/// A value of a finding or a form, as it is written: a number in its unit's format, or
/// text where the form writes text (`≥90%`, `20234..25`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Val {
    #[default]
    Empty,
    Text(String),
    /// A fraction shown as a percentage (`0.00%`).
    Rate(f64),
    /// An amount in 万元 (`#,##0.00`).
    Wan(f64),
    /// Points (`0.00`).
    Score(f64),
}

/// One finding as the department reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub severity: Severity,
    pub rule: &'static str,
    /// The rule's Chinese name.
    pub name: &'static str,
    /// 表（项目）: the project, 部门整体, 基础数据表 or 整个文件 (see [`form_label`]).
    pub form: String,
    pub path: String,
    pub sheet: String,
    pub cell: String,
    pub eval_id: String,
    pub stated: Val,
    pub checked: Val,
    pub standard: Val,
    /// The finding's message and what to correct (its rule's advice).
    pub explain: String,
}

/// One form B or C of the department.
#[derive(Debug, Clone, PartialEq)]
pub struct FormRow {
    pub kind: &'static str,
    pub name: String,
    pub year: Option<i32>,
    pub budget: Option<f64>,
    pub executed: Option<f64>,
    pub rate_stated: Option<f64>,
    pub rate_checked: Option<f64>,
    pub stated: Option<f64>,
    pub checked: f64,
    pub path: String,
    pub sheet: String,
}

/// A file of the department that was not read.
#[derive(Debug, Clone, PartialEq)]
pub struct Unread {
    pub path: String,
    pub status: &'static str,
    pub reason: String,
}

/// One department's content: hashed, then written.
#[derive(Debug, Default)]
pub struct Sheet {
    pub department: String,
    pub system: String,
    pub years: Vec<i32>,
    pub placings: Vec<Placing>,
    pub forms: Vec<FormRow>,
    pub findings: Vec<Finding>,
    pub unread: Vec<Unread>,
}

/// 表（项目） of a finding: its project, else what kind of form it is on. The writer and
/// the reply reader both name a finding's form with it.
pub fn form_label(a: &Anomaly, basic_ids: &HashSet<&str>) -> String {
    match a.eval_id.as_deref() {
        _ if !a.project.trim().is_empty() => a.project.trim().to_string(),
        None => "整个文件".into(),
        Some(id) if basic_ids.contains(id) => "基础数据表".into(),
        Some(_) => "部门整体".into(),
    }
}

/// The ids of the run's form A (基础数据表).
pub fn basic_ids(batch: &Batch) -> HashSet<&str> {
    batch.basics.iter().map(|b| &*b.form_id).collect()
}

/// Where a rule's two values go: the value it compares with (`expected`) and the one it
/// found (`actual`), each in 填报值, 核定值 or 标准.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Stated,
    Checked,
    Standard,
}

/// A bound, a threshold or a target is a 标准; a figure jixiao calculated is a 核定值;
/// what the form states is a 填报值.
fn slots(rule: &str) -> (Slot, Slot) {
    use Slot::*;
    match rule {
        // the 分值 a score must keep, the budget, the target, the date bound
        "SCORE_OVER_WEIGHT"
        | "DEDUCTION_NO_REASON"
        | "TARGET_MISSED_FULL_SCORE"
        | "TARGET_MET_DEDUCTED"
        | "OVER_EXECUTION"
        | "FILED_DATE" => (Standard, Stated),
        // the stated weight against the weights added up; the threshold against the rate
        // (calculated, else the stated one)
        "WEIGHT_SUM" | "SECTION_WEIGHT" | "HIGH_SCORE_LOW_EXECUTION" => (Standard, Checked),
        _ => (Checked, Stated),
    }
}

/// A finding's value: its text where it is text, else the number in the rule's unit.
fn val(text: &Option<String>, number: Option<f64>, unit: Unit) -> Val {
    if let Some(t) = text {
        return Val::Text(t.clone());
    }
    match (unit, number) {
        (Unit::Rate, Some(x)) => Val::Rate(x),
        (Unit::Wan, Some(x)) => Val::Wan(x),
        (Unit::Score, Some(x)) => Val::Score(x),
        _ => Val::Empty,
    }
}

fn finding(a: &Anomaly, basic_ids: &HashSet<&str>, config: &Settings) -> Finding {
    let rule = jixiao_rules::rule(a.rule);
    let unit = rule.map_or(Unit::Nothing, |r| r.shows.unit);
    let number = |x: Option<f64>| if unit == Unit::Text { None } else { x };
    let (to_expected, to_actual) = slots(a.rule);
    let mut slots_vals = [Val::Empty, Val::Empty, Val::Empty];
    let index = |s: Slot| match s {
        Slot::Stated => 0,
        Slot::Checked => 1,
        Slot::Standard => 2,
    };
    slots_vals[index(to_expected)] = val(&a.expected_text, number(a.expected), unit);
    slots_vals[index(to_actual)] = val(&a.actual_text, number(a.actual), unit);
    let [stated, checked, standard] = slots_vals;
    let message = a.message.trim().trim_end_matches('。');
    let advice = jixiao_rules::advice::advice(a.rule, &config.checks).unwrap_or_default();
    Finding {
        severity: a.severity,
        rule: a.rule,
        name: rule.map_or(a.rule, |r| r.name),
        form: form_label(a, basic_ids),
        path: a.path.clone(),
        sheet: a.sheet.clone(),
        cell: a.cell.clone(),
        eval_id: a.eval_id.clone().unwrap_or_default(),
        stated,
        checked,
        standard,
        explain: format!("{message}。{advice}"),
    }
}

fn form_row(e: &EvalSummary) -> FormRow {
    FormRow {
        kind: if e.form == FormKind::Department { "部门整体" } else { "项目" },
        name: e.project.as_deref().or(e.department.as_deref()).unwrap_or_default().trim().to_string(),
        year: e.year,
        budget: e.budget_full,
        executed: e.executed,
        rate_stated: e.exec_rate_stated,
        rate_checked: e.exec_rate_calc,
        stated: e.score_total,
        checked: e.score_calc,
        path: e.path().to_string(),
        sheet: e.sheet().to_string(),
    }
}

/// The findings a department is sent: those of the versions that count, of departments
/// with a form that counts, by the department's name without whitespace. The reply reader
/// matches returned rows against the same set.
pub fn findings_by_department(batch: &Batch) -> HashMap<String, Vec<&Anomaly>> {
    let departments: HashSet<String> =
        batch.counted().filter_map(|e| e.department.as_deref()).filter(|d| !d.trim().is_empty()).map(norm).collect();
    let superseded = batch.superseded_ids();
    let mut out: HashMap<String, Vec<&Anomaly>> = HashMap::new();
    for a in &batch.anomalies {
        if a.eval_id.as_deref().is_some_and(|id| superseded.contains(id)) {
            continue;
        }
        let k = norm(&a.department);
        if departments.contains(&k) {
            out.entry(k).or_default().push(a);
        }
    }
    out
}

/// Every department's sheet: departments with a form that counts, their standing, their
/// findings (of the versions that count) and their files not read (by the folder or file
/// named after them).
pub fn sheets(batch: &Batch, systems: &Systems, placings: &Placings, config: &Settings) -> Vec<Sheet> {
    let mut by: BTreeMap<String, Sheet> = BTreeMap::new();
    let mut forms: BTreeMap<String, Vec<&EvalSummary>> = BTreeMap::new();
    for e in batch.counted() {
        let Some(d) = e.department.as_deref().filter(|d| !d.trim().is_empty()) else { continue };
        let k = norm(d);
        let s = by.entry(k.clone()).or_default();
        if s.department.is_empty() {
            s.department = d.trim().to_string();
            s.system = systems.of(e.path(), Some(d));
            s.placings = placings.of(d).to_vec();
        }
        if let Some(y) = e.year
            && !s.years.contains(&y)
        {
            s.years.push(y);
        }
        forms.entry(k).or_default().push(e);
    }
    for s in by.values_mut() {
        s.years.sort_unstable();
    }
    for (k, mut list) in forms {
        // the department form first, then its projects by name
        list.sort_by(|a, b| {
            (a.form != FormKind::Department, a.title()).cmp(&(b.form != FormKind::Department, b.title()))
        });
        if let Some(s) = by.get_mut(&k) {
            s.forms = list.into_iter().map(form_row).collect();
        }
    }
    let basics = basic_ids(batch);
    for (k, list) in findings_by_department(batch) {
        let Some(s) = by.get_mut(&k) else { continue };
        let mut list: Vec<Finding> = list.into_iter().map(|a| finding(a, &basics, config)).collect();
        list.sort_by(|a, b| {
            (a.severity, &a.path, &a.sheet, &a.form, cell_order(&a.cell), a.rule).cmp(&(
                b.severity,
                &b.path,
                &b.sheet,
                &b.form,
                cell_order(&b.cell),
                b.rule,
            ))
        });
        s.findings = list;
    }
    let keys: Vec<String> = by.keys().cloned().collect();
    let unread = batch
        .files
        .iter()
        .filter(|f| matches!(f.status, FileStatus::Failed | FileStatus::Skipped | FileStatus::NoForm));
    for f in unread {
        if let Some(k) = owner(f, &keys) {
            let reason = batch
                .anomalies
                .iter()
                .find(|a| a.path == f.path && a.eval_id.is_none())
                .map(|a| a.message.clone())
                .or_else(|| f.error.clone())
                .unwrap_or_default();
            if let Some(s) = by.get_mut(&k) {
                s.unread.push(Unread { path: f.path.clone(), status: crate::summary::status_zh(f.status), reason });
            }
        }
    }
    by.into_values().collect()
}

/// A cell address in reading order (`A9` before `A10`); text that is no address (a Word
/// table's `第5行第7列`) sorts as it is, after them.
fn cell_order(cell: &str) -> (u32, u32, &str) {
    let letters = cell.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let (col, row) = cell.split_at(letters);
    match row.parse::<u32>() {
        Ok(r) if letters > 0 => (r, col.bytes().fold(0u32, |n, b| n.saturating_mul(26) + u32::from(b - b'A' + 1)), ""),
        _ => (u32::MAX, u32::MAX, cell),
    }
}

/// The department a file not read belongs to: one named by a folder of its path or
/// contained in its file name.
fn owner(f: &FileRecord, keys: &[String]) -> Option<String> {
    let parts: Vec<String> = f.path.split('/').map(norm).collect();
    let (folders, name) = parts.split_at(parts.len().saturating_sub(1));
    folders.iter().rev().find(|p| keys.contains(p)).cloned().or_else(|| {
        name.first().and_then(|n| keys.iter().filter(|k| n.contains(k.as_str())).max_by_key(|k| k.len()).cloned())
    })
}

/// A name usable as a file or folder name on Windows and Unix.
pub fn safe_name(s: &str) -> String {
    let t: String =
        s.trim()
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let t = t.trim_matches(|c| c == '.' || c == ' ').to_string();
    if t.is_empty() { "未命名".into() } else { t.chars().take(80).collect() }
}

/// The workbook's path under OUT_DIR (`反馈/<系统>/<部门>.xlsx`).
pub fn rel_path(s: &Sheet) -> PathBuf {
    Path::new(FOLDER).join(safe_name(&s.system)).join(format!("{}.xlsx", safe_name(&s.department)))
}

fn digest(s: &Sheet, job: &FeedbackJob) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION"));
    h.update(job.run_date.to_string());
    h.update(format!("{:?}", job.config.feedback));
    h.update(format!("{s:?}"));
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes every department's workbook into the staging folder, in parallel (on the
/// caller's rayon pool), reusing the previous run's where nothing changed.
pub fn write_all(job: &FeedbackJob) -> Result<Written, FeedbackError> {
    let sheets = sheets(job.batch, job.systems, job.placings, job.config);
    let old_index: HashMap<String, String> = job
        .previous
        .and_then(|p| std::fs::read_to_string(p.join("cache").join(INDEX)).ok())
        .map(|t| t.lines().filter_map(|l| l.split_once('\t')).map(|(a, b)| (a.to_string(), b.to_string())).collect())
        .unwrap_or_default();
    // two departments whose names make the same file name: the second gets a number
    let mut seen: HashMap<PathBuf, usize> = HashMap::new();
    let plans: Vec<(PathBuf, &Sheet)> = sheets
        .iter()
        .map(|s| {
            let mut rel = rel_path(s);
            let n = seen.entry(rel.clone()).or_insert(0);
            *n += 1;
            if *n > 1 {
                rel.set_file_name(format!("{}（{}）.xlsx", safe_name(&s.department), n));
            }
            (rel, s)
        })
        .collect();
    let results: Vec<Result<(String, String, bool), FeedbackError>> = plans
        .par_iter()
        .map(|(rel, s)| {
            let key = rel.to_string_lossy().replace('\\', "/");
            let hash = digest(s, job);
            let dest = job.staging.join(rel);
            let io = |cause| FeedbackError::Io { path: dest.display().to_string(), cause };
            if let Some(dir) = dest.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            if let Some(prev) = job.previous
                && old_index.get(&key) == Some(&hash)
            {
                let old = prev.join(rel);
                if std::fs::hard_link(&old, &dest).is_ok() || std::fs::copy(&old, &dest).is_ok() {
                    return Ok((key, hash, false));
                }
            }
            write_one(&dest, s, job)
                .map_err(|cause| FeedbackError::Xlsx { path: dest.display().to_string(), cause })?;
            Ok((key, hash, true))
        })
        .collect();
    let mut index = String::new();
    let mut w = Written::default();
    for r in results {
        let (key, hash, rebuilt) = r?;
        index.push_str(&format!("{key}\t{hash}\n"));
        w.departments += 1;
        w.rebuilt += usize::from(rebuilt);
    }
    let cache = job.staging.join("cache");
    let path = cache.join(INDEX);
    std::fs::create_dir_all(&cache)
        .and_then(|_| std::fs::write(&path, index))
        .map_err(|cause| FeedbackError::Io { path: path.display().to_string(), cause })?;
    Ok(w)
}

/// The print scale (%) at which `widths` (the printed columns, in Excel's character units
/// of 7 pixels plus 5 of padding) fit the width of an A4 portrait page between the side
/// margins; 100 when they fit as they are.
pub fn print_scale(widths: &[f64]) -> u16 {
    let needed: f64 = widths.iter().map(|w| w * PX_PER_UNIT + 5.0).sum();
    let room = (PAPER_WIDTH_IN - 2.0 * SIDE_MARGIN_IN) * 96.0;
    ((room / needed * 100.0).floor() as u16).clamp(10, 100)
}

/// `2024年1月15日`.
fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// 反馈期限 as printed: `请于2024年1月15日前反馈…` for a date, the text as configured
/// otherwise, （未设置） when none.
pub fn deadline_line(fb: &FeedbackSettings) -> String {
    let how = "（在本表“整改情况说明”栏填写后发回）";
    match (fb.deadline.date(), fb.deadline.text().trim()) {
        (_, "") => UNSET.to_string(),
        (Some(d), _) => format!("请于{}前反馈{how}", chinese_date(d)),
        (None, text) => format!("{text}{how}"),
    }
}

/// The text's printed height in lines in a cell `px` pixels wide at `pt` points: CJK and
/// full-width characters one em wide, others about half.
fn lines(text: &str, px: f64, pt: f64) -> usize {
    let em = pt * 96.0 / 72.0;
    let room = (px - 8.0).max(em);
    text.split('\n')
        .map(|line| {
            let width: f64 = line.chars().map(|c| if c.is_ascii() { em * 0.55 } else { em }).sum();
            ((width / room).ceil() as usize).max(1)
        })
        .sum()
}

/// A row height (pt) for `n` lines at `pt` points. Heights are set, not left to the
/// application: LibreOffice keeps a wrapped cell's row one line high when opening.
fn height(n: usize, pt: f64) -> f64 {
    n as f64 * pt * LINE + 4.0
}

/// The cell formats of a feedback workbook.
struct Fmts {
    title: Format,
    label: Format,
    value: Format,
    section: Format,
    note: Format,
    head: Format,
    id_head: Format,
    text: Format,
    id: Format,
    center: Format,
    int: Format,
    error: Format,
    warning: Format,
    info: Format,
    rate: Format,
    wan: Format,
    score: Format,
    reply: Format,
}

impl Fmts {
    fn new() -> Fmts {
        let base = Format::new().set_font_name("等线").set_font_size(BODY_PT).set_align(FormatAlign::VerticalCenter);
        let cell = base.clone().set_border(FormatBorder::Thin).set_text_wrap().set_align(FormatAlign::Top);
        // a number too long for its column (a budget of 100,000,000万元) shrinks, never `####`
        let number = |code: &str| cell.clone().set_num_format(code).set_shrink();
        Fmts {
            title: base
                .clone()
                .set_bold()
                .set_font_size(14)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            label: base.clone().set_bold().set_align(FormatAlign::Top),
            value: base.clone().set_text_wrap().set_align(FormatAlign::Top),
            section: base.clone().set_bold().set_font_size(11),
            note: base.clone().set_text_wrap().set_align(FormatAlign::Top).set_font_color("404040"),
            head: base
                .clone()
                .set_bold()
                .set_background_color("DDEBF7")
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            id_head: base
                .clone()
                .set_bold()
                .set_background_color("EDEDED")
                .set_border(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            text: cell.clone(),
            id: cell.clone().set_font_color("595959"),
            center: cell.clone().set_align(FormatAlign::Center),
            int: number("0").set_align(FormatAlign::Center),
            error: cell.clone().set_font_color("C00000").set_bold().set_align(FormatAlign::Center),
            warning: cell.clone().set_font_color("C65911").set_align(FormatAlign::Center),
            info: cell.clone().set_font_color("595959").set_align(FormatAlign::Center),
            rate: number("0.00%"),
            wan: number("#,##0.00"),
            score: number("0.00"),
            reply: cell.clone().set_unlocked().set_background_color("FFF9E5"),
        }
    }
}

/// Writes a value: a number in its unit's format (rates `0.00%`, amounts in 万元
/// `#,##0.00`, points `0.00`), or text.
fn write_val(ws: &mut Worksheet, (r, c): (u32, u16), v: &Val, f: &Fmts) -> Result<(), XlsxError> {
    match v {
        Val::Empty => ws.write_blank(r, c, &f.text)?,
        Val::Text(t) => ws.write_string_with_format(r, c, crate::summary::clip(t), &f.text)?,
        Val::Rate(x) => ws.write_number_with_format(r, c, *x, &f.rate)?,
        Val::Wan(x) => ws.write_number_with_format(r, c, *x, &f.wan)?,
        Val::Score(x) => ws.write_number_with_format(r, c, *x, &f.score)?,
    };
    Ok(())
}

/// The lines a text value takes in a column `width` units wide.
fn val_lines(v: &Val, width: f64) -> usize {
    match v {
        Val::Text(t) => lines(t, width * 7.0 + 5.0, BODY_PT),
        _ => 1,
    }
}

fn opt(x: Option<f64>, make: fn(f64) -> Val) -> Val {
    x.map_or(Val::Empty, make)
}

/// Column widths in pixels, for row heights.
struct Widths(Vec<f64>);

impl Widths {
    fn of(cols: &[(&str, f64)]) -> Widths {
        Widths(cols.iter().map(|c| c.1).collect())
    }

    fn px(&self, first: u16, last: u16) -> f64 {
        self.0[first as usize..=last as usize].iter().map(|w| w * 7.0 + 5.0).sum()
    }
}

/// A text over merged columns `first..=last` of row `r`, the row as high as the text needs.
fn merged_text(
    ws: &mut Worksheet,
    r: u32,
    (first, last): (u16, u16),
    text: &str,
    format: &Format,
    widths: &Widths,
) -> Result<f64, XlsxError> {
    let text = crate::summary::clip(text);
    ws.merge_range(r, first, r, last, &text, format)?;
    Ok(height(lines(&text, widths.px(first, last), BODY_PT), BODY_PT))
}

/// The page set-up of both sheets: A4 portrait at the scale [`print_scale`] gives for the
/// printed columns, centred, `header` rows repeated on every page, page numbers below.
fn print_setup(ws: &mut Worksheet, printed: &[f64], last_row: u32, header: (u32, u32)) -> Result<(), XlsxError> {
    ws.set_portrait();
    ws.set_paper_size(9); // A4
    ws.set_margins(SIDE_MARGIN_IN, SIDE_MARGIN_IN, 0.5, 0.6, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_footer("&C第&P页 共&N页");
    ws.set_print_scale(print_scale(printed));
    ws.set_print_area(0, 0, last_row, printed.len() as u16 - 1)?;
    ws.set_repeat_rows(header.0, header.1)?;
    Ok(())
}

/// Locked except the 整改情况说明 cells; no password (审阅 → 撤销工作表保护). Columns and
/// rows may be resized, the table filtered and sorted.
fn protect(ws: &mut Worksheet) {
    let options = ProtectionOptions {
        format_columns: true,
        format_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    ws.protect_with_options(&options);
}

fn years_text(s: &Sheet) -> String {
    s.years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、")
}

fn write_one(dest: &Path, s: &Sheet, job: &FeedbackJob) -> Result<(), XlsxError> {
    let mut wb = Workbook::new();
    let f = Fmts::new();
    write_notice(wb.add_worksheet(), s, job, &f)?;
    write_forms(wb.add_worksheet(), s, &f)?;
    wb.save(dest)
}

/// Sheet 整改通知.
fn write_notice(ws: &mut Worksheet, s: &Sheet, job: &FeedbackJob, f: &Fmts) -> Result<(), XlsxError> {
    ws.set_name(NOTICE_SHEET)?;
    let widths = Widths::of(&FINDING_COLS);
    for (c, (_, w)) in FINDING_COLS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let last = (FINDING_PRINTED - 1) as u16;
    let years = years_text(s);
    let year = if years.is_empty() { String::new() } else { format!("{years}年度") };
    let title = format!("{}{year}绩效自评材料审核反馈（整改通知）", s.department);
    ws.merge_range(0, 0, 0, last, &crate::summary::clip(&title), &f.title)?;
    ws.set_row_height(0, height(lines(&title, widths.px(0, last), 14.0), 14.0))?;

    // the issuing block and the department: label over A:C, value over D:J
    let fb = &job.config.feedback;
    let or_unset = |x: &str| if x.trim().is_empty() { UNSET.to_string() } else { x.trim().to_string() };
    let errors = s.findings.iter().filter(|x| x.severity == Severity::Error).count();
    let warnings = s.findings.iter().filter(|x| x.severity == Severity::Warning).count();
    let result = format!(
        "共{}张自评表，发现问题{}条（错误{errors}条、警告{warnings}条、提示{}条），未能读取的文件{}个。",
        s.forms.len(),
        s.findings.len(),
        s.findings.len() - errors - warnings,
        s.unread.len()
    );
    let block = [
        ("发文单位", or_unset(&fb.office)),
        ("联系人", or_unset(&fb.contact)),
        ("联系电话", or_unset(&fb.phone)),
        ("反馈期限", deadline_line(fb)),
        (RECIPIENT, s.department.clone()),
        ("所属系统", s.system.clone()),
        ("评价年度", if years.is_empty() { "—".into() } else { years.clone() }),
        ("生成日期", chinese_date(job.run_date)),
        ("审核结果", result),
    ];
    let mut r = 2u32;
    for (label, value) in block {
        ws.merge_range(r, 0, r, 2, label, &f.label)?;
        let h = merged_text(ws, r, (3, last), &value, &f.value, &widths)?;
        ws.set_row_height(r, h)?;
        r += 1;
    }

    // where the department stands, as 部门排名 prints it
    r += 1;
    ws.merge_range(r, 0, r, last, "部门评价结果", &f.section)?;
    r += 1;
    ws.merge_range(r, 0, r, 2, "年度", &f.head)?;
    for (c, h) in [(3, "填报总分"), (4, "核定总分"), (5, "等级"), (6, "排名"), (7, "系统内排名")] {
        ws.write_string_with_format(r, c, h, &f.head)?;
    }
    ws.merge_range(r, 8, r, last, "说明", &f.head)?;
    ws.set_row_height(r, height(2, BODY_PT))?;
    r += 1;
    if s.placings.is_empty() {
        let text = "未报送部门整体支出绩效自评表，无部门总分、等级和排名。";
        let h = merged_text(ws, r, (0, last), text, &f.text, &widths)?;
        ws.set_row_height(r, h)?;
        r += 1;
    }
    for p in &s.placings {
        ws.merge_range(r, 0, r, 2, "", &f.int)?;
        match p.year {
            Some(y) => ws.write_number_with_format(r, 0, f64::from(y), &f.int)?,
            None => ws.write_string_with_format(r, 0, "—", &f.center)?,
        };
        write_val(ws, (r, 3), &opt(p.stated, Val::Score), f)?;
        write_val(ws, (r, 4), &Val::Score(p.checked), f)?;
        ws.write_string_with_format(r, 5, p.grade.unwrap_or("待核实"), &f.center)?;
        for (c, rank) in [(6, p.rank), (7, p.system_rank)] {
            match rank {
                Some(x) => ws.write_number_with_format(r, c, f64::from(x), &f.int)?,
                None => ws.write_string_with_format(r, c, "—", &f.center)?,
            };
        }
        let note = match p.rank {
            Some(rank) => {
                let basis = if p.by == RankBy::Stated { "填报总分" } else { "核定总分" };
                let within = p
                    .system_rank
                    .map(|sr| format!("；{}{}个部门中第{sr}名", p.system, p.system_ranked))
                    .unwrap_or_default();
                format!("按{basis}排名：全部{}个部门中第{rank}名{within}", p.ranked)
            }
            None => p.unranked.clone(),
        };
        let h = merged_text(ws, r, (8, last), &note, &f.text, &widths)?;
        ws.set_row_height(r, h)?;
        r += 1;
    }

    // how to answer
    r += 1;
    let how = format!(
        "填写说明：{}{}{}请在“{REPLY}”栏逐条填写整改情况（已更正的写明更正后的数值或内容；认为无需更正的写明理由），\
         保存后将本文件发回{}。表格右侧“{RULE_ID}”“{FILE}”“{SHEET}”“{CELL}”“{EVAL_ID}”各栏用于核对您的反馈，\
         请勿修改或删除；各行顺序可以调整。金额单位为万元。",
        format_args!("“错误”{}", jixiao_rules::advice::by_severity(Severity::Error)),
        format_args!("“警告”{}", jixiao_rules::advice::by_severity(Severity::Warning)),
        format_args!("“提示”{}", jixiao_rules::advice::by_severity(Severity::Info)),
        if fb.office.trim().is_empty() { "发文单位".to_string() } else { fb.office.trim().to_string() }
    );
    let h = merged_text(ws, r, (0, last), &how, &f.note, &widths)?;
    ws.set_row_height(r, h)?;
    r += 1;
    let heading = format!("需整改的问题（共{}条，按错误、警告、提示排列）", s.findings.len());
    ws.merge_range(r, 0, r, last, &heading, &f.section)?;
    r += 1;

    // the findings
    let header = r;
    for (c, (h, _)) in FINDING_COLS.iter().enumerate() {
        let format = if c < FINDING_PRINTED { &f.head } else { &f.id_head };
        ws.write_string_with_format(header, c as u16, *h, format)?;
    }
    ws.set_row_height(header, height(2, BODY_PT))?;
    r += 1;
    if s.findings.is_empty() {
        ws.merge_range(r, 0, r, last, "未发现需整改的问题。", &f.text)?;
        r += 1;
    }
    for (i, x) in s.findings.iter().enumerate() {
        ws.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
        let severity = match x.severity {
            Severity::Error => &f.error,
            Severity::Warning => &f.warning,
            Severity::Info => &f.info,
        };
        ws.write_string_with_format(r, 1, crate::summary::severity_zh(x.severity), severity)?;
        ws.write_string_with_format(r, 2, x.name, &f.text)?;
        ws.write_string_with_format(r, 3, crate::summary::clip(&x.form), &f.text)?;
        ws.write_string_with_format(r, 4, crate::summary::clip(&place(x)), &f.text)?;
        write_val(ws, (r, 5), &x.stated, f)?;
        write_val(ws, (r, 6), &x.checked, f)?;
        write_val(ws, (r, 7), &x.standard, f)?;
        ws.write_string_with_format(r, 8, crate::summary::clip(&x.explain), &f.text)?;
        ws.write_blank(r, 9, &f.reply)?;
        for (c, v) in [(10, x.rule), (11, &x.path), (12, &x.sheet), (13, &x.cell), (14, &x.eval_id)] {
            ws.write_string_with_format(r, c, crate::summary::clip(v), &f.id)?;
        }
        // as high as its longest text needs, and two lines at least: room to answer
        let w = |c: usize| FINDING_COLS[c].1 * 7.0 + 5.0;
        let n = [
            lines(x.name, w(2), BODY_PT),
            lines(&x.form, w(3), BODY_PT),
            lines(&place(x), w(4), BODY_PT),
            val_lines(&x.stated, FINDING_COLS[5].1),
            val_lines(&x.checked, FINDING_COLS[6].1),
            val_lines(&x.standard, FINDING_COLS[7].1),
            lines(&x.explain, w(8), BODY_PT),
            2,
        ];
        ws.set_row_height(r, height(n.into_iter().max().unwrap_or(2), BODY_PT))?;
        r += 1;
    }
    let last_row = r - 1;
    ws.set_freeze_panes(header + 1, 0)?;
    ws.autofilter(header, 0, last_row.max(header + 1), (FINDING_COLS.len() - 1) as u16)?;
    print_setup(ws, &widths.0[..FINDING_PRINTED], last_row, (header, header))?;
    protect(ws);
    Ok(())
}

/// 位置: the sheet (or Word table) and cell, then the file's name.
fn place(x: &Finding) -> String {
    let name = x.path.rsplit('/').next().unwrap_or(&x.path);
    let at = [x.sheet.as_str(), x.cell.as_str()].iter().filter(|t| !t.is_empty()).copied().collect::<Vec<_>>();
    if at.is_empty() { name.to_string() } else { format!("{}\n{name}", at.join(" ")) }
}

/// Sheet 报送的自评表: the forms, then the files not read.
fn write_forms(ws: &mut Worksheet, s: &Sheet, f: &Fmts) -> Result<(), XlsxError> {
    ws.set_name(FORMS_SHEET)?;
    let widths = Widths::of(&FORM_COLS);
    for (c, (_, w)) in FORM_COLS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let last = (FORM_COLS.len() - 1) as u16;
    let title = format!("{}报送的自评表（填报为表中所填，核定为按表中数据计算）", s.department);
    ws.merge_range(0, 0, 0, last, &crate::summary::clip(&title), &f.title)?;
    ws.set_row_height(0, height(lines(&title, widths.px(0, last), 14.0), 14.0))?;
    for (c, (h, _)) in FORM_COLS.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, *h, &f.head)?;
    }
    ws.set_row_height(1, height(2, BODY_PT))?;
    let mut r = 2u32;
    if s.forms.is_empty() {
        ws.merge_range(r, 0, r, last, "无", &f.text)?;
        r += 1;
    }
    for (i, e) in s.forms.iter().enumerate() {
        ws.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
        ws.write_string_with_format(r, 1, e.kind, &f.center)?;
        ws.write_string_with_format(r, 2, crate::summary::clip(&e.name), &f.text)?;
        match e.year {
            Some(y) => ws.write_number_with_format(r, 3, f64::from(y), &f.int)?,
            None => ws.write_blank(r, 3, &f.text)?,
        };
        write_val(ws, (r, 4), &opt(e.budget, Val::Wan), f)?;
        write_val(ws, (r, 5), &opt(e.executed, Val::Wan), f)?;
        write_val(ws, (r, 6), &opt(e.rate_stated, Val::Rate), f)?;
        write_val(ws, (r, 7), &opt(e.rate_checked, Val::Rate), f)?;
        write_val(ws, (r, 8), &opt(e.stated, Val::Score), f)?;
        write_val(ws, (r, 9), &Val::Score(e.checked), f)?;
        let name = e.path.rsplit('/').next().unwrap_or(&e.path);
        let at = format!("{}\n{name}", e.sheet);
        ws.write_string_with_format(r, 10, crate::summary::clip(&at), &f.text)?;
        let w = |c: usize| FORM_COLS[c].1 * 7.0 + 5.0;
        let n = lines(&e.name, w(2), BODY_PT).max(lines(&at, w(10), BODY_PT));
        ws.set_row_height(r, height(n, BODY_PT))?;
        r += 1;
    }
    // the files not read: 文件 over B:C, 状态 over D:E, 原因 over F:K
    r += 1;
    ws.merge_range(r, 0, r, last, "未能读取的文件", &f.section)?;
    r += 1;
    ws.write_string_with_format(r, 0, "序号", &f.head)?;
    ws.merge_range(r, 1, r, 2, "文件", &f.head)?;
    ws.merge_range(r, 3, r, 4, "状态", &f.head)?;
    ws.merge_range(r, 5, r, last, "原因", &f.head)?;
    r += 1;
    if s.unread.is_empty() {
        ws.merge_range(r, 0, r, last, "无", &f.text)?;
        r += 1;
    }
    for (i, u) in s.unread.iter().enumerate() {
        ws.write_number_with_format(r, 0, (i + 1) as f64, &f.int)?;
        let a = merged_text(ws, r, (1, 2), &u.path, &f.text, &widths)?;
        ws.merge_range(r, 3, r, 4, u.status, &f.center)?;
        let b = merged_text(ws, r, (5, last), &u.reason, &f.text, &widths)?;
        ws.set_row_height(r, a.max(b))?;
        r += 1;
    }
    ws.set_freeze_panes(2, 0)?;
    print_setup(ws, &widths.0, r - 1, (0, 1))?;
    protect(ws);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_text_stays_at_nine_points_or_more() {
        for widths in [&FINDING_COLS[..FINDING_PRINTED], &FORM_COLS[..]] {
            let w: Vec<f64> = widths.iter().map(|c| c.1).collect();
            let scale = print_scale(&w);
            assert!(f64::from(scale) / 100.0 * BODY_PT >= MIN_PRINTED_PT, "scale {scale}");
        }
        assert_eq!(print_scale(&[10.0]), 100, "what fits is not enlarged");
    }

    #[test]
    fn cells_sort_in_reading_order() {
        let mut cells = vec!["A10", "B9", "A9", "第5行第7列", ""];
        cells.sort_by_key(|c| cell_order(c));
        assert_eq!(cells, ["A9", "B9", "A10", "", "第5行第7列"]);
    }

    #[test]
    fn deadlines_as_printed() {
        let mut fb = FeedbackSettings::default();
        assert_eq!(deadline_line(&fb), UNSET);
        fb.deadline = crate::settings::Deadline::new("2024-01-15");
        assert!(deadline_line(&fb).starts_with("请于2024年1月15日前反馈"));
        fb.deadline = crate::settings::Deadline::new("收到通知后10个工作日内");
        assert!(deadline_line(&fb).starts_with("收到通知后10个工作日内（"));
    }
}
