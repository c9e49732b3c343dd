//! Fuzzes every reader a handed-in file can reach, as `jixiao run` picks them: what the
//! bytes are (`read::read_file`, identified once), then the workbook reader (with its own pre-checks and
//! the .xls/.ods passes of its own) or the Word reader, then the locator and extractors.
//! Whatever the bytes, the result is records or an error: never a panic, a hang or an
//! allocation the bytes merely declare.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    use jixiao_reader::read::{Document, read_file};
    let limits = jixiao_reader::ReadLimits::new(200_000, 64 * 1024 * 1024);
    let grids = match read_file(data, &limits) {
        Ok(Document::Sheets(book, _)) => book.grids,
        Ok(Document::Word(doc)) => vec![doc.grid],
        Ok(Document::NotRead(..)) | Err(_) => return,
    };
    let labels = &jixiao_forms::labels::Labels::builtin();
    for g in &grids {
        let _ = jixiao_forms::extract::extract_sheet(g, labels, "f.xlsx");
        #[cfg(feature = "whole")]
        let _ = jixiao::explain::explain_grid(g, labels);
    }
});
