//! summary.xlsx printed for leadership: a title row on every sheet naming the year, the
//! region and the run date; page numbers; a print area without the file/sheet/row
//! columns; frozen rank and name; counts with thousands separators; reasons in Chinese.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunOptions, run};
use jixiao_fixtures::{Layout, WorkbookSpec, seed};

fn run_in(dir: &Path, config: Config) -> PathBuf {
    let input = dir.join("株洲市");
    let seed = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    std::fs::create_dir_all(input.join("部门")).unwrap();
    seed.save(&input.join("部门/株洲市行政审批服务局2022年度绩效自评.xlsx")).unwrap();
    // a broken workbook, named after its department, in a folder that is not
    std::fs::write(input.join("部门/株洲市财政局2022年度绩效自评表.xlsx"), b"PK\x03\x04 broken").unwrap();
    std::fs::write(input.join("部门/株洲市水利局2022年度绩效自评.pdf"), b"%PDF-1.4 x").unwrap();
    let out = dir.join("out");
    let opts = RunOptions { jobs: Some(1), ..run_options(&input, &out, config, false) };
    run(&opts).unwrap();
    out
}

fn part(xlsx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn every_sheet_has_a_title_page_numbers_and_a_print_area() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), Config::default_config());
    let path = out.join("summary.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let date = run_date().to_string();
    for (i, name) in jixiao_report::summary::SHEETS.iter().enumerate() {
        let range = wb.worksheet_range(name).unwrap();
        let title = range.get((0, 0)).map(|d| d.to_string()).unwrap_or_default();
        assert!(title.contains("株洲市") && title.contains("2022年度") && title.contains(&date), "{name}: {title}");
        assert!(title.contains(name), "{name}: {title}");
        let xml = part(&path, &format!("xl/worksheets/sheet{}.xml", i + 1));
        assert!(xml.contains("<headerFooter") && xml.contains("第&amp;P页 共&amp;N页"), "{name}: footer");
        assert!(xml.contains("orientation=\"landscape\"") && xml.contains("paperSize=\"9\""), "{name}: A4 landscape");
        // printed at a scale that keeps the 11 pt body text at 9 pt or more, never shrunk to
        // one page wide (which made a wide sheet unreadable)
        let scale: u32 =
            xml.split("scale=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|n| n.parse().ok()).unwrap_or(100);
        assert!(scale * 11 >= 900, "{name}: printed at {scale} %: text below 9 pt");
        assert!(!xml.contains("fitToPage"), "{name}: no fit to one page wide");
    }
    let workbook = part(&path, "xl/workbook.xml");
    // 部门排名 prints 年度 … 所属系统, 系统内排名, 备注 (A–S, 差异 included), not 文件, 工作表, 起始行
    assert!(
        workbook.contains("<definedName name=\"_xlnm.Print_Area\" localSheetId=\"1\">部门排名!$A$1:$S$"),
        "{workbook}"
    );
    assert!(workbook.contains("localSheetId=\"3\">疑点清单!$A$1:$H$"), "疑点清单 without rule id, file, sheet, cell");
    // rank and name frozen beside the title and header rows
    let ranking = part(&path, "xl/worksheets/sheet2.xml");
    assert!(ranking.contains("<pane xSplit=\"3\" ySplit=\"2\""), "{ranking}");
    assert!(ranking.contains("<conditionalFormatting"), "highlights");
    let styles = part(&path, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"#,##0\""), "counts with thousands separators");
}

#[test]
fn reasons_are_plain_chinese_and_name_the_department() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default_config();
    config.settings.report.region = "湖南省株洲市".into();
    let out = run_in(dir.path(), config);
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let title = wb.worksheet_range("总览").unwrap().get((0, 0)).map(|d| d.to_string()).unwrap();
    assert!(title.starts_with("湖南省株洲市2022年度"), "the configured region: {title}");
    let files = wb.worksheet_range("文件清单").unwrap();
    let rows: Vec<Vec<String>> = files.rows().skip(2).map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows.len(), 3);
    // Excel, Word, PDF are what the office calls the formats; file extensions are named
    let allowed = ["Excel", "Word", "PDF", "WPS", "RTF", "CSV", "OpenDocument", "PowerPoint"];
    for r in &rows {
        let mut reason = r[2].clone();
        for a in allowed {
            reason = reason.replace(a, "");
        }
        let ext_free: String = reason
            .split('.')
            .enumerate()
            .map(|(i, s)| if i == 0 { s } else { s.trim_start_matches(|c: char| c.is_ascii_alphanumeric()) })
            .collect();
        assert!(!ext_free.chars().any(|c| c.is_ascii_alphabetic()), "{}: {}", r[0], r[2]);
        assert!(r[2].matches("无法读取").count() <= 1, "{}", r[2]);
    }
    let broken = rows.iter().find(|r| r[0].contains("财政局")).unwrap();
    assert_eq!(broken[1], "读取失败");
    let anomalies = wb.worksheet_range("疑点清单").unwrap();
    let unreadable = anomalies.rows().find(|r| r[8] == "UNREADABLE_FILE").expect("UNREADABLE_FILE");
    assert_eq!(unreadable[2].to_string(), "株洲市财政局", "the department from the file name, not the folder");
}

#[test]
fn the_overview_prints_its_figures_and_charts_not_the_charts_helper_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), Config::default_config());
    let path = out.join("summary.xlsx");
    let workbook = part(&path, "xl/workbook.xml");
    assert!(workbook.contains("localSheetId=\"0\">总览!$A$1:$L$"), "总览 prints A–L: {workbook}");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let overview = wb.worksheet_range("总览").unwrap();
    let (row, col) = overview
        .cells()
        .find(|(_, _, c)| *c == "参考线")
        .map(|(r, c, _)| (r, c + overview.start().unwrap().1 as usize))
        .expect("the reference lines' table");
    assert!(col >= 12, "参考线 at row {row}, column {col}: inside the printed columns");
}

#[test]
fn long_names_and_notes_wrap_in_rows_tall_enough_to_show_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_in(dir.path(), Config::default_config());
    let xml = part(&out.join("summary.xlsx"), "xl/worksheets/sheet4.xml");
    // 疑点清单: a 说明 longer than its column is shown on several lines, not cut
    let heights: Vec<f64> =
        xml.split("<row ").filter_map(|r| r.split("ht=\"").nth(1)?.split('"').next()?.parse().ok()).collect();
    assert!(heights.iter().any(|h| *h >= 30.0), "some findings take two lines or more: {heights:?}");
    assert!(xml.contains("wrapText") || part(&out.join("summary.xlsx"), "xl/styles.xml").contains("wrapText"));
}
