//! The order of 部门排名 and 项目排名, shared with the overview: which forms are ranked,
//! in what order, with what rank and grade, and what each department handed in.
//!
//! - Only the version of a form that counts is ranked (`jixiao_rules::versions`): a department
//!   that re-submitted its workbook is ranked once.
//! - Each year is ranked on its own (newest year first): 2022's forms do not compete
//!   with 2023's.
//! - Forms sort by the total `[ranking] by` names — 核定总分 (the checked total,
//!   `score_calc`: the form's own item scores added up) by default, else 填报总分 —
//!   descending, ties sharing a rank (1, 2, 2, 4); the grade is that total's.
//! - A form that cannot be ranked gets no rank and no grade, and counts in no average or
//!   grade count: 排名 reads 待核实 and the reason is given; it is listed after the ranked
//!   forms of its year, never above them. By 核定总分, that is a form whose items carry no
//!   score at all (no checked total: `无分项得分，无法核定总分`) or whose checked total is
//!   above the weight its 总分 row states (else the standard 100); by 填报总分, a stated
//!   total above that weight. By 填报总分, forms with no stated total (无总分) come last.

use std::collections::HashMap;

use crate::batch::Batch;
use crate::settings::{RankBy, Settings};
use jixiao_forms::model::{EvalSummary, FormKind};
use jixiao_rules::Severity;
use jixiao_text::normalize::norm;

/// Where a form stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    Ranked(u32),
    /// Not ranked: its total cannot be right, or (by 核定总分) it has none, for this reason.
    Unverified(String),
    /// Not ranked: ranking by 填报总分, it states no total.
    NoTotal,
}

/// Why a form ranked by 核定总分 has none.
pub const NO_ITEM_SCORES: &str = "无分项得分，无法核定总分";

/// A form in ranking order.
pub struct Row<'a> {
    pub standing: Standing,
    pub e: &'a EvalSummary,
}

/// What a department handed in for one year: its project forms and the anomalies of all
/// its forms (B, C and A), counting only the versions that count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Handed {
    pub projects: usize,
    /// errors, warnings, infos.
    pub anomalies: [usize; 3],
}

pub struct Ranks<'a> {
    pub departments: Vec<Row<'a>>,
    pub projects: Vec<Row<'a>>,
    /// eval_id → [errors, warnings, infos] of that form alone.
    pub counts: HashMap<&'a str, [usize; 3]>,
    /// (department without whitespace, year) → what it handed in.
    handed: HashMap<(String, Option<i32>), Handed>,
    /// department without whitespace → the years it has a form B for.
    years: HashMap<String, Vec<Option<i32>>>,
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// The total a ranking sorts by: the stated total, or the checked total (none when no
/// item carries a score).
pub fn ranked_total(e: &EvalSummary, by: RankBy) -> Option<f64> {
    match by {
        RankBy::Stated => e.score_total,
        RankBy::Calculated => e.checked_total(),
    }
}

/// The name of the total a ranking sorts by, as the sheets say it.
pub fn total_name(by: RankBy) -> &'static str {
    match by {
        RankBy::Stated => "填报总分",
        RankBy::Calculated => "核定总分",
    }
}

/// Why a form cannot be ranked, if it cannot: by 核定总分, no item score at all, or a
/// checked total above the 总分 row's stated weight (else the standard total); by 填报总分,
/// a stated total above that weight.
pub fn unverified(e: &EvalSummary, config: &Settings) -> Option<String> {
    let tol = jixiao_rules::param(&config.checks, "SCORE_OVER_WEIGHT", "tolerance") + 1e-9;
    let (limit, what) = match e.weight_total {
        Some(w) => (w, "分值"),
        None => (jixiao_rules::param(&config.checks, "WEIGHT_SUM", "expected"), "满分"),
    };
    let f = jixiao_rules::fmt;
    let (name, total) = match config.ranking.by {
        RankBy::Calculated if !e.has_item_scores => return Some(NO_ITEM_SCORES.to_string()),
        by => (total_name(by), ranked_total(e, by)),
    };
    total.filter(|t| *t > limit + tol).map(|t| format!("{name}{}高于{what}{}", f(t), f(limit)))
}

impl Row<'_> {
    /// The grade of the ranked total, for a ranked form only: a form that cannot be ranked
    /// is not graded either.
    pub fn grade(&self, config: &Settings) -> Option<&'static str> {
        match self.standing {
            Standing::Ranked(_) => ranked_total(self.e, config.ranking.by).map(|t| config.checks.grades.grade(t)),
            _ => None,
        }
    }

    /// The grade, or why there is none: the bands of the grade distribution.
    pub fn band(&self, config: &Settings) -> &'static str {
        match (&self.standing, self.grade(config)) {
            (Standing::Unverified(_), _) => "待核实",
            (Standing::NoTotal, _) | (_, None) => "无总分",
            (_, Some(g)) => g,
        }
    }

    /// Whether the form counts in averages and grade counts (it is ranked).
    pub fn ranked(&self) -> bool {
        matches!(self.standing, Standing::Ranked(_))
    }
}

/// The bands of the grade distribution, in order.
pub const BANDS: [&str; 6] = ["优", "良", "中", "差", "待核实", "无总分"];

/// The average of a total over the ranked forms that have it.
pub fn mean(rows: &[Row], total: impl Fn(&EvalSummary) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> = rows.iter().filter(|r| r.ranked()).filter_map(|r| total(r.e)).collect();
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// Ranks forms, each year on its own: newest year first, within a year the ranked forms
/// by total descending (then name, then id), then 待核实, then forms without a total.
pub fn rank<'a>(forms: Vec<&'a EvalSummary>, config: &Settings) -> Vec<Row<'a>> {
    let by = config.ranking.by;
    let mut rows: Vec<(Option<f64>, Row<'a>)> = forms
        .into_iter()
        .map(|e| {
            let total = ranked_total(e, by);
            let standing = match (total, unverified(e, config)) {
                (_, Some(why)) => Standing::Unverified(why),
                (None, None) => Standing::NoTotal,
                (Some(_), None) => Standing::Ranked(0),
            };
            (total, Row { standing, e })
        })
        .collect();
    let group = |s: &Standing| match s {
        Standing::Ranked(_) => 0,
        Standing::Unverified(_) => 1,
        Standing::NoTotal => 2,
    };
    rows.sort_by(|(ta, a), (tb, b)| {
        b.e.year
            .cmp(&a.e.year)
            .then(group(&a.standing).cmp(&group(&b.standing)))
            .then_with(|| tb.unwrap_or(f64::NEG_INFINITY).total_cmp(&ta.unwrap_or(f64::NEG_INFINITY)))
            .then_with(|| a.e.title().cmp(b.e.title()))
            .then_with(|| a.e.eval_id().cmp(b.e.eval_id()))
    });
    // competition ranking, restarting with each year: (total, rank) of the previous form
    let mut prev: Option<(f64, u32)> = None;
    let mut place = 0u32;
    let mut year = None;
    for (total, row) in rows.iter_mut() {
        if year != Some(row.e.year) {
            (year, place, prev) = (Some(row.e.year), 0, None);
        }
        let (Standing::Ranked(r), Some(t)) = (&mut row.standing, *total) else { continue };
        place += 1;
        *r = match prev {
            Some((p, shared)) if (p - t).abs() < 1e-9 => shared,
            _ => place,
        };
        prev = Some((t, *r));
    }
    rows.into_iter().map(|(_, r)| r).collect()
}

impl<'a> Ranks<'a> {
    pub fn compute(data: &'a Batch, config: &Settings) -> Ranks<'a> {
        // the year and department every counted form's anomalies belong to
        let mut owner: HashMap<&str, (String, Option<i32>)> = HashMap::new();
        for e in data.counted() {
            owner.insert(e.eval_id(), (norm(e.department.as_deref().unwrap_or_default()), e.year));
        }
        for (b, _) in data.basics.iter().zip(&data.basic_superseded).filter(|(_, w)| w.is_none()) {
            owner.insert(&b.form_id, (norm(&b.department), b.year));
        }
        let mut counts: HashMap<&str, [usize; 3]> = HashMap::new();
        let mut handed: HashMap<(String, Option<i32>), Handed> = HashMap::new();
        // the findings that count (those of superseded versions are set apart)
        for a in &data.anomalies {
            let id = a.eval_id.as_deref();
            let i = severity_index(a.severity);
            if let Some(id) = id {
                counts.entry(id).or_default()[i] += 1;
            }
            let key = id.and_then(|id| owner.get(id)).cloned().unwrap_or_else(|| (norm(&a.department), None));
            handed.entry(key).or_default().anomalies[i] += 1;
        }
        for e in data.counted().filter(|e| e.form == FormKind::Project) {
            let key = (norm(e.department.as_deref().unwrap_or_default()), e.year);
            handed.entry(key).or_default().projects += 1;
        }
        let mut years: HashMap<String, Vec<Option<i32>>> = HashMap::new();
        for e in data.counted().filter(|e| e.form == FormKind::Department) {
            years.entry(norm(e.department.as_deref().unwrap_or_default())).or_default().push(e.year);
        }
        Ranks {
            departments: rank(data.counted().filter(|e| e.form == FormKind::Department).collect(), config),
            projects: rank(data.counted().filter(|e| e.form == FormKind::Project).collect(), config),
            counts,
            handed,
            years,
        }
    }

    /// The anomalies of one form alone.
    pub fn own(&self, e: &EvalSummary) -> [usize; 3] {
        self.counts.get(e.eval_id()).copied().unwrap_or_default()
    }

    /// What the department of form B `e` handed in for its year. Findings that name the
    /// department but no year (a file that could not be read) go to its only year, when it
    /// has one.
    pub fn handed(&self, e: &EvalSummary) -> Handed {
        let dept = norm(e.department.as_deref().unwrap_or_default());
        let mut h = self.handed.get(&(dept.clone(), e.year)).copied().unwrap_or_default();
        let only_year = self.years.get(&dept).is_some_and(|y| y.len() == 1);
        if e.year.is_some() && only_year {
            let extra = self.handed.get(&(dept, None)).copied().unwrap_or_default();
            h.projects += extra.projects;
            (0..3).for_each(|i| h.anomalies[i] += extra.anomalies[i]);
        }
        h
    }
}
