//! The rule catalog. Each rule lives in its own file named after its id
//! (`TOTAL_MISMATCH` → `total_mismatch.rs`) as one function, and is registered in
//! [`catalog`] with its default severity, description and thresholds. Adding a rule is
//! one function plus one entry here (and optionally one `[rules.ID]` in config).

pub mod advice;
mod deduction_no_reason;
mod duplicate_department;
mod duplicate_project;
mod exec_rate_mismatch;
mod exec_score_mismatch;
mod filed_date;
mod formula_no_value;
mod fund_source_sum;
mod high_score_low_execution;
mod malformed_number;
mod missing_value;
mod over_execution;
mod score_over_weight;
mod section_weight;
mod staff_control_rate;
mod subtotal_mismatch;
mod target_met_deducted;
mod target_missed_full_score;
mod total_mismatch;
mod unit_mismatch;
mod weight_sum;

use chrono::NaiveDate;

use crate::config::{Config, RuleSettings, Severity};
use crate::model::{Anomaly, BasicForm, BasicSummary, EvalSummary, Evaluation, Pos, a1};

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

const fn shows(expected: &'static str, actual: &'static str, unit: Unit) -> Shows {
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

/// Every rule, in the order of the spec's catalog. Built once: it is consulted for every
/// file and, on cache hits, for every anomaly read back.
pub fn catalog() -> &'static [Rule] {
    static CATALOG: std::sync::LazyLock<Vec<Rule>> = std::sync::LazyLock::new(build_catalog);
    &CATALOG
}

fn build_catalog() -> Vec<Rule> {
    use Check::*;
    use Severity::*;
    use Unit::*;
    let rule = |(id, name, meaning), shows, severity, description, params, check| Rule {
        id,
        name,
        meaning,
        shows,
        severity,
        description,
        params,
        check,
    };
    vec![
        rule(
            ("EXEC_RATE_MISMATCH", "执行率计算不符", "填报的执行率与“全年执行数÷全年预算数”相差超过容差"),
            shows("计算值", "填报值", Rate),
            Error,
            "stated 执行率 differs from 全年执行数 ÷ 全年预算数 by more than `tolerance` percentage points",
            &[("tolerance", 0.5)],
            Evaluation(exec_rate_mismatch::check),
        ),
        rule(
            ("EXEC_SCORE_MISMATCH", "预算执行得分不符", "预算执行得分与“分值×执行率（最高按100%）”相差超过容差"),
            shows("计算值", "填报值", Score),
            Warning,
            "budget-execution 得分 differs from 分值 × min(执行率, 1) by more than `tolerance` points",
            &[("tolerance", 0.1)],
            Evaluation(exec_score_mismatch::check),
        ),
        rule(
            (
                "SCORE_OVER_WEIGHT",
                "得分超过分值",
                "某项得分（含总分）高于其分值，或为负数；排名所依据的总分（默认核定总分）超过分值的表不参与排名（待核实）",
            ),
            shows("分值", "得分", Score),
            Error,
            "a 得分 (the 总分 row's included) is above its 分值, or below 0",
            &[("tolerance", 0.0)],
            Evaluation(score_over_weight::check),
        ),
        rule(
            ("TOTAL_MISMATCH", "总分与分项合计不符", "填报总分与“预算执行得分+各指标得分”之和（核定总分）相差超过容差"),
            shows("核定总分", "填报总分", Score),
            Error,
            "stated 总分 得分 differs from exec score + Σ indicator scores by more than `tolerance`",
            &[("tolerance", 0.05)],
            Evaluation(total_mismatch::check),
        ),
        rule(
            ("WEIGHT_SUM", "分值合计不符", "预算执行分值与各指标分值之和不等于总分行的分值（未填时按满分计）"),
            shows("总分分值", "分值合计", Score),
            Warning,
            "exec weight + Σ indicator 分值 differs from the 总分 row's stated weight (else `expected`)",
            &[("tolerance", 0.01), ("expected", 100.0)],
            Evaluation(weight_sum::check),
        ),
        rule(
            ("SECTION_WEIGHT", "一级指标分值不符", "某一级指标下各指标分值之和与该一级指标标注的分值不符"),
            shows("标明分值", "分值合计", Score),
            Info,
            "Σ 分值 under a level-1 label differs from the points the label declares",
            &[("tolerance", 0.01)],
            Evaluation(section_weight::check),
        ),
        rule(
            ("TARGET_MISSED_FULL_SCORE", "未达目标仍得满分", "年度指标值与实际完成值可以比较，未达到目标，却得了满分"),
            shows("年度指标值", "实际完成值", Text),
            Warning,
            "target and actual comparable, target not met, yet 得分 = 分值",
            &[],
            Evaluation(target_missed_full_score::check),
        ),
        rule(
            ("TARGET_MET_DEDUCTED", "达到目标仍扣分", "年度指标值与实际完成值可以比较，已达到目标，却被扣分"),
            shows("年度指标值", "实际完成值", Text),
            Info,
            "target and actual comparable, target met, yet 得分 < 分值",
            &[],
            Evaluation(target_met_deducted::check),
        ),
        rule(
            ("DEDUCTION_NO_REASON", "扣分未说明原因", "得分低于分值，但偏差原因分析及改进措施为空"),
            shows("分值", "得分", Score),
            Warning,
            "得分 < 分值 and the reason cell is blank",
            &[],
            Evaluation(deduction_no_reason::check),
        ),
        rule(
            (
                "MISSING_VALUE",
                "必填项为空",
                "必填单元格为空：项目或部门名称、资金表全年预算数/全年执行数/得分、指标实际完成值/分值/得分、总分得分、填表人、填报日期",
            ),
            shows("", "", Nothing),
            Warning,
            "a required cell is blank (names, fund 全年预算数/全年执行数/得分, indicator 实际完成值/分值/得分, 总分 得分, 填表人, 填报日期)",
            &[],
            Evaluation(missing_value::check),
        ),
        rule(
            (
                "MALFORMED_NUMBER",
                "数字书写错误",
                "数字单元格或指标值、实际值中的数字写错（如“2..23亿元”“<!%”），无法识别，保留原文",
            ),
            shows("", "填报值", Text),
            Warning,
            "a number cell or a target/actual holds a broken number (`2..23亿元`, `<!%`)",
            &[],
            Evaluation(malformed_number::check),
        ),
        rule(
            ("UNIT_MISMATCH", "金额单位不符", "万元表中的金额按元（或亿元）填写；数据集中已换算为万元"),
            shows("换算值", "填报值", Wan),
            Warning,
            "an amount is written in 元 (or 亿元) in a 万元 table; the dataset holds the converted value",
            &[],
            Evaluation(unit_mismatch::check),
        ),
        rule(
            ("OVER_EXECUTION", "超预算执行", "全年执行数大于全年预算数（超出容差）"),
            shows("全年预算数", "全年执行数", Wan),
            Warning,
            "全年执行数 > 全年预算数 (+ `tolerance` 万元)",
            &[("tolerance", 0.0)],
            Evaluation(over_execution::check),
        ),
        rule(
            (
                "FUND_SOURCE_SUM",
                "资金来源合计不符",
                "项目表：当年财政拨款+上年结转资金+其他资金≠年度资金总额；部门表：基本支出+项目支出≠全年执行数",
            ),
            shows("分项合计", "总额", Wan),
            Warning,
            "fund sources do not add up to 年度资金总额 (form C) or 基本支出 + 项目支出 ≠ 全年执行数 (form B); tolerance max(`tolerance` 万元, `relative_tolerance` × total)",
            &[("tolerance", 0.05), ("relative_tolerance", 0.001)],
            Evaluation(fund_source_sum::check),
        ),
        rule(
            ("SUBTOTAL_MISMATCH", "基础数据小计不符", "基础数据表：下级项目金额之和与上级项目金额不符"),
            shows("下级合计", "上级金额", Wan),
            Warning,
            "form A: children do not add up to their parent in some amount column (same tolerance as FUND_SOURCE_SUM)",
            &[("tolerance", 0.05), ("relative_tolerance", 0.001)],
            Basic(subtotal_mismatch::check),
        ),
        rule(
            ("STAFF_CONTROL_RATE", "人员控制率不符", "基础数据表：控制率与“实际在职人数÷编制数”相差超过容差"),
            shows("计算值", "填报值", Rate),
            Warning,
            "form A: 控制率 differs from 实际在职人数 ÷ 编制数 by more than `tolerance` percentage points",
            &[("tolerance", 0.5)],
            Basic(staff_control_rate::check),
        ),
        rule(
            ("FILED_DATE", "填报日期异常", "填报日期无法识别为日期，早于评价年度结束，或晚于运行日期"),
            shows("应为", "填报日期", Text),
            Warning,
            "填报日期 is not a date, falls before the end of the evaluated year, or after the run date",
            &[],
            Evaluation(filed_date::check),
        ),
        rule(
            ("HIGH_SCORE_LOW_EXECUTION", "高分低执行", "填报总分达到“优”，而预算执行率低于阈值"),
            shows("执行率阈值", "执行率", Rate),
            Warning,
            "stated 总分 in the 优 band (grades.excellent) while the execution rate is below `threshold`",
            &[("threshold", 0.8)],
            Evaluation(high_score_low_execution::check),
        ),
        rule(
            ("DUPLICATE_PROJECT", "项目重复填报", "同一年度、同一部门的同一项目出现在多张表中；只有一个版本计入排名"),
            shows("", "", Nothing),
            Warning,
            "the same (year, department, project) appears in more than one form; only one version counts ([ranking] versions)",
            &[],
            Batch(duplicate_project::check),
        ),
        rule(
            (
                "DUPLICATE_DEPARTMENT",
                "部门重复报送",
                "同一年度、同一部门的部门整体自评表或基础数据表有多份；只有一个版本计入排名（默认以最后修改的文件为准）",
            ),
            shows("", "", Nothing),
            Warning,
            "another form A or B claims the same (year, department); only the version in the file modified last counts ([ranking] versions)",
            &[],
            Batch(duplicate_department::check),
        ),
        rule(
            ("DUPLICATE_FILE", "重复文件", "两个文件内容完全相同；副本中的表不重复计入"),
            shows("", "", Nothing),
            Info,
            "two input files have the same content; the copy's forms are not counted again",
            &[],
            Pipeline,
        ),
        rule(
            ("UNREADABLE_FILE", "文件无法读取", "文件损坏、加密、不是电子表格，或过大无法安全解压"),
            shows("", "", Nothing),
            Error,
            "a file cannot be opened: corrupt, encrypted, not a spreadsheet, too large to unpack safely",
            &[],
            Pipeline,
        ),
        rule(
            ("NO_FORM_FOUND", "未找到自评表", "能打开的工作簿中没有找到自评表"),
            shows("", "", Nothing),
            Warning,
            "a readable workbook holds no form",
            &[],
            Pipeline,
        ),
        rule(
            ("FORMULA_NO_VALUE", "公式无计算结果", "表格需要的单元格是公式，但没有保存计算结果（按空白处理）"),
            shows("", "", Nothing),
            Warning,
            "a cell the forms need holds a formula with no cached value (read as blank)",
            &[],
            Evaluation(formula_no_value::check),
        ),
    ]
}

/// The amount tolerance shared by the sum rules: max(`tolerance` 万元, `relative_tolerance` × |total|).
pub fn amount_tolerance(ctx: &Ctx, total: f64) -> f64 {
    ctx.param("tolerance").max(ctx.param("relative_tolerance") * total.abs()) + 1e-9
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

/// The Chinese name of a rule, the id itself for an unknown one.
pub fn name_of(id: &str) -> &str {
    rule(id).map(|r| r.name).unwrap_or(id)
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

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<Rule> {
    catalog().iter().find(|r| r.id == id).copied()
}

/// The form-level rules that are switched on, with their context.
fn active<'a>(catalog: &'a [Rule], config: &'a Config, run_date: NaiveDate) -> impl Iterator<Item = Ctx<'a>> {
    catalog.iter().filter_map(move |rule| {
        let settings = config.rule(rule.id);
        settings.enabled.unwrap_or(true).then_some(Ctx { rule, settings, config, run_date })
    })
}

/// Runs every enabled form rule over one file's forms.
pub fn check_forms(
    evaluations: &[Evaluation],
    basics: &[BasicForm],
    config: &Config,
    run_date: NaiveDate,
) -> Vec<Anomaly> {
    let mut out = Vec::new();
    for ctx in active(catalog(), config, run_date) {
        match ctx.rule.check {
            Check::Evaluation(f) => evaluations.iter().for_each(|e| f(e, &ctx, &mut out)),
            Check::Basic(f) => basics.iter().for_each(|b| f(b, &ctx, &mut out)),
            Check::Batch(_) | Check::Pipeline => {}
        }
    }
    out
}

/// Runs every enabled batch rule over all forms of the run.
pub fn check_batch(forms: &BatchForms, config: &Config, run_date: NaiveDate) -> Vec<Anomaly> {
    let mut out = Vec::new();
    for ctx in active(catalog(), config, run_date) {
        if let Check::Batch(f) = ctx.rule.check {
            f(forms, &ctx, &mut out);
        }
    }
    out
}

/// The severity a rule reports with under `config`.
pub fn severity_of(config: &Config, id: &str) -> Severity {
    config.rule(id).severity.or_else(|| rule(id).map(|r| r.severity)).unwrap_or(Severity::Warning)
}

/// A rule's threshold in force under `config` (the user's value, else the catalog's).
pub fn param(config: &Config, id: &str, key: &str) -> f64 {
    let Some(rule) = catalog().iter().find(|r| r.id == id) else { return 0.0 };
    Ctx { rule, settings: config.rule(id), config, run_date: NaiveDate::default() }.param(key)
}

/// Whether a rule is switched on under `config`.
pub fn enabled(config: &Config, id: &str) -> bool {
    config.rule(id).enabled.unwrap_or(true)
}

/// A number as the messages write it: no float noise, no trailing zeros.
pub fn fmt(v: f64) -> String {
    crate::grid::fmt_number((v * 1e6).round() / 1e6)
}

/// Rounds to two decimals, for scores in messages.
pub fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// A fraction as a percentage for messages: 0.7811 → `78.11%`.
pub fn pct(v: f64) -> String {
    format!("{}%", crate::grid::fmt_number((v * 10000.0).round() / 100.0))
}

/// The catalog as text (or Markdown), with the thresholds in force under `config`.
pub fn describe(config: &Config, markdown: bool) -> String {
    let mut out = String::new();
    if markdown {
        out.push_str(
            "# Rule catalog\n\nGenerated by `jixiao rules --markdown > docs/rules.md`; a test keeps it equal to the\n",
        );
        out.push_str(
            "output. Thresholds are the built-in defaults of `config/rules.toml`; `--config` overrides them.\n\n",
        );
        out.push_str("| id | 名称 | severity | fires when | thresholds | code |\n|---|---|---|---|---|---|\n");
    }
    for rule in catalog() {
        let s = config.rule(rule.id);
        let ctx = Ctx { rule, settings: s.clone(), config, run_date: NaiveDate::default() };
        let params: Vec<String> = rule.params.iter().map(|(k, _)| format!("{k} = {}", fmt(ctx.param(k)))).collect();
        let enabled = if s.enabled.unwrap_or(true) { "" } else { " (disabled)" };
        let code = match rule.check {
            Check::Pipeline => "src/pipeline.rs".to_string(),
            _ => format!("src/rules/{}.rs", rule.id.to_lowercase()),
        };
        if markdown {
            out.push_str(&format!(
                "| {} | {} | {}{} | {} | {} | `{}` |\n",
                rule.id,
                rule.name,
                ctx.severity().as_str(),
                enabled,
                rule.description,
                params.join(", "),
                code
            ));
        } else {
            out.push_str(&format!("{:<26} {:<8}{} {}\n", rule.id, ctx.severity().as_str(), enabled, rule.description));
            out.push_str(&format!("{:<35} {}：{}\n", "", rule.name, rule.meaning));
            if !params.is_empty() {
                out.push_str(&format!("{:<35} {}\n", "", params.join(", ")));
            }
        }
    }
    let g = &config.grades;
    let grades = format!("Grades: 优 ≥ {}, 良 ≥ {}, 中 ≥ {}, else 差.\n", fmt(g.excellent), fmt(g.good), fmt(g.pass));
    if markdown {
        out.push('\n');
    }
    out.push_str(&grades);
    out
}

/// A finding about a whole file (UNREADABLE_FILE, NO_FORM_FOUND, DUPLICATE_FILE), or
/// `None` when the rule is switched off.
pub fn file_anomaly(config: &Config, rule: &'static str, rel: &str, message: String) -> Option<Anomaly> {
    crate::rules::enabled(config, rule).then(|| Anomaly {
        rule,
        severity: crate::rules::severity_of(config, rule),
        path: rel.to_string(),
        sheet: String::new(),
        cell: String::new(),
        eval_id: None,
        department: crate::discover::department_of_file(rel),
        project: String::new(),
        message,
        expected: None,
        actual: None,
        expected_text: None,
        actual_text: None,
    })
}
