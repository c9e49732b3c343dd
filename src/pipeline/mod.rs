//! The run: discover the workbooks, process them in parallel (read → locate → extract →
//! check, one file at a time, isolated from each other), and stream what they yield into
//! the dataset and the summary workbook as chunks complete, so memory stays flat however
//! many files there are. Then the batch rules, the sorted sheets and `run.json`. All of it
//! is written into a staging folder inside OUT_DIR and moved into place, file by file, only
//! when complete ([`outdir`]: jixiao replaces only what it wrote there).

mod cache;
mod confine;
mod folders;
mod guard;
pub mod outdir;
mod process;
mod report;
mod word;
pub mod worker;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

pub use folders::resolve_folder;
pub use guard::{Job, process_guarded};
pub use jixiao_report::batch::{Batch, finish_batch, sort_anomalies};
pub use process::{isolated, process_cached, process_file, resolve_departments};
pub use report::{AnomalyCounts, Durations, FileCounts, FormCounts, RunReport, one_line};

use crate::config::Config;
use crate::discover::{Input, discover};
use jixiao_report::dataset::{DatasetError, DatasetWriter};
use jixiao_report::feedback::replies;
use jixiao_report::summary::{SummaryError, SummaryWriter};
use jixiao_rules::FileResult;

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
    /// Reuse the results of unchanged files from OUT_DIR's cache (and keep a new one).
    pub cache: bool,
    /// "Today", for date checks; fixed in tests so results do not change with the clock.
    pub run_date: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("input folder {0} does not exist or is not a folder")]
    InputMissing(String),
    #[error("replies folder {0} (--replies) does not exist or is not a folder")]
    RepliesMissing(String),
    #[error("cannot write output {path}: {cause}")]
    Output { path: String, cause: std::io::Error },
    #[error(transparent)]
    Dataset(#[from] DatasetError),
    #[error(transparent)]
    Summary(#[from] SummaryError),
    #[error("cannot start worker threads: {0}")]
    Threads(String),
    #[error(transparent)]
    Roster(#[from] jixiao_report::roster::RosterError),
    #[error(transparent)]
    Feedback(#[from] jixiao_report::feedback::FeedbackError),
    #[error(transparent)]
    Worker(#[from] worker::WorkerError),
    #[error(transparent)]
    OutDir(#[from] outdir::OutDirError),
}

/// What a run may do besides the dataset and the summary (kept apart from [`RunOptions`]
/// so that its literals stay valid).
#[derive(Debug, Clone, Default)]
pub struct RunExtras {
    /// `--roster`: the departments expected, with their 系统 (报送情况).
    pub roster: Option<PathBuf>,
    /// `--feedback`: one workbook per department under `OUT_DIR/反馈/<系统>/`.
    pub feedback: bool,
    /// `--replies`: a folder of feedback workbooks sent back, whose 整改情况说明 go into
    /// 疑点清单 (see [`jixiao_report::feedback::replies`]).
    pub replies: Option<PathBuf>,
    /// The `jixiao` binary, started as `jixiao worker` to read the files in worker
    /// processes (see [`worker`]); none: they are read in threads of this process, where a
    /// file that aborts the reader ends the run.
    pub workers: Option<PathBuf>,
    /// The progress bar's indicatif template (its words in the user's language); none:
    /// English.
    pub progress_template: Option<&'static str>,
}

/// Files per chunk: processed in parallel, then written in path order while the next
/// chunk is processed.
const CHUNK: usize = 128;

/// Runs the whole job and writes OUT_DIR.
pub fn run(opts: &RunOptions) -> Result<RunReport, RunError> {
    run_with(opts, &RunExtras::default())
}

/// [`run`], with a roster and the feedback workbooks.
pub fn run_with(opts: &RunOptions, extras: &RunExtras) -> Result<RunReport, RunError> {
    let t0 = Instant::now();
    if !opts.input.is_dir() {
        return Err(RunError::InputMissing(opts.input.display().to_string()));
    }
    if let Some(dir) = extras.replies.as_deref().filter(|d| !d.is_dir()) {
        return Err(RunError::RepliesMissing(dir.display().to_string()));
    }
    let roster = extras
        .roster
        .as_deref()
        .map(|p| jixiao_report::roster::Roster::load(p, &opts.config.settings.roster))
        .transpose()?;
    let mut systems = jixiao_report::systems::Systems::from_config(&opts.config.settings)?;
    for e in roster.iter().flat_map(|r| &r.entries) {
        systems.add_default(&e.name, &e.system);
    }
    // refused before anything is read or written when it is not ours to write
    let out = outdir::OutDir::open(&opts.out, &opts.input)?;
    // the office's 整改状态 / 备注, typed into the previous summary
    let tracking = jixiao_report::summary::tracking::Tracking::read_previous(&opts.out.join("summary.xlsx"));
    let found = discover(&opts.input, Some(&opts.out));
    let t_discover = t0.elapsed();
    let staging = &out.staging;

    let jobs = opts.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).max(1);
    // with worker processes and two jobs or more, one file more than there are jobs is in
    // flight: a worker's reply and the next task cross the pipes while the others read, so
    // the cores do not idle for that (with one job, one file at a time: one core)
    let threads = if extras.workers.is_some() && jobs > 1 { jobs + 1 } else { jobs };
    let pool =
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| RunError::Threads(e.to_string()))?;
    let bar = progress_bar(found.inputs.len() as u64, opts.progress, extras.progress_template);
    let cache = opts.cache.then(|| cache::Cache::open(&opts.out, staging, &opts.config, opts.run_date));
    let workers = match &extras.workers {
        Some(exe) => Some(worker::Workers::new(exe.clone(), &opts.config, opts.run_date)?),
        None => None,
    };
    let job = Arc::new(Job { config: opts.config.clone(), run_date: opts.run_date, cache, workers });
    let timeout = Duration::from_secs(opts.config.limits.file_timeout_secs.max(1));
    let mut dataset = DatasetWriter::create(&staging.join("dataset"), &opts.config.settings.checks.grades)?;
    let title = jixiao_report::summary::Title {
        // the departments the file and folder names state (`株洲市第一中学/2022.xlsx`)
        region: jixiao_report::summary::Title::region(
            &opts.config.settings,
            found.inputs.iter().flat_map(|i| i.rel.split('/')),
        ),
        years: jixiao_report::summary::Title::years(
            &opts.config.settings,
            jixiao_report::summary::years_in_names(found.inputs.iter().map(|i| i.rel.as_str())),
        ),
        run_date: opts.run_date.to_string(),
    };
    let mut summary = SummaryWriter::create(&staging.join("summary.xlsx"), &opts.input, title)?;
    // the 通报 draft, written with the summary from the same figures
    summary.write_circular_to(staging.join(jixiao_report::summary::circular::FILE));
    summary.set_final_dir(&opts.out);
    dataset.set_systems(systems.clone());
    let roster_file = extras.roster.as_deref().and_then(|p| {
        let (p, root) = (std::fs::canonicalize(p).ok()?, std::fs::canonicalize(&opts.input).ok()?);
        Some(p.strip_prefix(root).ok()?.to_string_lossy().replace('\\', "/"))
    });
    summary.set_extras(jixiao_report::summary::Extras {
        systems: systems.clone(),
        roster,
        tracking,
        roster_file,
        replies: Default::default(),
    });
    let mut batch = Batch::new(Some(opts.input.clone()));

    let process_chunk = |chunk: &[Input]| -> Vec<FileResult> {
        pool.install(|| {
            chunk
                .par_iter()
                .map(|input| {
                    let r = process_guarded(input, &job, timeout);
                    bar.inc(1);
                    r
                })
                .collect()
        })
    };
    // the results of a chunk that count (a byte-identical copy of an earlier file does not)
    // a file without form B takes its folder's form-B department: folders are completed first
    let mut folders = folders::Folders::new(found.inputs.len());
    let mut keep = |results: Vec<FileResult>| -> Vec<FileResult> {
        folders.push(results).into_iter().filter_map(|r| batch.add(r, &opts.config.settings)).collect()
    };
    let dataset = if jobs == 1 {
        // one job means one core: process and write in turn on this thread
        for chunk in found.inputs.chunks(CHUNK) {
            let kept = keep(process_chunk(chunk));
            dataset.write(&kept)?;
            summary.add(&kept)?;
        }
        dataset
    } else {
        stream_in_threads(&found.inputs, &process_chunk, keep, &mut summary, dataset)?
    };
    bar.finish_and_clear();
    // folders that could not be walked are accounted for like files that could not be read
    for (path, reason) in &found.problems {
        let input = Input { path: opts.input.join(path), rel: path.clone() };
        let chinese = if reason.contains("loop") {
            "符号链接循环，已跳过"
        } else {
            "文件夹无法打开（权限不足或已损坏）"
        };
        let r =
            process::failed(&opts.config, &input, 0, String::new(), format!("cannot walk: {reason}"), chinese.into());
        batch.add(r, &opts.config.settings);
    }
    batch.finish(&opts.config.settings, opts.run_date);
    let t_process = t0.elapsed();

    let mut report = report::report(opts, &batch, jobs, found.problems);
    report.cache_hits = job.cache.as_ref().map(|c| c.hits()).unwrap_or(0);
    if let Some(dir) = &extras.replies {
        // the departments' answers, into 疑点清单
        let walked = crate::discover::discover(dir, Some(&opts.out));
        let found = replies::Found {
            inputs: walked.inputs.into_iter().map(|i| (i.rel, i.path)).collect(),
            problems: walked.problems,
        };
        let limits = &opts.config.limits;
        let max_bytes = limits.max_file_mb.saturating_mul(1 << 20);
        let replies = pool.install(|| replies::read(found, &batch, limits.read_limits(), max_bytes));
        summary.set_replies(replies.answers);
        report.replies = Some(replies.counts);
    }
    let placings = if jobs == 1 {
        dataset.finish(&batch.files, &batch.superseded_files, &batch.all_anomalies())?;
        summary.finish(&batch, &report, &opts.config.settings)?
    } else {
        // the file log and anomaly tables are written while the summary is finished
        std::thread::scope(|scope| -> Result<_, RunError> {
            let parquet = scope.spawn(|| dataset.finish(&batch.files, &batch.superseded_files, &batch.all_anomalies()));
            let placings = summary.finish(&batch, &report, &opts.config.settings)?;
            joined(parquet)?;
            Ok(placings)
        })?
    };
    if extras.feedback {
        let t = Instant::now();
        let fb = jixiao_report::feedback::FeedbackJob {
            batch: &batch,
            config: &opts.config.settings,
            systems: &systems,
            placings: &placings,
            run_date: opts.run_date,
            staging,
            previous: opts.cache.then_some(opts.out.as_path()),
        };
        let written = pool.install(|| jixiao_report::feedback::write_all(&fb))?;
        report.feedback = Some(report::FeedbackCounts {
            departments: written.departments,
            rebuilt: written.rebuilt,
            millis: t.elapsed().as_millis() as u64,
        });
    }
    let t_end = t0.elapsed();
    report.durations_ms = Durations {
        discover: t_discover.as_millis() as u64,
        process: (t_process - t_discover).as_millis() as u64,
        write: (t_end - t_process).as_millis() as u64,
        total: t_end.as_millis() as u64,
    };
    let kept = out.preview(&["run.json"]);
    report.kept_user_files = kept.kept_user_files;
    report.kept_changed = kept.kept_changed;
    write_run_json(staging, &report)?;
    out.commit()?;
    Ok(report)
}

/// With two jobs or more, three threads: a producer processes chunk after chunk on the
/// pool; this thread adds each finished chunk, in path order, to the batch (`keep`) and the
/// summary while the next one is processed, and hands it on to a third thread that writes
/// the Parquet tables. In a re-run most files come from the cache and writing is the slow
/// part: the two writers share it. Returns the dataset writer, to be finished.
fn stream_in_threads(
    inputs: &[Input],
    process_chunk: &(impl Fn(&[Input]) -> Vec<FileResult> + Sync),
    mut keep: impl FnMut(Vec<FileResult>) -> Vec<FileResult>,
    summary: &mut SummaryWriter,
    mut dataset: DatasetWriter,
) -> Result<DatasetWriter, RunError> {
    let (tx, rx) = mpsc::sync_channel::<Vec<FileResult>>(1);
    let (to_parquet, kept_chunks) = mpsc::sync_channel::<Arc<Vec<FileResult>>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for chunk in inputs.chunks(CHUNK) {
                if tx.send(process_chunk(chunk)).is_err() {
                    break;
                }
            }
        });
        let parquet = scope.spawn(move || -> Result<DatasetWriter, DatasetError> {
            for kept in kept_chunks {
                dataset.write(&kept)?;
            }
            Ok(dataset)
        });
        let streamed = rx.into_iter().try_for_each(|results| -> Result<(), RunError> {
            let kept = Arc::new(keep(results));
            summary.add(&kept)?;
            // fails only when the Parquet thread stopped on an error, returned below
            to_parquet.send(kept).map_err(|_| RunError::Threads("the Parquet writer stopped".into()))
        });
        drop(to_parquet);
        let dataset = joined(parquet)?;
        streamed.map(|()| dataset)
    })
}

/// The Parquet thread's result, its error or panic as the run's.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T, DatasetError>>) -> Result<T, RunError> {
    Ok(handle.join().map_err(|_| RunError::Threads("the Parquet writer panicked".into()))??)
}

fn progress_bar(len: u64, wanted: bool, template: Option<&str>) -> ProgressBar {
    if !wanted || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template(template.unwrap_or("{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}"))
    {
        bar.set_style(style);
    }
    bar
}

fn write_run_json(dir: &Path, report: &RunReport) -> Result<(), RunError> {
    let path = dir.join("run.json");
    let text = serde_json::to_string_pretty(report).unwrap_or_default();
    std::fs::write(&path, text).map_err(|cause| RunError::Output { path: path.display().to_string(), cause })
}
