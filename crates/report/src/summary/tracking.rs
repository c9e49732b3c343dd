//! 整改状态 and 备注 in 疑点清单: the office's own tracking of each finding. A re-run reads
//! them back from the previous OUT_DIR/summary.xlsx and writes them again beside the same
//! finding — same rule, department, project and cell — so what was typed survives. So is
//! 部门反馈, the department's answer read with `--replies`: a re-run without the replies
//! keeps it.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Reader, Xlsx, open_workbook};

use jixiao_rules::Anomaly;

/// 疑点清单's column of the departments' answers.
pub const REPLY_COLUMN: &str = "部门反馈";

/// The drop-down's choices; the first is what a new finding shows, [`ANSWERED`] what one
/// the department answered (`--replies`) shows until the office decides.
pub const STATES: [&str; 4] = ["未整改", "已反馈", "已整改", "无需整改"];
pub const ANSWERED: &str = STATES[1];

/// What the office keeps about a finding: 整改状态, 备注, 部门反馈.
#[derive(Debug, Default, Clone, PartialEq)]
struct Kept {
    state: String,
    note: String,
    reply: String,
}

/// (rule, department, project, cell) → what was kept.
#[derive(Debug, Default, Clone)]
pub struct Tracking(HashMap<(String, String, String, String), Kept>);

fn key(rule: &str, department: &str, project: &str, cell: &str) -> (String, String, String, String) {
    (rule.to_string(), department.to_string(), project.to_string(), cell.to_string())
}

impl Tracking {
    /// What the previous summary's 疑点清单 holds (sheets `疑点清单`, `疑点清单(2)`…);
    /// nothing when there is none or it cannot be read (the tracking then starts afresh).
    pub fn read_previous(summary: &Path) -> Tracking {
        let mut t = Tracking::default();
        let Ok(mut wb) = open_workbook::<Xlsx<_>, _>(summary) else { return t };
        let names: Vec<String> = wb.sheet_names().into_iter().filter(|n| n.starts_with("疑点清单")).collect();
        for name in names {
            let Ok(range) = wb.worksheet_range(&name) else { continue };
            // the header row: under the title row the sheets carry
            let mut rows = range
                .rows()
                .skip_while(|r| !r.iter().any(|c| matches!(c, calamine::Data::String(t) if t == "整改状态")));
            let Some(head) = rows.next() else { continue };
            let head: Vec<String> = head.iter().map(|c| c.to_string()).collect();
            let col = |h: &str| head.iter().position(|c| c == h);
            let (Some(r), Some(d), Some(p), Some(c), Some(s), Some(n)) =
                (col("规则"), col("部门"), col("项目"), col("单元格"), col("整改状态"), col("备注"))
            else {
                continue;
            };
            let answer = col(REPLY_COLUMN);
            for row in rows {
                let get = |i: usize| row.get(i).map(|c| c.to_string()).unwrap_or_default();
                let kept = Kept { state: get(s), note: get(n), reply: answer.map(get).unwrap_or_default() };
                if (kept.state.is_empty() || kept.state == STATES[0]) && kept.note.is_empty() && kept.reply.is_empty() {
                    continue;
                }
                t.0.insert(key(&get(r), &get(d), &get(p), &get(c)), kept);
            }
        }
        t
    }

    /// The 整改状态 and 备注 of a finding: what was typed for it before, else 未整改.
    pub fn of(&self, a: &Anomaly) -> (String, String) {
        self.0
            .get(&key(a.rule, &a.department, &a.project, &a.cell))
            .map(|k| (if k.state.is_empty() { STATES[0].to_string() } else { k.state.clone() }, k.note.clone()))
            .unwrap_or_else(|| (STATES[0].to_string(), String::new()))
    }

    /// 整改状态, 备注 and 部门反馈 of a finding, with `answer` (read now with `--replies`)
    /// in place of the answer kept from before. An answered finding the office has not
    /// decided on yet (未整改) reads 已反馈; 已整改 and 无需整改 are the office's own and stay.
    pub fn with_answer(&self, a: &Anomaly, answer: Option<&str>) -> (String, String, String) {
        let (mut state, note) = self.of(a);
        let kept = self.0.get(&key(a.rule, &a.department, &a.project, &a.cell)).map(|k| k.reply.clone());
        let reply = answer.map(str::to_string).or(kept).unwrap_or_default();
        if answer.is_some() && state == STATES[0] {
            state = ANSWERED.to_string();
        }
        (state, note, reply)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
