//! Configuration: label synonyms (`config/labels.toml`) and rule settings
//! (`config/rules.toml`), compiled into the binary and extendable with `--config`.
//!
//! A user's file is merged over the defaults: tables merge key by key, label lists are
//! appended to (a user adds synonyms, never loses ours), other values replace ours.
//! Unknown keys are errors, so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::normalize::clean_label;

pub const DEFAULT_LABELS: &str = include_str!("../config/labels.toml");
pub const DEFAULT_RULES: &str = include_str!("../config/rules.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("config {origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// A list of synonyms for one label, stored cleaned (see [`clean_label`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct LabelSet(Vec<String>);

impl From<Vec<String>> for LabelSet {
    fn from(v: Vec<String>) -> Self {
        LabelSet(v.iter().map(|s| clean_label(s)).filter(|s| !s.is_empty()).collect())
    }
}

impl From<LabelSet> for Vec<String> {
    fn from(l: LabelSet) -> Self {
        l.0
    }
}

impl LabelSet {
    /// True when the cell's text, cleaned, is one of the synonyms.
    pub fn is(&self, text: &str) -> bool {
        let c = clean_label(text);
        self.0.contains(&c)
    }

    /// True when the already-cleaned text is one of the synonyms.
    pub fn is_clean(&self, cleaned: &str) -> bool {
        self.0.iter().any(|s| s == cleaned)
    }

    /// True when one of the synonyms occurs inside `text` (a title marker in a title, a
    /// footer label beside its value). Runs for every cell of every indicator row, on
    /// text a few characters long, where setting up `str::contains`' searcher for each
    /// synonym cost more than this scan (measured with callgrind, docs/performance.md).
    pub fn found_in(&self, text: &str) -> bool {
        let h = text.as_bytes();
        self.0.iter().any(|s| {
            let Some((&first, rest)) = s.as_bytes().split_first() else { return true };
            s.len() <= h.len()
                && memchr::memchr_iter(first, &h[..=h.len() - s.len()]).any(|i| h[i + 1..].starts_with(rest))
        })
    }

    /// The synonyms, cleaned.
    pub fn synonyms(&self) -> &[String] {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forms {
    pub project: LabelSet,
    pub department: LabelSet,
    pub basic: LabelSet,
    pub title_marker: LabelSet,
    /// Labels of the name field of a form found by its title alone (`单位 | …`).
    pub title_name: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    pub supervisor: LabelSet,
    pub implementer: LabelSet,
    pub fund_end: LabelSet,
    pub total_row: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundColumns {
    pub initial: LabelSet,
    pub full: LabelSet,
    pub executed: LabelSet,
    pub weight: LabelSet,
    pub rate: LabelSet,
    pub score: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumns {
    pub level1: LabelSet,
    pub level2: LabelSet,
    pub level3: LabelSet,
    pub nature: LabelSet,
    pub target: LabelSet,
    pub unit: LabelSet,
    pub actual: LabelSet,
    pub weight: LabelSet,
    pub score: LabelSet,
    pub reason: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorKinds {
    pub cost: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    pub filled_by: LabelSet,
    pub filled_date: LabelSet,
    pub phone: LabelSet,
    pub other: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicLabels {
    pub staff_authorized: LabelSet,
    pub staff_actual: LabelSet,
    pub staff_rate: LabelSet,
    pub prev_final: LabelSet,
    pub budget: LabelSet,
    pub final_: LabelSetAlias,
    pub top_items: LabelSet,
    pub end_items: LabelSet,
}

/// `final` is a Rust keyword; the TOML key stays `final`.
pub type LabelSetAlias = LabelSet;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub forms: Forms,
    pub fields: Fields,
    pub fund_columns: FundColumns,
    pub fund_sources: BTreeMap<String, LabelSet>,
    pub indicator_columns: IndicatorColumns,
    pub indicator_kinds: IndicatorKinds,
    pub footer: Footer,
    pub basic: BasicLabels,
}

impl Labels {
    /// The fund source id (`total`, `fiscal`…) whose synonyms hold this cleaned label.
    pub fn fund_source(&self, cleaned: &str) -> Option<&str> {
        self.fund_sources.iter().find(|(_, set)| set.is_clean(cleaned)).map(|(k, _)| k.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One rule's settings. Every field is optional: what is not set keeps the rule's default.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSettings {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    /// Absolute tolerance in the rule's own unit (points, percentage points, 万元).
    pub tolerance: Option<f64>,
    /// Relative tolerance (0.001 = 0.1%).
    pub relative_tolerance: Option<f64>,
    /// A threshold the rule compares against (e.g. execution rate 0.8).
    pub threshold: Option<f64>,
    /// The value a sum is expected to reach (e.g. 100 points).
    pub expected: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grades {
    pub excellent: f64,
    pub good: f64,
    pub pass: f64,
}

impl Grades {
    /// 优 / 良 / 中 / 差 for a total score.
    pub fn grade(&self, score: f64) -> &'static str {
        if score >= self.excellent {
            "优"
        } else if score >= self.good {
            "良"
        } else if score >= self.pass {
            "中"
        } else {
            "差"
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub max_file_mb: u64,
    pub max_cells_per_sheet: u64,
    pub max_unpacked_mb: u64,
    pub file_timeout_secs: u64,
    /// The address space (MB) a worker process may add to what it holds once started
    /// (0 = no limit; Unix only, and not enforced by macOS): a file that makes the reader
    /// ask for more fails alone.
    #[serde(default = "default_worker_memory_mb")]
    pub worker_memory_mb: u64,
    /// Workbooks with more sheets than this are not read.
    #[serde(default = "default_max_sheets")]
    pub max_sheets: u64,
    /// The text (MB) all of a workbook's cells may hold together (each cell holds its own
    /// copy of a shared string).
    #[serde(default = "default_max_text_mb")]
    pub max_text_mb: u64,
}

fn default_worker_memory_mb() -> u64 {
    1024
}

fn default_max_sheets() -> u64 {
    crate::inspect::MAX_SHEETS
}

fn default_max_text_mb() -> u64 {
    crate::read::MAX_TEXT_BYTES >> 20
}

/// Which of several versions of the same form counts (see `crate::versions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionOrder {
    /// The file modified last counts; equal times fall back to path order.
    Modified,
    /// The file whose path sorts last counts (`…修改版.xlsx` after `….xlsx`), whatever the times.
    Path,
}

/// Which total the rankings sort by, and the grades, grade counts and averages go by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    /// The 总分 the form states (填报总分): the order before issue 22.
    Stated,
    /// exec score + Σ indicator scores (核定总分, `score_calc`), the default; none for a
    /// form whose items carry no score.
    Calculated,
}

/// How 部门排名 and 项目排名 are built.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    pub versions: VersionOrder,
    pub by: RankBy,
}

/// What the summary workbook's title rows say.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The region named in every sheet's title (`株洲市`); empty: the division the
    /// departments' names start with most (`crate::summary::region`), else none.
    #[serde(default)]
    pub region: String,
    /// The year named in the titles; unset: the years of the forms read (and, for the two
    /// sheets streamed while files are read, the years in the file names).
    #[serde(default)]
    pub year: Option<i32>,
}

/// The issuing block of the feedback workbooks (`--feedback`): who sends them, whom to
/// call, and by when the departments answer. Empty: the line reads （未设置）.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackSettings {
    /// 发文单位 (`株洲市财政局预算绩效管理科`).
    #[serde(default)]
    pub office: String,
    /// 联系人.
    #[serde(default)]
    pub contact: String,
    /// 联系电话.
    #[serde(default)]
    pub phone: String,
    /// 反馈期限: a TOML date (`2024-01-15`), a written date (`"2024年1月15日"`) or free
    /// text (`"收到通知后10个工作日内"`).
    #[serde(default)]
    pub deadline: Deadline,
}

/// A deadline as the config gives it: a date (TOML's own or written) or free text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "toml::Value", into = "String")]
pub struct Deadline(String);

impl TryFrom<toml::Value> for Deadline {
    type Error = String;

    fn try_from(v: toml::Value) -> Result<Self, Self::Error> {
        // a TOML date reaches here as its text (the merged config is a table of values)
        let date = |d: toml::value::Datetime| match d.date {
            Some(date) => Ok(Deadline(date.to_string())),
            None => Err(format!("`feedback.deadline` must be a date or text, got the time {d}")),
        };
        match v {
            toml::Value::String(s) => match s.trim().parse::<toml::value::Datetime>() {
                Ok(d) => date(d),
                Err(_) => Ok(Deadline(s.trim().to_string())),
            },
            toml::Value::Datetime(d) => date(d),
            other => Err(format!("`feedback.deadline` must be a date or text, got {other}")),
        }
    }
}

impl From<Deadline> for String {
    fn from(d: Deadline) -> String {
        d.0
    }
}

impl Deadline {
    pub fn new(text: &str) -> Deadline {
        Deadline(text.trim().to_string())
    }

    /// The deadline as a date, when it is one (`2024-01-15`, `2024年1月15日`, `2024.1.15`).
    pub fn date(&self) -> Option<chrono::NaiveDate> {
        crate::values::date::parse_date(&self.0)
    }

    /// The text as configured (empty: none).
    pub fn text(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub labels: Labels,
    pub grades: Grades,
    pub ranking: Ranking,
    #[serde(default)]
    pub report: Report,
    /// The issuing block of the feedback workbooks.
    #[serde(default)]
    pub feedback: FeedbackSettings,
    pub rules: BTreeMap<String, RuleSettings>,
    pub limits: Limits,
    pub systems: Systems,
    pub roster: RosterMatching,
}

/// Which 系统 (bureau, district) a department and its files belong to (`crate::systems`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Systems {
    /// The folder level under INPUT_DIR that names the 系统: 1 = the first folder
    /// (`市教育局系统/…`), 2 = the folder inside it. 0 puts everything in `unassigned`.
    pub level: usize,
    /// A two-column file (`.csv`, `.xlsx`): a department or folder name, and its 系统.
    /// Its entries win over the folder level. Empty: none.
    pub map_file: String,
    /// The 系统 of a file that sits above `level` (directly in INPUT_DIR).
    pub unassigned: String,
}

/// How handed-in department names are matched with a roster (`crate::roster`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterMatching {
    /// Prefixes a department may write or leave out (`株洲市`): compared without them.
    pub drop_prefixes: Vec<String>,
    /// A name on no roster gets the closest roster name suggested when at most this many
    /// characters differ (edit distance on normalized names).
    pub max_distance: usize,
}

impl Config {
    /// The built-in configuration.
    pub fn default_config() -> Config {
        Self::build(None).expect("built-in config parses (covered by a test)")
    }

    /// The built-in configuration with a user's file merged over it.
    pub fn load(user: Option<&Path>) -> Result<Config, ConfigError> {
        let text = match user {
            Some(p) => Some((
                p.display().to_string(),
                // as Windows editors save it: a byte-order mark, or GB18030 ("ANSI")
                crate::normalize::decode_text(
                    std::fs::read(p).map_err(|cause| ConfigError::Io { path: p.display().to_string(), cause })?,
                ),
            )),
            None => None,
        };
        Self::build(text.as_ref().map(|(o, t)| (o.as_str(), t.as_str())))
    }

    /// Builds from the defaults plus an optional (origin, TOML text) override.
    pub fn build(user: Option<(&str, &str)>) -> Result<Config, ConfigError> {
        let parse = |origin: &str, text: &str| -> Result<toml::Table, ConfigError> {
            text.parse::<toml::Table>()
                .map_err(|e| ConfigError::Invalid { origin: origin.into(), message: e.to_string() })
        };
        let mut labels = toml::Table::new();
        labels.insert("labels".into(), toml::Value::Table(rename_final(parse("labels.toml", DEFAULT_LABELS)?)));
        let mut merged = parse("rules.toml", DEFAULT_RULES)?;
        merge(&mut merged, labels, false);
        if let Some((origin, text)) = user {
            let mut t = parse(origin, text)?;
            if let Some(toml::Value::Table(l)) = t.remove("labels") {
                t.insert("labels".into(), toml::Value::Table(rename_final(l)));
            }
            merge(&mut merged, t, false);
        }
        let origin = user.map(|(o, _)| o).unwrap_or("built-in");
        let config: Config = toml::Value::Table(merged)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid { origin: origin.into(), message: e.to_string() })?;
        config.validate(origin)?;
        Ok(config)
    }

    fn validate(&self, origin: &str) -> Result<(), ConfigError> {
        let known = crate::rules::catalog();
        for (id, s) in &self.rules {
            if !known.iter().any(|r| r.id == id) {
                return Err(ConfigError::Invalid {
                    origin: origin.into(),
                    message: format!("unknown rule `rules.{id}`"),
                });
            }
            for (key, v) in [
                ("tolerance", s.tolerance),
                ("relative_tolerance", s.relative_tolerance),
                ("threshold", s.threshold),
                ("expected", s.expected),
            ] {
                if let Some(v) = v
                    && (!v.is_finite() || v < 0.0)
                {
                    return Err(ConfigError::Invalid {
                        origin: origin.into(),
                        message: format!("`rules.{id}.{key}` must be a number ≥ 0, got {v}"),
                    });
                }
            }
        }
        Ok(())
    }

    /// The settings of a rule, defaults filled from the catalog.
    pub fn rule(&self, id: &str) -> RuleSettings {
        self.rules.get(id).cloned().unwrap_or_default()
    }
}

/// The labels file uses the key `final`; the struct field is `final_`.
fn rename_final(mut t: toml::Table) -> toml::Table {
    if let Some(toml::Value::Table(basic)) = t.get_mut("basic")
        && let Some(v) = basic.remove("final")
    {
        basic.insert("final_".into(), v);
    }
    t
}

/// Deep-merges `over` into `base`: tables key by key; arrays under `labels` appended.
fn merge(base: &mut toml::Table, over: toml::Table, in_labels: bool) {
    for (k, v) in over {
        let labels = in_labels || k == "labels";
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o, labels),
            (Some(toml::Value::Array(b)), toml::Value::Array(o)) if labels => b.extend(o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_found_inside_text() {
        let phone = Config::default_config().labels.footer.phone;
        assert!(phone.found_in("联系电话:28683269"));
        assert!(phone.found_in("填表人:胡静 电话"), "at the very end");
        assert!(!phone.found_in("电"), "shorter than every synonym");
        assert!(!phone.found_in("填表人:胡静"));
        assert!(!phone.found_in(""));
    }

    #[test]
    fn defaults_parse() {
        let c = Config::default_config();
        assert!(c.labels.forms.project.is("项目支\n出名称"));
        assert_eq!(c.labels.fund_source("当年财政拨款"), Some("fiscal"));
        assert!(c.labels.basic.final_.is("决算数"));
    }

    #[test]
    fn user_synonyms_are_appended() {
        let c = Config::build(Some(("user.toml", "[labels.forms]\nproject = [\"项目全称\"]\n"))).unwrap();
        assert!(c.labels.forms.project.is("项目全称"));
        assert!(c.labels.forms.project.is("项目名称"));
    }

    #[test]
    fn ranking_options_parse() {
        let c = Config::default_config();
        assert_eq!((c.ranking.versions, c.ranking.by), (VersionOrder::Modified, RankBy::Calculated));
        let c = Config::build(Some(("user.toml", "[ranking]\nversions = \"path\"\nby = \"stated\"\n"))).unwrap();
        assert_eq!((c.ranking.versions, c.ranking.by), (VersionOrder::Path, RankBy::Stated));
        let e = Config::build(Some(("user.toml", "[ranking]\nby = \"best\"\n"))).unwrap_err();
        assert!(e.to_string().contains("best"), "{e}");
    }

    #[test]
    fn report_options_parse() {
        let c = Config::default_config();
        assert_eq!((c.report.region.as_str(), c.report.year), ("", None));
        let c = Config::build(Some(("user.toml", "[report]\nregion = \"株洲市\"\nyear = 2022\n"))).unwrap();
        assert_eq!((c.report.region.as_str(), c.report.year), ("株洲市", Some(2022)));
        // as Notepad saves it: with a byte-order mark, or in GB18030 ("ANSI" on Chinese Windows)
        let bom = crate::normalize::decode_text(
            b"\xEF\xBB\xBF[report]\nregion = \"\xE6\xA0\xAA\xE6\xB4\xB2\xE5\xB8\x82\"\n".to_vec(),
        );
        let gbk = crate::normalize::decode_text(b"[report]\nregion = \"\xd6\xea\xd6\xde\xca\xd0\"\n".to_vec());
        for text in [bom, gbk] {
            let c = Config::build(Some(("user.toml", &text))).unwrap();
            assert_eq!(c.report.region, "株洲市", "{text:?}");
        }
        let e = Config::build(Some(("user.toml", "[report]\nregoin = \"x\"\n"))).unwrap_err();
        assert!(e.to_string().contains("regoin"), "{e}");
    }

    #[test]
    fn feedback_options_parse() {
        let c = Config::default_config();
        assert_eq!((c.feedback.office.as_str(), c.feedback.deadline.text()), ("", ""));
        let c = Config::build(Some((
            "user.toml",
            "[feedback]\noffice = \"株洲市财政局绩效科\"\ncontact = \"张三\"\nphone = \"0731-1\"\ndeadline = 2024-01-15\n",
        )))
        .unwrap();
        assert_eq!(c.feedback.office, "株洲市财政局绩效科");
        assert_eq!(c.feedback.deadline.date(), chrono::NaiveDate::from_ymd_opt(2024, 1, 15));
        let c = Config::build(Some(("user.toml", "[feedback]\ndeadline = \"收到通知后10个工作日内\"\n"))).unwrap();
        assert_eq!((c.feedback.deadline.date(), c.feedback.deadline.text()), (None, "收到通知后10个工作日内"));
        let c = Config::build(Some(("user.toml", "[feedback]\ndeadline = \"2024年1月15日\"\n"))).unwrap();
        assert!(c.feedback.deadline.date().is_some(), "a written date is a date");
        let c = Config::build(Some(("user.toml", "[feedback]\ndeadline = 2024-01-15T10:00:00\n"))).unwrap();
        assert_eq!(c.feedback.deadline.text(), "2024-01-15", "a date and time: the date");
        let e = Config::build(Some(("user.toml", "[feedback]\ndeadline = 10:00:00\n"))).unwrap_err();
        assert!(e.to_string().contains("feedback.deadline"), "{e}");
        let e = Config::build(Some(("user.toml", "[feedback]\ndeadline = 15\n"))).unwrap_err();
        assert!(e.to_string().contains("feedback.deadline"), "{e}");
        let e = Config::build(Some(("user.toml", "[feedback]\noffise = \"x\"\n"))).unwrap_err();
        assert!(e.to_string().contains("offise"), "{e}");
        // written to run.json as plain text
        #[cfg(feature = "output")]
        {
            let c = Config::build(Some(("u", "[feedback]\ndeadline = 2024-01-15\n"))).unwrap();
            assert_eq!(serde_json::to_value(&c).unwrap()["feedback"]["deadline"], "2024-01-15");
        }
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = Config::build(Some(("user.toml", "[rules.TOTAL_MISMATCH]\ntolerence = 1\n"))).unwrap_err();
        assert!(e.to_string().contains("tolerence"), "{e}");
        let e = Config::build(Some(("user.toml", "[rules.NO_SUCH_RULE]\nenabled = false\n"))).unwrap_err();
        assert!(e.to_string().contains("NO_SUCH_RULE"), "{e}");
        let e = Config::build(Some(("user.toml", "[rules.TOTAL_MISMATCH]\ntolerance = -1\n"))).unwrap_err();
        assert!(e.to_string().contains("TOTAL_MISMATCH.tolerance"), "{e}");
    }
}
