//! The run: discover the workbooks, process them in parallel (read → locate → extract →
//! check, one file at a time, isolated from each other), apply the batch-level rules,
//! then write the dataset, the summary workbook and `run.json` into a temporary folder
//! that replaces OUT_DIR only when complete.

use std::collections::{BTreeMap, HashMap};
use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{Config, Severity};
use crate::dataset::{Dataset, DatasetError};
use crate::discover::{Input, discover};
use crate::model::{Anomaly, BasicForm, Evaluation, Field, FileRecord, FileResult, FileStatus, FormKind};
use crate::read::{ReadError, read_workbook};
use crate::summary::SummaryError;

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub input: PathBuf,
    pub out: PathBuf,
    pub config: Config,
    pub config_path: Option<PathBuf>,
    /// Worker threads; `None` = one per core.
    pub jobs: Option<usize>,
    pub progress: bool,
    /// "Today", for date checks; fixed in tests so results do not change with the clock.
    pub run_date: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("input folder {0} does not exist or is not a folder")]
    InputMissing(String),
    #[error("cannot write output {path}: {cause}")]
    Output { path: String, cause: std::io::Error },
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error(transparent)]
    Summary(#[from] SummaryError),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// The run's figures, also written to `run.json`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RunReport {
    pub tool: String,
    pub version: String,
    pub run_date: String,
    pub input: String,
    pub out: String,
    pub jobs: usize,
    pub files: FileCounts,
    pub forms: FormCounts,
    pub indicators: usize,
    pub anomalies: AnomalyCounts,
    pub walk_problems: Vec<(String, String)>,
    pub durations_ms: Durations,
    pub config_file: Option<String>,
    pub config: serde_json::Value,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct FileCounts {
    pub total: usize,
    pub ok: usize,
    pub no_form: usize,
    pub failed: usize,
    pub duplicate: usize,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct FormCounts {
    pub department: usize,
    pub project: usize,
    pub basic: usize,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct AnomalyCounts {
    pub total: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub by_rule: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Durations {
    pub discover: u64,
    pub process: u64,
    pub write: u64,
    pub total: u64,
}

/// Everything a run produced, before it is written.
pub struct RunData {
    pub files: Vec<FileRecord>,
    pub evaluations: Vec<Evaluation>,
    pub basics: Vec<BasicForm>,
    pub anomalies: Vec<Anomaly>,
}

/// Runs the whole job and writes OUT_DIR.
pub fn run(opts: &RunOptions) -> Result<RunReport, RunError> {
    let t0 = Instant::now();
    if !opts.input.is_dir() {
        return Err(RunError::InputMissing(opts.input.display().to_string()));
    }
    let found = discover(&opts.input, Some(&opts.out));
    let t_discover = t0.elapsed();

    let jobs = opts.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).max(1);
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(jobs).build().map_err(|e| RunError::Threads(e.to_string()))?;
    let bar = progress_bar(found.inputs.len() as u64, opts.progress);
    let config = Arc::new(opts.config.clone());
    let timeout = Duration::from_secs(opts.config.limits.file_timeout_secs.max(1));
    let results: Vec<FileResult> = pool.install(|| {
        found
            .inputs
            .par_iter()
            .map(|input| {
                let r = process_guarded(input, &config, opts.run_date, timeout);
                bar.inc(1);
                r
            })
            .collect()
    });
    bar.finish_and_clear();
    let mut results = results;
    // folders that could not be walked are accounted for like files that could not be read
    for (path, reason) in &found.problems {
        let input = Input { path: opts.input.join(path), rel: path.clone() };
        let chinese = if reason.contains("loop") {
            "符号链接循环，已跳过".to_string()
        } else {
            "无法读取该文件夹".to_string()
        };
        results.push(failed(&opts.config, &input, 0, String::new(), format!("cannot walk: {reason}"), chinese));
    }
    let t_process = t0.elapsed();

    let data = finish_batch(results, &opts.config, opts.run_date);
    let mut report = report(opts, &data, jobs, found.problems);
    write_outputs(opts, &data, &mut report)?;
    let t_end = t0.elapsed();
    report.durations_ms = Durations {
        discover: t_discover.as_millis() as u64,
        process: (t_process - t_discover).as_millis() as u64,
        write: (t_end - t_process).as_millis() as u64,
        total: t_end.as_millis() as u64,
    };
    // run.json last, with the final durations
    write_run_json(&opts.out, &report)?;
    Ok(report)
}

fn progress_bar(len: u64, wanted: bool) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}") {
        bar.set_style(style);
    }
    bar
}

/// Processes one file on its own thread and waits at most `limit` for it: a file that
/// takes pathologically long is reported as failed and left behind, and the run goes on.
pub fn process_guarded(input: &Input, config: &Arc<Config>, run_date: NaiveDate, limit: Duration) -> FileResult {
    let (tx, rx) = mpsc::channel();
    let (job_input, job_config) = (input.clone(), Arc::clone(config));
    let spawned = std::thread::Builder::new().name(format!("jixiao {}", input.rel)).spawn(move || {
        let _ = tx.send(process_file(&job_input, &job_config, run_date));
    });
    if spawned.is_err() {
        return process_file(input, config, run_date);
    }
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Timeout) => failed(
            config,
            input,
            std::fs::metadata(&input.path).map(|m| m.len() as i64).unwrap_or(0),
            String::new(),
            format!("still being read after {} s (limit file_timeout_secs); left behind", limit.as_secs()),
            format!("读取超时（超过{}秒），已跳过", limit.as_secs()),
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => failed(
            config,
            input,
            0,
            String::new(),
            "internal error while reading this file".into(),
            "读取时发生内部错误".into(),
        ),
    }
}

/// Processes one file; never panics and never fails: problems become the file's status.
pub fn process_file(input: &Input, config: &Config, run_date: NaiveDate) -> FileResult {
    let t = Instant::now();
    let mut result = match catch_unwind(AssertUnwindSafe(|| process_inner(input, config, run_date))) {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
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

/// A finding about a whole file (UNREADABLE_FILE, NO_FORM_FOUND, DUPLICATE_FILE), or
/// `None` when the rule is switched off.
fn file_anomaly(config: &Config, rule: &'static str, rel: &str, message: String) -> Option<Anomaly> {
    crate::rules::enabled(config, rule).then(|| Anomaly {
        rule,
        severity: crate::rules::severity_of(config, rule),
        path: rel.to_string(),
        sheet: String::new(),
        cell: String::new(),
        eval_id: None,
        department: parent_folder(rel),
        project: String::new(),
        message,
        expected: None,
        actual: None,
    })
}

fn failed(config: &Config, input: &Input, bytes: i64, sha256: String, reason: String, chinese: String) -> FileResult {
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
        anomalies: file_anomaly(config, "UNREADABLE_FILE", &input.rel, format!("无法读取：{chinese}"))
            .into_iter()
            .collect(),
    }
}

fn process_inner(input: &Input, config: &Config, run_date: NaiveDate) -> FileResult {
    let size = std::fs::metadata(&input.path).map(|m| m.len()).unwrap_or(0);
    let limit = config.limits.max_file_mb * 1024 * 1024;
    if size > limit {
        return failed(
            config,
            input,
            size as i64,
            String::new(),
            format!("file too large ({} MB, limit {} MB)", size / 1024 / 1024, config.limits.max_file_mb),
            format!("文件过大（{} MB，上限 {} MB）", size / 1024 / 1024, config.limits.max_file_mb),
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
    let unpacked = config.limits.max_unpacked_mb.saturating_mul(1_048_576);
    let grids = match read_workbook(&bytes, config.limits.max_cells_per_sheet, unpacked) {
        Ok(g) => g,
        Err(e) => {
            return failed(config, input, bytes.len() as i64, sha256, e.to_string(), ReadError::chinese(&e));
        }
    };
    let mut evaluations = Vec::new();
    let mut basics = Vec::new();
    for grid in &grids {
        let forms = crate::extract::extract_sheet(grid, &config.labels, &input.rel);
        evaluations.extend(forms.evaluations);
        basics.extend(forms.basics);
    }
    mark_uncalculated_formulas(&bytes, &mut evaluations, unpacked);
    resolve_departments(&mut evaluations, &mut basics, &input.rel);
    let forms = (evaluations.len() + basics.len()) as i32;
    let mut anomalies = crate::rules::check_forms(&evaluations, &basics, config, run_date);
    let status = if forms == 0 {
        let message = format!("工作簿中未找到自评表（共{}个工作表）", grids.len());
        anomalies.extend(file_anomaly(config, "NO_FORM_FOUND", &input.rel, message));
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
            error: None,
            forms,
            sheets: grids.len() as i32,
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
fn mark_uncalculated_formulas(bytes: &[u8], evals: &mut [Evaluation], max_unpacked_bytes: u64) {
    let mut sheets: Vec<String> = Vec::new();
    for e in evals.iter() {
        if e.has_blank_required_number() && !sheets.contains(&e.sheet) {
            sheets.push(e.sheet.clone());
        }
    }
    for sheet in sheets {
        let Ok(formulas) = crate::read::formula_cells(bytes, &sheet, max_unpacked_bytes) else { continue };
        if formulas.is_empty() {
            continue;
        }
        for e in evals.iter_mut().filter(|e| e.sheet == sheet) {
            for f in e.number_fields_mut() {
                if f.is_blank() && f.at.is_some_and(|p| formulas.contains(&p)) {
                    f.note = crate::model::Note::FormulaNoValue;
                }
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name of the folder holding a file (`局A/2022.xlsx` → `局A`), empty at the top.
pub fn parent_folder(rel: &str) -> String {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.last().map(|s| s.to_string()).unwrap_or_default()
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

/// Batch-level work after every file is processed: identical files are marked
/// `duplicate` (their forms are not counted again) and anomalies are sorted.
pub fn finish_batch(mut results: Vec<FileResult>, config: &Config, run_date: NaiveDate) -> RunData {
    results.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let mut first_by_hash: HashMap<String, String> = HashMap::new();
    let mut data = RunData { files: Vec::new(), evaluations: Vec::new(), basics: Vec::new(), anomalies: Vec::new() };
    for mut r in results {
        let dup_of = (!r.file.sha256.is_empty() && r.file.status != FileStatus::Failed)
            .then(|| first_by_hash.get(&r.file.sha256).cloned())
            .flatten();
        match dup_of {
            Some(original) => {
                r.file.status = FileStatus::Duplicate;
                r.file.error = Some(format!("same content as {original}"));
                let message = format!("与{original}内容完全相同，其中的表不重复计入排名和合计");
                data.anomalies.extend(file_anomaly(config, "DUPLICATE_FILE", &r.file.path, message));
            }
            None => {
                if !r.file.sha256.is_empty() && r.file.status != FileStatus::Failed {
                    first_by_hash.insert(r.file.sha256.clone(), r.file.path.clone());
                }
                data.evaluations.append(&mut r.evaluations);
                data.basics.append(&mut r.basics);
                data.anomalies.append(&mut r.anomalies);
            }
        }
        data.files.push(r.file);
    }
    let batch = crate::rules::check_batch(&data.evaluations, config, run_date);
    data.anomalies.extend(batch);
    sort_anomalies(&mut data.anomalies);
    data
}

/// error → warning → info, then department, project, file, sheet, row, column.
pub fn sort_anomalies(a: &mut [Anomaly]) {
    fn cell_key(cell: &str) -> (u32, u32) {
        let letters: String = cell.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let row: u32 = cell[letters.len()..].parse().unwrap_or(0);
        let col = letters.bytes().fold(0u32, |acc, b| acc * 26 + (b - b'A' + 1) as u32);
        (row, col)
    }
    a.sort_by(|x, y| {
        (x.severity, &x.department, &x.project, &x.path, &x.sheet, cell_key(&x.cell), x.rule).cmp(&(
            y.severity,
            &y.department,
            &y.project,
            &y.path,
            &y.sheet,
            cell_key(&y.cell),
            y.rule,
        ))
    });
}

fn report(opts: &RunOptions, data: &RunData, jobs: usize, walk_problems: Vec<(String, String)>) -> RunReport {
    let mut r = RunReport {
        tool: "jixiao".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        run_date: opts.run_date.to_string(),
        input: opts.input.display().to_string(),
        out: opts.out.display().to_string(),
        jobs,
        walk_problems,
        config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
        config: serde_json::to_value(&opts.config).unwrap_or_default(),
        ..RunReport::default()
    };
    for f in &data.files {
        r.files.total += 1;
        r.files.bytes += f.bytes.max(0) as u64;
        match f.status {
            FileStatus::Ok => r.files.ok += 1,
            FileStatus::NoForm => r.files.no_form += 1,
            FileStatus::Failed => r.files.failed += 1,
            FileStatus::Duplicate => r.files.duplicate += 1,
        }
    }
    for e in &data.evaluations {
        match e.form {
            FormKind::Department => r.forms.department += 1,
            _ => r.forms.project += 1,
        }
        r.indicators += e.indicators.len();
    }
    r.forms.basic = data.basics.len();
    for a in &data.anomalies {
        r.anomalies.total += 1;
        match a.severity {
            Severity::Error => r.anomalies.error += 1,
            Severity::Warning => r.anomalies.warning += 1,
            Severity::Info => r.anomalies.info += 1,
        }
        *r.anomalies.by_rule.entry(a.rule.to_string()).or_default() += 1;
    }
    r
}

/// Writes everything into `OUT_DIR.partial-<pid>` beside OUT_DIR, then swaps it into
/// place, so an interrupted run never leaves a half-written OUT_DIR behind.
fn write_outputs(opts: &RunOptions, data: &RunData, report: &mut RunReport) -> Result<(), RunError> {
    let out = &opts.out;
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |cause| RunError::Output { path, cause }
    };
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "jixiao-out".into());
    let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;

    let evals: Vec<&Evaluation> = data.evaluations.iter().collect();
    let basics: Vec<&BasicForm> = data.basics.iter().collect();
    let mut ds = Dataset::build(&data.files, &evals, &basics, &data.anomalies, &opts.config.grades)?;
    ds.write(&tmp.join("dataset"))?;
    crate::summary::write(&tmp.join("summary.xlsx"), data, report, &opts.config)?;
    write_run_json(&tmp, report)?;

    if out.exists() {
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        std::fs::rename(out, &old).map_err(io(out))?;
        std::fs::rename(&tmp, out).map_err(io(out))?;
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&tmp, out).map_err(io(out))?;
    }
    Ok(())
}

fn write_run_json(dir: &Path, report: &RunReport) -> Result<(), RunError> {
    let path = dir.join("run.json");
    let text = serde_json::to_string_pretty(report).unwrap_or_default();
    std::fs::write(&path, text).map_err(|cause| RunError::Output { path: path.display().to_string(), cause })
}

/// The closing line on the terminal.
pub fn one_line(r: &RunReport) -> String {
    format!(
        "{} files ({} ok, {} no form, {} failed, {} duplicate) · {} department + {} project + {} basic forms · {} anomalies ({} errors, {} warnings) · {:.1}s → {}",
        r.files.total,
        r.files.ok,
        r.files.no_form,
        r.files.failed,
        r.files.duplicate,
        r.forms.department,
        r.forms.project,
        r.forms.basic,
        r.anomalies.total,
        r.anomalies.error,
        r.anomalies.warning,
        r.durations_ms.total as f64 / 1000.0,
        r.out
    )
}
