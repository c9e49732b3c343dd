//! What a run reports (`run.json`), as plain records: the counts of files, forms and
//! findings, the durations, and what `--feedback` and `--replies` did. Below the writers
//! that print them (`summary`, `i18n`) and the run that fills them (`pipeline`), so that
//! none of those needs another to know their shape.

use std::collections::BTreeMap;

use serde::Serialize;

/// The run's figures, also written to `run.json`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct RunReport {
    pub tool: String,
    pub version: String,
    pub run_date: String,
    pub input: String,
    pub out: String,
    pub jobs: usize,
    pub files: FileCounts,
    pub forms: FormCounts,
    pub indicators: usize,
    pub anomalies: AnomalyCounts,
    pub walk_problems: Vec<(String, String)>,
    /// Files whose results came from the cache of the previous run.
    pub cache_hits: usize,
    pub durations_ms: Durations,
    pub config_file: Option<String>,
    pub config: serde_json::Value,
    /// `--feedback`: the per-department workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<FeedbackCounts>,
    /// `--replies`: the feedback workbooks read back, the findings answered, the answered
    /// rows that match no finding and the files that are not feedback workbooks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<ReplyCounts>,
    /// Files of ours not written because the user keeps a file of that name in OUT_DIR.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_user_files: Vec<String>,
    /// Files of an earlier run not deleted because the user changed them since.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kept_changed: Vec<String>,
}

/// The feedback workbooks of a run: how many, how many written anew (the others copied
/// from the previous run, their department's content unchanged), and the time taken.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FeedbackCounts {
    pub departments: usize,
    pub rebuilt: usize,
    pub millis: u64,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct FileCounts {
    pub total: usize,
    pub ok: usize,
    pub no_form: usize,
    pub failed: usize,
    pub duplicate: usize,
    /// Files (status `ok`) some of whose forms lost to another file's newer version.
    pub superseded: usize,
    /// Listed, not read by design (`.doc`, `.pdf`, images…).
    pub skipped: usize,
    pub bytes: u64,
}

/// The forms that count (one version of each), as the rankings and every count of
/// summary.xlsx count them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FormCounts {
    pub department: usize,
    pub project: usize,
    pub basic: usize,
    /// Forms not in the above: another version of them counts instead.
    pub superseded: usize,
}

/// The findings that count (those of the versions that count), as 疑点清单 lists them.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AnomalyCounts {
    pub total: usize,
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub by_rule: BTreeMap<String, usize>,
    /// Findings of superseded versions, not in the above (listed in 已替代版本的疑点).
    pub superseded: usize,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Durations {
    pub discover: u64,
    pub process: u64,
    pub write: u64,
    pub total: u64,
}

/// What `--replies` found, for `run.json` and the console.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReplyCounts {
    /// Feedback workbooks read.
    pub files: usize,
    /// Findings that received an answer.
    pub answered: usize,
    /// Answered rows that match no finding of this run.
    pub unmatched: usize,
    /// Files under DIR that are not feedback workbooks (or could not be read).
    pub skipped: usize,
    pub unmatched_rows: Vec<UnmatchedRow>,
    pub skipped_files: Vec<SkippedFile>,
}

/// An answered row that matches no finding.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UnmatchedRow {
    /// The file, relative to DIR.
    pub file: String,
    pub sheet: String,
    /// 1-based, as Excel numbers rows.
    pub row: u32,
    pub department: String,
    pub rule: String,
    pub cell: String,
    /// The answer (its first 200 characters).
    pub reply: String,
    /// Why it matches nothing, in Chinese.
    pub why: String,
}

/// A file under DIR that was not read as a feedback workbook.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SkippedFile {
    pub file: String,
    /// Why, in Chinese.
    pub reason: String,
}
