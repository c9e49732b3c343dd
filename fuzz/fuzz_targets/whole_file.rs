//! Fuzzes a whole file through the path a run sends it down: the bytes are written to a
//! file, the worker protocol carries the task (`jixiao::pipeline::worker::serve`, as the
//! `jixiao worker` process runs it), and the reply must decode to exactly one result for
//! that file: read, without a form, failed or skipped, with its row. Everything a file
//! meets is here: identification, every reader, the locator, the extractors, the form
//! rules and the record's serialization. (The process boundary and the watchdog are not:
//! they only matter when this target would crash, and they are tested in tests/hostile.rs.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("jixiao-fuzz-{}.xlsx", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let config = jixiao::config::Config::default_config();
    let date = chrono::NaiveDate::from_ymd_opt(2023, 3, 1).expect("a date");
    let input = jixiao::discover::Input { path: path.clone(), rel: "f.xlsx".into() };
    let sent = jixiao::pipeline::worker::request(&config, date, &[input]).expect("a request");
    let mut written = Vec::new();
    jixiao::pipeline::worker::serve(&sent[..], &mut written, false).expect("the worker answers");
    let replies = jixiao::pipeline::worker::replies(&written).expect("replies decode");
    assert_eq!(replies.len(), 1);
    assert_eq!(replies[0].file.path, "f.xlsx");
});
