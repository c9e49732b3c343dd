//! Each rule's settings (`[rules.ID]` in `config/rules.toml`), its severity and the grade
//! bands, as the app's config loader reads them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

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

/// What the rules are told by the configuration: each rule's settings by id, and the grade
/// bands (`[grades]`) that HIGH_SCORE rules and the rankings share.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checks {
    pub grades: Grades,
    pub rules: BTreeMap<String, RuleSettings>,
}

impl Checks {
    /// The settings of a rule, defaults filled from the catalog.
    pub fn rule(&self, id: &str) -> RuleSettings {
        self.rules.get(id).cloned().unwrap_or_default()
    }
}

/// The rule settings as shipped, `config/rules.toml`.
pub const BUILTIN: &str = include_str!("../../../config/rules.toml");

impl Checks {
    /// The built-in `[grades]` and `[rules]` of [`BUILTIN`] alone: what the fuzz targets and
    /// this crate's tests use (the app's config loader reads the whole file, a user's over it).
    pub fn builtin() -> Checks {
        #[derive(Deserialize)]
        struct File {
            grades: Grades,
            rules: BTreeMap<String, RuleSettings>,
        }
        let f: File = toml::from_str(BUILTIN).expect("config/rules.toml parses (covered by a test)");
        Checks { grades: f.grades, rules: f.rules }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_settings_parse_and_pass_validation() {
        let c = Checks::builtin();
        assert_eq!(c.grades.grade(90.0), "优");
        assert!(crate::validate(&c).is_ok());
        let mut bad = c.clone();
        bad.rules.insert("NO_SUCH_RULE".into(), RuleSettings::default());
        assert!(crate::validate(&bad).unwrap_err().contains("NO_SUCH_RULE"));
    }
}
