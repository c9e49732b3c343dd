//! 整改状态 and 备注 in 疑点清单: the office's own tracking of each finding. A re-run reads
//! them back from the previous OUT_DIR/summary.xlsx and writes them again beside the same
//! finding — same rule, department, project and cell — so what was typed survives.

use std::collections::HashMap;
use std::path::Path;

use calamine::{Reader, Xlsx, open_workbook};

use crate::model::Anomaly;

/// The drop-down's choices; the first is what a new finding shows.
pub const STATES: [&str; 3] = ["未整改", "已整改", "无需整改"];

/// (rule, department, project, cell) → (整改状态, 备注).
#[derive(Debug, Default, Clone)]
pub struct Tracking(HashMap<(String, String, String, String), (String, String)>);

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
            for row in rows {
                let get = |i: usize| row.get(i).map(|c| c.to_string()).unwrap_or_default();
                let (state, note) = (get(s), get(n));
                if (state.is_empty() || state == STATES[0]) && note.is_empty() {
                    continue;
                }
                t.0.insert(key(&get(r), &get(d), &get(p), &get(c)), (state, note));
            }
        }
        t
    }

    /// The 整改状态 and 备注 of a finding: what was typed for it before, else 未整改.
    pub fn of(&self, a: &Anomaly) -> (String, String) {
        self.0
            .get(&key(a.rule, &a.department, &a.project, &a.cell))
            .cloned()
            .map(|(s, n)| (if s.is_empty() { STATES[0].to_string() } else { s }, n))
            .unwrap_or_else(|| (STATES[0].to_string(), String::new()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
