//! What the report writers are told by the configuration: how rankings are built, what the
//! titles say, the feedback workbooks' issuing block, and where 系统 and the roster come from.

use serde::{Deserialize, Serialize};

use jixiao_rules::settings::Checks;
use jixiao_rules::versions::VersionOrder;

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
        jixiao_text::values::date::parse_date(&self.0)
    }

    /// The text as configured (empty: none).
    pub fn text(&self) -> &str {
        &self.0
    }
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

/// What the report writers are told: the rules' settings (severities, thresholds and
/// grade bands, shown in the sheets) and the report's own sections.
#[derive(Debug, Clone)]
pub struct Settings {
    pub checks: Checks,
    pub ranking: Ranking,
    pub report: Report,
    pub feedback: FeedbackSettings,
    pub systems: Systems,
    pub roster: RosterMatching,
}

/// The built-in settings of `config/rules.toml`, for this crate's tests (the app's config
/// loader is the one place that reads the file for a run).
#[cfg(test)]
pub(crate) fn builtin_for_tests() -> Settings {
    #[derive(Deserialize)]
    struct File {
        grades: jixiao_rules::settings::Grades,
        rules: std::collections::BTreeMap<String, jixiao_rules::settings::RuleSettings>,
        ranking: Ranking,
        systems: Systems,
        roster: RosterMatching,
    }
    let f: File = toml::from_str(include_str!("../../../config/rules.toml")).expect("config/rules.toml parses");
    Settings {
        checks: Checks { grades: f.grades, rules: f.rules },
        ranking: f.ranking,
        report: Report::default(),
        feedback: FeedbackSettings::default(),
        systems: f.systems,
        roster: f.roster,
    }
}
