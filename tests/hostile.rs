//! Issue 12: one generated file per hostile class (see `jixiao_fixtures::hostile`), in one
//! batch with good files between them. The run completes, lists every file once with a
//! reason naming its problem, and the good files' records are those of a run without the
//! bad ones. Time and memory are measured by `scripts/bench-hostile`, not here.

mod common;

use std::path::Path;

use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunExtras, RunOptions, run_with};
use jixiao_fixtures::{Form, Layout, WorkbookSpec, hostile, seed};
use jixiao_report::dataset::read_table;

fn opts(input: &Path, out: &Path) -> RunOptions {
    run_options(input, out, Config::default_config(), false)
}

fn good_files(dir: &Path) -> Vec<String> {
    let seed_wb = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    std::fs::create_dir_all(dir.join("good")).unwrap();
    seed_wb.save(&dir.join("good/a_seed.xlsx")).unwrap();
    let (clean, _) = jixiao_fixtures::synth::project_pair("TOTAL_MISMATCH", 3, false).unwrap();
    WorkbookSpec::one_per_sheet(vec![Form::Eval(clean)], Layout::default())
        .save(&dir.join("good/z_project.xlsx"))
        .unwrap();
    vec!["good/a_seed.xlsx".into(), "good/z_project.xlsx".into()]
}

fn seed_named(sheet: &str) -> WorkbookSpec {
    WorkbookSpec::stacked(sheet, seed::forms(), Layout::default())
}

fn super_col(df: &polars::prelude::DataFrame, name: &str) -> Vec<String> {
    col(df, name)
}

fn col(df: &polars::prelude::DataFrame, name: &str) -> Vec<String> {
    df.column(name).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
}

/// Writes the hostile corpus into `input`; returns the good files and the classes.
fn write_corpus(input: &Path) -> (Vec<String>, Vec<hostile::Hostile>) {
    let good = good_files(input);
    let good_bytes = std::fs::read(input.join(&good[1])).unwrap();
    let classes = hostile::all(&good_bytes);
    for h in &classes {
        let p = input.join(h.name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, &h.bytes).unwrap();
    }
    // a path too long for an Excel link: the summary writes it as text
    let mut long = input.join("long");
    for i in 0..9 {
        long = long.join(format!("{i}{}", "d".repeat(240)));
    }
    std::fs::create_dir_all(&long).unwrap();
    seed_named("长路径").save(&long.join("seed.xlsx")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        // two names that are not UTF-8 and read the same lossily ("�.xlsx")
        for (b, sheet) in [(0xB1u8, "甲"), (0xB2, "乙")] {
            let bytes = [b'n', b, b'.', b'x', b'l', b's', b'x'];
            let name = std::ffi::OsStr::from_bytes(&bytes);
            seed_named(sheet).save(&input.join("special").join(name)).unwrap();
        }
        let fifo = input.join("special/pipe.xlsx");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        assert!(made, "mkfifo");
    }
    (good, classes)
}

/// For scripts/bench-hostile: `HOSTILE_CORPUS=DIR` gets DIR/all (every class and the good
/// files) and DIR/good (the good files alone).
#[test]
#[ignore]
fn write_hostile_corpus() {
    let dir = std::path::PathBuf::from(std::env::var("HOSTILE_CORPUS").expect("HOSTILE_CORPUS"));
    write_corpus(&dir.join("all"));
    good_files(&dir.join("good"));
}

#[test]
fn every_hostile_class_costs_one_line() {
    hostile_batch(&RunExtras::default());
}

/// The same batch read as `jixiao run` reads it, in worker processes.
#[test]
fn every_hostile_class_costs_one_line_in_worker_processes() {
    hostile_batch(&RunExtras { workers: Some(env!("CARGO_BIN_EXE_jixiao").into()), ..RunExtras::default() });
}

fn hostile_batch(extras: &RunExtras) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let (good, classes) = write_corpus(&input);
    let out = dir.path().join("out");
    let report = run_with(&opts(&input, &out), extras).expect("the run completes");
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    let (paths, status, errors) = (col(&files, "path"), col(&files, "status"), col(&files, "error"));
    let mut sorted = paths.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), paths.len(), "every file listed once: {paths:?}");
    let row = |p: &str| paths.iter().position(|x| x == p).unwrap_or_else(|| panic!("{p} missing: {paths:?}"));
    let mut wrong = Vec::new();
    for h in &classes {
        let i = row(h.name);
        if status[i] != h.status || !errors[i].contains(h.reason) || errors[i].contains("still being read") {
            wrong.push(format!("{}: {} {:?} (expected {} {:?})", h.name, status[i], errors[i], h.status, h.reason));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for g in &good {
        assert_eq!(status[row(g)], "ok", "{g}");
    }
    let long_rel = paths.iter().find(|p| p.starts_with("long/")).expect("the long path is listed");
    assert_eq!(status[row(long_rel)], "ok");
    #[cfg(unix)]
    {
        assert_eq!(status[row("special/pipe.xlsx")], "skipped");
        let (a, b) = (row("special/n%B1.xlsx"), row("special/n%B2.xlsx"));
        assert_eq!((status[a].as_str(), status[b].as_str()), ("ok", "ok"));
        let evals = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
        let ids = col(&evals, "eval_id");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "no eval_id collides");
    }
    assert_eq!(report.files.total, paths.len());
    assert!(out.join("summary.xlsx").exists());

    // the good files' records are those of a run without the bad ones
    let clean_in = dir.path().join("clean");
    good_files(&clean_in);
    let clean_out = dir.path().join("clean_out");
    run_with(&opts(&clean_in, &clean_out), extras).unwrap();
    let evals = |p: &Path| {
        use polars::prelude::*;
        let df = read_table(&p.join("dataset/evaluations.parquet")).unwrap();
        let keep: Vec<bool> = super_col(&df, "path").iter().map(|p| p.starts_with("good/")).collect();
        let df = df.filter(&BooleanChunked::from_slice("keep".into(), &keep)).unwrap().drop("eval_id").unwrap();
        format!("{df:?}")
    };
    assert_eq!(evals(&out), evals(&clean_out));
}

/// The formula pass (FORMULA_NO_VALUE) streams positions: a stray formula at XFD1048576
/// and a shared formula with an absurd `si` cost nothing.
#[test]
fn formulas_far_away_or_with_absurd_indexes_are_read_cheaply() {
    let dir = tempfile::tempdir().unwrap();
    let good = good_files(dir.path());
    let bytes = std::fs::read(dir.path().join(&good[1])).unwrap();
    let h = hostile::all(&bytes).into_iter().find(|h| h.name.contains("shared_formula_si")).unwrap();
    let names = {
        use calamine::Reader;
        let wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(&h.bytes)).unwrap();
        wb.sheet_names()
    };
    let f = jixiao_reader::read::formula_cells(&h.bytes, &names[0], 1 << 30).unwrap();
    assert!(f.contains(&(1_048_575, 16_383)) && f.contains(&(1_048_574, 0)), "{f:?}");
}

/// The workbooks calamine reads though their parts are not where Excel puts them keep
/// their merged regions, and so read the same forms as the original.
#[test]
fn a_workbook_at_the_root_or_with_backslashes_keeps_its_merges() {
    let original = seed_named("附表").to_bytes().unwrap();
    let merges = jixiao_reader::merges::xlsx_merges(&mut jixiao_reader::opened::open_zip(&original).unwrap());
    assert!(merges.get("附表").is_some_and(|m| m.len() > 100));
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let r = process_path(&dir.path().join(name), name);
        assert_eq!(r.file.status, jixiao_rules::FileStatus::Ok, "{name}: {:?}", r.file.error);
        r.evaluations.iter().map(essence).collect::<Vec<_>>()
    };
    let expected = read("original.xlsx", &original);
    for (name, bytes) in [
        ("root.xlsx", hostile::workbook_at_root(&original)),
        ("backslashes.xlsx", hostile::with_backslashes(&original)),
    ] {
        assert_eq!(
            jixiao_reader::merges::xlsx_merges(&mut jixiao_reader::opened::open_zip(&bytes).unwrap()),
            merges,
            "{name}"
        );
        assert_eq!(read(name, &bytes), expected, "{name}");
    }
}

/// An `.xls` whose OLE directory the strict `cfb` crate rejects for a red-black colour out
/// of range (calamine ignores it) is read, through a repaired copy, with the same forms as
/// the original, its percentages included: the container check refuses only what the reader
/// would also fail on.
#[test]
fn an_xls_whose_ole_directory_only_a_strict_check_rejects_is_read() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats/regional_percent.xls");
    let original = std::fs::read(&path).unwrap();
    let odd = hostile::ole_directory_colour_out_of_range(&original);
    let strict = cfb::CompoundFile::open(std::io::Cursor::new(&odd[..]));
    assert!(strict.err().is_some_and(|e| e.to_string().contains("color")), "the strict check must reject it");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("odd.xls"), &odd).unwrap();
    let r = process_path(&dir.path().join("odd.xls"), "odd.xls");
    assert_eq!(r.file.status, jixiao_rules::FileStatus::Ok, "{:?}", r.file.error);
    assert_eq!(r.file.error, None);
    let expected = process_path(&path, "odd.xls");
    assert!(!expected.evaluations.is_empty());
    let essences = |r: &jixiao_rules::FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(essences(&r), essences(&expected));
}

/// An `.xls` whose OLE directory has sibling names out of order (as Apache POI's
/// `ConditionalFormattingSamples.xls`, which calamine reads) is read, through a copy with
/// the siblings re-linked in order, with the same cells as the file in order: the strict
/// `cfb` crate alone refuses it.
#[test]
fn an_xls_whose_ole_directory_names_are_out_of_order_is_read() {
    use jixiao_fixtures::{Cv, biff5};
    let sheets = vec![
        (
            "表1".to_string(),
            vec![(0, 0, Cv::T("项目名称".into())), (1, 0, Cv::T("年度目标".into())), (1, 2, Cv::N(88.5))],
        ),
        ("表2".to_string(), vec![(3, 1, Cv::N(7.0))]),
    ];
    let book = biff5::workbook(&sheets).unwrap();
    let summary = [0xFEu8, 0xFF, 0, 0].repeat(16);
    let original =
        biff5::with_streams(&book, &[("\u{1}CompObj", &summary), ("\u{5}SummaryInformation", &summary)]).unwrap();
    let odd = hostile::ole_directory_names_out_of_order(&original);
    let strict = cfb::CompoundFile::open(std::io::Cursor::new(&odd[..]));
    let refusal = strict.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(refusal.contains("name ordering"), "the strict check must reject it: {refusal:?}");
    let grids = |bytes: &[u8]| jixiao_reader::read::read_workbook(bytes, 5_000_000, 1 << 30);
    let expected = grids(&original).expect("the original is read");
    assert_eq!(expected.len(), 2);
    assert_eq!(expected[0].get((1, 2)).value, jixiao_reader::grid::Value::Number(88.5));
    // every sheet's name, extent and cells (a grid has no `==`: its debug form lists them all)
    let read = grids(&odd).expect("read through the repaired copy");
    assert_eq!(format!("{read:?}"), format!("{expected:?}"));
    // the whole pipeline: container check, pre-checks, reader
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("odd.xls"), &odd).unwrap();
    let r = process_path(&dir.path().join("odd.xls"), "odd.xls");
    assert_ne!(r.file.status, jixiao_rules::FileStatus::Failed, "{:?}", r.file.error);
    assert_eq!(r.file.error, None);
}

/// An `.xls` formula's text result is read where the formula is, and only its tokens cut
/// short make the file fail: the twins differ in the formula alone.
#[test]
fn an_xls_formula_is_read_when_whole_and_refused_when_its_last_token_is_cut_short() {
    let classes = hostile::all(&[]);
    let bytes = |name: &str| classes.iter().find(|h| h.name == name).unwrap().bytes.clone();
    let grids =
        jixiao_reader::read::read_workbook(&bytes("readable/formula_with_a_text_result.xls"), 5_000_000, 1 << 30)
            .expect("a 151-row sheet with one text formula is read");
    assert_eq!(grids[0].get((0, 1)).value, jixiao_reader::grid::Value::Text("县财政局".into()));
    assert_eq!(grids[0].get((150, 0)).value, jixiao_reader::grid::Value::Number(150.0));
    let cut = jixiao_reader::read::read_workbook(&bytes("formulas/token_cut_short.xls"), 5_000_000, 1 << 30);
    let error = cut.expect_err("a token cut short is refused before calamine panics").to_string();
    assert!(error.contains("B1 ends in the middle of its area error (PtgAreaErr) token"), "{error}");
}

/// The sheet limit and the text budget are settings (`[limits] max_sheets`, `max_text_mb`):
/// a workbook refused under the defaults is read when the office raises them, and a lower
/// text budget refuses what the default reads, each saying the limit it applied.
#[test]
fn the_sheet_and_text_limits_come_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let classes = hostile::all(&[]);
    let many = dir.path().join("many_sheets.xlsx");
    std::fs::write(&many, &classes.iter().find(|h| h.name == "work/many_sheets.xlsx").unwrap().bytes).unwrap();
    let mut config = jixiao::config::Config::default_config();
    let r = common::process_with(&many, "many_sheets.xlsx", &config);
    assert!(r.file.error.as_deref().unwrap_or("").contains("2000 sheets (limit 1000)"), "{:?}", r.file.error);
    config.limits.max_sheets = 2_000;
    let r = common::process_with(&many, "many_sheets.xlsx", &config);
    assert_eq!((r.file.status, r.file.sheets), (jixiao_rules::FileStatus::NoForm, 2_000), "{:?}", r.file.error);

    // a sheet with 3 MB of text: read by default, refused under a 2 MB budget
    let text = "很长的说明".repeat(70_000);
    let rows: String = (1..=3)
        .map(|r| format!(r#"<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{text}</t></is></c></row>"#))
        .collect();
    let wordy = dir.path().join("wordy.xlsx");
    std::fs::write(&wordy, hostile::xlsx(&[("表1".into(), format!("<sheetData>{rows}</sheetData>"))], None)).unwrap();
    let mut config = jixiao::config::Config::default_config();
    assert_eq!(common::process_with(&wordy, "wordy.xlsx", &config).file.status, jixiao_rules::FileStatus::NoForm);
    config.limits.max_text_mb = 2;
    let r = common::process_with(&wordy, "wordy.xlsx", &config);
    assert_eq!(r.file.status, jixiao_rules::FileStatus::Failed);
    assert!(r.file.error.as_deref().unwrap_or("").contains("over 2 MB"), "{:?}", r.file.error);
}
