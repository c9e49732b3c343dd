//! Writes the `.xlsx` sources of the committed `.xls`/`.ods` fixtures (see
//! `scripts/make-format-fixtures`): the seed, a Sichuan-template department, and the 永德
//! regional form with its percent-formatted cells (`regional_percent`).
//!
//! Usage: cargo run --example gen_format_sources -- DIR

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    for (name, spec) in jixiao_fixtures::format_sources() {
        spec.save(&dir.join(format!("{name}.xlsx")))?;
    }
    jixiao_fixtures::regional::yunnan_yongde().save(&dir.join("regional_percent.xlsx"), true)?;
    Ok(())
}
