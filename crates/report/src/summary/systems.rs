//! 分系统汇总 (one row per 所属系统, then 合计) and the within-系统 / within-department
//! ranks of 部门排名 and 项目排名. Counts and sums are over the versions that count, like
//! the rankings: per 系统 the departments, forms, average checked (核定) and stated (填报)
//! totals of the ranked forms, department forms per grade of the total ranked by (and
//! those 待核实 / 无总分, which have none), the findings per severity (those of superseded
//! versions left out), the files not read, and the department forms' 全年预算数 / 全年执行数
//! with their ratio.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::summary::ranks::{BANDS, Ranks, Row, Standing, ranked_total};
use crate::summary::{Col, Ctx, Layout, V, table};
use jixiao_forms::model::{EvalSummary, FormKind};
use jixiao_rules::FileStatus;
use jixiao_rules::Severity;
use jixiao_text::normalize::norm;

pub const SHEET: &str = "分系统汇总";

/// Competition ranks within groups (`key`) of rows already in ranking order (year by
/// year, total descending): a row's place among the ranked rows of its year and group.
pub fn within(ctx: &Ctx, rows: &[Row], key: impl Fn(&EvalSummary) -> String) -> Vec<Option<u32>> {
    let by = ctx.config.ranking.by;
    // (year, group) → (place so far, the previous ranked total and its rank)
    type Place = (u32, Option<(f64, u32)>);
    let mut state: HashMap<(Option<i32>, String), Place> = HashMap::new();
    rows.iter()
        .map(|row| {
            let Standing::Ranked(_) = row.standing else { return None };
            let total = ranked_total(row.e, by)?;
            let (place, prev) = state.entry((row.e.year, key(row.e))).or_insert((0, None));
            *place += 1;
            let rank = match *prev {
                Some((p, shared)) if (p - total).abs() < 1e-9 => shared,
                _ => *place,
            };
            *prev = Some((total, rank));
            Some(rank)
        })
        .collect()
}

/// The 系统 of a form.
pub fn of(ctx: &Ctx, e: &EvalSummary) -> String {
    ctx.extras.systems.of(e.path(), e.department.as_deref())
}

#[derive(Default)]
struct Sums {
    departments: BTreeSet<String>,
    dept_forms: usize,
    project_forms: usize,
    dept_stated: (f64, usize),
    dept_calc: (f64, usize),
    project_stated: (f64, usize),
    project_calc: (f64, usize),
    /// 优, 良, 中, 差, 待核实, 无总分 ([`BANDS`]).
    grades: [usize; 6],
    findings: [usize; 3],
    unread: usize,
    budget: f64,
    executed: f64,
}

fn avg((sum, n): (f64, usize)) -> V {
    V::Score((n > 0).then(|| sum / n as f64))
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks) -> Result<(), XlsxError> {
    let data = ctx.data;
    let config = ctx.config;
    let mut by: BTreeMap<String, Sums> = BTreeMap::new();
    for row in ranks.departments.iter().chain(&ranks.projects) {
        let e = row.e;
        let s = by.entry(of(ctx, e)).or_default();
        if let Some(d) = e.department.as_deref() {
            s.departments.insert(norm(d));
        }
        // averages are of the ranked forms alone: a form 待核实 has no total to average
        let add = |acc: &mut (f64, usize), x: Option<f64>| {
            if let Some(x) = x.filter(|_| row.ranked()) {
                acc.0 += x;
                acc.1 += 1;
            }
        };
        match e.form {
            FormKind::Department => {
                s.dept_forms += 1;
                add(&mut s.dept_stated, e.score_total);
                add(&mut s.dept_calc, e.checked_total());
                let band = row.band(config);
                s.grades[BANDS.iter().position(|b| *b == band).unwrap_or(BANDS.len() - 1)] += 1;
                s.budget += e.budget_full.unwrap_or(0.0);
                s.executed += e.executed.unwrap_or(0.0);
            }
            _ => {
                s.project_forms += 1;
                add(&mut s.project_stated, e.score_total);
                add(&mut s.project_calc, e.checked_total());
            }
        }
    }
    // the findings that count (those of superseded versions are set apart)
    for a in &data.anomalies {
        let i = match a.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        by.entry(ctx.extras.systems.of(&a.path, Some(&a.department))).or_default().findings[i] += 1;
    }
    for f in &data.files {
        if matches!(f.status, FileStatus::Failed | FileStatus::Skipped | FileStatus::NoForm) {
            let dept = jixiao_text::names::parent_folder(&f.path);
            by.entry(ctx.extras.systems.of(&f.path, Some(&dept))).or_default().unread += 1;
        }
    }
    let mut total = Sums::default();
    for s in by.values() {
        total.departments.extend(s.departments.iter().cloned());
        total.dept_forms += s.dept_forms;
        total.project_forms += s.project_forms;
        for (t, x) in [
            (&mut total.dept_stated, s.dept_stated),
            (&mut total.dept_calc, s.dept_calc),
            (&mut total.project_stated, s.project_stated),
            (&mut total.project_calc, s.project_calc),
        ] {
            t.0 += x.0;
            t.1 += x.1;
        }
        (0..BANDS.len()).for_each(|i| total.grades[i] += s.grades[i]);
        (0..3).for_each(|i| total.findings[i] += s.findings[i]);
        total.unread += s.unread;
        total.budget += s.budget;
        total.executed += s.executed;
    }
    let cols = [
        Col("所属系统", 24.0),
        Col("部门数", 7.0),
        Col("部门表数", 8.0),
        Col("项目表数", 8.0),
        Col("部门平均核定总分", 10.0),
        Col("部门平均填报总分", 10.0),
        Col("项目平均核定总分", 10.0),
        Col("项目平均填报总分", 10.0),
        Col("优(部门表)", 8.0),
        Col("良(部门表)", 8.0),
        Col("中(部门表)", 8.0),
        Col("差(部门表)", 8.0),
        Col("待核实(部门表)", 8.0),
        Col("无总分(部门表)", 8.0),
        Col("错误", 7.0),
        Col("警告", 7.0),
        Col("提示", 7.0),
        Col("未识别文件", 8.0),
        Col("全年预算数(万元,部门表)", 16.0),
        Col("全年执行数(万元,部门表)", 16.0),
        Col("执行率", 9.0),
    ];
    let n = |x: usize| V::Int(Some(x as i64));
    let line = |name: &str, s: &Sums| -> Vec<V> {
        let mut v = vec![
            V::Text(name.to_string()),
            n(s.departments.len()),
            n(s.dept_forms),
            n(s.project_forms),
            avg(s.dept_calc),
            avg(s.dept_stated),
            avg(s.project_calc),
            avg(s.project_stated),
        ];
        v.extend(s.grades.iter().map(|g| n(*g)));
        v.extend(s.findings.iter().map(|g| n(*g)));
        v.push(n(s.unread));
        v.push(V::Wan(Some(jixiao_text::values::number::round9(s.budget))));
        v.push(V::Wan(Some(jixiao_text::values::number::round9(s.executed))));
        v.push(V::Pct((s.budget != 0.0).then(|| s.executed / s.budget)));
        v
    };
    let rows: Vec<Vec<V>> = by.iter().map(|(k, s)| line(k, s)).chain(std::iter::once(line("合计", &total))).collect();
    table(ws, ctx, SHEET, &cols, Layout { print_cols: cols.len() as u16, freeze_cols: 1 }, rows.into_iter())?;
    Ok(())
}
