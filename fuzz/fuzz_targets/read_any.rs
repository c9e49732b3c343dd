//! Fuzzes every reader a handed-in file can reach, as `jixiao run` picks them: what the
//! bytes are (`inspect::identify`), then the workbook reader (with its own pre-checks and
//! the .xls/.ods passes of its own) or the Word reader, then the locator and extractors.
//! Whatever the bytes, the result is records or an error: never a panic, a hang or an
//! allocation the bytes merely declare.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limit = 64 * 1024 * 1024;
    let grids = match jixiao_reader::inspect::identify(data, limit) {
        Ok(jixiao_reader::inspect::Kind::Docx) => match jixiao_reader::read::docx::read_docx(data, 200_000, limit) {
            Ok(doc) => vec![doc.grid],
            Err(_) => return,
        },
        _ => match jixiao_reader::read::read_workbook(data, 200_000, limit) {
            Ok(g) => g,
            Err(_) => return,
        },
    };
    let labels = &jixiao::config::Config::default_config().labels;
    for g in &grids {
        let _ = jixiao_forms::extract::extract_sheet(g, labels, "f.xlsx");
        let _ = jixiao::explain::explain_grid(g, labels);
    }
});
