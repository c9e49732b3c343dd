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
    let mut manifest = jixiao::fixtures::synth::write_corpus(&dir, count, 2022)?;
    // one more department hands in a Word report (its forms as Word tables) instead of a workbook
    let dept = jixiao::fixtures::synth::department(count, 2022, (3, 7));
    let (path, report) = jixiao::fixtures::docx::department_report(&dept);
    if let Some(parent) = dir.join(&path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(dir.join(&path), jixiao::fixtures::docx::to_bytes(&report)?)?;
    manifest.files.push(path.clone());
    for mut p in dept.planted {
        p.path = path.clone();
        manifest.planted.push(p);
    }
    std::fs::write(dir.join("planted.json"), serde_json::to_string_pretty(&manifest)?)?;
    eprintln!(
        "wrote {} files ({} planted anomalies) to {}",
        manifest.files.len(),
        manifest.planted.len(),
        dir.display()
    );
    Ok(())
}
