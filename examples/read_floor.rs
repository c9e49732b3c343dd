//! The read floor: opens every workbook under DIR with calamine and touches every cell of
//! every sheet, with the same rayon parallelism as `jixiao run`, and nothing else. No tool
//! built on this reader can be faster; `scripts/bench` compares `jixiao run` with it.
//!
//! Usage: cargo run --release --example read_floor -- DIR [--jobs N]

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).ok_or("usage: read_floor DIR [--jobs N]")?;
    let jobs = args.iter().position(|a| a == "--jobs").and_then(|i| args.get(i + 1)).and_then(|j| j.parse().ok());
    let files = jixiao::discover::discover(std::path::Path::new(dir), None).inputs;
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs.unwrap_or(0)).build()?;
    let t = std::time::Instant::now();
    let cells: usize = pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                let Ok(bytes) = std::fs::read(&f.path) else { return 0 };
                let Ok(mut wb) = open_workbook_auto_from_rs(Cursor::new(bytes)) else { return 0 };
                let mut n = 0;
                for name in wb.sheet_names() {
                    if let Ok(range) = wb.worksheet_range(&name) {
                        n += range.used_cells().filter(|(_, _, d)| !matches!(d, Data::Empty)).count();
                    }
                }
                n
            })
            .sum()
    });
    eprintln!("read {} files, {} non-empty cells in {:.2}s", files.len(), cells, t.elapsed().as_secs_f64());
    Ok(())
}
