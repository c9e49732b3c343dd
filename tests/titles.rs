//! The region and year every title row of summary.xlsx names: given by `--region` and
//! `--year`, else found in the departments' names and the forms — never a folder's name
//! (`sample-data2022年度…` was the title a user saw).

use std::path::Path;
use std::process::Command;

use calamine::{Reader, Xlsx, open_workbook};

fn titles(out: &Path) -> Vec<(String, String)> {
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let t = wb.worksheet_range(&n).unwrap().get((0, 0)).map(|d| d.to_string()).unwrap_or_default();
            (n, t)
        })
        .collect()
}

fn run(out: &Path, extra: &[&str]) {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let o = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("run")
        .arg(&sample)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .args(extra)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn titles_name_the_region_the_departments_name_and_never_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&out, &[]);
    for (sheet, title) in titles(&out) {
        if sheet == "总览" || sheet == "部门排名" || sheet == "指标明细" {
            assert!(title.starts_with("株洲市2022"), "{sheet}: {title}");
        }
        assert!(!title.contains("sample-data"), "{sheet}: {title}");
    }
}

#[test]
fn region_and_year_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    run(&out, &["--region", "湖南省株洲市", "--year", "2023"]);
    let all = titles(&out);
    for (sheet, title) in all.iter().filter(|(_, t)| !t.is_empty()) {
        assert!(title.starts_with("湖南省株洲市2023年度"), "{sheet}: {title}");
    }
    assert!(all.iter().filter(|(_, t)| !t.is_empty()).count() >= 8, "{all:?}");
}
