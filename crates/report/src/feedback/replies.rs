//! `--replies DIR`: the feedback workbooks the departments send back, read for their
//! 整改情况说明 and carried into 疑点清单 (整改状态 `已反馈`, the text in 部门反馈).
//!
//! A returned workbook is read, not trusted: its file may be renamed and moved anywhere
//! under DIR, its rows deleted or re-sorted, columns inserted or moved, sheets added.
//! Every sheet whose header row holds 整改情况说明, 规则编号 and 单元格 is read by those
//! labels; 表（项目）, 文件 and 工作表 narrow the match when they are there, and the
//! department is the one named beside 受文单位. A row is matched to the findings of this
//! run by rule, form and cell — never by its position — among the findings the feedback
//! workbooks list (the versions that count). An answered row that matches no finding is
//! counted and listed (`run.json` → `replies`, and the console), never dropped silently;
//! a file that is not a feedback workbook (or cannot be read) is skipped with a note.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::batch::Batch;
use jixiao_reader::ReadLimits;
use jixiao_reader::grid::Grid;
use jixiao_reader::read::read_workbook_noting;
use jixiao_rules::Anomaly;
use jixiao_text::normalize::norm;

/// A finding as 疑点清单 knows it: rule, department, project, file, sheet, cell.
type Key = (String, String, String, String, String, String);

fn key(a: &Anomaly) -> Key {
    (a.rule.to_string(), a.department.clone(), a.project.clone(), a.path.clone(), a.sheet.clone(), a.cell.clone())
}

/// The departments' answers, by finding.
#[derive(Debug, Default, Clone)]
pub struct Answers(HashMap<Key, String>);

impl Answers {
    /// The answer to a finding, if its department gave one.
    pub fn of(&self, a: &Anomaly) -> Option<&str> {
        self.0.get(&key(a)).map(String::as_str)
    }

    /// Findings answered.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub use crate::run_report::{ReplyCounts, SkippedFile, UnmatchedRow};

/// The answers and the counts.
#[derive(Debug, Default)]
pub struct Replies {
    pub answers: Answers,
    pub counts: ReplyCounts,
}

/// One returned row with an answer.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    sheet: String,
    row: u32,
    department: Option<String>,
    rule: String,
    cell: String,
    form: Option<String>,
    path: Option<String>,
    in_sheet: Option<String>,
    reply: String,
}

/// What one file under DIR turned out to be.
enum Read {
    Feedback(Vec<Row>),
    Skipped(String),
}

/// The extensions read; a department may save the workbook as `.xls` or in WPS.
const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "et", "ods"];

/// The files a replies folder holds, as the app's walk found them.
pub struct Found {
    /// Each file's path relative to the folder, and where it is.
    pub inputs: Vec<(String, PathBuf)>,
    /// Folders that could not be opened, each with why.
    pub problems: Vec<(String, String)>,
}

/// Reads every workbook found (the app walks the folder recursively, whatever the names,
/// the output folder left out) and matches its answered rows with the findings of `batch`.
/// A file over `max_bytes` is skipped with a note. Runs on the caller's rayon pool.
pub fn read(found: Found, batch: &Batch, limits: ReadLimits, max_bytes: u64) -> Replies {
    let read: Vec<(String, Read)> =
        found.inputs.par_iter().map(|(rel, path)| (rel.clone(), read_file(path, limits, max_bytes))).collect();
    let mut counts = ReplyCounts::default();
    for (path, reason) in found.problems {
        counts.skipped_files.push(SkippedFile { file: path, reason: format!("文件夹无法打开：{reason}") });
    }
    let index = Index::new(batch);
    let mut texts: BTreeMap<Key, Vec<String>> = BTreeMap::new();
    for (file, what) in read {
        let rows = match what {
            Read::Skipped(reason) => {
                counts.skipped_files.push(SkippedFile { file, reason });
                continue;
            }
            Read::Feedback(rows) => rows,
        };
        counts.files += 1;
        for row in rows {
            match index.matches(&row) {
                Ok(keys) => {
                    for k in keys {
                        let list = texts.entry(k.clone()).or_default();
                        if !list.contains(&row.reply) {
                            list.push(row.reply.clone());
                        }
                    }
                }
                Err(why) => counts.unmatched_rows.push(UnmatchedRow {
                    file: file.clone(),
                    sheet: row.sheet.clone(),
                    row: row.row,
                    department: row.department.clone().unwrap_or_default(),
                    rule: row.rule.clone(),
                    cell: row.cell.clone(),
                    reply: row.reply.chars().take(200).collect(),
                    why,
                }),
            }
        }
    }
    counts.skipped = counts.skipped_files.len();
    counts.unmatched = counts.unmatched_rows.len();
    counts.answered = texts.len();
    let answers = Answers(texts.into_iter().map(|(k, v)| (k, v.join("\n"))).collect());
    Replies { answers, counts }
}

fn read_file(path: &Path, limits: ReadLimits, max_bytes: u64) -> Read {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if !EXTENSIONS.contains(&ext.as_str()) {
        return Read::Skipped("不是Excel文件，未读取（如为扫描件或其他格式的答复，请人工核对）".into());
    }
    match std::fs::metadata(path) {
        Ok(m) if m.len() > max_bytes => return Read::Skipped(format!("文件过大（{}兆字节），未读取", m.len() >> 20)),
        Ok(_) => {}
        Err(e) => return Read::Skipped(format!("无法打开：{e}")),
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Read::Skipped(format!("无法打开：{e}")),
    };
    let book = match read_workbook_noting(&bytes, &limits) {
        Ok(b) => b,
        Err(e) => return Read::Skipped(format!("无法读取：{}", e.chinese())),
    };
    let mut rows = Vec::new();
    let mut any = false;
    for grid in &book.grids {
        if let Some(found) = sheet_rows(grid) {
            any = true;
            rows.extend(found);
        }
    }
    if any {
        Read::Feedback(rows)
    } else {
        Read::Skipped(format!("不是反馈表：没有含“{}”“{}”“{}”的表头行", super::REPLY, super::RULE_ID, super::CELL))
    }
}

/// The answered rows of a sheet with the findings header, or `None` when it has none.
fn sheet_rows(grid: &Grid) -> Option<Vec<Row>> {
    let label = |s: &str| norm(s);
    let (reply, rule, cell) = (label(super::REPLY), label(super::RULE_ID), label(super::CELL));
    let (form, file, sheet) = (label(super::FORM), label(super::FILE), label(super::SHEET));
    let mut header = None;
    for r in grid.top..grid.bottom() {
        let mut cols: HashMap<String, u32> = HashMap::new();
        for c in grid.left..grid.right() {
            let text = grid.get((r, c)).norm();
            if !text.is_empty() {
                // the first of a label (a moved column copied twice keeps the left one)
                cols.entry(text.to_string()).or_insert(c);
            }
        }
        if [&reply, &rule, &cell].iter().all(|l| cols.contains_key(l.as_str())) {
            header = Some((r, cols));
            break;
        }
    }
    let (head, cols) = header?;
    let department = recipient(grid, head);
    let at = |row: u32, name: &str| cols.get(name).map(|&c| grid.get((row, c)).text().trim().to_string());
    let mut rows = Vec::new();
    for r in head + 1..grid.bottom() {
        let text = at(r, &reply).unwrap_or_default();
        if text.is_empty() {
            continue;
        }
        rows.push(Row {
            sheet: grid.sheet.clone(),
            row: r + 1,
            department: department.clone(),
            rule: at(r, &rule).unwrap_or_default(),
            cell: at(r, &cell).unwrap_or_default(),
            form: at(r, &form),
            path: at(r, &file),
            in_sheet: at(r, &sheet),
            reply: text,
        });
    }
    Some(rows)
}

/// The department named beside 受文单位 above the findings' header, if it is there.
fn recipient(grid: &Grid, head: u32) -> Option<String> {
    let label = norm(super::RECIPIENT);
    for r in grid.top..head {
        for c in grid.left..grid.right() {
            if grid.get((r, c)).norm() != label {
                continue;
            }
            // the value: the next cell to the right that is not the label's own merge
            let value = (c + 1..grid.right()).map(|c| grid.get((r, c))).find(|x| !x.is_empty() && x.norm() != label);
            return value.map(|x| x.text().trim().to_string());
        }
    }
    None
}

/// A finding, normalized for matching.
struct Candidate {
    department: String,
    form: String,
    path: String,
    sheet: String,
    key: Key,
}

/// The findings the feedback workbooks list, by (rule, cell).
struct Index(HashMap<(String, String), Vec<Candidate>>);

impl Index {
    fn new(batch: &Batch) -> Index {
        let basics = super::basic_ids(batch);
        let mut map: HashMap<(String, String), Vec<Candidate>> = HashMap::new();
        for (department, list) in super::findings_by_department(batch) {
            for a in list {
                map.entry((a.rule.to_string(), norm(&a.cell))).or_default().push(Candidate {
                    department: department.clone(),
                    form: norm(&super::form_label(a, &basics)),
                    path: norm(&a.path),
                    sheet: norm(&a.sheet),
                    key: key(a),
                });
            }
        }
        Index(map)
    }

    /// The findings a row answers, or why it answers none.
    fn matches(&self, row: &Row) -> Result<Vec<&Key>, String> {
        if row.rule.is_empty() {
            return Err(format!("该行没有“{}”，无法对应到问题", super::RULE_ID));
        }
        let same = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| norm(w) == have);
        let found: Vec<&Key> = self
            .0
            .get(&(row.rule.trim().to_string(), norm(&row.cell)))
            .into_iter()
            .flatten()
            .filter(|c| same(&row.department, &c.department))
            .filter(|c| same(&row.form, &c.form) && same(&row.path, &c.path) && same(&row.in_sheet, &c.sheet))
            .map(|c| &c.key)
            .collect();
        if found.is_empty() {
            Err("本次审核中没有规则、表和单元格都相同的问题（可能已更正，或该行被改动）".into())
        } else {
            Ok(found)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_reader::grid::Value;

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn rows_are_read_by_their_labels() {
        let grid = Grid::from_rows(
            "整改通知",
            vec![
                vec![t("受文单位"), t("受文单位"), t(" 株洲市审批局 ")],
                vec![],
                vec![t("备注"), t("单元格"), t("规 则 编 号"), t("整改情况说明"), t("表(项目)")],
                vec![t("x"), t("K9"), t("TOTAL_MISMATCH"), t("已更正为84.1"), t("窗口补贴")],
                vec![t("y"), t("K10"), t("WEIGHT_SUM"), t(""), t("窗口补贴")],
                vec![t(""), t(""), t(""), t("另：已全部重新报送"), t("")],
            ],
        );
        let rows = sheet_rows(&grid).expect("a feedback sheet");
        assert_eq!(rows.len(), 2, "unanswered rows are left out: {rows:?}");
        assert_eq!(rows[0].department.as_deref(), Some("株洲市审批局"));
        assert_eq!((rows[0].rule.as_str(), rows[0].cell.as_str(), rows[0].row), ("TOTAL_MISMATCH", "K9", 4));
        assert_eq!(rows[0].form.as_deref(), Some("窗口补贴"), "full- and half-width brackets alike");
        assert_eq!((rows[0].path.clone(), rows[0].in_sheet.clone()), (None, None), "columns not there: not compared");
        assert_eq!(rows[1].rule, "", "a note below the table is kept, to be reported");
        let other = Grid::from_rows("Sheet1", vec![vec![t("整改情况说明"), t("单元格")]]);
        assert!(sheet_rows(&other).is_none(), "no 规则编号: not a feedback sheet");
    }
}
