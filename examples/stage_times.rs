//! Times the stages of processing one corpus, single-threaded: read (calamine + grid),
//! locate + extract, rules. A profiling aid for `docs/performance.md`.
//!
//! Usage: cargo run --release --example stage_times -- DIR

use std::time::{Duration, Instant};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: stage_times DIR")?;
    let config = jixiao::config::Config::default_config();
    let inputs = jixiao::discover::discover(std::path::Path::new(&dir), None).inputs;
    let (mut io, mut read, mut extract, mut rules) = (Duration::ZERO, Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let date = chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    for i in &inputs {
        let t = Instant::now();
        let bytes = std::fs::read(&i.path)?;
        io += t.elapsed();
        let t = Instant::now();
        let Ok(grids) = jixiao_reader::read::read_workbook(&bytes, 5_000_000, 1 << 30) else { continue };
        read += t.elapsed();
        let t = Instant::now();
        let mut evals = Vec::new();
        let mut basics = Vec::new();
        for g in &grids {
            let f = jixiao_forms::extract::extract_sheet(g, &config.labels, &i.rel);
            evals.extend(f.evaluations);
            basics.extend(f.basics);
        }
        extract += t.elapsed();
        let t = Instant::now();
        let _ = jixiao_rules::check_forms(&evals, &basics, &config.settings.checks, date);
        rules += t.elapsed();
    }
    eprintln!(
        "{} files: io {:.2}s, read {:.2}s, extract {:.2}s, rules {:.2}s",
        inputs.len(),
        io.as_secs_f64(),
        read.as_secs_f64(),
        extract.as_secs_f64(),
        rules.as_secs_f64()
    );
    Ok(())
}
