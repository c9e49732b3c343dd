//! Writes a bulk corpus for benchmarks: N department workbooks of realistic size and
//! variety (form A, form B and 5–15 form C each, the layouts of sample-data, some planted
//! anomalies), from the same generator as sample-data. Deterministic. Run by `scripts/gen-bulk`.
//!
//! Usage: cargo run --release --example gen_bulk -- N DIR

use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args.get(1).ok_or("usage: gen_bulk N DIR")?.parse()?;
    let dir = std::path::PathBuf::from(args.get(2).ok_or("usage: gen_bulk N DIR")?);
    let written: Result<Vec<u64>, String> = (0..n)
        .into_par_iter()
        .map(|i| {
            let d = jixiao_fixtures::synth::department(i, 20_000, (5, 16));
            let path = dir.join(&d.path);
            if let Some(p) = path.parent() {
                std::fs::create_dir_all(p).map_err(|e| e.to_string())?;
            }
            let bytes = d.workbook.to_bytes().map_err(|e| e.to_string())?;
            std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(bytes.len() as u64)
        })
        .collect();
    let sizes = written?;
    eprintln!(
        "wrote {} workbooks, {:.1} MB, to {}",
        sizes.len(),
        sizes.iter().sum::<u64>() as f64 / 1e6,
        dir.display()
    );
    Ok(())
}
