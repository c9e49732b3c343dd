//! The findings and the file log: what the rules produce and what a file's processing
//! yields, plain records for the report writers and the cache.

use serde::{Deserialize, Serialize};

use jixiao_forms::model::{BasicForm, Evaluation};

use crate::settings::Severity;

/// A finding of a rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    #[serde(serialize_with = "static_id::serialize")]
    pub rule: &'static str,
    pub severity: Severity,
    pub path: String,
    pub sheet: String,
    /// A1 address of the cell at fault; empty for file-level findings.
    pub cell: String,
    pub eval_id: Option<String>,
    pub department: String,
    pub project: String,
    pub message: String,
    pub expected: Option<f64>,
    pub actual: Option<f64>,
    /// The reference value as text, where it is text (an indicator's target `≥90%`, a date
    /// bound): shown in 疑点清单 in place of `expected`.
    pub expected_text: Option<String>,
    /// The value as the form writes it, where it is text (`353100元`, `20234..25`, `<!%`).
    pub actual_text: Option<String>,
}

impl Anomaly {
    /// The same finding with its values as text (see `expected_text`, `actual_text`).
    pub fn with_text(mut self, expected: Option<String>, actual: Option<String>) -> Anomaly {
        self.expected_text = expected.filter(|s| !s.is_empty());
        self.actual_text = actual.filter(|s| !s.is_empty());
        self
    }
}

/// A rule id stored as text in the cache, read back as the catalog's own `&'static str`
/// (through [`AnomalyRepr`]: a borrowed `&'static str` field cannot be derived).
mod static_id {
    use serde::Serializer;

    pub fn serialize<S: Serializer>(id: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(id)
    }
}

/// How an [`Anomaly`] is read back from the cache.
#[derive(Deserialize)]
pub struct AnomalyRepr {
    pub(crate) rule: String,
    severity: Severity,
    path: String,
    sheet: String,
    cell: String,
    eval_id: Option<String>,
    department: String,
    project: String,
    message: String,
    expected: Option<f64>,
    actual: Option<f64>,
    #[serde(default)]
    expected_text: Option<String>,
    #[serde(default)]
    actual_text: Option<String>,
}

/// Read back through [`AnomalyRepr`]; the catalog (`crate::catalog`) maps its id to its own.
impl<'de> Deserialize<'de> for Anomaly {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Anomaly, D::Error> {
        Anomaly::try_from(AnomalyRepr::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl AnomalyRepr {
    /// The finding, under the catalog's own id for its rule.
    pub(crate) fn with_rule(self, rule: &'static str) -> Anomaly {
        Anomaly {
            rule,
            severity: self.severity,
            path: self.path,
            sheet: self.sheet,
            cell: self.cell,
            eval_id: self.eval_id,
            department: self.department,
            project: self.project,
            message: self.message,
            expected: self.expected,
            actual: self.actual,
            expected_text: self.expected_text,
            actual_text: self.actual_text,
        }
    }
}

/// The outcome of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileStatus {
    Ok,
    NoForm,
    Failed,
    Duplicate,
    /// Not read by design (`.doc`, `.pdf`, an image…): listed with what to ask for.
    Skipped,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::NoForm => "no_form",
            FileStatus::Failed => "failed",
            FileStatus::Duplicate => "duplicate",
            FileStatus::Skipped => "skipped",
        }
    }
}

/// One row of the file log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    pub bytes: i64,
    pub sha256: String,
    pub status: FileStatus,
    pub error: Option<String>,
    pub forms: i32,
    pub sheets: i32,
    pub millis: u64,
}

/// Everything extracted from one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    pub file: FileRecord,
    pub evaluations: Vec<Evaluation>,
    pub basics: Vec<BasicForm>,
    pub anomalies: Vec<Anomaly>,
}
