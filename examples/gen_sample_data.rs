//! Writes `sample-data/`: the seed department plus synthetic departments with planted
//! anomalies, and `planted.json` listing them. Run by `scripts/gen-sample-data`.
//!
//! Usage: cargo run --example gen_sample_data -- [DIR] [COUNT]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).map(String::as_str).unwrap_or("sample-data"));
    let count: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(32);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let manifest = jixiao::fixtures::synth::write_corpus(&dir, count, 2022)?;
    std::fs::write(dir.join("planted.json"), serde_json::to_string_pretty(&manifest)?)?;
    eprintln!(
        "wrote {} workbooks ({} planted anomalies) to {}",
        manifest.files.len(),
        manifest.planted.len(),
        dir.display()
    );
    Ok(())
}
