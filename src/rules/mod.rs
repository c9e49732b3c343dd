//! The rule catalog. Each rule lives in its own file named after its id
//! (`TOTAL_MISMATCH` → `total_mismatch.rs`) as one function, and is registered in
//! [`catalog`] with its default severity, description and thresholds. Adding a rule is
//! one function plus one entry here (and optionally one `[rules.ID]` in config).

mod exec_rate_mismatch;
mod total_mismatch;
mod weight_sum;

use chrono::NaiveDate;

use crate::config::{Config, RuleSettings, Severity};
use crate::model::{Anomaly, BasicForm, Evaluation, Pos, a1};

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// One form B or C.
    Evaluation(fn(&Evaluation, &Ctx, &mut Vec<Anomaly>)),
    /// One form A.
    Basic(fn(&BasicForm, &Ctx, &mut Vec<Anomaly>)),
    /// Raised by the pipeline itself (file-level or batch-level), not by a form check.
    Pipeline,
}

/// A rule of the catalog.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub description: &'static str,
    /// Default thresholds, by the config key that overrides them.
    pub params: &'static [(&'static str, f64)],
    pub check: Check,
}

/// Every rule, in the order of the spec's catalog.
pub fn catalog() -> Vec<Rule> {
    use Severity::*;
    vec![
        Rule {
            id: "EXEC_RATE_MISMATCH",
            severity: Error,
            description: "stated 执行率 differs from 全年执行数 ÷ 全年预算数 by more than `tolerance` percentage points",
            params: &[("tolerance", 0.5)],
            check: Check::Evaluation(exec_rate_mismatch::check),
        },
        Rule {
            id: "TOTAL_MISMATCH",
            severity: Error,
            description: "stated 总分 得分 differs from exec score + Σ indicator scores by more than `tolerance`",
            params: &[("tolerance", 0.05)],
            check: Check::Evaluation(total_mismatch::check),
        },
        Rule {
            id: "WEIGHT_SUM",
            severity: Warning,
            description: "exec weight + Σ indicator 分值 differs from the 总分 row's stated weight (else `expected`)",
            params: &[("tolerance", 0.01), ("expected", 100.0)],
            check: Check::Evaluation(weight_sum::check),
        },
        Rule {
            id: "DUPLICATE_FILE",
            severity: Info,
            description: "two input files have the same content; the copy's forms are not counted again",
            params: &[],
            check: Check::Pipeline,
        },
        Rule {
            id: "UNREADABLE_FILE",
            severity: Error,
            description: "a file cannot be opened: corrupt, encrypted, not a spreadsheet, too large",
            params: &[],
            check: Check::Pipeline,
        },
        Rule {
            id: "NO_FORM_FOUND",
            severity: Warning,
            description: "a readable workbook holds no form",
            params: &[],
            check: Check::Pipeline,
        },
    ]
}

/// What a rule sees besides the form: its settings and the run's date.
pub struct Ctx<'a> {
    pub rule: &'a Rule,
    pub settings: RuleSettings,
    pub config: &'a Config,
    pub run_date: NaiveDate,
}

impl Ctx<'_> {
    pub fn severity(&self) -> Severity {
        self.settings.severity.unwrap_or(self.rule.severity)
    }

    /// A threshold by its config key, the user's value first.
    pub fn param(&self, key: &str) -> f64 {
        let set = match key {
            "tolerance" => self.settings.tolerance,
            "relative_tolerance" => self.settings.relative_tolerance,
            "threshold" => self.settings.threshold,
            "expected" => self.settings.expected,
            _ => None,
        };
        set.or_else(|| {
            self.rule
                .params
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| *v)
        })
        .unwrap_or(0.0)
    }

    /// A finding on a form B or C, at a cell.
    pub fn flag(
        &self,
        e: &Evaluation,
        at: Option<Pos>,
        message: String,
        expected: Option<f64>,
        actual: Option<f64>,
    ) -> Anomaly {
        Anomaly {
            rule: self.rule.id,
            severity: self.severity(),
            path: e.path.clone(),
            sheet: e.sheet.clone(),
            cell: at.map(a1).unwrap_or_default(),
            eval_id: Some(e.eval_id.clone()),
            department: e.department.value.clone().unwrap_or_default(),
            project: e.project.value.clone().unwrap_or_default(),
            message,
            expected,
            actual,
        }
    }

    /// A finding on a form A, at a cell.
    pub fn flag_basic(
        &self,
        b: &BasicForm,
        at: Option<Pos>,
        message: String,
        expected: Option<f64>,
        actual: Option<f64>,
    ) -> Anomaly {
        Anomaly {
            rule: self.rule.id,
            severity: self.severity(),
            path: b.path.clone(),
            sheet: b.sheet.clone(),
            cell: at.map(a1).unwrap_or_default(),
            eval_id: Some(b.form_id.clone()),
            department: b.department.clone(),
            project: String::new(),
            message,
            expected,
            actual,
        }
    }
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<Rule> {
    catalog().into_iter().find(|r| r.id == id)
}

/// The form-level rules that are switched on, with their context.
fn active<'a>(
    catalog: &'a [Rule],
    config: &'a Config,
    run_date: NaiveDate,
) -> impl Iterator<Item = Ctx<'a>> {
    catalog.iter().filter_map(move |rule| {
        let settings = config.rule(rule.id);
        settings.enabled.unwrap_or(true).then_some(Ctx {
            rule,
            settings,
            config,
            run_date,
        })
    })
}

/// Runs every enabled form rule over one file's forms.
pub fn check_forms(
    evaluations: &[Evaluation],
    basics: &[BasicForm],
    config: &Config,
    run_date: NaiveDate,
) -> Vec<Anomaly> {
    let catalog = catalog();
    let mut out = Vec::new();
    for ctx in active(&catalog, config, run_date) {
        match ctx.rule.check {
            Check::Evaluation(f) => evaluations.iter().for_each(|e| f(e, &ctx, &mut out)),
            Check::Basic(f) => basics.iter().for_each(|b| f(b, &ctx, &mut out)),
            Check::Pipeline => {}
        }
    }
    out
}

/// A number as the messages write it: no float noise, no trailing zeros.
pub fn fmt(v: f64) -> String {
    crate::grid::fmt_number((v * 1e6).round() / 1e6)
}

/// A fraction as a percentage for messages: 0.7811 → `78.11%`.
pub fn pct(v: f64) -> String {
    format!("{}%", fmt(v * 100.0))
}

/// The catalog as text (or Markdown), with the thresholds in force under `config`.
pub fn describe(config: &Config, markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out.push_str(
            "# Rule catalog\n\nGenerated by `jixiao rules --markdown`; do not edit by hand.\n\n",
        );
        out.push_str("| id | severity | fires when | thresholds |\n|---|---|---|---|\n");
    }
    for rule in catalog() {
        let s = config.rule(rule.id);
        let ctx = Ctx {
            rule: &rule,
            settings: s.clone(),
            config,
            run_date: NaiveDate::default(),
        };
        let params: Vec<String> = rule
            .params
            .iter()
            .map(|(k, _)| format!("{k} = {}", fmt(ctx.param(k))))
            .collect();
        let enabled = if s.enabled.unwrap_or(true) {
            ""
        } else {
            " (disabled)"
        };
        if markdown {
            out.push_str(&format!(
                "| {} | {}{} | {} | {} |\n",
                rule.id,
                ctx.severity().as_str(),
                enabled,
                rule.description,
                params.join(", ")
            ));
        } else {
            out.push_str(&format!(
                "{:<26} {:<8}{} {}\n",
                rule.id,
                ctx.severity().as_str(),
                enabled,
                rule.description
            ));
            if !params.is_empty() {
                out.push_str(&format!("{:<35} {}\n", "", params.join(", ")));
            }
        }
    }
    out
}
