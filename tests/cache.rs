//! Incremental re-runs: after one file changes, a re-run takes the others from the cache
//! and its outputs equal those of a cold run.

mod common;

use std::path::Path;

use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunExtras, RunOptions, run_with};
use jixiao_fixtures::synth::department;

fn opts(input: &Path, out: &Path, cache: bool) -> RunOptions {
    run_options(input, out, Config::default_config(), cache)
}

#[test]
fn a_rerun_after_one_change_reuses_the_rest_and_equals_a_cold_run() {
    rerun_after_one_change(&RunExtras::default());
}

/// The same in worker processes, as `jixiao run` reads: the cache keeps each worker's
/// reply as it came, and a re-run reads those entries back.
#[test]
fn a_rerun_in_worker_processes_reuses_their_replies() {
    rerun_after_one_change(&RunExtras { workers: Some(env!("CARGO_BIN_EXE_jixiao").into()), ..RunExtras::default() });
}

fn rerun_after_one_change(extras: &RunExtras) {
    let run = |o: &RunOptions| run_with(o, extras);
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let depts: Vec<_> = (0..12).map(|i| department(i, 77, (3, 6))).collect();
    for d in &depts {
        let p = input.join(&d.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        d.workbook.save(&p).unwrap();
    }
    let out = dir.path().join("out");
    let first = run(&opts(&input, &out, true)).unwrap();
    assert_eq!(first.cache_hits, 0);
    assert!(out.join("cache").is_dir());

    // one department sends a corrected workbook
    department(40, 77, (3, 6)).workbook.save(&input.join(&depts[3].path)).unwrap();
    let again = run(&opts(&input, &out, true)).unwrap();
    assert_eq!(again.cache_hits, 11, "every unchanged file comes from the cache");

    let cold_out = dir.path().join("cold");
    let cold = run(&opts(&input, &cold_out, false)).unwrap();
    assert_eq!(cold.cache_hits, 0);
    assert_eq!(outputs(&out), outputs(&cold_out), "a cached re-run writes what a cold run writes");

    // a different configuration does not reuse results made under another
    let mut other = opts(&input, &out, true);
    other.config.settings.checks.grades.excellent = 95.0;
    assert_eq!(run(&other).unwrap().cache_hits, 0);
}
