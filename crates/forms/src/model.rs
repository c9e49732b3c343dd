//! The plain records passed between the pipeline's stages. Extraction fills them,
//! rules read them, the dataset and summary writers turn them into tables.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use jixiao_text::values::Parsed;

pub use jixiao_reader::grid::{Pos, a1};

/// Something noticed about a cell while parsing it, for the rules to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Note {
    #[default]
    None,
    /// A broken number: `2..23亿元`, `<!%`.
    Malformed,
    /// An amount written in 元 in a 万元 table (the value was converted).
    Yuan,
    /// An amount written in 亿元 in a 万元 table (the value was converted).
    Yi,
    /// A formula whose value was never computed (no cached value).
    FormulaNoValue,
}

/// A parsed value with the text it came from and where it sits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field<T> {
    pub value: Option<T>,
    pub raw: String,
    pub at: Option<Pos>,
    pub note: Note,
}

impl<T> Default for Field<T> {
    fn default() -> Self {
        Field { value: None, raw: String::new(), at: None, note: Note::None }
    }
}

impl<T: Clone> Field<T> {
    pub fn get(&self) -> Option<T> {
        self.value.clone()
    }

    /// True when the cell held nothing at all (as opposed to something unparseable).
    pub fn is_blank(&self) -> bool {
        self.value.is_none() && self.raw.trim().is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormKind {
    /// Form A, 基础数据表.
    Basic,
    /// Form B, 部门整体支出绩效自评表.
    Department,
    /// Form C, 项目支出绩效自评表.
    Project,
}

impl FormKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Basic => "basic",
            FormKind::Department => "department",
            FormKind::Project => "project",
        }
    }
}

/// One fund-table row (年度资金总额, 当年财政拨款…).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FundRow {
    /// `total`, `fiscal`, `carryover`, `other`, `basic`, `project`…, or the label itself.
    pub source: String,
    pub label: String,
    pub row: u32,
    pub initial: Field<f64>,
    pub full: Field<f64>,
    pub executed: Field<f64>,
    pub weight: Field<f64>,
    pub rate: Field<f64>,
    pub score: Field<f64>,
}

/// One indicator row of a form B or C.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// 0-based sheet row.
    pub row: u32,
    pub level1: String,
    /// Points the level-1 label declares (`产出指标(50分)` → 50).
    pub level1_declared: Option<f64>,
    pub level2: String,
    pub level3: String,
    pub target: Field<String>,
    pub actual: Field<String>,
    pub weight: Field<f64>,
    pub score: Field<f64>,
    pub reason: Field<String>,
    /// An explicit 指标性质 cell (Sichuan template), raw.
    pub nature: String,
    /// An explicit 度量单位 cell, raw.
    pub unit_col: String,
    pub target_parsed: Parsed,
    pub actual_parsed: Parsed,
    /// Whether the actual meets the target; `None` when not comparable.
    pub met: Option<bool>,
    /// Operator applied to the target (bare numbers resolved by row kind).
    pub target_op: Option<jixiao_text::values::Op>,
    pub target_value: Option<f64>,
    pub target_hi: Option<f64>,
    pub actual_value: Option<f64>,
    pub unit: Option<String>,
}

/// Where a level-1 section starts and the points it declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub level1: String,
    pub declared: Option<f64>,
    pub at: Pos,
}

/// A form B or C, extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub eval_id: String,
    pub path: String,
    pub sheet: String,
    /// 0-based sheet row and column where the form starts (its title, else its name label).
    pub start: Pos,
    pub form: FormKind,
    pub year: Option<i32>,
    /// Form B: its own name. Form C: filled in per workbook (see `extract::resolve_departments`).
    pub department: Field<String>,
    pub project: Field<String>,
    /// A project code written before the name (`51000021R000000019951-工资性支出`).
    pub project_code: Option<String>,
    pub supervisor: Field<String>,
    pub implementer: Field<String>,
    pub funds: Vec<FundRow>,
    pub indicators: Vec<Indicator>,
    pub sections: Vec<Section>,
    pub weight_total: Field<f64>,
    pub score_total: Field<f64>,
    pub filled_by: Field<String>,
    pub filled_date: Field<NaiveDate>,
    pub phone: Field<String>,
    /// Set by batch rules: another file with identical content holds this form.
    pub duplicate_of: Option<String>,
}

impl Evaluation {
    /// The fund table's total row (年度资金总额 / 总额), if found.
    pub fn total_fund(&self) -> Option<&FundRow> {
        self.funds.iter().find(|f| f.source == "total")
    }

    pub fn budget_initial(&self) -> Option<f64> {
        self.total_fund().and_then(|f| f.initial.get())
    }
    pub fn budget_full(&self) -> Option<f64> {
        self.total_fund().and_then(|f| f.full.get())
    }
    pub fn executed(&self) -> Option<f64> {
        self.total_fund().and_then(|f| f.executed.get())
    }
    pub fn exec_weight(&self) -> Option<f64> {
        self.total_fund().and_then(|f| f.weight.get())
    }
    pub fn exec_rate(&self) -> Option<f64> {
        self.total_fund().and_then(|f| f.rate.get())
    }
    pub fn exec_score(&self) -> Option<f64> {
        self.total_fund().and_then(|f| f.score.get())
    }

    /// 全年执行数 ÷ 全年预算数, when both are there and the budget is not zero. A table with
    /// no 全年预算数 column at all (`年初预算数(A) | 全年执行数(B) | 执行率(B/A)`) divides by
    /// its 年初预算数, as its own header says.
    pub fn exec_rate_calc(&self) -> Option<f64> {
        let t = self.total_fund()?;
        let budget = if t.full.at.is_none() { t.initial.get() } else { t.full.get() };
        let (e, b) = (t.executed.get()?, budget?);
        (b != 0.0).then(|| e / b)
    }

    /// True when the form states weights (a 分值 column, or a weight for the budget
    /// execution): rules on weights cannot be evaluated on a form that has none.
    pub fn has_weights(&self) -> bool {
        self.indicators.iter().any(|i| i.weight.at.is_some())
    }

    /// True when some item carries a score: the budget execution's 得分 or any indicator's.
    /// A form without one (a Sichuan 工资性支出 form scores nothing) has no checked total:
    /// its `score_calc` of 0 adds up blanks, not a result.
    pub fn has_item_scores(&self) -> bool {
        self.exec_score().is_some() || self.indicators.iter().any(|i| i.score.get().is_some())
    }

    /// exec_score + Σ indicator scores; a blank score counts as 0.
    pub fn score_calc(&self) -> f64 {
        let s: f64 =
            self.exec_score().unwrap_or(0.0) + self.indicators.iter().filter_map(|i| i.score.get()).sum::<f64>();
        jixiao_text::values::number::round9(s)
    }

    /// exec weight + Σ indicator weights; a blank weight counts as 0.
    pub fn weight_calc(&self) -> f64 {
        let s: f64 =
            self.exec_weight().unwrap_or(0.0) + self.indicators.iter().filter_map(|i| i.weight.get()).sum::<f64>();
        jixiao_text::values::number::round9(s)
    }

    /// Every number cell of the form with its name as the messages say it, for the rules
    /// that look at number cells one by one (MALFORMED_NUMBER, FORMULA_NO_VALUE).
    pub fn number_fields(&self) -> Vec<(String, &Field<f64>)> {
        let mut v = Vec::new();
        for fr in &self.funds {
            let cols = [
                ("年初预算数", &fr.initial),
                ("全年预算数", &fr.full),
                ("全年执行数", &fr.executed),
                ("分值", &fr.weight),
                ("执行率", &fr.rate),
                ("得分", &fr.score),
            ];
            v.extend(cols.into_iter().map(|(name, f)| (format!("资金表{}{}", fr.label, name), f)));
        }
        for i in &self.indicators {
            v.push((format!("指标“{}”分值", i.level3), &i.weight));
            v.push((format!("指标“{}”得分", i.level3), &i.score));
        }
        v.push(("总分分值".into(), &self.weight_total));
        v.push(("总分得分".into(), &self.score_total));
        v
    }

    /// Every number cell of the form, for passes that annotate them (FORMULA_NO_VALUE).
    pub fn number_fields_mut(&mut self) -> Vec<&mut Field<f64>> {
        let mut v: Vec<&mut Field<f64>> = Vec::new();
        for f in &mut self.funds {
            v.extend([&mut f.initial, &mut f.full, &mut f.executed, &mut f.weight, &mut f.rate, &mut f.score]);
        }
        for i in &mut self.indicators {
            v.extend([&mut i.weight, &mut i.score]);
        }
        v.extend([&mut self.weight_total, &mut self.score_total]);
        v
    }

    /// True when a number cell the rules rely on is blank: the total fund row's, an
    /// indicator's weight or score, or the 总分 row's.
    pub fn has_blank_required_number(&self) -> bool {
        let blank = |f: &Field<f64>| f.is_blank() && f.at.is_some();
        self.total_fund().is_some_and(|t| [&t.full, &t.executed, &t.weight, &t.score].into_iter().any(blank))
            || self.indicators.iter().any(|i| blank(&i.weight) || blank(&i.score))
            || blank(&self.weight_total)
            || blank(&self.score_total)
    }

    /// The name rankings and lists show: the project for form C, else the department.
    pub fn title(&self) -> String {
        match self.form {
            FormKind::Project => self.project.value.clone().unwrap_or_default(),
            _ => self.department.value.clone().unwrap_or_default(),
        }
    }
}

/// One spending line of a form A (经费控制情况).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasicLine {
    pub row: u32,
    pub item: String,
    pub parent: Option<String>,
    /// Index of the parent line in its form's `lines`.
    pub parent_index: Option<usize>,
    pub prev_final: Field<f64>,
    pub budget: Field<f64>,
    pub final_: Field<f64>,
}

/// A form A, extracted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BasicForm {
    pub form_id: String,
    pub path: String,
    pub sheet: String,
    pub start: Pos,
    pub year: Option<i32>,
    pub department: String,
    pub staff_authorized: Field<f64>,
    pub staff_actual: Field<f64>,
    pub staff_rate: Field<f64>,
    pub lines: Vec<BasicLine>,
}

/// What the run keeps of a form B or C once its rows are written out: enough for the
/// rankings, the batch rules and the overview. One is kept per form for the whole run
/// (237,694 at 20,000 workbooks), so it is compact: the file, sheet and form id share one
/// string (`eval_id` is `path#sheet#n`), and text fields are boxed, not `String`s.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalSummary {
    /// `eval_id`, with `path` and `sheet` as slices of it (or all three one after the
    /// other, should an id ever not be built from its path and sheet).
    text: Box<str>,
    path: (u32, u32),
    sheet: (u32, u32),
    id: (u32, u32),
    pub start: Pos,
    pub form: FormKind,
    pub year: Option<i32>,
    pub department: Option<Box<str>>,
    pub project: Option<Box<str>>,
    /// Where the project name is written.
    pub project_at: Option<Pos>,
    pub supervisor: Option<Box<str>>,
    pub implementer: Option<Box<str>>,
    pub score_total: Option<f64>,
    /// exec score + Σ indicator scores, blanks as 0: read it through
    /// [`EvalSummary::checked_total`], which is `None` when no item carries a score.
    pub score_calc: f64,
    /// Whether any item (budget execution or indicator) carries a score.
    pub has_item_scores: bool,
    /// The weight the 总分 row states: a stated 总分 above it cannot be right.
    pub weight_total: Option<f64>,
    pub budget_full: Option<f64>,
    pub executed: Option<f64>,
    /// The execution rate the form states (填报).
    pub exec_rate_stated: Option<f64>,
    /// 全年执行数 ÷ 全年预算数 (核定).
    pub exec_rate_calc: Option<f64>,
    pub indicators: u32,
}

impl EvalSummary {
    pub fn of(e: &Evaluation) -> EvalSummary {
        let boxed = |s: &Option<String>| s.as_deref().map(Box::from);
        let (p, s) = (e.path.len() as u32, e.sheet.len() as u32);
        let nested = e.eval_id.len() > e.path.len() + e.sheet.len() + 1
            && e.eval_id.starts_with(e.path.as_str())
            && e.eval_id[e.path.len()..].starts_with('#')
            && e.eval_id[e.path.len() + 1..].starts_with(e.sheet.as_str());
        let (text, path, sheet, id) = if nested {
            (Box::from(e.eval_id.as_str()), (0, p), (p + 1, s), (0, e.eval_id.len() as u32))
        } else {
            let text = format!("{}{}{}", e.path, e.sheet, e.eval_id);
            (text.into_boxed_str(), (0, p), (p, s), (p + s, e.eval_id.len() as u32))
        };
        EvalSummary {
            text,
            path,
            sheet,
            id,
            start: e.start,
            form: e.form,
            year: e.year,
            department: boxed(&e.department.value),
            project: boxed(&e.project.value),
            project_at: e.project.at,
            supervisor: boxed(&e.supervisor.value),
            implementer: boxed(&e.implementer.value),
            score_total: e.score_total.get(),
            score_calc: e.score_calc(),
            has_item_scores: e.has_item_scores(),
            weight_total: e.weight_total.get(),
            budget_full: e.budget_full(),
            executed: e.executed(),
            exec_rate_stated: e.exec_rate(),
            exec_rate_calc: e.exec_rate_calc(),
            indicators: e.indicators.len() as u32,
        }
    }

    /// The checked total (核定总分): `score_calc`, when some item carries a score.
    pub fn checked_total(&self) -> Option<f64> {
        self.has_item_scores.then_some(self.score_calc)
    }

    fn slice(&self, (at, len): (u32, u32)) -> &str {
        &self.text[at as usize..(at + len) as usize]
    }

    pub fn eval_id(&self) -> &str {
        self.slice(self.id)
    }

    pub fn path(&self) -> &str {
        self.slice(self.path)
    }

    pub fn sheet(&self) -> &str {
        self.slice(self.sheet)
    }

    /// The project for form C, else the department.
    pub fn title(&self) -> &str {
        match self.form {
            FormKind::Project => self.project.as_deref().unwrap_or_default(),
            _ => self.department.as_deref().unwrap_or_default(),
        }
    }
}

/// What the run keeps of a form A: enough to tell its versions apart and to flag one.
#[derive(Debug, Clone, PartialEq)]
pub struct BasicSummary {
    pub form_id: Box<str>,
    pub path: Box<str>,
    pub sheet: Box<str>,
    pub start: Pos,
    pub year: Option<i32>,
    pub department: Box<str>,
}

impl BasicSummary {
    pub fn of(b: &BasicForm) -> BasicSummary {
        BasicSummary {
            form_id: b.form_id.as_str().into(),
            path: b.path.as_str().into(),
            sheet: b.sheet.as_str().into(),
            start: b.start,
            year: b.year,
            department: b.department.as_str().into(),
        }
    }
}
