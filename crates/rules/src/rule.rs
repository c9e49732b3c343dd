//! What a rule is and what it sees: the [`Rule`] record of the catalog, the [`Ctx`] a check
//! is called with (its settings, the run's date) and the helpers its messages share. Each
//! rule file imports this module and nothing of the catalog.

use chrono::NaiveDate;

use jixiao_forms::model::{BasicForm, BasicSummary, EvalSummary, Evaluation, Pos, a1};

use crate::anomaly::Anomaly;
use crate::settings::{Checks, RuleSettings, Severity};

/// What the batch rules see: every form of the run and, for each, the form that counts
/// instead of it when it is a superseded version (an index into the same list).
pub struct BatchForms<'a> {
    pub evaluations: &'a [EvalSummary],
    pub superseded: &'a [Option<u32>],
    pub basics: &'a [BasicSummary],
    pub basic_superseded: &'a [Option<u32>],
}

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// One form B or C.
    Evaluation(fn(&Evaluation, &Ctx, &mut Vec<Anomaly>)),
    /// One form A.
    Basic(fn(&BasicForm, &Ctx, &mut Vec<Anomaly>)),
    /// Every form of the batch at once (after identical files are set aside), with the
    /// versions chosen (`crate::versions`).
    Batch(fn(&BatchForms, &Ctx, &mut Vec<Anomaly>)),
    /// Raised by the pipeline itself (file-level or batch-level), not by a form check.
    Pipeline,
}

/// What a finding's two values are, for 疑点清单's 计算值 and 填报值 columns: the value the
/// form is compared with (calculated, or the bound it should keep), the value it states,
/// and the unit both are shown in. Empty names: the rule has no value to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shows {
    pub expected: &'static str,
    pub actual: &'static str,
    pub unit: Unit,
}

/// The unit a rule's values are shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Points (分).
    Score,
    /// A fraction shown as a percentage.
    Rate,
    /// An amount in 万元.
    Wan,
    /// Text as the form writes it (targets, dates, broken numbers).
    Text,
    /// Nothing to show.
    Nothing,
}

pub(crate) const fn shows(expected: &'static str, actual: &'static str, unit: Unit) -> Shows {
    Shows { expected, actual, unit }
}

/// A rule of the catalog.
#[derive(Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    /// The name a finance officer reads (疑点清单, 总览, 说明).
    pub name: &'static str,
    /// What it means, in Chinese, for the 说明 sheet.
    pub meaning: &'static str,
    /// What its 计算值 and 填报值 are.
    pub shows: Shows,
    pub severity: Severity,
    pub description: &'static str,
    /// Default thresholds, by the config key that overrides them.
    pub params: &'static [(&'static str, f64)],
    pub check: Check,
}

/// The amount tolerance shared by the sum rules: max(`tolerance` 万元, `relative_tolerance` × |total|).
pub fn amount_tolerance(ctx: &Ctx, total: f64) -> f64 {
    ctx.param("tolerance").max(ctx.param("relative_tolerance") * total.abs()) + 1e-9
}

/// What a rule sees besides the form: its settings and the run's date.
pub struct Ctx<'a> {
    pub rule: &'a Rule,
    pub settings: RuleSettings,
    pub config: &'a Checks,
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
        set.or_else(|| self.rule.params.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)).unwrap_or(0.0)
    }

    fn anomaly(&self, path: &str, sheet: &str, at: Option<Pos>, who: (&str, Option<&str>, Option<&str>)) -> Anomaly {
        let (eval_id, department, project) = who;
        Anomaly {
            rule: self.rule.id,
            severity: self.severity(),
            path: path.to_string(),
            sheet: sheet.to_string(),
            cell: at.map(a1).unwrap_or_default(),
            eval_id: Some(eval_id.to_string()),
            department: department.unwrap_or_default().to_string(),
            project: project.unwrap_or_default().to_string(),
            message: String::new(),
            expected: None,
            actual: None,
            expected_text: None,
            actual_text: None,
        }
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
        let who = (e.eval_id.as_str(), e.department.value.as_deref(), e.project.value.as_deref());
        Anomaly { message, expected, actual, ..self.anomaly(&e.path, &e.sheet, at, who) }
    }

    /// A finding of a batch rule on a form known by its summary. In a Word report the
    /// summary's positions are no longer grid cells (they were rewritten to tables), so the
    /// finding names the table only.
    pub fn flag_summary(&self, e: &EvalSummary, at: Option<Pos>, message: String) -> Anomaly {
        let who = (e.eval_id(), e.department.as_deref(), e.project.as_deref());
        let at = at.filter(|_| !is_word(e.path()));
        Anomaly { message, ..self.anomaly(e.path(), e.sheet(), at, who) }
    }

    /// A finding of a batch rule on a form A known by its summary.
    pub fn flag_basic_summary(&self, b: &BasicSummary, message: String) -> Anomaly {
        let who = (&*b.form_id, Some(&*b.department), None);
        let at = Some(b.start).filter(|_| !is_word(&b.path));
        Anomaly { message, ..self.anomaly(&b.path, &b.sheet, at, who) }
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
        let who = (b.form_id.as_str(), Some(b.department.as_str()), None);
        Anomaly { message, expected, actual, ..self.anomaly(&b.path, &b.sheet, at, who) }
    }
}

/// Whether a path is a Word report, whose forms are placed by table, not by cell.
pub fn is_word(path: &str) -> bool {
    path.rsplit('.').next().is_some_and(|ext| ext.eq_ignore_ascii_case("docx"))
}

/// Where a form starts, as a message names it: `（sheet工作表A3）`, or `（表3（…））` in a
/// Word report.
pub fn place(path: &str, sheet: &str, start: Pos) -> String {
    if is_word(path) { format!("（{sheet}）") } else { format!("（{sheet}工作表{}）", a1(start)) }
}

/// A number as the messages write it: no float noise, no trailing zeros.
pub fn fmt(v: f64) -> String {
    jixiao_text::values::number::fmt_number((v * 1e6).round() / 1e6)
}

/// Rounds to two decimals, for scores in messages.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A fraction as a percentage for messages: 0.7811 → `78.11%`.
pub fn pct(v: f64) -> String {
    format!("{}%", jixiao_text::values::number::fmt_number((v * 10000.0).round() / 100.0))
}
