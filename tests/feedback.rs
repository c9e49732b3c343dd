//! The feedback workbooks a department can act on (issue 22): printed A4 portrait with
//! the body text at 9 pt or more, numbers as numbers in their formats, the issuing block
//! from `[feedback]`, the department's grade and ranks as 部门排名 shows them; and the
//! answers read back with `--replies`, matched by rule, form and cell whatever the
//! department did to the workbook.

mod common;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunExtras, RunReport, run_with};
use jixiao_fixtures::{Layout, WorkbookSpec, seed, synth};

const SEED: &str = "反馈/市政务系统/株洲市行政审批服务局.xlsx";

fn config() -> Config {
    Config::build(Some((
        "office.toml",
        "[feedback]\noffice = \"株洲市财政局预算绩效管理科\"\ncontact = \"李明\"\nphone = \"0731-28661234\"\ndeadline = 2024-01-15\n",
    )))
    .unwrap()
}

/// The seed department under 市政务系统 and four generated departments in other 系统.
fn corpus(dir: &Path) -> PathBuf {
    let input = dir.join("in");
    let seed = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    std::fs::create_dir_all(input.join("市政务系统")).unwrap();
    seed.save(&input.join("市政务系统/审批局自评.xlsx")).unwrap();
    for i in [0, 1, 3, 5] {
        let d = synth::department(i, 7, (2, 3));
        let p = input.join(&d.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        d.workbook.save(&p).unwrap();
    }
    input
}

fn run(input: &Path, out: &Path, config: Config, extras: &RunExtras) -> RunReport {
    run_with(&run_options(input, out, config, true), extras).unwrap()
}

fn feedback() -> RunExtras {
    RunExtras { feedback: true, ..RunExtras::default() }
}

fn part(xlsx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The value of attribute `name` in the first element `tag` of `xml`.
fn attr(xml: &str, tag: &str, name: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag} "))?;
    let el = &xml[start..start + xml[start..].find('>')?];
    let at = el.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(el[at..at + el[at..].find('"')?].to_string())
}

/// Every element `tag` of `xml`, as its attribute text.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    xml.match_indices(&open).map(|(i, _)| &xml[i..i + xml[i..].find('>').unwrap()]).collect()
}

fn attr_of(el: &str, name: &str) -> Option<String> {
    let at = el.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(el[at..at + el[at..].find('"')?].to_string())
}

fn rows(path: &Path, sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    wb.worksheet_range(sheet).unwrap().rows().map(|r| r.to_vec()).collect()
}

fn text(rows: &[Vec<Data>]) -> Vec<Vec<String>> {
    rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

/// The row index of the findings' header (the row holding 整改情况说明) and its columns.
fn findings_header(rows: &[Vec<String>]) -> (usize, HashMap<String, usize>) {
    let at = rows.iter().position(|r| r.iter().any(|c| c == "整改情况说明")).expect("a findings header");
    (at, rows[at].iter().enumerate().map(|(i, h)| (h.clone(), i)).collect())
}

/// The number format of a cell (`H42`) of sheet `n` (1-based), built-in ids resolved.
fn number_format(xlsx: &Path, n: usize, cell: &str) -> String {
    let sheet = part(xlsx, &format!("xl/worksheets/sheet{n}.xml"));
    let c = elements(&sheet, "c").into_iter().find(|c| attr_of(c, "r").as_deref() == Some(cell)).unwrap();
    let s: usize = attr_of(c, "s").map_or(0, |s| s.parse().unwrap());
    let styles = part(xlsx, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let id = attr_of(elements(xfs, "xf")[s], "numFmtId").unwrap();
    match id.as_str() {
        "0" => "General".into(),
        "2" => "0.00".into(),
        "4" => "#,##0.00".into(),
        "10" => "0.00%".into(),
        _ => elements(&styles, "numFmt")
            .into_iter()
            .find(|f| attr_of(f, "numFmtId").as_deref() == Some(id.as_str()))
            .and_then(|f| attr_of(f, "formatCode"))
            .unwrap()
            .replace("&quot;", "\""),
    }
}

fn a1(row: usize, col: usize) -> String {
    let mut c = String::new();
    let mut n = col + 1;
    while n > 0 {
        c.insert(0, (b'A' + ((n - 1) % 26) as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{c}{}", row + 1)
}

#[test]
fn feedback_workbook_prints_a4_portrait_at_nine_points_or_more() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    run(&input, &out, config(), &feedback());
    let path = out.join(SEED);
    let styles = part(&path, "xl/styles.xml");
    // the smallest font of any cell format (Calibri 11 is the workbook's unused default)
    let sizes = elements(&styles, "sz");
    let smallest = sizes.iter().filter_map(|e| attr_of(e, "val")).map(|v| v.parse::<f64>().unwrap());
    let smallest = smallest.fold(f64::INFINITY, f64::min);
    assert!(smallest >= 10.0, "body text 10 pt: {smallest}");
    assert!(styles.contains("wrapText=\"1\""), "text wraps");
    let workbook = part(&path, "xl/workbook.xml");
    for (n, name, printed) in [(1, "整改通知", "J"), (2, "报送的自评表", "K")] {
        let xml = part(&path, &format!("xl/worksheets/sheet{n}.xml"));
        assert_eq!(attr(&xml, "pageSetup", "orientation").as_deref(), Some("portrait"), "{name}");
        assert_eq!(attr(&xml, "pageSetup", "paperSize").as_deref(), Some("9"), "{name}: A4");
        assert!(!xml.contains("fitToPage"), "{name}: a scale, not fit to page (its size is the application's guess)");
        let scale: f64 = attr(&xml, "pageSetup", "scale").map_or(100.0, |s| s.parse().unwrap());
        assert!(scale * smallest / 100.0 >= 9.0, "{name}: {scale}% of {smallest} pt");
        assert!(xml.contains("<printOptions horizontalCentered=\"1\"/>"), "{name}");
        assert!(xml.contains("第&amp;P页 共&amp;N页"), "{name}: page numbers");
        // the printed columns fit the page width at that scale, measured as LibreOffice does
        // (7.4 px per unit of Excel's width; Excel's is 7)
        let left: f64 = attr(&xml, "pageMargins", "left").unwrap().parse().unwrap();
        let right: f64 = attr(&xml, "pageMargins", "right").unwrap().parse().unwrap();
        let last = printed.as_bytes()[0] - b'A' + 1;
        let mut px = 0.0;
        for col in elements(&xml, "col") {
            let (min, max): (u8, u8) =
                (attr_of(col, "min").unwrap().parse().unwrap(), attr_of(col, "max").unwrap().parse().unwrap());
            let width: f64 = attr_of(col, "width").unwrap().parse().unwrap();
            px += (min..=max.min(last)).count() as f64 * width * 7.45;
        }
        let room = (8.27 - left - right) * 96.0;
        assert!(px * scale / 100.0 <= room, "{name}: {px} px at {scale}% on {room} px");
        // print area and the rows repeated on every page
        let area = format!("<definedName name=\"_xlnm.Print_Area\" localSheetId=\"{}\">{name}!$A$1:${printed}$", n - 1);
        assert!(workbook.contains(&area), "{name}: {workbook}");
        assert!(workbook.contains(&format!("_xlnm.Print_Titles\" localSheetId=\"{}\">{name}!$", n - 1)), "{name}");
    }
    // the findings' header row is the one repeated: the row holding 整改情况说明
    let notice = text(&rows(&path, "整改通知"));
    let (header, _) = findings_header(&notice);
    assert!(workbook.contains(&format!(">整改通知!${0}:${0}<", header + 1)), "{workbook}");
    // 整改情况说明 is the only column a department may write in, and wraps
    let xml = part(&path, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<sheetProtection"), "locked but for the answers");
    let reply = a1(header + 1, 9);
    let c = elements(&xml, "c").into_iter().find(|c| attr_of(c, "r").as_deref() == Some(reply.as_str())).unwrap();
    let s: usize = attr_of(c, "s").unwrap().parse().unwrap();
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let xf_start = xfs.match_indices("<xf ").nth(s).unwrap().0;
    let xf = &xfs[xf_start..xfs[xf_start + 1..].find("<xf ").map_or(xfs.len(), |e| xf_start + 1 + e)];
    assert!(xf.contains("locked=\"0\"") && xf.contains("wrapText=\"1\""), "{reply}: {xf}");
}

#[test]
fn feedback_numbers_are_numbers_in_their_formats() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    run(&input, &out, config(), &feedback());
    let path = out.join(SEED);
    let data = rows(&path, "整改通知");
    let notice = text(&data);
    let (header, col) = findings_header(&notice);
    let find = |rule: &str, form: &str| {
        (header + 1..notice.len())
            .find(|&r| notice[r][col["规则编号"]] == rule && notice[r][col["表（项目）"]].contains(form))
            .unwrap_or_else(|| panic!("no {rule} on {form}"))
    };
    // 窗口补贴: stated 95.9, calculated 84.1 (spec §4), as numbers
    let r = find("TOTAL_MISMATCH", "窗口补贴");
    assert_eq!(data[r][col["填报值"]], Data::Float(95.9));
    assert_eq!(data[r][col["核定值"]], Data::Float(84.1));
    assert_eq!(number_format(&path, 1, &a1(r, col["填报值"])), "0.00");
    // 高分低执行: the 80 % threshold is a 标准, the execution rate the 核定值
    let r = find("HIGH_SCORE_LOW_EXECUTION", "快递服务");
    assert_eq!(data[r][col["标准"]], Data::Float(0.8));
    assert!(matches!(data[r][col["核定值"]], Data::Float(x) if (x - 0.7811).abs() < 1e-3), "{:?}", data[r]);
    assert_eq!(number_format(&path, 1, &a1(r, col["标准"])), "0.00%");
    assert_eq!(number_format(&path, 1, &a1(r, col["核定值"])), "0.00%");
    // an amount in 万元, and text where the form writes text
    let r = find("UNIT_MISMATCH", "信息资源");
    assert_eq!(data[r][col["核定值"]], Data::Float(79.45));
    assert_eq!(number_format(&path, 1, &a1(r, col["核定值"])), "#,##0.00");
    assert_eq!(data[r][col["填报值"]], Data::String("794500元".into()));
    assert_eq!(data[r][col["序号"]], Data::Float((r - header) as f64), "序号 counts");
    // what to correct, where
    let r = find("DEDUCTION_NO_REASON", "部门整体");
    assert!(notice[r][col["问题说明及整改要求"]].contains("偏差原因分析及改进措施"), "{:?}", notice[r]);
    assert!(notice[r][col["位置"]].contains(&notice[r][col["单元格"]]));
    assert!(notice[r][col["位置"]].contains("审批局自评.xlsx"));
    assert_eq!(notice[r][col["文件"]], "市政务系统/审批局自评.xlsx");
    assert_eq!(notice[r][col["整改情况说明"]], "", "left for the department");

    // the forms: figures as numbers
    let forms = rows(&path, "报送的自评表");
    let window = forms.iter().position(|r| r.get(2) == Some(&Data::String("窗口补贴".into()))).expect("窗口补贴");
    let head = text(&forms[1..2])[0].clone();
    let c = |h: &str| head.iter().position(|x| x == h).unwrap();
    assert_eq!(forms[window][c("填报总分")], Data::Float(95.9));
    assert_eq!(forms[window][c("核定总分")], Data::Float(84.1));
    assert!(matches!(forms[window][c("全年预算数(万元)")], Data::Float(_)));
    assert_eq!(number_format(&path, 2, &a1(window, c("全年预算数(万元)"))), "#,##0.00");
    assert_eq!(number_format(&path, 2, &a1(window, c("核定执行率"))), "0.00%");
    assert_eq!(number_format(&path, 2, &a1(window, c("核定总分"))), "0.00");
}

/// The value beside a label of the block above the findings.
fn beside(rows: &[Vec<String>], label: &str) -> String {
    let row = rows.iter().find(|r| r.first().map(String::as_str) == Some(label)).unwrap_or_else(|| panic!("{label}"));
    row[1..].iter().find(|c| !c.is_empty() && *c != label).cloned().unwrap_or_default()
}

#[test]
fn feedback_names_its_sender_deadline_grade_and_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    run(&input, &out, config(), &feedback());
    let notice = text(&rows(&out.join(SEED), "整改通知"));
    assert_eq!(beside(&notice, "发文单位"), "株洲市财政局预算绩效管理科");
    assert_eq!(beside(&notice, "联系人"), "李明");
    assert_eq!(beside(&notice, "联系电话"), "0731-28661234");
    assert!(beside(&notice, "反馈期限").starts_with("请于2024年1月15日前反馈"), "{notice:?}");
    assert_eq!(beside(&notice, "受文单位"), "株洲市行政审批服务局");

    // grade and ranks: those 部门排名 prints for every department
    let summary = text(&rows(&out.join("summary.xlsx"), "部门排名"));
    let head = &summary[1];
    let c = |h: &str| head.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {head:?}"));
    let mut checked = 0;
    for row in &summary[2..] {
        let name = &row[c("部门")];
        let system = &row[c("所属系统")];
        let path = out.join("反馈").join(system).join(format!("{name}.xlsx"));
        let notice = text(&rows(&path, "整改通知"));
        let at = notice.iter().position(|r| r[0] == "年度").expect("部门评价结果");
        let head = &notice[at];
        let value = &notice[at + 1];
        let f = |h: &str| value[head.iter().position(|x| x == h).unwrap()].clone();
        assert_eq!(f("排名"), row[c("排名")], "{name}");
        assert_eq!(f("系统内排名"), row[c("系统内排名")], "{name}");
        assert!(row.contains(&f("等级")), "{name}: the grade of the ranking's total, {} in {row:?}", f("等级"));
        assert!(f("说明").contains(&format!("第{}名", row[c("排名")])), "{name}: {}", f("说明"));
        assert!(f("说明").contains(system.as_str()), "{name}: {}", f("说明"));
        checked += 1;
    }
    assert_eq!(checked, 5, "every department");

    // nothing configured: the lines say so
    let plain = dir.path().join("plain");
    run(&input, &plain, Config::default_config(), &feedback());
    let notice = text(&rows(&plain.join(SEED), "整改通知"));
    for label in ["发文单位", "联系人", "联系电话", "反馈期限"] {
        assert_eq!(beside(&notice, label), "（未设置）", "{label}");
    }
}

/// Rewrites a returned workbook the way a department might: an explanatory sheet first,
/// the findings re-sorted (last first), a column of its own inserted, 整改情况说明 moved to
/// the front, one finding deleted, answers to `answers` (rule, form, cell → text), a note
/// below the table, and one answer to a finding whose cell it changed.
fn returned(src: &Path, dest: &Path, answers: &[(&str, &str, &str, &str)]) {
    let notice = text(&rows(src, "整改通知"));
    let (header, col) = findings_header(&notice);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("填报说明").unwrap();
    ws.write_string(0, 0, "本表已按要求填写，如有疑问请联系办公室。").unwrap();
    let ws = wb.add_worksheet().set_name("整改通知（已填）").unwrap();
    // the block above, as it was (受文单位 among it)
    for (r, row) in notice[..header].iter().enumerate() {
        for (c, v) in row.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            ws.write_string(r as u32, c as u16, v).unwrap();
        }
    }
    // columns: 整改情况说明, 本单位备注 (new), then the others in their order
    let reply = col["整改情况说明"];
    let order: Vec<usize> = std::iter::once(reply).chain((0..notice[header].len()).filter(|&c| c != reply)).collect();
    let put = |ws: &mut rust_xlsxwriter::Worksheet, r: u32, row: &[String]| {
        for (k, &c) in order.iter().enumerate() {
            let k = if k == 0 { 0 } else { k + 1 };
            ws.write_string(r, k as u16, &row[c]).unwrap();
        }
    };
    let mut head = notice[header].clone();
    head[reply] = "整改情况说明".into();
    put(ws, header as u32, &head);
    ws.write_string(header as u32, 1, "本单位备注").unwrap();
    let mut r = header as u32 + 1;
    let body: Vec<Vec<String>> = notice[header + 1..].iter().rev().skip(1).cloned().collect();
    for mut row in body {
        let me = (row[col["规则编号"]].as_str(), row[col["表（项目）"]].as_str(), row[col["单元格"]].as_str());
        if let Some(a) = answers.iter().find(|a| (a.0, a.1, a.2) == me) {
            row[reply] = a.3.to_string();
        }
        put(ws, r, &row);
        ws.write_string(r, 1, "已阅").unwrap();
        r += 1;
    }
    // an answer to a finding whose cell the department changed, and a note below the table
    let mut moved = notice[header + 1].clone();
    moved[col["单元格"]] = "K9999".into();
    moved[reply] = "已改。".into();
    put(ws, r, &moved);
    let mut note = vec![String::new(); notice[header].len()];
    note[reply] = "另：其余问题已全部重新报送。".into();
    put(ws, r + 1, &note);
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    wb.save(dest).unwrap();
}

#[test]
fn answers_come_back_into_the_anomaly_list() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let out = dir.path().join("out");
    run(&input, &out, config(), &feedback());

    // two findings of the seed department answered, in a renamed file in a folder of its own
    let replies = dir.path().join("回收");
    let answers = [
        ("TOTAL_MISMATCH", "窗口补贴", "", "总分已更正为84.1分，已重新报送。"),
        ("HIGH_SCORE_LOW_EXECUTION", "", "", "执行率低系年底资金到位较晚，得分已按实际调整。"),
    ];
    let notice = text(&rows(&out.join(SEED), "整改通知"));
    let (header, col) = findings_header(&notice);
    let pick = |rule: &str, form: &str| -> (String, String) {
        let row = notice[header + 1..]
            .iter()
            .find(|r| r[col["规则编号"]] == rule && r[col["表（项目）"]].contains(form))
            .unwrap_or_else(|| panic!("{rule}"));
        (row[col["表（项目）"]].clone(), row[col["单元格"]].clone())
    };
    let (a_form, a_cell) = pick(answers[0].0, answers[0].1);
    let (b_form, b_cell) = pick(answers[1].0, answers[1].1);
    let filled = [
        (answers[0].0, a_form.as_str(), a_cell.as_str(), answers[0].3),
        (answers[1].0, b_form.as_str(), b_cell.as_str(), answers[1].3),
    ];
    // the last finding is the one deleted (the body is re-sorted last first, that row
    // left out): neither answer is on it
    let last = notice.last().unwrap();
    assert!(filled.iter().all(|f| (f.0, f.2) != (last[col["规则编号"]].as_str(), last[col["单元格"]].as_str())));
    returned(&out.join(SEED), &replies.join("市政务系统/审批局-整改情况-已盖章.xlsx"), &filled);
    // what else lands in the folder: a workbook that is no feedback, a broken one, a scan
    let mut other = rust_xlsxwriter::Workbook::new();
    other.add_worksheet().write_string(0, 0, "2023年预算表").unwrap();
    std::fs::create_dir_all(replies.join("其他")).unwrap();
    other.save(replies.join("其他/预算表.xlsx")).unwrap();
    std::fs::write(replies.join("其他/坏文件.xlsx"), b"PK\x03\x04 broken").unwrap();
    std::fs::write(replies.join("扫描件.pdf"), b"%PDF-1.4").unwrap();

    let extras = RunExtras { replies: Some(replies.clone()), ..feedback() };
    let report = run(&input, &out, config(), &extras);
    let counts = report.replies.clone().expect("counted");
    assert_eq!((counts.files, counts.answered, counts.unmatched, counts.skipped), (1, 2, 2, 3), "{counts:#?}");
    let unmatched: Vec<(&str, &str)> =
        counts.unmatched_rows.iter().map(|u| (u.cell.as_str(), u.reply.as_str())).collect();
    assert!(unmatched.contains(&("K9999", "已改。")), "{unmatched:?}");
    assert!(unmatched.contains(&("", "另：其余问题已全部重新报送。")), "{unmatched:?}");
    assert!(counts.unmatched_rows.iter().all(|u| u.file == "市政务系统/审批局-整改情况-已盖章.xlsx"));
    let skipped: Vec<&str> = counts.skipped_files.iter().map(|s| s.file.as_str()).collect();
    assert_eq!(skipped, ["其他/坏文件.xlsx", "其他/预算表.xlsx", "扫描件.pdf"]);
    assert!(counts.skipped_files[1].reason.contains("不是反馈表"), "{:?}", counts.skipped_files);
    // run.json and the console
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let r = &json["replies"];
    assert_eq!((r["files"].as_u64(), r["answered"].as_u64(), r["unmatched"].as_u64()), (Some(1), Some(2), Some(2)));
    let console = jixiao::i18n::text::replies_lines(&counts, jixiao::i18n::Lang::Zh);
    assert!(
        console.contains("2条问题已反馈") && console.contains("K9999") && console.contains("预算表.xlsx"),
        "{console}"
    );

    // 疑点清单: 已反馈 and the text on exactly those two findings
    let check = |out: &Path| {
        let list = text(&rows(&out.join("summary.xlsx"), "疑点清单"));
        let head = &list[1];
        let c = |h: &str| head.iter().position(|x| x == h).unwrap_or_else(|| panic!("{h} in {head:?}"));
        assert_eq!(head.last().map(String::as_str), Some("部门反馈"), "appended at the right");
        let answered: Vec<&Vec<String>> = list[2..].iter().filter(|r| r[c("整改状态")] == "已反馈").collect();
        assert_eq!(answered.len(), 2, "{answered:?}");
        for (rule, form, cell, reply) in filled {
            let row = answered.iter().find(|r| r[c("规则")] == rule).unwrap_or_else(|| panic!("{rule}"));
            assert_eq!((row[c("单元格")].as_str(), row[c("部门反馈")].as_str()), (cell, reply));
            assert_eq!(row[c("部门")], "株洲市行政审批服务局");
            assert!(form == "部门整体" || row[c("项目")] == form, "{row:?}");
        }
        let with_text = list[2..].iter().filter(|r| !r[c("部门反馈")].is_empty()).count();
        assert_eq!(with_text, 2, "no other finding carries an answer");
    };
    check(&out);
    // a re-run without the replies keeps them (read back from the previous summary)
    run(&input, &out, config(), &feedback());
    check(&out);
}

#[test]
fn a_missing_replies_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(dir.path());
    let extras = RunExtras { replies: Some(dir.path().join("无此文件夹")), ..RunExtras::default() };
    let err = run_with(&run_options(&input, &dir.path().join("out"), config(), false), &extras).unwrap_err();
    assert!(err.to_string().contains("无此文件夹"), "{err}");
    assert!(!dir.path().join("out").exists(), "refused before anything is written");
}

#[test]
fn a_department_that_is_not_ranked_reads_pending_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let mut forms = seed::forms();
    for f in forms.iter_mut() {
        if let jixiao_fixtures::Form::Eval(e) = f
            && e.kind == jixiao_fixtures::Kind::Department
        {
            e.total_score = jixiao_fixtures::Cv::N(105.0);
        }
    }
    std::fs::create_dir_all(input.join("市政务系统")).unwrap();
    WorkbookSpec::stacked("附表", forms, Layout::default()).save(&input.join("市政务系统/审批局自评.xlsx")).unwrap();
    let out = dir.path().join("out");
    // ranked by the stated total, which is above the form's weight: 待核实 whatever the default
    let config = Config::build(Some(("t.toml", "[ranking]\nby = \"stated\"\n"))).unwrap();
    run(&input, &out, config, &feedback());
    let notice = text(&rows(&out.join(SEED), "整改通知"));
    let at = notice.iter().position(|r| r[0] == "年度").expect("部门评价结果");
    let (head, value) = (&notice[at], &notice[at + 1]);
    let f = |h: &str| value[head.iter().position(|x| x == h).unwrap()].clone();
    assert_eq!((f("等级").as_str(), f("排名").as_str(), f("系统内排名").as_str()), ("待核实", "—", "—"));
    assert!(f("说明").contains("填报总分105高于分值100") && f("说明").contains("不参与排名"), "{}", f("说明"));
    assert_eq!(f("填报总分"), "105");
}
