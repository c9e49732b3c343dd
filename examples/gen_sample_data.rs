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
    let mut manifest = jixiao_fixtures::synth::write_corpus(&dir, count, 2022)?;
    // one more department hands in a Word report (its forms as Word tables) instead of a workbook
    let dept = jixiao_fixtures::synth::department(count, 2022, (3, 7));
    let (path, report) = jixiao_fixtures::docx::department_report(&dept);
    if let Some(parent) = dir.join(&path).parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(dir.join(&path), jixiao_fixtures::docx::to_bytes(&report)?)?;
    manifest.files.push(path.clone());
    for mut p in dept.planted {
        p.path = path.clone();
        manifest.planted.push(p);
    }
    std::fs::write(dir.join("planted.json"), serde_json::to_string_pretty(&manifest)?)?;
    std::fs::write(dir.join("名单.csv"), roster(&manifest.files))?;
    eprintln!(
        "wrote {} files ({} planted anomalies) to {}",
        manifest.files.len(),
        manifest.planted.len(),
        dir.display()
    );
    Ok(())
}

/// The roster of the sample (`jixiao run sample-data --roster sample-data/名单.csv`): every
/// department handed in, with its 系统 (its folder), written the ways people write names —
/// one without 株洲市, one in full-width brackets with a trailing space — plus one
/// misspelt name and one department that handed in nothing.
fn roster(files: &[String]) -> String {
    let mut names: Vec<(String, String)> = Vec::new();
    for f in files {
        let Some((system, file)) = f.split_once('/') else { continue };
        if system == "重复报送" || file.contains("修改版") {
            continue;
        }
        let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
        let name = stem.split("2022年度").next().unwrap_or(stem).to_string();
        let name = if name.is_empty() { system.to_string() } else { name };
        if !names.iter().any(|(n, _)| *n == name) {
            names.push((name, system.to_string()));
        }
    }
    let mut out = String::from("序号,部门名称,所属系统\n");
    for (i, (name, system)) in names.iter().enumerate() {
        let written = match i {
            1 => name.trim_start_matches("株洲市").to_string(),
            3 => format!("{name} "),
            5 => name.replacen("中", "钟", 1).replacen("院", "园", 1),
            _ => name.clone(),
        };
        out.push_str(&format!("{},{written},{system}\n", i + 1));
    }
    out.push_str(&format!("{},株洲市园林局,市住建局系统\n", names.len() + 1));
    out
}
