//! Configuration: label synonyms (`config/labels.toml`) and rule settings
//! (`config/rules.toml`), compiled into the binary and extendable with `--config`.
//!
//! A user's file is merged over the defaults: tables merge key by key, label lists are
//! appended to (a user adds synonyms, never loses ours), other values replace ours.
//! Unknown keys are errors, so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use jixiao_forms::labels::{Labels, rename_final};
use jixiao_reader::ReadLimits;
use jixiao_report::settings::{FeedbackSettings, Ranking, Report, RosterMatching, Settings, Systems};
use jixiao_rules::settings::{Checks, Grades, RuleSettings};

pub const DEFAULT_LABELS: &str = jixiao_forms::labels::BUILTIN;
pub const DEFAULT_RULES: &str = jixiao_rules::settings::BUILTIN;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("config {origin}: {message}")]
    Invalid { origin: String, message: String },
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
    jixiao_reader::limits::MAX_SHEETS
}

fn default_max_text_mb() -> u64 {
    jixiao_reader::limits::MAX_TEXT_BYTES >> 20
}

/// The run's settings, composed of each stage's own: the forms' label synonyms, the
/// reader's limits, and what the rules and the report writers are told. Read from and
/// written as one flat TOML/JSON document ([`Layout`]), the layout of `config/*.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "Layout", into = "Layout")]
pub struct Config {
    pub labels: Labels,
    pub limits: Limits,
    /// The rules' settings, the rankings, titles, feedback, 系统 and roster matching.
    pub settings: Settings,
}

/// The configuration as the files write it: one table per section.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layout {
    labels: Labels,
    grades: Grades,
    ranking: Ranking,
    #[serde(default)]
    report: Report,
    /// The issuing block of the feedback workbooks.
    #[serde(default)]
    feedback: FeedbackSettings,
    rules: BTreeMap<String, RuleSettings>,
    limits: Limits,
    systems: Systems,
    roster: RosterMatching,
}

impl TryFrom<Layout> for Config {
    type Error = String;

    fn try_from(l: Layout) -> Result<Config, String> {
        let checks = Checks { grades: l.grades, rules: l.rules };
        jixiao_rules::validate(&checks)?;
        Ok(Config {
            labels: l.labels,
            limits: l.limits,
            settings: Settings {
                checks,
                ranking: l.ranking,
                report: l.report,
                feedback: l.feedback,
                systems: l.systems,
                roster: l.roster,
            },
        })
    }
}

impl From<Config> for Layout {
    fn from(c: Config) -> Layout {
        let s = c.settings;
        Layout {
            labels: c.labels,
            grades: s.checks.grades,
            ranking: s.ranking,
            report: s.report,
            feedback: s.feedback,
            rules: s.checks.rules,
            limits: c.limits,
            systems: s.systems,
            roster: s.roster,
        }
    }
}

impl Limits {
    /// What the reader may spend on one workbook.
    pub fn read_limits(&self) -> ReadLimits {
        ReadLimits {
            max_cells: self.max_cells_per_sheet,
            max_unpacked_bytes: self.max_unpacked_mb.saturating_mul(1 << 20),
            max_sheets: self.max_sheets,
            max_text_bytes: self.max_text_mb.saturating_mul(1 << 20),
        }
    }
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
                jixiao_text::normalize::decode_text(
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
        Ok(config)
    }
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
    use jixiao_report::settings::RankBy;
    use jixiao_rules::versions::VersionOrder;

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
        assert_eq!((c.settings.ranking.versions, c.settings.ranking.by), (VersionOrder::Modified, RankBy::Calculated));
        let c = Config::build(Some(("user.toml", "[ranking]\nversions = \"path\"\nby = \"stated\"\n"))).unwrap();
        assert_eq!((c.settings.ranking.versions, c.settings.ranking.by), (VersionOrder::Path, RankBy::Stated));
        let e = Config::build(Some(("user.toml", "[ranking]\nby = \"best\"\n"))).unwrap_err();
        assert!(e.to_string().contains("best"), "{e}");
    }

    #[test]
    fn report_options_parse() {
        let c = Config::default_config();
        assert_eq!((c.settings.report.region.as_str(), c.settings.report.year), ("", None));
        let c = Config::build(Some(("user.toml", "[report]\nregion = \"株洲市\"\nyear = 2022\n"))).unwrap();
        assert_eq!((c.settings.report.region.as_str(), c.settings.report.year), ("株洲市", Some(2022)));
        // as Notepad saves it: with a byte-order mark, or in GB18030 ("ANSI" on Chinese Windows)
        let bom = jixiao_text::normalize::decode_text(
            b"\xEF\xBB\xBF[report]\nregion = \"\xE6\xA0\xAA\xE6\xB4\xB2\xE5\xB8\x82\"\n".to_vec(),
        );
        let gbk = jixiao_text::normalize::decode_text(b"[report]\nregion = \"\xd6\xea\xd6\xde\xca\xd0\"\n".to_vec());
        for text in [bom, gbk] {
            let c = Config::build(Some(("user.toml", &text))).unwrap();
            assert_eq!(c.settings.report.region, "株洲市", "{text:?}");
        }
        let e = Config::build(Some(("user.toml", "[report]\nregoin = \"x\"\n"))).unwrap_err();
        assert!(e.to_string().contains("regoin"), "{e}");
    }

    #[test]
    fn feedback_options_parse() {
        let c = Config::default_config();
        assert_eq!((c.settings.feedback.office.as_str(), c.settings.feedback.deadline.text()), ("", ""));
        let c = Config::build(Some((
            "user.toml",
            "[feedback]\noffice = \"株洲市财政局绩效科\"\ncontact = \"张三\"\nphone = \"0731-1\"\ndeadline = 2024-01-15\n",
        )))
        .unwrap();
        assert_eq!(c.settings.feedback.office, "株洲市财政局绩效科");
        assert_eq!(c.settings.feedback.deadline.date(), chrono::NaiveDate::from_ymd_opt(2024, 1, 15));
        let c = Config::build(Some(("user.toml", "[feedback]\ndeadline = \"收到通知后10个工作日内\"\n"))).unwrap();
        assert_eq!(
            (c.settings.feedback.deadline.date(), c.settings.feedback.deadline.text()),
            (None, "收到通知后10个工作日内")
        );
        let c = Config::build(Some(("user.toml", "[feedback]\ndeadline = \"2024年1月15日\"\n"))).unwrap();
        assert!(c.settings.feedback.deadline.date().is_some(), "a written date is a date");
        let c = Config::build(Some(("user.toml", "[feedback]\ndeadline = 2024-01-15T10:00:00\n"))).unwrap();
        assert_eq!(c.settings.feedback.deadline.text(), "2024-01-15", "a date and time: the date");
        let e = Config::build(Some(("user.toml", "[feedback]\ndeadline = 10:00:00\n"))).unwrap_err();
        assert!(e.to_string().contains("feedback.deadline"), "{e}");
        let e = Config::build(Some(("user.toml", "[feedback]\ndeadline = 15\n"))).unwrap_err();
        assert!(e.to_string().contains("feedback.deadline"), "{e}");
        let e = Config::build(Some(("user.toml", "[feedback]\noffise = \"x\"\n"))).unwrap_err();
        assert!(e.to_string().contains("offise"), "{e}");
        // written to run.json as plain text
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
