//! Fuzzes container inspection and the reader with arbitrary bytes: whatever a department
//! sends, reading it returns a value or an error, never a panic or a hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(grids) = jixiao_reader::read::read_workbook(data, 200_000, 64 * 1024 * 1024) {
        for g in &grids {
            let _ = jixiao_forms::locate::locate(g, &jixiao_forms::labels::Labels::builtin());
        }
    }
});
