//! Bad input never stops the batch, never loses a file, never corrupts the output: a
//! folder mixing good workbooks with one of each kind of bad file.

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunOptions, run};
use jixiao_fixtures::{Form, Layout, WorkbookSpec, seed};
use jixiao_report::dataset::read_table;

fn opts(input: &Path, out: &Path, config: Config) -> RunOptions {
    run_options(input, out, config, false)
}

fn ole(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    for (name, data) in streams {
        c.create_stream(name).unwrap().write_all(data).unwrap();
    }
    c.flush().unwrap();
    c.into_inner().into_inner()
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        z.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn biff(records: &[(u16, &[u8])]) -> Vec<u8> {
    records
        .iter()
        .flat_map(|(k, d)| [k.to_le_bytes().to_vec(), (d.len() as u16).to_le_bytes().to_vec(), d.to_vec()].concat())
        .collect()
}

/// Good files written into `dir`; returns their relative paths.
fn good_files(dir: &Path) -> Vec<String> {
    let seed_wb = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    std::fs::create_dir_all(dir.join("good")).unwrap();
    seed_wb.save(&dir.join("good/seed.xlsx")).unwrap();
    let (clean, _) = jixiao_fixtures::synth::project_pair("TOTAL_MISMATCH", 3, false).unwrap();
    WorkbookSpec::one_per_sheet(vec![Form::Eval(clean)], Layout::default())
        .save(&dir.join("good/project.xlsx"))
        .unwrap();
    vec!["good/project.xlsx".into(), "good/seed.xlsx".into()]
}

#[test]
fn one_bad_file_costs_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let good = good_files(&input);
    let seed_bytes = std::fs::read(input.join("good/seed.xlsx")).unwrap();
    let bad = input.join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(bad.join("truncated.xlsx"), &seed_bytes[..seed_bytes.len() / 2]).unwrap();
    std::fs::write(bad.join("empty.xlsx"), b"").unwrap();
    std::fs::write(bad.join("notes.xlsx"), "名称,金额\n窗口补贴,65.61\n".as_bytes()).unwrap();
    std::fs::write(
        bad.join("report.xlsx"),
        zip_of(&[("[Content_Types].xml", b"<Types/>".to_vec()), ("word/document.xml", b"<w:document/>".to_vec())]),
    )
    .unwrap();
    std::fs::write(
        bad.join("encrypted.xlsx"),
        ole(&[("EncryptionInfo", vec![4, 0, 4, 0]), ("EncryptedPackage", vec![0; 64])]),
    )
    .unwrap();
    let filepass = biff(&[(0x0809, &[0; 16]), (0x002F, &[1, 0, 1, 0]), (0x000A, &[])]);
    std::fs::write(bad.join("protected.xls"), ole(&[("Workbook", filepass)])).unwrap();
    std::fs::write(bad.join("bomb.xlsx"), zip_of(&[("xl/workbook.xml", vec![b' '; 3 * 1024 * 1024])])).unwrap();
    std::fs::write(bad.join("~$seed.xlsx"), b"lock file: skipped").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&input, input.join("bad/loop")).unwrap();

    let mut config = Config::default_config();
    config.limits.max_unpacked_mb = 2;
    let out = dir.path().join("out");
    let report = run(&opts(&input, &out, config.clone())).expect("the run completes");
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    let col = |name: &str| -> Vec<String> {
        files.column(name).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
    };
    let (paths, status, errors) = (col("path"), col("status"), col("error"));
    let row =
        |p: &str| paths.iter().position(|x| x == p).unwrap_or_else(|| panic!("{p} missing from files: {paths:?}"));
    let expect = [
        ("bad/truncated.xlsx", "truncated or damaged zip"),
        ("bad/empty.xlsx", "empty file"),
        ("bad/notes.xlsx", "not a spreadsheet: text"),
        ("bad/encrypted.xlsx", "password-protected"),
        ("bad/protected.xls", "password-protected"),
        ("bad/bomb.xlsx", "too large to unpack safely"),
    ];
    for (p, reason) in expect {
        let i = row(p);
        assert_eq!(status[i], "failed", "{p}");
        assert!(errors[i].contains(reason), "{p}: {}", errors[i]);
    }
    // a Word document renamed .xlsx is read as the Word report it is (this one holds no form)
    let i = row("bad/report.xlsx");
    assert_eq!(status[i], "no_form");
    assert!(errors[i].contains("Word document"), "{}", errors[i]);
    assert!(!paths.iter().any(|p| p.contains("~$")), "lock files are skipped");
    #[cfg(unix)]
    {
        let i = row("bad/loop");
        assert!(errors[i].contains("loop"), "{}", errors[i]);
    }
    for g in &good {
        assert_eq!(status[row(g)], "ok", "{g}");
    }
    assert_eq!(report.files.total, paths.len());
    assert_eq!(
        report.files.ok + report.files.failed + report.files.no_form + report.files.duplicate + report.files.skipped,
        report.files.total
    );
    // the Chinese reasons in the summary's file list
    let anomalies = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
    let msgs: Vec<String> =
        anomalies.column("message").unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect();
    assert!(msgs.iter().any(|m| m.contains("已加密")), "{msgs:?}");

    // the good files' records are those of a run without the bad ones
    let clean_in = dir.path().join("clean");
    good_files(&clean_in);
    let clean_out = dir.path().join("clean_out");
    run(&opts(&clean_in, &clean_out, config)).unwrap();
    let evals = |p: &Path| {
        let df = read_table(&p.join("dataset/evaluations.parquet")).unwrap();
        let df = df.drop("eval_id").unwrap();
        format!("{df:?}")
    };
    assert_eq!(evals(&out), evals(&clean_out));
}

#[test]
fn a_formula_without_a_cached_value_is_reported_and_read_as_blank() {
    let dir = tempfile::tempdir().unwrap();
    let spec = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    let plain = process(dir.path(), "plain.xlsx", &spec);
    let e = form(&plain, "一件事一次办改革经费");
    let at = jixiao_forms::model::a1(e.score_total.at.unwrap());
    let bytes = uncalculated_formula(&spec.to_bytes().unwrap(), 0, &at);
    std::fs::write(dir.path().join("formula.xlsx"), bytes).unwrap();
    let r = process_path(&dir.path().join("formula.xlsx"), "formula.xlsx");
    let e = form(&r, "一件事一次办改革经费");
    assert_eq!(e.score_total.value, None);
    let hits: Vec<_> = r.anomalies.iter().filter(|a| a.rule == "FORMULA_NO_VALUE").collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].cell, at);
    assert!(!r.anomalies.iter().any(|a| a.rule == "MISSING_VALUE" && a.cell == at), "reported once, as a formula");
}

#[test]
fn text_that_looks_like_a_formula_stays_text_in_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let (mut clean, _) = jixiao_fixtures::synth::project_pair("TOTAL_MISMATCH", 3, false).unwrap();
    let evil = "=HYPERLINK(\"http://example.com\",\"点我\")";
    clean.name = jixiao_fixtures::t(evil);
    let long = "很长的说明".repeat(6000);
    clean.indicators[0].reason = jixiao_fixtures::t(&long);
    WorkbookSpec::stacked("表 #1 'odd' x", vec![Form::Eval(clean)], Layout::default())
        .save(&input.join("odd #name% 副本.xlsx"))
        .unwrap();
    let out = dir.path().join("out");
    run(&opts(&input, &out, Config::default_config())).unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("summary.xlsx")).unwrap();
    let range = wb.worksheet_range("项目排名").unwrap();
    // title, header; 年度, 排名, 项目…
    assert_eq!(range.get((2, 2)).map(|d| d.to_string()), Some(evil.to_string()));
    let formulas = wb.worksheet_formula("项目排名").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no live formula from input text");
    let detail = wb.worksheet_range("指标明细").unwrap();
    let reason = detail.rows().skip(2).map(|r| r[10].to_string()).find(|s| s.starts_with("很长")).unwrap();
    assert_eq!(reason, long, "long text passes through whole");
    let clipped = jixiao_report::summary::clip(&"长".repeat(40_000));
    assert!(clipped.chars().count() == 32_767 && clipped.ends_with("[已截断]"), "cut at Excel's limit with a marker");
    let emoji = jixiao_report::summary::clip(&"😀".repeat(20_000));
    assert!(emoji.encode_utf16().count() <= 32_767 && emoji.ends_with("[已截断]"), "Excel counts UTF-16 units");
}

#[test]
fn an_existing_output_is_replaced_only_by_a_complete_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    good_files(&input);
    let out = dir.path().join("out");
    run(&opts(&input, &out, Config::default_config())).unwrap();
    std::fs::write(out.join("marker"), b"previous run").unwrap();
    // a run that cannot start leaves the previous output alone
    assert!(run(&opts(&dir.path().join("missing"), &out, Config::default_config())).is_err());
    assert!(out.join("marker").exists());
    std::fs::write(out.join("summary.xlsx"), b"a summary cut short").unwrap();
    run(&opts(&input, &out, Config::default_config())).unwrap();
    assert_eq!(std::fs::read(out.join("marker")).unwrap(), b"previous run", "the user's file stays (OUT_DIR rule)");
    assert!(std::fs::read(out.join("summary.xlsx")).unwrap().starts_with(b"PK"), "ours is replaced");
    assert!(out.join("run.json").exists());
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .chain(std::fs::read_dir(dir.path()).unwrap())
        .filter_map(|e| e.ok())
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().contains("staging") || n.to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_panic_while_reading_one_file_becomes_that_files_failed_row() {
    let input = jixiao::discover::Input { path: "x/broken.xlsx".into(), rel: "x/broken.xlsx".into() };
    let config = Config::default_config();
    let r = jixiao::pipeline::isolated(&input, &config, || panic!("index out of bounds in a reader"));
    assert_eq!(r.file.status, jixiao_rules::FileStatus::Failed);
    assert!(r.file.error.as_deref().unwrap_or("").contains("index out of bounds in a reader"));
    assert!(r.anomalies.iter().any(|a| a.rule == "UNREADABLE_FILE" && a.path == "x/broken.xlsx"));
}

/// A file still being read when its time is up is reported and left behind, and the
/// next file is read by a fresh helper thread: no late result is mistaken for its own.
#[test]
fn a_file_over_its_time_limit_is_left_behind_and_the_next_one_read() {
    use jixiao_rules::FileStatus;
    use std::sync::Arc;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let good = good_files(dir.path());
    let input = |rel: &str| jixiao::discover::Input { path: dir.path().join(rel), rel: rel.to_string() };
    let job = Arc::new(jixiao::pipeline::Job {
        config: Config::default_config(),
        run_date: run_date(),
        cache: None,
        workers: None,
    });
    let late = jixiao::pipeline::process_guarded(&input(&good[1]), &job, Duration::ZERO);
    assert_eq!(late.file.status, FileStatus::Failed);
    assert!(late.file.error.as_deref().unwrap_or("").contains("left behind"), "{:?}", late.file.error);
    assert!(late.anomalies.iter().any(|a| a.rule == "UNREADABLE_FILE" && a.path == good[1]));
    for rel in [&good[0], &good[1], &good[0]] {
        let r = jixiao::pipeline::process_guarded(&input(rel), &job, Duration::from_secs(60));
        let alone = process_path(&dir.path().join(rel), rel);
        assert_eq!(r.file.status, FileStatus::Ok, "{rel}");
        assert_eq!((r.file.path.as_str(), r.evaluations.len()), (rel.as_str(), alone.evaluations.len()));
        assert_eq!(r.evaluations, alone.evaluations, "{rel}: the same records as read on its own");
    }
}

/// Inputs the fuzzers found (tests/fixtures/fuzz/), kept as regression tests.
#[test]
fn fuzz_finds_fail_with_a_precise_reason_not_a_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    // each find, and what the pre-check that refuses it before calamine says
    let prechecked = [
        // a FORMULA record whose token length runs past the record (xls.rs parse_formula)
        ("xls_formula_cut_short.xls", "formula"),
        // a BOUNDSHEET whose offset lies past the end of the stream (`stream[pos..]`)
        ("xls_sheet_past_the_end.xls", "past the end"),
        // a MERGECELLS record that lists more areas than it holds (parse_merge_cells)
        ("xls_merge_record_cut_short.xls", "merged-cells record"),
        // a shared-strings table cut short across its CONTINUE records (parse_sst)
        ("xls_sst_cut_short.xls", "shared-strings table"),
        // a MULRK record whose last column lies before its first (its cell count overflows)
        ("xls_mulrk_ends_before_it_starts.xls", "ends in a column before the one it starts in"),
        // a BOUNDSHEET record too short for its fields (parse_sheet_metadata)
        ("xls_boundsheet_cut_short.xls", "BOUNDSHEET record"),
        // formulas cut short: a token length past its record (in a sheet calamine reads
        // from its BOUNDSHEET offset), and a last token with fewer bytes than its operands
        ("xls_formula_token_cut_short.xls", "the formula at A84 declares more tokens than its record holds"),
        ("xls_formula_area_token_cut_short.xls", "B35 ends in the middle of its area error (PtgAreaErr) token"),
        // found in sheets calamine reads from their BOUNDSHEET offset, which the walk
        // follows as calamine does: a MULRK ending before it starts, and a DIMENSIONS
        // whose end before its start wraps to 4,294,967,069 rows (1.9 TB reserved)
        ("xls_mulrk_in_a_sheet_read_from_its_offset.xls", "DS17 ends in a column before the one it starts in"),
        ("xls_dimensions_ask_for_terabytes.xls", "sheet 3's DIMENSIONS (4294967069 rows × 11 columns)"),
    ];
    for (name, reason) in prechecked {
        let r = process_path(&dir.join(name), name);
        assert_eq!(r.file.status, jixiao_rules::FileStatus::Failed, "{name}");
        let error = r.file.error.clone().unwrap_or_default();
        assert!(error.contains(reason) && !error.contains("panic"), "{name}: {error}");
    }
    // `.xlsx` sheets with a cell reference whose column overflows calamine's u32 (a panic
    // with overflow checks, a cell put in another column without them): those sheets are
    // skipped with that reason, the file's other readable sheets are read
    for (name, reference) in [
        ("xlsx_cell_reference_overflows.xlsx", "`Aspanslrspans=`"),
        ("xlsx_cell_reference_overflows_in_a_formula_sheet.xlsx", "`AFAnorans=`"),
    ] {
        let r = process_path(&dir.join(name), name);
        let said = r.file.error.clone().unwrap_or_default();
        assert_ne!(r.file.status, jixiao_rules::FileStatus::Failed, "{name}: {said}");
        assert!(
            said.contains(&format!("the cell reference {reference} lies past any column or row")),
            "{name}: {said}"
        );
        assert!(!said.contains("calamine) failed"), "{name}: {said}");
    }
}
