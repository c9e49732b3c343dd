//! `.xls` and `.ods` yield the same records as the equivalent `.xlsx`. The `.xls`/`.ods`
//! files are LibreOffice conversions of our generated fixtures, committed
//! (`scripts/make-format-fixtures` regenerates them).

mod common;

use common::*;

#[test]
fn xls_and_ods_give_the_same_records_as_xlsx() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    for (name, spec) in jixiao::fixtures::format_sources() {
        let xlsx = process(dir.path(), &format!("{name}.xlsx"), &spec);
        assert!(xlsx.evaluations.len() >= 5, "{name}: forms");
        let want: Vec<String> = xlsx.evaluations.iter().map(essence).collect();
        for ext in ["xls", "ods"] {
            let r = process_path(&fixtures.join(format!("{name}.{ext}")), &format!("{name}.{ext}"));
            assert_eq!(r.file.status, jixiao::model::FileStatus::Ok, "{name}.{ext}: {:?}", r.file.error);
            let got: Vec<String> = r.evaluations.iter().map(essence).collect();
            assert_eq!(got, want, "{name}.{ext}");
            assert_eq!(r.basics.len(), xlsx.basics.len(), "{name}.{ext}: form A");
            let rules = |r: &jixiao::model::FileResult| {
                let mut v: Vec<(&str, String)> = r.anomalies.iter().map(|a| (a.rule, a.cell.clone())).collect();
                v.sort();
                v
            };
            assert_eq!(rules(&r), rules(&xlsx), "{name}.{ext}: the same findings at the same cells");
        }
    }
}
