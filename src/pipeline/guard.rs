//! How each file of a run is read, guarded: in a worker process (`super::worker`), or,
//! where none can be started, on a helper thread of this process with a time limit; an
//! unchanged file comes from the cache. Above both [`super::process`] (one file, start to
//! end) and [`super::worker`] (which runs `process` in its own process), so that neither
//! needs the other.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::discover::Input;
use crate::pipeline::cache::Cache;
use crate::pipeline::process::{failed, hex, process_cached};
use crate::pipeline::worker::Workers;
use jixiao_rules::{FileResult, FileStatus};

/// What every file's processing shares: the configuration, the run date, the cache.
pub struct Job {
    pub config: Config,
    pub run_date: NaiveDate,
    pub cache: Option<Cache>,
    /// The worker processes files are read in; none: in a helper thread of this process.
    pub workers: Option<Workers>,
}

/// Processes one file on a helper thread and waits at most `limit` for it: a file that
/// takes pathologically long is reported as failed and left behind, and the run goes on.
///
/// Each calling thread keeps one helper for all its files (see [`Helper`]). A thread per
/// file cost a third more CPU with `--jobs 1` on this 2-core machine: every new thread
/// was woken on the other, idle core, so each file ran away from its caller's caches
/// (measured in docs/performance.md).
pub fn process_guarded(input: &Input, job: &Arc<Job>, limit: Duration) -> FileResult {
    let config = &job.config;
    if let Some(workers) = &job.workers {
        // an unchanged file comes from the cache, without a worker
        if let Some(hit) = job.cache.as_ref().and_then(|c| cached(input, config, c)) {
            return hit;
        }
        if let Ok((r, reply)) = workers.process(input, config, limit) {
            // the worker's reply is the result as the cache stores it
            if let Some(c) = job.cache.as_ref().filter(|_| r.file.status != FileStatus::Failed && !reply.is_empty()) {
                c.put_bytes(&input.rel, &r.file.sha256, &reply);
            }
            return r;
        }
        // no worker could be started: read it in a thread here, as without workers
    }
    let sent = HELPER.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = Helper::spawn();
        }
        slot.as_ref().is_some_and(|h| h.tasks.send((input.clone(), Arc::clone(job))).is_ok())
    });
    if !sent {
        // no helper thread could be started: do the work here, unguarded
        HELPER.set(None);
        return process_cached(input, config, job.run_date, job.cache.as_ref());
    }
    let received = HELPER.with_borrow(|slot| slot.as_ref().map(|h| h.results.recv_timeout(limit)));
    match received {
        Some(Ok(r)) => r,
        Some(Err(mpsc::RecvTimeoutError::Timeout)) => {
            // the helper is stuck on this file: leave it behind, the next file gets a new one
            HELPER.set(None);
            failed(
                config,
                input,
                std::fs::metadata(&input.path).map(|m| m.len() as i64).unwrap_or(0),
                String::new(),
                format!("still being read after {} s (limit file_timeout_secs); left behind", limit.as_secs()),
                format!("读取超时（超过{}秒），已跳过", limit.as_secs()),
            )
        }
        Some(Err(mpsc::RecvTimeoutError::Disconnected)) | None => {
            HELPER.set(None);
            failed(
                config,
                input,
                0,
                String::new(),
                "internal error while reading this file".into(),
                "读取时发生内部错误".into(),
            )
        }
    }
}

/// A thread that processes the files its owner sends, one at a time, and sends back each
/// result. Dropping it closes its task channel, so an idle helper ends; one left behind on
/// a file that hangs ends when (if ever) that file is done, its result unread.
struct Helper {
    tasks: mpsc::Sender<(Input, Arc<Job>)>,
    results: mpsc::Receiver<FileResult>,
}

impl Helper {
    fn spawn() -> Option<Helper> {
        let (tasks, task_rx) = mpsc::channel::<(Input, Arc<Job>)>();
        let (result_tx, results) = mpsc::channel();
        std::thread::Builder::new()
            .name("jixiao file".into())
            .spawn(move || {
                for (input, job) in task_rx {
                    let r = process_cached(&input, &job.config, job.run_date, job.cache.as_ref());
                    if result_tx.send(r).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(Helper { tasks, results })
    }
}

thread_local! {
    /// The calling thread's helper (a rayon worker's, or the main thread's).
    static HELPER: std::cell::RefCell<Option<Helper>> = const { std::cell::RefCell::new(None) };
}

/// The previous run's result for this file, when its content is unchanged: read and hashed
/// here only when there is a previous cache to look in.
fn cached(input: &Input, config: &Config, cache: &Cache) -> Option<FileResult> {
    if !cache.has_previous() {
        return None;
    }
    let meta = std::fs::metadata(&input.path).ok()?;
    if !meta.is_file() || meta.len() > config.limits.max_file_mb * 1024 * 1024 {
        return None;
    }
    let bytes = std::fs::read(&input.path).ok()?;
    cache.get(&input.rel, &hex(&Sha256::digest(&bytes)))
}
