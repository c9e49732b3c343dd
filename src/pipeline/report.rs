//! The run's figures: `run.json` and the closing line on the terminal.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::Severity;
use crate::model::{FileStatus, FormKind};
use crate::pipeline::RunOptions;
use crate::pipeline::batch::Batch;

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
    pub replies: Option<crate::feedback::replies::ReplyCounts>,
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

pub fn report(opts: &RunOptions, data: &Batch, jobs: usize, walk_problems: Vec<(String, String)>) -> RunReport {
    let mut r = RunReport {
        tool: "jixiao".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        run_date: opts.run_date.to_string(),
        input: opts.input.display().to_string(),
        out: opts.out.display().to_string(),
        jobs,
        walk_problems,
        config_file: opts.config_path.as_ref().map(|p| p.display().to_string()),
        config: serde_json::to_value(&opts.config).unwrap_or_default(),
        ..RunReport::default()
    };
    for f in &data.files {
        r.files.total += 1;
        r.files.bytes += f.bytes.max(0) as u64;
        match f.status {
            FileStatus::Ok => r.files.ok += 1,
            FileStatus::NoForm => r.files.no_form += 1,
            FileStatus::Failed => r.files.failed += 1,
            FileStatus::Duplicate => r.files.duplicate += 1,
            FileStatus::Skipped => r.files.skipped += 1,
        }
    }
    for e in &data.evaluations {
        r.indicators += e.indicators as usize;
    }
    for e in data.counted() {
        match e.form {
            FormKind::Department => r.forms.department += 1,
            _ => r.forms.project += 1,
        }
    }
    r.files.superseded = data.superseded_files.len();
    let superseded_basics = data.basic_superseded.iter().filter(|w| w.is_some()).count();
    r.forms.basic = data.basic_forms.saturating_sub(superseded_basics);
    r.forms.superseded = data.superseded.iter().filter(|w| w.is_some()).count() + superseded_basics;
    r.anomalies.superseded = data.superseded_anomalies.len();
    for a in &data.anomalies {
        r.anomalies.total += 1;
        match a.severity {
            Severity::Error => r.anomalies.error += 1,
            Severity::Warning => r.anomalies.warning += 1,
            Severity::Info => r.anomalies.info += 1,
        }
        *r.anomalies.by_rule.entry(a.rule.to_string()).or_default() += 1;
    }
    r
}

/// The closing line on the terminal.
pub fn one_line(r: &RunReport) -> String {
    format!(
        "{} files ({} ok, {} no form, {} failed, {} duplicate, {} not read) · {} department + {} project + {} basic forms (and {} superseded by a newer version, not counted) · {} anomalies ({} errors, {} warnings; and {} of superseded versions, not counted) · {:.1}s → {}",
        r.files.total,
        r.files.ok,
        r.files.no_form,
        r.files.failed,
        r.files.duplicate,
        r.files.skipped,
        r.forms.department,
        r.forms.project,
        r.forms.basic,
        r.forms.superseded,
        r.anomalies.total,
        r.anomalies.error,
        r.anomalies.warning,
        r.anomalies.superseded,
        r.durations_ms.total as f64 / 1000.0,
        r.out
    )
}
