//! Writes the regional forms of `crates/fixtures/src/regional.rs` as workbooks into a folder, to
//! open them, run `jixiao explain` on them or add them to a test corpus.
//!
//! Usage: cargo run --example gen_regional -- OUT_DIR

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args().nth(1).ok_or("usage: gen_regional OUT_DIR")?;
    std::fs::create_dir_all(&out)?;
    for form in jixiao_fixtures::regional::all() {
        let path = std::path::Path::new(&out).join(format!("{}.xlsx", form.name));
        form.save(&path, true)?;
        println!("{}", path.display());
    }
    Ok(())
}
