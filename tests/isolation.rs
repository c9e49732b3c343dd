//! Issue 12: what a reader thread cannot survive costs one file and one worker process,
//! never the batch. `jixiao run` reads its files in `jixiao worker` processes; here some of
//! them abort, exit, loop forever or allocate until their memory limit stops them
//! (`JIXIAO_WORKER_FAULT` makes the worker do so on the files named; no real file is known
//! that still does it, see `src/pipeline/worker.rs`). The run exits 0, lists every file
//! once with what happened to it, and the good files' records are those of a run without
//! the bad ones.

mod common;

use std::path::Path;
use std::process::Command;

use jixiao_fixtures::{Form, Layout, WorkbookSpec, seed};
use jixiao_report::dataset::read_table;

fn col(df: &polars::prelude::DataFrame, name: &str) -> Vec<String> {
    df.column(name).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
}

/// Good files, then one copy of the project workbook per fault, named after it.
fn write_corpus(dir: &Path, faults: &[&str]) -> Vec<String> {
    std::fs::create_dir_all(dir.join("good")).unwrap();
    WorkbookSpec::stacked("附表", seed::forms(), Layout::default()).save(&dir.join("good/a_seed.xlsx")).unwrap();
    let (clean, _) = jixiao_fixtures::synth::project_pair("TOTAL_MISMATCH", 3, false).unwrap();
    let project = dir.join("good/z_project.xlsx");
    WorkbookSpec::one_per_sheet(vec![Form::Eval(clean)], Layout::default()).save(&project).unwrap();
    std::fs::create_dir_all(dir.join("bad")).unwrap();
    for f in faults {
        // the bytes differ from the good file's, so that none is a duplicate of it
        let mut bytes = std::fs::read(&project).unwrap();
        bytes.extend(f.as_bytes());
        std::fs::write(dir.join(format!("bad/{f}.xlsx")), bytes).unwrap();
    }
    vec!["good/a_seed.xlsx".into(), "good/z_project.xlsx".into()]
}

/// `jixiao run INPUT --out OUT --config CONFIG --jobs JOBS`, its workers given `fault`.
fn jixiao(input: &Path, out: &Path, config: &Path, jobs: &str, fault: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    c.arg("run").arg(input).arg("--out").arg(out).arg("--config").arg(config);
    c.args(["--quiet", "--no-cache", "--jobs", jobs]).env("JIXIAO_WORKER_FAULT", fault);
    c
}

fn jixiao_run(input: &Path, out: &Path, config: &Path, jobs: &str, fault: &str) -> std::process::ExitStatus {
    jixiao(input, out, config, jobs, fault).status().expect("jixiao starts")
}

/// The evaluations of the good files, without the run-specific ids.
fn good_evaluations(out: &Path) -> String {
    use polars::prelude::*;
    let df = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    let keep: Vec<bool> = crate::col(&df, "path").iter().map(|p| p.starts_with("good/")).collect();
    let df = df.filter(&BooleanChunked::from_slice("keep".into(), &keep)).unwrap().drop("eval_id").unwrap();
    format!("{df:?}")
}

#[test]
fn a_worker_that_aborts_exits_hangs_or_runs_out_of_memory_costs_its_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("limits.toml");
    // a short timeout for the file that hangs (the good files take a tenth of it in a debug
    // build), a small memory limit for the one that allocates
    std::fs::write(&config, "[limits]\nfile_timeout_secs = 4\nworker_memory_mb = 256\n").unwrap();
    let faults = ["abort_读取崩溃", "exit_进程退出", "hang_死循环", "alloc_内存耗尽"];
    let input = dir.path().join("in");
    let good = write_corpus(&input, &faults);
    let spec = faults.iter().map(|f| format!("{}:{f}", f.split('_').next().unwrap())).collect::<Vec<_>>().join(",");

    for jobs in ["2", "1"] {
        let out = dir.path().join(format!("out{jobs}"));
        assert_eq!(jixiao_run(&input, &out, &config, jobs, &spec).code(), Some(0), "--jobs {jobs}");
        let files = read_table(&out.join("dataset/files.parquet")).unwrap();
        let (paths, status, errors) = (col(&files, "path"), col(&files, "status"), col(&files, "error"));
        assert_eq!(paths.len(), good.len() + faults.len(), "every file listed once: {paths:?}");
        let row = |p: &str| paths.iter().position(|x| x == p).unwrap_or_else(|| panic!("{p} missing: {paths:?}"));
        for g in &good {
            assert_eq!(status[row(g)], "ok", "{g}");
        }
        let expected = [
            ("abort_读取崩溃", "worker process aborted (SIGABRT)"),
            ("exit_进程退出", "worker process exited with status 3"),
            ("hang_死循环", "still being read after 4 s"),
            ("alloc_内存耗尽", "needs more memory than a worker may use (limits.worker_memory_mb = 256 MB)"),
        ];
        for (name, reason) in expected {
            let i = row(&format!("bad/{name}.xlsx"));
            assert_eq!(status[i], "failed", "{name}: {}", errors[i]);
            assert!(errors[i].contains(reason), "{name}: {:?} should say {reason:?}", errors[i]);
        }
        // each failed file is an UNREADABLE_FILE finding the office sees
        let anomalies = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
        let unreadable = col(&anomalies, "rule").iter().filter(|r| *r == "UNREADABLE_FILE").count();
        assert_eq!(unreadable, faults.len());
    }

    // the good files read as they do without the bad ones, and without the limits
    let clean = dir.path().join("clean");
    let good = write_corpus(&clean, &[]);
    let clean_out = dir.path().join("clean_out");
    let defaults = dir.path().join("defaults.toml");
    std::fs::write(&defaults, "").unwrap();
    assert_eq!(jixiao_run(&clean, &clean_out, &defaults, "2", "").code(), Some(0));
    let files = read_table(&clean_out.join("dataset/files.parquet")).unwrap();
    assert_eq!(col(&files, "status"), vec!["ok"; good.len()], "{:?}", col(&files, "error"));
    assert_eq!(good_evaluations(&dir.path().join("out2")), good_evaluations(&clean_out));
    assert_eq!(good_evaluations(&dir.path().join("out1")), good_evaluations(&clean_out));
}

/// A real file found by fuzzing: calamine reads this sheet's DIMENSIONS from the sheet's
/// BOUNDSHEET offset and, in a release build, reserves room for 1.9 TB of cells: the
/// allocation fails and the process aborts. The pre-check now walks the sheets from their
/// offsets as calamine does and refuses it before calamine opens it, in the worker; were
/// it to get through, the worker's memory limit would stop it (the test above).
#[test]
fn a_file_that_made_the_reader_abort_costs_that_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("limits.toml");
    std::fs::write(&config, "[limits]\nfile_timeout_secs = 30\n").unwrap();
    let input = dir.path().join("in");
    let good = write_corpus(&input, &[]);
    let bomb = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz/xls_dimensions_ask_for_terabytes.xls");
    std::fs::copy(&bomb, input.join("bad/m_bomb.xls")).unwrap();
    let out = dir.path().join("out");
    assert_eq!(jixiao_run(&input, &out, &config, "2", "").code(), Some(0));
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    let (paths, status, errors) = (col(&files, "path"), col(&files, "status"), col(&files, "error"));
    assert_eq!(paths.len(), good.len() + 1);
    let i = paths.iter().position(|p| p == "bad/m_bomb.xls").unwrap();
    assert_eq!(status[i], "failed");
    let said = &errors[i];
    assert!(said.contains("4294967069 rows × 11 columns"), "{said}");
    for g in &good {
        assert_eq!(status[paths.iter().position(|p| p == g).unwrap()], "ok");
    }
}

/// A run killed midway (here while a worker loops on a file) leaves the previous output as
/// it was, and on Linux its workers die with it: none is left spinning.
#[cfg(target_os = "linux")]
#[test]
fn a_run_killed_midway_leaves_the_previous_output_and_no_worker_behind() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("limits.toml");
    std::fs::write(&config, "[limits]\nfile_timeout_secs = 600\n").unwrap();
    let input = dir.path().join("in");
    write_corpus(&input, &["hang_死循环"]);
    let out = dir.path().join("out");
    // the previous run: no fault
    assert_eq!(jixiao_run(&input, &out, &config, "2", "").code(), Some(0));
    std::fs::write(out.join("marker"), b"previous run").unwrap();
    let before = std::fs::read(out.join("summary.xlsx")).unwrap();

    let mut run = jixiao(&input, &out, &config, "2", "hang:死循环").spawn().unwrap();
    let children = || {
        let listed = Command::new("pgrep").arg("-P").arg(run.id().to_string()).output().unwrap();
        String::from_utf8_lossy(&listed.stdout).split_whitespace().map(String::from).collect::<Vec<_>>()
    };
    // wait until the workers run (the hanging one never ends), then kill the run
    let mut workers = Vec::new();
    for _ in 0..200 {
        workers = children();
        if !workers.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!workers.is_empty(), "the run started its workers");
    std::thread::sleep(std::time::Duration::from_millis(500));
    run.kill().unwrap();
    run.wait().unwrap();

    assert!(out.join("marker").exists(), "the previous output is untouched");
    assert_eq!(std::fs::read(out.join("summary.xlsx")).unwrap(), before);
    // the workers were killed with their run (PR_SET_PDEATHSIG): gone, or a zombie
    // waiting for whoever adopted it to reap it, never running
    std::thread::sleep(std::time::Duration::from_millis(500));
    for pid in &workers {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = state.rsplit(')').next().unwrap_or("").split_whitespace().next().unwrap_or("gone").to_string();
        assert!(state == "gone" || state == "Z", "worker {pid} is still there ({state})");
    }
}
