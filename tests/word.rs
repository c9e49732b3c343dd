//! Word reports: the seed's report as a `.docx` (its forms as Word tables with merged
//! cells) must yield what the seed workbook yields, and its findings must point into
//! the tables in Word terms (`表3（项目支出绩效自评表）`, `第5行第7列`).

mod common;

use common::*;
use jixiao_fixtures::docx;
use jixiao_rules::FileResult;

fn seed_docx_result(dir: &std::path::Path) -> FileResult {
    let path = dir.join("株洲市行政审批服务局/自评报告.docx");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, docx::to_bytes(&docx::seed_report()).unwrap()).unwrap();
    process_path(&path, "株洲市行政审批服务局/自评报告.docx")
}

/// (rule, project or department, message): what a finding says, wherever it points.
fn findings(r: &FileResult) -> Vec<(String, String, String)> {
    let mut v: Vec<_> =
        r.anomalies.iter().map(|a| (a.rule.to_string(), a.project.clone(), a.message.clone())).collect();
    v.sort();
    v
}

#[test]
fn the_seed_report_as_docx_yields_the_seed_workbooks_forms_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    let word = seed_docx_result(dir.path());
    let book = seed_result();
    assert_eq!(word.file.status, jixiao_rules::FileStatus::Ok, "{:?}", word.file.error);
    assert_eq!(word.file.forms, 10, "one form A, one form B, eight form C");
    assert_eq!(word.file.sheets, 10, "ten tables");
    assert_eq!(word.evaluations.len(), book.evaluations.len());
    for (w, b) in word.evaluations.iter().zip(&book.evaluations) {
        assert_eq!(essence(w), essence(b), "{}", b.title());
        assert_eq!(w.score_calc(), b.score_calc(), "{}", b.title());
        assert_eq!(w.exec_rate_calc(), b.exec_rate_calc(), "{}", b.title());
    }
    assert_eq!(word.basics.len(), 1);
    let lines = |r: &FileResult| -> Vec<String> {
        r.basics[0]
            .lines
            .iter()
            .map(|l| {
                format!("{} {:?} {:?} {:?} {:?}", l.item, l.parent, l.prev_final.value, l.budget.value, l.final_.value)
            })
            .collect()
    };
    assert_eq!(lines(&word), lines(&book));
    // the same rules fire with the same messages, except where a message names its cell
    let strip = |v: Vec<(String, String, String)>| -> Vec<(String, String)> {
        v.into_iter().map(|(rule, who, _)| (rule, who)).collect()
    };
    assert_eq!(strip(findings(&word)), strip(findings(&book)));
    let msgs = |r: &FileResult| -> Vec<String> {
        findings(r).into_iter().filter(|(rule, ..)| rule != "UNIT_MISMATCH").map(|(_, _, m)| m).collect()
    };
    assert_eq!(msgs(&word), msgs(&book));
}

#[test]
fn findings_in_a_word_report_name_the_table_and_its_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let r = seed_docx_result(dir.path());
    let sheets: Vec<&str> = r.evaluations.iter().map(|e| e.sheet.as_str()).collect();
    assert_eq!(sheets[0], "表2（部门整体支出绩效自评表）");
    assert_eq!(sheets[1], "表3（项目支出绩效自评表）");
    assert_eq!(r.basics[0].sheet, "表1（部门整体支出绩效评价基础数据表）");
    assert_eq!(
        r.evaluations[1].eval_id, "株洲市行政审批服务局/自评报告.docx#表3（项目支出绩效自评表）#1",
        "one form per table"
    );
    // 快递服务经费 (the third project, 表5): its stated 总分 得分 sits in the 总分 row,
    // the table's last, in the 得分 column (the 8th)
    let courier = r.anomalies.iter().find(|a| a.rule == "TOTAL_MISMATCH" && a.project.contains("快递")).unwrap();
    assert_eq!(courier.sheet, "表5（项目支出绩效自评表）");
    let e = form(&r, "快递服务经费");
    assert!(courier.cell.ends_with("行第8列"), "{}", courier.cell);
    let row: usize = courier.cell.trim_start_matches('第').split('行').next().unwrap().parse().unwrap();
    let last_indicator = e.indicators.last().unwrap().row as usize + 1;
    assert!(row > last_indicator, "{} after indicator row {last_indicator}", courier.cell);
    // 794500元 in 信息资源共享交换平台's fund table: 全年预算数 is the 4th column of the
    // 年度资金总额 row (the 4th row: name, 主管部门, header, total)
    let unit = r.anomalies.iter().find(|a| a.rule == "UNIT_MISMATCH").unwrap();
    assert_eq!((unit.sheet.as_str(), unit.cell.as_str()), ("表6（项目支出绩效自评表）", "第4行第4列"));
    assert!(unit.message.contains("（第4行第4列：794500元"), "{}", unit.message);
    // the 填报日期 of 窗口补贴 is in the 填表人 paragraph under its table
    let date = r.anomalies.iter().find(|a| a.rule == "FILED_DATE" && a.project.contains("窗口补贴")).unwrap();
    assert_eq!((date.sheet.as_str(), date.cell.as_str()), ("表3（项目支出绩效自评表）", "表格下方第3段"));
    // every cell reads the Word way
    for a in r.anomalies.iter().filter(|a| !a.cell.is_empty()) {
        assert!(a.cell.starts_with('第') || a.cell.starts_with("表格"), "{}: {}", a.rule, a.cell);
        assert!(a.sheet.starts_with('表'), "{}: {}", a.rule, a.sheet);
    }
}

#[test]
fn the_seed_split_into_one_docx_per_annex_yields_the_same_forms() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for (name, spec) in docx::seed_split() {
        let rel = format!("报送材料/{name}.docx");
        let path = dir.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, docx::to_bytes(&spec).unwrap()).unwrap();
        let r = process_path(&path, &rel);
        assert_eq!(r.file.status, jixiao_rules::FileStatus::Ok, "{rel}");
        results.push(r);
    }
    assert_eq!(results.len(), 3, "附件1-1, 1-2, 1-3");
    // 附件1-3 has no form B: its projects take the department of the folder's 附件1-2
    // (快递服务经费 would otherwise take its 主管部门, 株洲市委、市政府)
    jixiao::pipeline::resolve_folder(&mut results);
    let evals: Vec<_> = results.iter().flat_map(|r| r.evaluations.clone()).collect();
    let book = seed_result();
    assert_eq!(results.iter().map(|r| r.basics.len()).sum::<usize>(), 1);
    assert_eq!(results[0].basics[0].department, "株洲市行政审批服务局");
    let got: Vec<String> = evals.iter().map(essence).collect();
    let want: Vec<String> = book.evaluations.iter().map(essence).collect();
    assert_eq!(got, want);
}

#[test]
fn the_docx_fixture_is_the_same_bytes_every_time() {
    let a = docx::to_bytes(&docx::seed_report()).unwrap();
    let b = docx::to_bytes(&docx::seed_report()).unwrap();
    assert_eq!(a, b);
}
