//! The same content in different layouts yields identical records: stacked or one form
//! per sheet, at an offset, merged or unmerged labels, numbers stored as text.

mod common;

use common::*;
use jixiao_fixtures::synth::departments;
use jixiao_fixtures::{Layout, WorkbookSpec, seed};

fn essences(r: &jixiao_rules::FileResult) -> Vec<String> {
    r.evaluations.iter().map(essence).collect()
}

fn basics(r: &jixiao_rules::FileResult) -> Vec<String> {
    r.basics
        .iter()
        .map(|b| {
            let lines: Vec<String> = b
                .lines
                .iter()
                .map(|l| {
                    format!(
                        "{}<{:?}:{:?}/{:?}/{:?}",
                        l.item, l.parent, l.prev_final.value, l.budget.value, l.final_.value
                    )
                })
                .collect();
            format!(
                "{:?} {:?} {:?} {:?} {lines:?}",
                b.year, b.staff_authorized.value, b.staff_actual.value, b.staff_rate.value
            )
        })
        .collect()
}

#[test]
fn seed_in_every_layout_gives_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let forms = seed::forms();
    let base = process(dir.path(), "d/stacked.xlsx", &WorkbookSpec::stacked("附表", forms.clone(), Layout::default()));
    assert_eq!(base.evaluations.len(), 9);
    let variants = [
        ("per_sheet", WorkbookSpec::one_per_sheet(forms.clone(), Layout::default())),
        (
            "offset",
            WorkbookSpec::stacked("附表", forms.clone(), Layout { top: 7, left: 3, gap: 5, ..Layout::default() }),
        ),
        ("unmerged", WorkbookSpec::stacked("附表", forms.clone(), Layout { merged: false, ..Layout::default() })),
        (
            "as_text",
            WorkbookSpec::one_per_sheet(forms.clone(), Layout { numbers_as_text: true, left: 1, ..Layout::default() }),
        ),
        (
            "tight",
            WorkbookSpec::stacked(
                "附表",
                forms.clone(),
                Layout { gap: 0, merged: false, numbers_as_text: true, ..Layout::default() },
            ),
        ),
    ];
    for (name, spec) in variants {
        let r = process(dir.path(), &format!("d/{name}.xlsx"), &spec);
        assert_eq!(essences(&r), essences(&base), "layout {name}");
        assert_eq!(basics(&r), basics(&base), "layout {name}: form A");
        let rules = |r: &jixiao_rules::FileResult| {
            let mut v: Vec<(String, &str)> = r.anomalies.iter().map(|a| (a.project.clone(), a.rule)).collect();
            v.sort();
            v
        };
        assert_eq!(rules(&r), rules(&base), "layout {name}: anomalies");
    }
}

#[test]
fn synthetic_departments_in_every_layout_give_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    for (i, d) in departments(6, 7).into_iter().enumerate() {
        let forms: Vec<_> = d.workbook.sheets.iter().flat_map(|s| s.forms.clone()).collect();
        let sichuan = d.workbook.sheets.iter().any(|s| s.layout.sichuan);
        let base_layout = Layout { sichuan, ..Layout::default() };
        let base =
            process(dir.path(), &format!("{i}/base.xlsx"), &WorkbookSpec::one_per_sheet(forms.clone(), base_layout));
        let original = process(dir.path(), &format!("{i}/{}", d.path), &d.workbook);
        assert_eq!(essences(&original), essences(&base), "department {i} ({})", d.path);
        assert_eq!(basics(&original), basics(&base), "department {i}: form A");
    }
}

#[test]
fn merged_regions_are_read_and_every_cell_of_a_merge_reads_its_value() {
    let spec = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    let bytes = spec.to_bytes().unwrap();
    let merges = jixiao_reader::merges::xlsx_merges(&mut jixiao_reader::opened::open_zip(&bytes).unwrap());
    assert!(merges.get("附表").is_some_and(|m| m.len() > 100), "the seed's templates merge many cells");
    let grids = jixiao_reader::read::read_workbook(&bytes, 5_000_000, 1 << 30).unwrap();
    let g = &grids[0];
    let title = (g.top..g.bottom())
        .flat_map(|r| (g.left..g.right()).map(move |c| (r, c)))
        .find(|p| g.get(*p).norm() == "2022年度部门整体支出绩效评价基础数据表")
        .expect("form A's title");
    // the title spans seven columns: the six to its right read the same text
    for dc in 1..7 {
        let cell = g.get((title.0, title.1 + dc));
        assert_eq!(cell.norm(), "2022年度部门整体支出绩效评价基础数据表");
        assert_eq!(cell.merged_from, Some(title));
    }
}
