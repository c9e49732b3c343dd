//! Worker processes: the files are read in child processes (the `jixiao` binary started as
//! `jixiao worker`), as Apache Tika and browsers read untrusted documents, so that what a
//! thread cannot survive costs one file and one worker, never the batch: an abort (an
//! allocation the bytes declare, which `catch_unwind` does not see), a crash, memory past
//! the worker's limit, a loop that never ends. The watchdog (the calling thread) waits at
//! most the per-file timeout for each reply, kills a worker that overruns it or dies, marks
//! that file failed with what happened, and starts a new worker for the next file.
//!
//! The protocol is the cache's: postcard records, each framed by its length (u32, little
//! endian), over the worker's stdin and stdout. The worker's stderr is kept (its last
//! lines), to tell why it died.
//!
//! Memory: on Linux and the other Unixes that enforce it, each worker limits its own address
//! space (`setrlimit(RLIMIT_AS)`) to what it holds once started plus `limits.worker_memory_mb`,
//! so an allocation past it fails
//! in the worker, which aborts; the file is reported as needing more memory than allowed.
//! macOS accepts the call but does not enforce it, and Windows has no such limit here (a
//! job object would do it; not done): there the pre-checks in front of the reader bound
//! what a file may make it allocate, and a worker the system kills still costs one file.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::discover::Input;
use crate::pipeline::process::{failed, process_file};
use jixiao_rules::FileResult;

/// A reply larger than this is not a result our worker writes: the pipe is out of step.
const MAX_FRAME: usize = 1 << 30;
/// How much of a dead worker's stderr is kept for the reason.
const STDERR_TAIL: usize = 2048;

/// What a worker is told once, when it starts.
#[derive(Serialize, Deserialize)]
struct Setup {
    /// The configuration, as JSON (its TOML types do not all survive postcard).
    config: String,
    run_date: String,
    memory_mb: u64,
}

/// One file to read.
#[derive(Serialize, Deserialize)]
struct Task {
    /// The path's bytes (Unix) or its text: a name need not be valid UTF-8.
    path: Vec<u8>,
    rel: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("worker protocol: {0}")]
    Io(#[from] io::Error),
    #[error("worker setup: {0}")]
    Setup(String),
}

fn write_frame(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(&(bytes.len() as u32).to_le_bytes())?;
    w.write_all(bytes)?;
    w.flush()
}

/// The next frame, `None` at the end of the stream.
fn read_frame(r: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_le_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("a frame of {len} bytes")));
    }
    let mut buf = vec![0; len];
    r.read_exact(&mut buf)?;
    Ok(Some(buf))
}

#[cfg(unix)]
fn path_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(not(unix))]
fn path_bytes(p: &Path) -> Vec<u8> {
    p.to_string_lossy().into_owned().into_bytes()
}

#[cfg(unix)]
fn bytes_path(b: Vec<u8>) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(std::ffi::OsString::from_vec(b))
}

#[cfg(not(unix))]
fn bytes_path(b: Vec<u8>) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(&b).into_owned())
}

/// The worker's side (`jixiao worker`): reads the setup, then each file it is sent, and
/// writes back its result, until its input ends. `confine`: limit this process's memory
/// and tie its life to its parent's (a worker process; not a test or fuzz harness calling
/// this in its own process).
pub fn serve(input: impl Read, output: impl Write, confine: bool) -> Result<(), WorkerError> {
    let (mut input, mut output) = (io::BufReader::new(input), io::BufWriter::new(output));
    let setup = read_frame(&mut input)?.ok_or_else(|| WorkerError::Setup("no setup".into()))?;
    let setup: Setup = postcard::from_bytes(&setup).map_err(|e| WorkerError::Setup(e.to_string()))?;
    let config: Config = serde_json::from_str(&setup.config).map_err(|e| WorkerError::Setup(e.to_string()))?;
    let run_date: NaiveDate =
        setup.run_date.parse().map_err(|e: chrono::ParseError| WorkerError::Setup(e.to_string()))?;
    if confine {
        super::confine::limit_memory(setup.memory_mb);
        super::confine::die_with_parent();
    }
    let fault = Fault::from_env();
    while let Some(task) = read_frame(&mut input)? {
        let task: Task = postcard::from_bytes(&task).map_err(|e| WorkerError::Setup(e.to_string()))?;
        let file = Input { path: bytes_path(task.path), rel: task.rel };
        fault.strike(&file.rel);
        let result = process_file(&file, &config, run_date);
        let bytes = postcard::to_stdvec(&result).map_err(|e| WorkerError::Setup(e.to_string()))?;
        write_frame(&mut output, &bytes)?;
    }
    Ok(())
}

/// What a run sends a worker for these files (the setup, then one task each): for tests
/// and the fuzz target, which call [`serve`] in their own process.
pub fn request(config: &Config, run_date: NaiveDate, files: &[Input]) -> Result<Vec<u8>, WorkerError> {
    let workers = Workers::new(PathBuf::new(), config, run_date)?;
    let mut out = Vec::new();
    write_frame(&mut out, &workers.setup)?;
    for f in files {
        write_frame(&mut out, &task(f)?)?;
    }
    Ok(out)
}

/// The results in what [`serve`] wrote.
pub fn replies(mut bytes: &[u8]) -> Result<Vec<FileResult>, WorkerError> {
    let mut out = Vec::new();
    while let Some(frame) = read_frame(&mut bytes)? {
        out.push(postcard::from_bytes(&frame).map_err(|e| WorkerError::Setup(e.to_string()))?);
    }
    Ok(out)
}

fn task(input: &Input) -> io::Result<Vec<u8>> {
    postcard::to_stdvec(&Task { path: path_bytes(&input.path), rel: input.rel.clone() }).map_err(io::Error::other)
}

/// Failures injected on purpose, for the tests of the watchdog: `JIXIAO_WORKER_FAULT` is a
/// comma-separated list of `kind:needle`, each striking on every file whose path contains
/// the needle: `abort` (as an allocation failure does), `exit`, `hang` (a loop that never
/// ends), `alloc` (allocates and touches memory until the worker's limit stops it). No real
/// file is known that still does these to the reader: every one found was pre-checked
/// (`tests/fixtures/fuzz/`); these stand for the next one.
struct Fault(Vec<(String, String)>);

impl Fault {
    fn from_env() -> Fault {
        let spec = std::env::var("JIXIAO_WORKER_FAULT").unwrap_or_default();
        let pairs = spec.split(',').filter_map(|p| p.split_once(':')).filter(|(_, n)| !n.is_empty());
        Fault(pairs.map(|(k, n)| (k.to_string(), n.to_string())).collect())
    }

    fn strike(&self, rel: &str) {
        for (kind, _) in self.0.iter().filter(|(_, needle)| rel.contains(needle.as_str())) {
            match kind.as_str() {
                "abort" => std::process::abort(),
                "exit" => std::process::exit(3),
                "hang" => loop {
                    std::hint::spin_loop();
                },
                "alloc" => {
                    let mut held: Vec<Vec<u8>> = Vec::new();
                    loop {
                        held.push(vec![1u8; 64 << 20]);
                        std::hint::black_box(&held);
                    }
                }
                _ => {}
            }
        }
    }
}

/// One running worker, with the threads that read its stdout and its stderr.
struct Worker {
    child: Child,
    /// `None` once closed, which tells the worker to end.
    stdin: Option<ChildStdin>,
    replies: mpsc::Receiver<io::Result<Vec<u8>>>,
    stderr: Option<JoinHandle<String>>,
}

impl Worker {
    fn spawn(exe: &Path, setup: &[u8]) -> io::Result<Worker> {
        let mut command = Command::new(exe);
        // mimalloc reserves 1 GiB of address space up front by default, which would count
        // against the worker's limit; a smaller reservation keeps the limit what it says
        if std::env::var_os("MIMALLOC_ARENA_RESERVE").is_none() {
            command.env("MIMALLOC_ARENA_RESERVE", "256MiB");
        }
        // where the parent-death signal does not exist (Windows), the worker watches us
        command.env(super::confine::PARENT_VAR, std::process::id().to_string());
        let mut child =
            command.arg("worker").stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        let (Some(mut stdin), Some(mut stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            return Err(io::Error::other("worker pipes not opened"));
        };
        let (tx, replies) = mpsc::channel();
        std::thread::Builder::new().name("jixiao worker reply".into()).spawn(move || {
            let mut stdout = BufReader::new(&mut stdout);
            loop {
                let frame = read_frame(&mut stdout);
                let end = !matches!(frame, Ok(Some(_)));
                let sent = tx.send(frame.and_then(|f| f.ok_or_else(|| io::ErrorKind::UnexpectedEof.into())));
                if end || sent.is_err() {
                    break;
                }
            }
        })?;
        let stderr = std::thread::Builder::new().name("jixiao worker stderr".into()).spawn(move || tail(stderr))?;
        write_frame(&mut stdin, setup)?;
        Ok(Worker { child, stdin: Some(stdin), replies, stderr: Some(stderr) })
    }

    /// Ends a worker that died or failed: kills it (if it still runs), reaps it and says how
    /// it ended, with the line of its stderr that tells why.
    fn end(mut self) -> (String, Option<String>) {
        let _ = self.child.kill();
        let status = self.child.wait();
        let tail = self.stderr.take().and_then(|h| h.join().ok()).unwrap_or_default();
        let how = match status {
            Ok(s) => super::confine::describe_exit(s),
            Err(e) => format!("could not be reaped ({e})"),
        };
        (how, why(&tail))
    }

    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        match self.stdin.as_mut() {
            Some(stdin) => write_frame(stdin, frame),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    /// Stops a worker that overran its time.
    fn stop(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The line of a dead worker's stderr that says why: an allocation that failed, a panic's
/// message, else the last line (backtrace notes aside).
fn why(tail: &str) -> Option<String> {
    let lines: Vec<&str> = tail.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let telling = |l: &&&str| l.contains("memory allocation of") || l.contains("panicked at");
    let pick = lines.iter().rev().find(telling).or_else(|| lines.iter().rev().find(|l| !l.starts_with("note:")));
    pick.map(|l| l.chars().take(300).collect())
}

impl Drop for Worker {
    /// An idle worker is told to end (its input closes) and given a moment to; one that
    /// does not is killed. Either way it is reaped.
    fn drop(&mut self) {
        drop(self.stdin.take());
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The last [`STDERR_TAIL`] bytes a stream carries, read until it ends.
fn tail(stream: impl Read) -> String {
    let mut kept = String::new();
    for line in BufReader::new(stream).split(b'\n').map_while(Result::ok) {
        kept.push_str(&String::from_utf8_lossy(&line));
        kept.push('\n');
        if kept.len() > 2 * STDERR_TAIL {
            let cut = kept.len() - STDERR_TAIL;
            let cut = (cut..kept.len()).find(|&i| kept.is_char_boundary(i)).unwrap_or(kept.len());
            kept.drain(..cut);
        }
    }
    kept
}

/// The pool of workers a run reads its files with: at most one per calling thread, each
/// reused for file after file until it fails.
pub struct Workers {
    exe: PathBuf,
    setup: Vec<u8>,
    memory_mb: u64,
    idle: Mutex<Vec<Worker>>,
}

impl Workers {
    /// Workers started from `exe` (the `jixiao` binary) with this configuration. Nothing is
    /// started until the first file.
    pub fn new(exe: PathBuf, config: &Config, run_date: NaiveDate) -> Result<Workers, WorkerError> {
        let memory_mb = config.limits.worker_memory_mb;
        let setup = Setup {
            config: serde_json::to_string(config).map_err(|e| WorkerError::Setup(e.to_string()))?,
            run_date: run_date.to_string(),
            memory_mb,
        };
        let setup = postcard::to_stdvec(&setup).map_err(|e| WorkerError::Setup(e.to_string()))?;
        Ok(Workers { exe, setup, memory_mb, idle: Mutex::new(Vec::new()) })
    }

    fn take(&self) -> io::Result<Worker> {
        let idle = self.idle.lock().ok().and_then(|mut v| v.pop());
        match idle {
            Some(w) => Ok(w),
            None => Worker::spawn(&self.exe, &self.setup),
        }
    }

    fn put_back(&self, w: Worker) {
        if let Ok(mut v) = self.idle.lock() {
            v.push(w);
        }
    }

    /// Reads one file in a worker, waiting at most `limit` for it: its result and, when the
    /// worker answered, the reply's bytes, which are the result as the cache stores it
    /// (postcard), so the cache keeps them instead of serializing the result again. `Err`
    /// only when no worker could be started (the caller then reads the file itself).
    pub fn process(&self, input: &Input, config: &Config, limit: Duration) -> io::Result<(FileResult, Vec<u8>)> {
        let task = task(input)?;
        // a worker that died while idle fails on the first write: one retry with a new one
        let mut w = self.take()?;
        if w.send(&task).is_err() {
            w.stop();
            w = Worker::spawn(&self.exe, &self.setup)?;
            w.send(&task)?;
        }
        // a file the worker could not answer for: failed, with no reply to cache
        let fail = |reason: String, chinese: String| {
            let size = std::fs::metadata(&input.path).map(|m| m.len() as i64).unwrap_or(0);
            Ok((failed(config, input, size, String::new(), reason, chinese), Vec::new()))
        };
        match w.replies.recv_timeout(limit) {
            Ok(Ok(bytes)) => match postcard::from_bytes::<FileResult>(&bytes) {
                Ok(r) => {
                    self.put_back(w);
                    Ok((r, bytes))
                }
                Err(e) => {
                    let (how, _) = w.end();
                    fail(
                        format!("internal error: the worker's reply could not be read ({e}; the worker {how})"),
                        "读取时发生内部错误".into(),
                    )
                }
            },
            Err(mpsc::RecvTimeoutError::Timeout) => {
                w.stop();
                let secs = limit.as_secs();
                fail(
                    format!("still being read after {secs} s (limit file_timeout_secs); its worker was stopped"),
                    format!("读取超时（超过{secs}秒），已跳过"),
                )
            }
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                let (how, why) = w.end();
                let said = why.as_deref().map(|w| format!(": {w}")).unwrap_or_default();
                if said.contains("memory allocation of") {
                    fail(
                        format!(
                            "needs more memory than a worker may use (limits.worker_memory_mb = {} MB); the reader's worker process {how}{said}",
                            self.memory_mb
                        ),
                        format!("读取所需内存超过上限（{}兆字节），文件可能已损坏", self.memory_mb),
                    )
                } else {
                    fail(
                        format!("the reader's worker process {how} on this file{said}"),
                        "读取时读取进程异常退出，已跳过".into(),
                    )
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_workers_reason_is_the_line_that_says_why() {
        let tail = "thread 'main' panicked at src/x.rs:1:1:\nindex out of bounds\nnote: run with `RUST_BACKTRACE=1`\n";
        assert_eq!(why(tail).as_deref(), Some("thread 'main' panicked at src/x.rs:1:1:"));
        let tail = "memory allocation of 67108864 bytes failed\nnote: Some details are omitted\n";
        assert_eq!(why(tail).as_deref(), Some("memory allocation of 67108864 bytes failed"));
        assert_eq!(why("something odd\n").as_deref(), Some("something odd"));
        assert_eq!(why(""), None);
    }

    #[test]
    fn serve_reads_every_file_it_is_sent_and_a_name_need_not_be_utf8() {
        let dir = std::env::temp_dir().join(format!("jixiao-worker-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        #[cfg(unix)]
        let odd = {
            use std::os::unix::ffi::OsStrExt;
            dir.join(std::ffi::OsStr::from_bytes(b"n\xB1.txt"))
        };
        #[cfg(not(unix))]
        let odd = dir.join("n.txt");
        std::fs::write(&odd, "not a workbook").unwrap();
        let files = [
            Input { path: odd.clone(), rel: "n%B1.txt".into() },
            Input { path: dir.join("missing.xlsx"), rel: "missing.xlsx".into() },
        ];
        let date = NaiveDate::from_ymd_opt(2023, 3, 1).unwrap();
        let sent = request(&Config::default_config(), date, &files).unwrap();
        let mut written = Vec::new();
        serve(&sent[..], &mut written, false).unwrap();
        let got = replies(&written).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].file.path, "n%B1.txt");
        assert_eq!(got[0].file.status, jixiao_rules::FileStatus::Skipped, "{:?}", got[0].file);
        assert_eq!(got[1].file.status, jixiao_rules::FileStatus::Failed);
    }
}
