//! 部门排名 and 项目排名: forms by stated 总分, descending, ties sharing a rank (1, 2, 2, 4).
//! Forms with no stated 总分 come last, unranked. Each row carries its anomaly counts.

use std::collections::HashMap;

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::config::Severity;
use crate::model::{EvalSummary, FormKind};
use crate::pipeline::Batch;
use crate::summary::{Col, Ctx, V, file_link, table};

/// Ranked forms, shared by the ranking sheets and the overview's chart.
pub struct Ranks<'a> {
    /// (rank, form), best first.
    pub departments: Vec<(Option<u32>, &'a EvalSummary)>,
    pub projects: Vec<(Option<u32>, &'a EvalSummary)>,
    /// eval_id → [errors, warnings, infos].
    pub counts: HashMap<&'a str, [usize; 3]>,
    /// department → number of project forms.
    pub projects_per_department: HashMap<&'a str, usize>,
}

/// Competition ranking of scores, best first: equal scores share a rank.
pub fn rank(mut forms: Vec<&EvalSummary>) -> Vec<(Option<u32>, &EvalSummary)> {
    forms.sort_by(|a, b| {
        let (sa, sb) = (a.score_total, b.score_total);
        match (sa, sb) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| a.title().cmp(b.title()))
        .then_with(|| a.eval_id().cmp(b.eval_id()))
    });
    let mut out = Vec::with_capacity(forms.len());
    let mut prev: Option<(f64, u32)> = None;
    for (i, e) in forms.into_iter().enumerate() {
        let rank = e.score_total.map(|s| match prev {
            Some((p, r)) if (p - s).abs() < 1e-9 => r,
            _ => {
                prev = Some((s, i as u32 + 1));
                i as u32 + 1
            }
        });
        out.push((rank, e));
    }
    out
}

impl<'a> Ranks<'a> {
    pub fn compute(data: &'a Batch) -> Ranks<'a> {
        let mut counts: HashMap<&str, [usize; 3]> = HashMap::new();
        for a in &data.anomalies {
            if let Some(id) = &a.eval_id {
                let i = match a.severity {
                    Severity::Error => 0,
                    Severity::Warning => 1,
                    Severity::Info => 2,
                };
                counts.entry(id.as_str()).or_default()[i] += 1;
            }
        }
        let mut projects_per_department: HashMap<&str, usize> = HashMap::new();
        for e in data.evaluations.iter().filter(|e| e.form == FormKind::Project) {
            *projects_per_department.entry(e.department.as_deref().unwrap_or_default()).or_default() += 1;
        }
        Ranks {
            departments: rank(data.evaluations.iter().filter(|e| e.form == FormKind::Department).collect()),
            projects: rank(data.evaluations.iter().filter(|e| e.form == FormKind::Project).collect()),
            counts,
            projects_per_department,
        }
    }

    fn counts(&self, e: &EvalSummary) -> [usize; 3] {
        self.counts.get(e.eval_id()).copied().unwrap_or_default()
    }
}

fn n(x: usize) -> V {
    V::Int(Some(x as i64))
}

fn text(s: &Option<Box<str>>) -> V {
    V::Text(s.as_deref().unwrap_or_default().to_string())
}

/// 总分, 按分项合计, 等级, budget, executed, rate: the figures both rankings show.
fn figures(e: &EvalSummary, grades: &crate::config::Grades) -> [V; 6] {
    [
        V::Score(e.score_total),
        V::Score(Some(e.score_calc)),
        V::Text(e.score_total.map(|s| grades.grade(s).to_string()).unwrap_or_default()),
        V::Wan(e.budget_full),
        V::Wan(e.executed),
        V::Pct(e.exec_rate),
    ]
}

/// Anomaly counts (错误, 警告, 提示), then where the form is: file link, sheet, first row.
fn counts_and_place(ctx: &Ctx, i: usize, e: &EvalSummary, c: [usize; 3]) -> [V; 6] {
    [
        n(c[0]),
        n(c[1]),
        n(c[2]),
        file_link(ctx, i, e.path(), e.sheet(), &crate::model::a1(e.start)),
        V::Text(e.sheet().to_string()),
        V::Int(Some(e.start.0 as i64 + 1)),
    ]
}

pub fn write_departments(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks) -> Result<(), XlsxError> {
    let cols = [
        Col("排名", 6.0),
        Col("部门", 30.0),
        Col("年度", 7.0),
        Col("总分", 8.0),
        Col("按分项合计", 10.0),
        Col("等级", 6.0),
        Col("全年预算数(万元)", 14.0),
        Col("全年执行数(万元)", 14.0),
        Col("执行率", 9.0),
        Col("项目表数", 8.0),
        Col("错误", 6.0),
        Col("警告", 6.0),
        Col("提示", 6.0),
        Col("文件", 36.0),
        Col("工作表", 14.0),
        Col("起始行", 7.0),
    ];
    let grades = &ctx.config.grades;
    let rows = ranks.departments.iter().enumerate().map(|(i, (rank, e))| {
        let dept = e.department.as_deref().unwrap_or_default();
        let mut row = vec![V::Int(rank.map(i64::from)), V::Text(dept.to_string()), V::Int(e.year.map(i64::from))];
        row.extend(figures(e, grades));
        row.push(n(ranks.projects_per_department.get(dept).copied().unwrap_or(0)));
        row.extend(counts_and_place(ctx, i, e, ranks.counts(e)));
        row
    });
    table(ws, "部门排名", ctx.fmts, &cols, rows)?;
    Ok(())
}

pub fn write_projects(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks) -> Result<(), XlsxError> {
    let cols = [
        Col("排名", 6.0),
        Col("项目", 36.0),
        Col("部门", 26.0),
        Col("主管部门", 20.0),
        Col("实施单位", 20.0),
        Col("年度", 7.0),
        Col("总分", 8.0),
        Col("按分项合计", 10.0),
        Col("等级", 6.0),
        Col("全年预算数(万元)", 14.0),
        Col("全年执行数(万元)", 14.0),
        Col("执行率", 9.0),
        Col("错误", 6.0),
        Col("警告", 6.0),
        Col("提示", 6.0),
        Col("文件", 36.0),
        Col("工作表", 14.0),
        Col("起始行", 7.0),
    ];
    let grades = &ctx.config.grades;
    let rows = ranks.projects.iter().enumerate().map(|(i, (rank, e))| {
        let mut row = vec![
            V::Int(rank.map(i64::from)),
            text(&e.project),
            text(&e.department),
            text(&e.supervisor),
            text(&e.implementer),
            V::Int(e.year.map(i64::from)),
        ];
        row.extend(figures(e, grades));
        row.extend(counts_and_place(ctx, i, e, ranks.counts(e)));
        row
    });
    table(ws, "项目排名", ctx.fmts, &cols, rows)?;
    Ok(())
}
