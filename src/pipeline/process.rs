//! One file, start to end: read its bytes, tell what it is, read its sheets (or its
//! Word tables), find and extract its forms, run the form rules. Isolated: a panic or a
//! file that takes too long costs that file only, reported with its reason. A file the
//! tool does not read by design (`.doc`, `.pdf`, an image, a named pipe) is `skipped`,
//! with what to ask the department for.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::discover::Input;
use crate::pipeline::cache::Cache;
use jixiao_forms::model::{BasicForm, Evaluation, Field, FormKind};
use jixiao_reader::ReadError;
use jixiao_reader::inspect::{Container, NotRead};
use jixiao_reader::read::{Document, read_file};
use jixiao_rules::{FileRecord, FileResult, FileStatus};
use jixiao_text::names::parent_folder;

/// Processes one file; never panics and never fails: problems become the file's status.
pub fn process_file(input: &Input, config: &Config, run_date: NaiveDate) -> FileResult {
    process_cached(input, config, run_date, None)
}

/// [`process_file`], looking in `cache` first and filling it.
pub fn process_cached(input: &Input, config: &Config, run_date: NaiveDate, cache: Option<&Cache>) -> FileResult {
    isolated(input, config, || process_inner(input, config, run_date, cache))
}

/// Runs one file's work so that a panic in it (a reader or extractor bug) becomes that
/// file's `failed` row with the panic's message, and the run goes on.
pub fn isolated(input: &Input, config: &Config, work: impl FnOnce() -> FileResult) -> FileResult {
    let t = Instant::now();
    let mut result = match catch_unwind(AssertUnwindSafe(work)) {
        Ok(r) => r,
        Err(panic) => {
            let msg = jixiao_reader::read::panic_message(&*panic);
            failed(
                config,
                input,
                0,
                String::new(),
                format!("internal error while reading this file (panic: {msg})"),
                "读取时发生内部错误".into(),
            )
        }
    };
    result.file.millis = t.elapsed().as_millis() as u64;
    result
}

pub fn failed(
    config: &Config,
    input: &Input,
    bytes: i64,
    sha256: String,
    reason: String,
    chinese: String,
) -> FileResult {
    FileResult {
        file: FileRecord {
            path: input.rel.clone(),
            bytes,
            sha256,
            status: FileStatus::Failed,
            error: Some(reason),
            forms: 0,
            sheets: 0,
            millis: 0,
        },
        evaluations: Vec::new(),
        basics: Vec::new(),
        anomalies: jixiao_rules::file_anomaly(
            &config.settings.checks,
            "UNREADABLE_FILE",
            &input.rel,
            format!("无法读取：{chinese}"),
        )
        .into_iter()
        .collect(),
    }
}

/// A file listed but not read by design, with the reason (in Chinese: it is what the
/// office passes on to the department).
pub fn skipped(input: &Input, bytes: i64, sha256: String, reason: String) -> FileResult {
    FileResult {
        file: FileRecord {
            path: input.rel.clone(),
            bytes,
            sha256,
            status: FileStatus::Skipped,
            error: Some(reason),
            forms: 0,
            sheets: 0,
            millis: 0,
        },
        evaluations: Vec::new(),
        basics: Vec::new(),
        anomalies: Vec::new(),
    }
}

/// The file's extension, lower case, empty when it has none.
fn extension(input: &Input) -> String {
    input.path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default()
}

fn process_inner(input: &Input, config: &Config, run_date: NaiveDate, cache: Option<&Cache>) -> FileResult {
    // a named pipe, socket or device is never opened: reading one could block forever
    let meta = std::fs::metadata(&input.path);
    if let Ok(m) = &meta
        && !m.is_file()
    {
        return skipped(input, 0, String::new(), "不是普通文件（命名管道、设备等），未读取".into());
    }
    let size = meta.map(|m| m.len()).unwrap_or(0);
    let limit = config.limits.max_file_mb * 1024 * 1024;
    if size > limit {
        return failed(
            config,
            input,
            size as i64,
            String::new(),
            format!("file too large ({} MB, limit {} MB)", size / 1024 / 1024, config.limits.max_file_mb),
            format!("文件过大（{}兆字节，上限{}兆字节）", size / 1024 / 1024, config.limits.max_file_mb),
        );
    }
    let bytes = match std::fs::read(&input.path) {
        Ok(b) => b,
        Err(e) => {
            return failed(
                config,
                input,
                size as i64,
                String::new(),
                format!("cannot read file: {e}"),
                "无法打开文件（权限或读写错误）".into(),
            );
        }
    };
    let sha256 = hex(&Sha256::digest(&bytes));
    if let Some(hit) = cache.and_then(|c| c.get(&input.rel, &sha256)) {
        return hit;
    }
    let result = parse(input, config, run_date, bytes, sha256);
    if let Some(c) = cache.filter(|_| result.file.status != FileStatus::Failed) {
        c.put(&input.rel, &result.file.sha256, &result);
    }
    result
}

/// What a file's bytes were read into.
enum Content {
    Sheets(Vec<jixiao_reader::grid::Grid>, Container),
    Word(Box<jixiao_reader::read::docx::WordDoc>),
}

/// Tells what the file is by its bytes and reads it, in one opening of its container
/// ([`read_file`]); its name decides only what a file that is no workbook is told.
fn read_content(input: &Input, config: &Config, bytes: &[u8]) -> Result<(Content, Option<String>), Outcome> {
    let ext = extension(input);
    let named_workbook = crate::discover::is_workbook(&input.path) && ext != "docx";
    match read_file(bytes, &config.limits.read_limits()).map_err(Outcome::Failed)? {
        Document::Sheets(w, container) => {
            let mut note = (!named_workbook).then(|| format!("a workbook named .{ext}; read as a workbook"));
            if let Some(n) = notes(&w.skipped) {
                note = Some(note.map_or(n.clone(), |a| format!("{a}; {n}")));
            }
            Ok((Content::Sheets(w.grids, container), note))
        }
        Document::Word(doc) => {
            let note = (ext != "docx").then(|| format!("a Word document (.docx) named .{ext}; read as a Word report"));
            Ok((Content::Word(doc), note))
        }
        // a "workbook" that is text or an unknown format: it was meant to be read and could not
        Document::NotRead(NotRead::Text | NotRead::Unknown | NotRead::OtherOle, why) if named_workbook => {
            Err(Outcome::Failed(why))
        }
        Document::NotRead(NotRead::Text | NotRead::Unknown | NotRead::OtherOle, _) if ext == "docx" => {
            Err(Outcome::Failed(ReadError::NotSpreadsheet("not a Word document".into())))
        }
        Document::NotRead(n, _) => Err(Outcome::Skipped(n.chinese(&ext))),
    }
}

/// The sheets a workbook was read without, for its file row (at most a few named).
fn notes(skipped: &[String]) -> Option<String> {
    match skipped.len() {
        0 => None,
        1..=3 => Some(skipped.join("; ")),
        n => Some(format!("{}; and {} more like it", skipped[..3].join("; "), n - 3)),
    }
}

/// Why a file yields no grid.
enum Outcome {
    Failed(ReadError),
    Skipped(String),
}

/// Reads, extracts and checks a file whose bytes are in memory.
fn parse(input: &Input, config: &Config, run_date: NaiveDate, bytes: Vec<u8>, sha256: String) -> FileResult {
    let (content, mut note) = match read_content(input, config, &bytes) {
        Ok(c) => c,
        Err(Outcome::Failed(e)) => {
            return failed(config, input, bytes.len() as i64, sha256, e.to_string(), ReadError::chinese(&e));
        }
        Err(Outcome::Skipped(reason)) => return skipped(input, bytes.len() as i64, sha256, reason),
    };
    let (grids, layout, container) = match content {
        Content::Sheets(g, container) => (g, None, Some(container)),
        Content::Word(doc) => {
            let doc = *doc;
            (vec![doc.grid], Some(doc.layout), None)
        }
    };
    let mut evaluations = Vec::new();
    let mut basics = Vec::new();
    for grid in &grids {
        let forms = jixiao_forms::extract::extract_sheet(grid, &config.labels, &input.rel);
        evaluations.extend(forms.evaluations);
        basics.extend(forms.basics);
        // how a sheet was read where a person might read it otherwise: said in the file's row
        for n in forms.notes {
            note = Some(note.map_or(n.clone(), |a| format!("{a}; {n}")));
        }
    }
    if let Some(container) = container {
        mark_uncalculated_formulas(&bytes, container, &mut evaluations);
    }
    resolve_departments(&mut evaluations, &mut basics, &input.rel);
    let forms = (evaluations.len() + basics.len()) as i32;
    let mut anomalies = jixiao_rules::check_forms(&evaluations, &basics, &config.settings.checks, run_date);
    let sheets = layout.as_ref().map(|l| l.tables.len()).unwrap_or(grids.len());
    if let Some(layout) = &layout {
        crate::pipeline::word::relabel(layout, &mut evaluations, &mut basics, &mut anomalies);
    }
    let status = if forms == 0 {
        let message = match layout {
            Some(_) => format!("Word 文档中未找到自评表（共{sheets}个表格）"),
            None => format!("工作簿中未找到自评表（共{sheets}个工作表）"),
        };
        anomalies.extend(jixiao_rules::file_anomaly(&config.settings.checks, "NO_FORM_FOUND", &input.rel, message));
        FileStatus::NoForm
    } else {
        FileStatus::Ok
    };
    FileResult {
        file: FileRecord {
            path: input.rel.clone(),
            bytes: bytes.len() as i64,
            sha256,
            status,
            error: note,
            forms,
            sheets: sheets as i32,
            millis: 0,
        },
        evaluations,
        basics,
        anomalies,
    }
}

/// A blank number cell may be a formula whose value was never calculated (workbooks
/// written by programs): look at the formulas of the sheets that have blank number cells,
/// and only those, and mark such cells so FORMULA_NO_VALUE can report them.
fn mark_uncalculated_formulas(bytes: &[u8], container: Container, evals: &mut [Evaluation]) {
    let mut sheets: Vec<String> = Vec::new();
    for e in evals.iter() {
        if e.has_blank_required_number() && !sheets.contains(&e.sheet) {
            sheets.push(e.sheet.clone());
        }
    }
    for sheet in sheets {
        let Ok(formulas) = jixiao_reader::read::formula_cells_in(bytes, container, &sheet) else { continue };
        if formulas.is_empty() {
            continue;
        }
        for e in evals.iter_mut().filter(|e| e.sheet == sheet) {
            for f in e.number_fields_mut() {
                if f.is_blank() && f.at.is_some_and(|p| formulas.contains(&p)) {
                    f.note = jixiao_forms::model::Note::FormulaNoValue;
                }
            }
        }
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The folder part of a relative path (`局A/2022.xlsx` → `局A`, `a.xlsx` → ``).
pub fn parent_dir(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

/// A project form's department is its workbook's form-B department, else its 主管部门,
/// else the file's folder; a form A's is the form-B department, else the folder.
pub fn resolve_departments(evals: &mut [Evaluation], basics: &mut [BasicForm], rel: &str) {
    let from_b = evals.iter().find(|e| e.form == FormKind::Department).and_then(|e| e.department.value.clone());
    let folder = parent_folder(rel);
    for e in evals.iter_mut().filter(|e| e.form == FormKind::Project) {
        let name = from_b.clone().or_else(|| e.supervisor.value.clone()).unwrap_or_else(|| folder.clone());
        e.department =
            Field { value: (!name.is_empty()).then(|| name.clone()), raw: name, at: None, ..Field::default() };
    }
    for b in basics.iter_mut() {
        b.department = from_b.clone().unwrap_or_else(|| folder.clone());
    }
}
