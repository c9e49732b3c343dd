//! Times reading the seed report as a workbook (`.xlsx`, forms stacked in one sheet) and as
//! a Word report (`.docx`, forms as tables): bytes to grids, the step that differs.
//!
//! Usage: cargo run --release --example read_word -- [ROUNDS]

use std::time::Instant;

use jixiao_fixtures::{Layout, WorkbookSpec, docx, seed};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rounds: u32 = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(200);
    let xlsx = WorkbookSpec::stacked("附表", seed::forms(), Layout::default()).to_bytes()?;
    let word = docx::to_bytes(&docx::seed_report())?;
    let limit = 1 << 30;
    let t = Instant::now();
    for _ in 0..rounds {
        jixiao_reader::read::read_workbook(&xlsx, 5_000_000, limit)?;
    }
    let x = t.elapsed() / rounds;
    let t = Instant::now();
    for _ in 0..rounds {
        jixiao_reader::read::docx::read_docx(&word, 5_000_000, limit)?;
    }
    let w = t.elapsed() / rounds;
    println!("seed .xlsx ({} bytes): {x:?} per read; seed .docx ({} bytes): {w:?} per read", xlsx.len(), word.len());
    Ok(())
}
