//! 部门排名 and 项目排名, in the order [`ranks`](crate::summary::ranks) gives, one year
//! after the other. Headers say whether a figure is what the form states (填报) or what the
//! tool calculated (核定). The total the ranking sorts by (核定总分 by default) and its
//! grade come first, the other total and its grade beside them, then 差异 (填报 − 核定);
//! the totals and 差异 are highlighted where the two differ by more than TOTAL_MISMATCH's
//! tolerance. A form that cannot be ranked shows 待核实 (or 无总分), no grade, and, in 备注,
//! why.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::settings::{RankBy, Settings};
use crate::summary::ranks::{Ranks, Row, Standing};
use crate::summary::{Col, Ctx, HEAD_ROWS, Layout, V, file_link, table};
use jixiao_forms::model::EvalSummary;
use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule};

/// Column positions the overview's charts read: 核定执行率 against the total ranked by.
pub const DEPT_RATE_COL: u16 = DEPT_SCORE_COL + 8;
pub const DEPT_SCORE_COL: u16 = 3;
pub const PROJECT_RATE_COL: u16 = PROJECT_SCORE_COL + 8;
pub const PROJECT_SCORE_COL: u16 = 4;

fn n(x: usize) -> V {
    V::Count(Some(x as i64))
}

fn text(s: &Option<Box<str>>) -> V {
    V::Text(s.as_deref().unwrap_or_default().to_string())
}

/// 年度 and 排名 (a number, or 待核实 / 无总分 in red).
fn year_and_rank(row: &Row) -> [V; 2] {
    let rank = match &row.standing {
        Standing::Ranked(r) => V::Int(Some(i64::from(*r))),
        Standing::Unverified(_) => V::Styled("待核实".into(), |f| &f.error),
        Standing::NoTotal => V::Text("无总分".into()),
    };
    [V::Int(row.e.year.map(i64::from)), rank]
}

/// The total ranked by and its grade, the other total and its grade, 差异 (填报 − 核定),
/// 全年预算数, 全年执行数, 填报执行率, 核定执行率. Grades only for a ranked form; no
/// 核定总分 for a form whose items carry no score.
fn figures(row: &Row, config: &Settings) -> [V; 9] {
    let e = row.e;
    let grades = &config.checks.grades;
    let tol = jixiao_rules::param(&config.checks, "TOTAL_MISMATCH", "tolerance") + 1e-9;
    let (stated, checked) = (e.score_total, e.checked_total());
    let diff = stated.zip(checked).map(|(s, c)| jixiao_text::values::number::round9(s - c));
    let differ = diff.is_some_and(|d| d.abs() > tol);
    let score = |x: Option<f64>| if differ { V::ScoreMarked(x) } else { V::Score(x) };
    let grade =
        |x: Option<f64>| V::Text(x.filter(|_| row.ranked()).map(|t| grades.grade(t).to_string()).unwrap_or_default());
    let stated_pair = [score(stated), grade(stated)];
    let checked_pair = [score(checked), grade(checked)];
    let [[a, b], [c, d]] = match config.ranking.by {
        RankBy::Calculated => [checked_pair, stated_pair],
        RankBy::Stated => [stated_pair, checked_pair],
    };
    [
        a,
        b,
        c,
        d,
        score(diff),
        V::Wan(e.budget_full),
        V::Wan(e.executed),
        V::Pct(e.exec_rate_stated),
        V::Pct(e.exec_rate_calc),
    ]
}

/// The headers of [`figures`].
fn figure_cols(by: RankBy) -> [Col; 9] {
    let stated = [Col("填报总分", 6.0), Col("填报等级", 4.5)];
    let checked = [Col("核定总分", 6.0), Col("核定等级", 4.5)];
    let [[a, b], [c, d]] = match by {
        RankBy::Calculated => [checked, stated],
        RankBy::Stated => [stated, checked],
    };
    [
        a,
        b,
        c,
        d,
        Col("差异(填报−核定)", 6.0),
        Col("全年预算数(万元)", 9.0),
        Col("全年执行数(万元)", 9.0),
        Col("填报执行率", 7.0),
        Col("核定执行率", 7.0),
    ]
}

/// 错误, 警告, 提示, 备注, then where the form is: file link, sheet, first row.
fn counts_and_place(ctx: &Ctx, i: usize, row: &Row, c: [usize; 3]) -> [V; 7] {
    let e = row.e;
    let note = match &row.standing {
        Standing::Unverified(why) => format!("{why}，不参与排名、不定等级"),
        Standing::NoTotal => "未填总分，不参与排名、不定等级".into(),
        Standing::Ranked(_) => String::new(),
    };
    [
        n(c[0]),
        n(c[1]),
        n(c[2]),
        V::Text(note),
        file_link(ctx, i, e.path(), e.sheet(), &jixiao_forms::model::a1(e.start)),
        V::Text(e.sheet().to_string()),
        V::Int(Some(e.start.0 as i64 + 1)),
    ]
}

/// 年度, 排名, the names (`head`), the figures, the counts, `system` (所属系统 and the rank
/// within it), 备注 — printed — then what is not: `extra`, 文件, 工作表, 起始行.
fn columns(by: RankBy, head: &[Col], counts: [&'static str; 3], system: [Col; 2], extra: &[Col]) -> Vec<Col> {
    let mut cols: Vec<Col> = vec![Col("年度", 4.5), Col("排名", 4.5)];
    cols.extend(head.iter().map(|c| Col(c.0, c.1)));
    cols.extend(figure_cols(by));
    if head.len() == 1 {
        cols.push(Col("项目表数", 5.0));
    }
    cols.extend(counts.iter().map(|c| Col(c, 5.0)));
    cols.extend(system);
    cols.push(Col("备注", 10.0));
    cols.extend(extra.iter().map(|c| Col(c.0, c.1)));
    cols.extend([Col("文件", 36.0), Col("工作表", 14.0), Col("起始行", 7.0)]);
    cols
}

/// Printed: up to 备注, 所属系统 and its rank included (not `extra`, 文件, 工作表, 起始行);
/// frozen: 年度, 排名 and the name.
fn layout(cols: &[Col]) -> Layout {
    let print = cols.iter().position(|c| c.0 == "备注").map_or(cols.len(), |i| i + 1);
    Layout { print_cols: print as u16, freeze_cols: 3 }
}

/// Conditional formats over `rows` data rows, for a reader's eye: a total above 100 (a
/// total cannot be above its weight; forms whose own weight is lower are 待核实 in 排名
/// already), grades 中 and 差, an execution rate below 80 % and any error. `score` is the
/// first total's column (see [`figures`]), `errors` the 错误 column.
fn highlight(ws: &mut Worksheet, ctx: &Ctx, rows: u32, score: u16, errors: u16) -> Result<(), XlsxError> {
    if rows == 0 {
        return Ok(());
    }
    let f = ctx.fmts;
    let (first, last) = (HEAD_ROWS, HEAD_ROWS + rows - 1);
    for total in [score, score + 2] {
        let over =
            ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::GreaterThan(100)).set_format(&f.cf_red);
        ws.add_conditional_format(first, total, last, total, &over)?;
    }
    for grade in [score + 1, score + 3] {
        let mid = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo("\"中\""))
            .set_format(&f.cf_orange);
        let low =
            ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::EqualTo("\"差\"")).set_format(&f.cf_red);
        ws.add_conditional_format(first, grade, last, grade, &mid)?;
        ws.add_conditional_format(first, grade, last, grade, &low)?;
    }
    // 填报执行率, 核定执行率: a blank is no rate
    for rate in [score + 7, score + 8] {
        let low = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::Between(0.0, 0.8 - 1e-9))
            .set_format(&f.cf_orange);
        ws.add_conditional_format(first, rate, last, rate, &low)?;
    }
    let any = ConditionalFormatCell::new().set_rule(ConditionalFormatCellRule::GreaterThan(0)).set_format(&f.cf_red);
    ws.add_conditional_format(first, errors, last, errors, &any)?;
    Ok(())
}

/// The column of the first header that starts with `prefix`.
fn col_of(cols: &[Col], prefix: &str) -> u16 {
    cols.iter().position(|c| c.0.starts_with(prefix)).unwrap_or(0) as u16
}

pub fn write_departments(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks) -> Result<(), XlsxError> {
    // the counts are of everything the department handed in for the year: its form B,
    // its project forms and its form A
    let by = ctx.config.ranking.by;
    let counts = ["错误(全部表)", "警告(全部表)", "提示(全部表)"];
    let cols = columns(by, &[Col("部门", 19.0)], counts, [Col("所属系统", 11.0), Col("系统内排名", 5.0)], &[]);
    let within = crate::summary::systems::within(ctx, &ranks.departments, |e| crate::summary::systems::of(ctx, e));
    let rows = ranks.departments.iter().enumerate().map(|(i, row)| {
        let e = row.e;
        let handed = ranks.handed(e);
        let mut out = Vec::from(year_and_rank(row));
        out.push(text(&e.department));
        out.extend(figures(row, ctx.config));
        out.push(n(handed.projects));
        let [c0, c1, c2, note, link, sheet, start] = counts_and_place(ctx, i, row, handed.anomalies);
        let system = [V::Text(crate::summary::systems::of(ctx, e)), V::Int(within[i].map(i64::from))];
        out.extend([c0, c1, c2]);
        out.extend(system);
        out.extend([note, link, sheet, start]);
        out
    });
    let count = table(ws, ctx, "部门排名", &cols, layout(&cols), rows)?;
    highlight(ws, ctx, count, DEPT_SCORE_COL, col_of(&cols, "错误"))
}

pub fn write_projects(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks) -> Result<(), XlsxError> {
    // 主管部门 and 实施单位 after 备注: on the screen, not in print (it would not fit the width)
    let head = [Col("项目", 16.0), Col("部门", 10.0)];
    let by = ctx.config.ranking.by;
    let system = [Col("所属系统", 11.0), Col("部门内排名", 5.0)];
    let cols = columns(by, &head, ["错误", "警告", "提示"], system, &[Col("主管部门", 16.0), Col("实施单位", 16.0)]);
    let dept = |e: &EvalSummary| jixiao_text::normalize::norm(e.department.as_deref().unwrap_or_default());
    let within = crate::summary::systems::within(ctx, &ranks.projects, dept);
    let rows = ranks.projects.iter().enumerate().map(|(i, row)| {
        let e = row.e;
        let mut out = Vec::from(year_and_rank(row));
        out.extend([text(&e.project), text(&e.department)]);
        out.extend(figures(row, ctx.config));
        let [c0, c1, c2, note, link, sheet, start] = counts_and_place(ctx, i, row, ranks.own(e));
        let system = [V::Text(crate::summary::systems::of(ctx, e)), V::Int(within[i].map(i64::from))];
        out.extend([c0, c1, c2]);
        out.extend(system);
        out.extend([note, text(&e.supervisor), text(&e.implementer), link, sheet, start]);
        out
    });
    let count = table(ws, ctx, "项目排名", &cols, layout(&cols), rows)?;
    highlight(ws, ctx, count, PROJECT_SCORE_COL, col_of(&cols, "错误"))
}
