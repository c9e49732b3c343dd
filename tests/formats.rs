//! `.xls` and `.ods` yield the same records as the equivalent `.xlsx`. The `.xls`/`.ods`
//! files are LibreOffice conversions of our generated fixtures, committed
//! (`scripts/make-format-fixtures` regenerates them).

mod common;

use common::*;

#[test]
fn xls_and_ods_give_the_same_records_as_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    for (name, spec) in jixiao_fixtures::format_sources() {
        let xlsx = process(dir.path(), &format!("{name}.xlsx"), &spec);
        assert!(xlsx.evaluations.len() >= 5, "{name}: forms");
        let want: Vec<String> = xlsx.evaluations.iter().map(essence).collect();
        for ext in ["xls", "ods"] {
            let r = process_path(&fixtures.join(format!("{name}.{ext}")), &format!("{name}.{ext}"));
            assert_eq!(r.file.status, jixiao_rules::FileStatus::Ok, "{name}.{ext}: {:?}", r.file.error);
            let got: Vec<String> = r.evaluations.iter().map(essence).collect();
            assert_eq!(got, want, "{name}.{ext}");
            assert_eq!(r.basics.len(), xlsx.basics.len(), "{name}.{ext}: form A");
            let rules = |r: &jixiao_rules::FileResult| {
                let mut v: Vec<(&str, String)> = r.anomalies.iter().map(|a| (a.rule, a.cell.clone())).collect();
                v.sort();
                v
            };
            assert_eq!(rules(&r), rules(&xlsx), "{name}.{ext}: the same findings at the same cells");
        }
    }
}

#[test]
fn excel_95_xls_with_gbk_text_gives_the_same_records() {
    use jixiao_fixtures::Cv;
    use jixiao_reader::grid::Value;
    let dir = tempfile::tempdir().unwrap();
    let spec = jixiao_fixtures::WorkbookSpec::stacked(
        "附表",
        jixiao_fixtures::seed::forms(),
        jixiao_fixtures::Layout::default(),
    );
    let xlsx = process(dir.path(), "seed.xlsx", &spec);
    // the same cells, as WPS writes them: BIFF5, CP936 text, no merged regions
    let grids = jixiao_reader::read::read_workbook(&spec.to_bytes().unwrap(), 5_000_000, 1 << 30).unwrap();
    let sheets: Vec<jixiao_fixtures::biff5::Sheet> = grids
        .iter()
        .map(|g| {
            let mut cells = Vec::new();
            for r in g.top..g.bottom() {
                for c in g.left..g.right() {
                    let cell = g.get((r, c));
                    if cell.merged_from.is_some() {
                        continue;
                    }
                    match &cell.value {
                        Value::Number(x) => cells.push((r, c, Cv::N(*x))),
                        Value::Text(t) => cells.push((r, c, Cv::T(t.clone()))),
                        _ => {}
                    }
                }
            }
            (g.sheet.clone(), cells)
        })
        .collect();
    std::fs::write(dir.path().join("wps.xls"), jixiao_fixtures::biff5::workbook(&sheets).unwrap()).unwrap();
    let r = process_path(&dir.path().join("wps.xls"), "seed.xlsx");
    assert_eq!(r.file.status, jixiao_rules::FileStatus::Ok, "{:?}", r.file.error);
    assert_eq!(r.evaluations[0].department.value.as_deref(), Some("株洲市行政审批服务局"), "GBK text decoded");
    let want: Vec<String> = xlsx.evaluations.iter().map(essence).collect();
    let got: Vec<String> = r.evaluations.iter().map(essence).collect();
    assert_eq!(got, want);
}

/// Issue 20: a file's bytes are identified once and its container opened once for every
/// pre-check and side read (merged regions, percent formats, `.ods` extras), plus once by
/// calamine for the cells; a Word report once in all. Counted by the reader itself
/// (`jixiao_reader::opened::openings`, per thread), through the whole per-file pipeline,
/// extraction and rules included.
#[test]
fn each_file_is_identified_and_its_container_opened_once() {
    use jixiao_reader::opened::openings;
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    let spec = jixiao_fixtures::WorkbookSpec::stacked(
        "附表",
        jixiao_fixtures::seed::forms(),
        jixiao_fixtures::Layout::default(),
    );
    let xlsx = dir.path().join("seed.xlsx");
    spec.save(&xlsx).unwrap();
    let docx = dir.path().join("seed.docx");
    std::fs::write(&docx, jixiao_fixtures::docx::to_bytes(&jixiao_fixtures::docx::seed_report()).unwrap()).unwrap();
    let limits = jixiao::config::Config::default_config().limits.read_limits();
    for (path, expected) in [(xlsx, 2), (fixtures.join("seed.xls"), 2), (fixtures.join("seed.ods"), 2), (docx, 1)] {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let before = openings();
        let read = jixiao_reader::read::read_file(&bytes, &limits).unwrap();
        assert_eq!(openings() - before, expected, "{name}: container openings to read it");
        assert!(!matches!(read, jixiao_reader::read::Document::NotRead(..)), "{name}");
        // the whole per-file pipeline: the same, and one more (calamine's, for the formulas)
        // when a form has a blank number cell, as the seed's forms have
        let before = openings();
        let r = process_path(&path, &name);
        assert_eq!(r.file.status, jixiao_rules::FileStatus::Ok, "{name}: {:?}", r.file.error);
        assert!(r.evaluations.len() >= 5, "{name}: the seed's forms are read");
        let blanks = r.evaluations.iter().any(|e| e.has_blank_required_number()) && expected == 2;
        assert_eq!(openings() - before, expected + blanks as usize, "{name}: container openings for one file");
    }
    // a form whose 总分 is a formula nobody calculated: calamine opens the workbook once more
    // to find the formula, nothing identifies it again
    let plain = process_path(&dir.path().join("seed.xlsx"), "seed.xlsx");
    let at = jixiao_forms::model::a1(form(&plain, "一件事一次办改革经费").score_total.at.unwrap());
    let bytes = uncalculated_formula(&std::fs::read(dir.path().join("seed.xlsx")).unwrap(), 0, &at);
    let path = dir.path().join("uncalculated.xlsx");
    std::fs::write(&path, bytes).unwrap();
    let before = openings();
    let r = process_path(&path, "uncalculated.xlsx");
    assert!(r.anomalies.iter().any(|a| a.rule == "FORMULA_NO_VALUE" && a.cell == at), "the formula is found");
    assert_eq!(openings() - before, 3, "the formula check opens the workbook once more");
}
