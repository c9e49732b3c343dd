//! Where each department stands, as 部门排名 prints it: its rank among all departments of
//! its year and within its 系统, and the grade of the total the ranking uses. Taken from
//! [`Ranks`] and [`within`](crate::summary::systems::within) — the order 部门排名 is written
//! in — so that a department's feedback workbook says what the summary says, whatever rule
//! the ranking follows (`[ranking] by`).

use std::collections::HashMap;

use crate::settings::RankBy;
use crate::summary::Ctx;
use crate::summary::ranks::{Ranks, Standing, ranked_total};
use jixiao_text::normalize::norm;

/// One department form's standing (one per year the department has a form B for).
#[derive(Debug, Clone, PartialEq)]
pub struct Placing {
    pub year: Option<i32>,
    /// 填报总分.
    pub stated: Option<f64>,
    /// 核定总分.
    pub checked: f64,
    /// The total the ranking sorts by.
    pub by: RankBy,
    /// The grade of that total; none when the form is not ranked.
    pub grade: Option<&'static str>,
    /// Its rank among the departments of its year; none: not ranked (see `unranked`).
    pub rank: Option<u32>,
    /// How many departments are ranked that year.
    pub ranked: usize,
    pub system: String,
    /// Its rank within its 系统 that year.
    pub system_rank: Option<u32>,
    /// How many departments of its 系统 are ranked that year.
    pub system_ranked: usize,
    /// Why it is not ranked (empty when it is).
    pub unranked: String,
}

/// Every department's standings, by the department's name without whitespace.
#[derive(Debug, Clone, Default)]
pub struct Placings(HashMap<String, Vec<Placing>>);

impl Placings {
    pub fn compute(ctx: &Ctx, ranks: &Ranks) -> Placings {
        let by = ctx.config.ranking.by;
        let rows = &ranks.departments;
        let system = |e: &jixiao_forms::model::EvalSummary| crate::summary::systems::of(ctx, e);
        let within = crate::summary::systems::within(ctx, rows, system);
        let mut per_year: HashMap<Option<i32>, usize> = HashMap::new();
        let mut per_system: HashMap<(Option<i32>, String), usize> = HashMap::new();
        for row in rows.iter().filter(|r| matches!(r.standing, Standing::Ranked(_))) {
            *per_year.entry(row.e.year).or_default() += 1;
            *per_system.entry((row.e.year, system(row.e))).or_default() += 1;
        }
        let mut out: HashMap<String, Vec<Placing>> = HashMap::new();
        for (row, system_rank) in rows.iter().zip(within) {
            let e = row.e;
            let Some(department) = e.department.as_deref() else { continue };
            let sys = system(e);
            let (rank, unranked) = match &row.standing {
                Standing::Ranked(r) => (Some(*r), String::new()),
                Standing::Unverified(why) => (None, format!("{why}，待核实，不参与排名")),
                _ => (None, "未填总分，不参与排名".to_string()),
            };
            let grade = rank.and(ranked_total(e, by)).map(|t| ctx.config.checks.grades.grade(t));
            out.entry(norm(department)).or_default().push(Placing {
                year: e.year,
                stated: e.score_total,
                checked: e.score_calc,
                by,
                grade,
                rank,
                ranked: per_year.get(&e.year).copied().unwrap_or(0),
                system_ranked: per_system.get(&(e.year, sys.clone())).copied().unwrap_or(0),
                system: sys,
                system_rank: system_rank.filter(|_| rank.is_some()),
                unranked,
            });
        }
        Placings(out)
    }

    /// A department's standings, newest year first (none: it handed in no form B).
    pub fn of(&self, department: &str) -> &[Placing] {
        self.0.get(&norm(department)).map(Vec::as_slice).unwrap_or(&[])
    }
}
