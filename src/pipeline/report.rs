//! The run's figures (`jixiao_report::run_report`) counted from the batch, and the closing line on
//! the terminal (in English; the Chinese one is `crate::i18n::text`).

use crate::pipeline::RunOptions;
use jixiao_forms::model::FormKind;
use jixiao_report::batch::Batch;
pub use jixiao_report::run_report::{AnomalyCounts, Durations, FeedbackCounts, FileCounts, FormCounts, RunReport};
use jixiao_rules::FileStatus;
use jixiao_rules::Severity;

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
