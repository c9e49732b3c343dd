//! 领导简报, the block under 总览's run figures for leadership: totals (budget, executed,
//! execution rate, average 核定总分 and 填报总分 of departments and of projects, over the
//! ranked forms), grade shares in % (by the total ranked by), the rules that fired sorted by
//! count (no zero rows), the ten departments with the most errors, and a scatter of the
//! department forms alone (核定执行率 against the total ranked by) with reference lines at
//! 80 % and 90 points. At 2,000 departments the all-forms scatter above is a blob; this
//! one is readable. Findings of superseded versions are not counted here (nor anywhere).

use std::collections::HashMap;

use rust_xlsxwriter::{
    Chart, ChartLine, ChartLineDashType, ChartMarker, ChartMarkerType, ChartType, Worksheet, XlsxError,
};

use crate::summary::rankings::{DEPT_RATE_COL, DEPT_SCORE_COL};
use crate::summary::ranks::{BANDS, Ranks, Row, mean, ranked_total, total_name};
use crate::summary::{Ctx, HEAD_ROWS, severity_zh};
use jixiao_forms::model::EvalSummary;
use jixiao_rules::Severity;

/// Rows this block takes at most (its tables are bounded: 6 grades, the catalog, ten
/// departments).
/// Columns A–L: what prints of 总览, this block included (its chart's reference lines stand
/// right of them).
pub const PRINTED_COLS: u16 = 12;

pub fn write(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks, start: u32) -> Result<u32, XlsxError> {
    let f = ctx.fmts;
    let mut row = start;
    ws.write_string_with_format(row, 0, "领导简报", &f.title)?;
    row += 2;

    let config = ctx.config;
    let by_name = total_name(config.ranking.by);
    let budget: f64 = ranks.departments.iter().filter_map(|r| r.e.budget_full).sum();
    let executed: f64 = ranks.departments.iter().filter_map(|r| r.e.executed).sum();
    let mut sev = [0usize; 3];
    let mut per_rule: HashMap<&str, [usize; 3]> = HashMap::new();
    // the findings that count (those of superseded versions are set apart)
    for a in &ctx.data.anomalies {
        let i = match a.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        sev[i] += 1;
        per_rule.entry(a.rule).or_default()[i] += 1;
    }
    ws.write_string_with_format(row, 0, "总体情况", &f.header)?;
    ws.write_string_with_format(row, 1, "数值", &f.header)?;
    row += 1;
    let n = |x: usize| Some(x as f64);
    let checked = |rows: &[Row]| mean(rows, |e| e.checked_total());
    let stated = |rows: &[Row]| mean(rows, |e| e.score_total);
    let lines: [(&str, Option<f64>, &rust_xlsxwriter::Format); 12] = [
        ("参评部门（部门整体支出自评表）", n(ranks.departments.len()), &f.int),
        ("参评项目（项目支出自评表）", n(ranks.projects.len()), &f.int),
        ("全年预算数合计（万元，部门整体）", Some(budget), &f.wan),
        ("全年执行数合计（万元，部门整体）", Some(executed), &f.wan),
        ("总体执行率", (budget != 0.0).then(|| executed / budget), &f.pct),
        ("部门平均核定总分（参与排名的表）", checked(&ranks.departments), &f.score),
        ("部门平均填报总分（参与排名的表）", stated(&ranks.departments), &f.score),
        ("项目平均核定总分（参与排名的表）", checked(&ranks.projects), &f.score),
        ("项目平均填报总分（参与排名的表）", stated(&ranks.projects), &f.score),
        ("疑点：错误", n(sev[0]), &f.int),
        ("疑点：警告", n(sev[1]), &f.int),
        ("疑点：提示", n(sev[2]), &f.int),
    ];
    for (label, v, fmt) in lines {
        ws.write_string(row, 0, label)?;
        if let Some(v) = v {
            ws.write_number_with_format(row, 1, v, fmt)?;
        }
        row += 1;
    }
    row += 1;

    // grade shares, of the forms that count (B and C), by the total ranked by
    let shares = format!("等级占比（按{by_name}）");
    for (c, h) in [shares.as_str(), "部门数", "部门占比", "项目数", "项目占比"].iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    for g in BANDS {
        let count = |rows: &[Row]| rows.iter().filter(|r| r.band(config) == g).count();
        let (d, p) = (count(&ranks.departments), count(&ranks.projects));
        let share = |x: usize, of: usize| if of == 0 { 0.0 } else { x as f64 / of as f64 };
        ws.write_string(row, 0, g)?;
        ws.write_number_with_format(row, 1, d as f64, &f.int)?;
        ws.write_number_with_format(row, 2, share(d, ranks.departments.len()), &f.pct)?;
        ws.write_number_with_format(row, 3, p as f64, &f.int)?;
        ws.write_number_with_format(row, 4, share(p, ranks.projects.len()), &f.pct)?;
        row += 1;
    }
    row += 1;

    // the rules that fired, most first
    let mut rules: Vec<(&str, [usize; 3])> = per_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.iter().sum::<usize>().cmp(&a.1.iter().sum::<usize>()).then(a.0.cmp(b.0)));
    ws.write_string_with_format(row, 0, "疑点规则（按数量）", &f.header)?;
    for (i, s) in [Severity::Error, Severity::Warning, Severity::Info].iter().enumerate() {
        ws.write_string_with_format(row, 1 + i as u16, severity_zh(*s), &f.header)?;
    }
    ws.write_string_with_format(row, 4, "合计", &f.header)?;
    row += 1;
    for (id, c) in &rules {
        let name = jixiao_rules::rule(id).map(|r| r.name).unwrap_or(id);
        ws.write_string(row, 0, format!("{name}（{id}）"))?;
        for (i, x) in c.iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, *x as f64, &f.int)?;
        }
        ws.write_number_with_format(row, 4, c.iter().sum::<usize>() as f64, &f.int)?;
        row += 1;
    }
    row += 1;

    // the ten departments with the most errors (everything they handed in)
    let mut worst: Vec<(&EvalSummary, [usize; 3])> =
        ranks.departments.iter().map(|r| (r.e, ranks.handed(r.e).anomalies)).filter(|(_, c)| c[0] > 0).collect();
    worst.sort_by(|a, b| b.1[0].cmp(&a.1[0]).then(b.1[1].cmp(&a.1[1])).then_with(|| a.0.title().cmp(b.0.title())));
    for (c, h) in ["错误最多的部门", "所属系统", "错误", "警告", by_name].iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *h, &f.header)?;
    }
    row += 1;
    if worst.is_empty() {
        ws.write_string(row, 0, "无")?;
        row += 1;
    }
    for (e, c) in worst.into_iter().take(10) {
        ws.write_string(row, 0, e.title())?;
        ws.write_string(row, 1, crate::summary::systems::of(ctx, e))?;
        ws.write_number_with_format(row, 2, c[0] as f64, &f.int)?;
        ws.write_number_with_format(row, 3, c[1] as f64, &f.int)?;
        if let Some(s) = ranked_total(e, config.ranking.by) {
            ws.write_number_with_format(row, 4, s, &f.score)?;
        }
        row += 1;
    }
    row += 1;

    // the reference lines' end points, for the chart: right of the printed columns (a
    // chart does not plot hidden cells, so they are not hidden), not on the printed page
    let max_rate = ranks.departments.iter().filter_map(|r| r.e.exec_rate_calc).fold(1.2_f64, f64::max).min(3.0);
    let refs = row;
    let at = PRINTED_COLS + 2;
    for (c, h) in ["参考线", "执行率", "总分"].iter().enumerate() {
        ws.write_string_with_format(refs, at + c as u16, *h, &f.header)?;
    }
    let points =
        [("执行率80%", 0.8, 0.0), ("执行率80%", 0.8, 100.0), ("总分90分", 0.0, 90.0), ("总分90分", max_rate, 90.0)];
    for (i, (name, x, y)) in points.iter().enumerate() {
        let r = refs + 1 + i as u32;
        ws.write_string(r, at, *name)?;
        ws.write_number_with_format(r, at + 1, *x, &f.pct)?;
        ws.write_number(r, at + 2, *y)?;
    }

    let n = ranks.departments.len() as u32;
    if n > 0 {
        let mut chart = Chart::new(ChartType::ScatterStraight);
        chart.title().set_name(&format!("部门整体：执行率与{by_name}"));
        chart
            .add_series()
            .set_name("部门")
            .set_categories(("部门排名", HEAD_ROWS, DEPT_RATE_COL, HEAD_ROWS + n - 1, DEPT_RATE_COL))
            .set_values(("部门排名", HEAD_ROWS, DEPT_SCORE_COL, HEAD_ROWS + n - 1, DEPT_SCORE_COL))
            .set_format(rust_xlsxwriter::ChartFormat::new().set_line(ChartLine::new().set_hidden(true)))
            .set_marker(ChartMarker::new().set_type(ChartMarkerType::Diamond).set_size(6));
        for (i, (name, color)) in [("执行率80%", "C00000"), ("总分90分", "2F5597")].iter().enumerate() {
            let r = refs + 1 + 2 * i as u32;
            chart
                .add_series()
                .set_name(*name)
                .set_categories(("总览", r, at + 1, r + 1, at + 1))
                .set_values(("总览", r, at + 2, r + 1, at + 2))
                .set_marker(ChartMarker::new().set_none())
                .set_format(
                    rust_xlsxwriter::ChartFormat::new()
                        .set_line(ChartLine::new().set_color(*color).set_dash_type(ChartLineDashType::Dash)),
                );
        }
        chart.x_axis().set_name("核定执行率").set_num_format("0%").set_min(0.0).set_max(max_rate);
        chart.y_axis().set_name(by_name).set_min(0.0).set_max(100.0);
        chart.set_width(350).set_height(320);
        ws.insert_chart(start + 2, 5, &chart)?;
    }
    // the last row printed: the table's, or the chart's bottom (340 px, rows of 18 px)
    Ok(row.max(start + 2 + 20))
}
