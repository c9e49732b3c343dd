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
