//! 总览: the run's figures, anomaly counts per rule and severity, the grade distribution,
//! and two native charts (grades; execution rate against the total ranked by for every
//! form). Every count is of the versions that count: superseded forms and their findings
//! are counted apart, on lines of their own (另有：…), never in the totals.

use std::collections::BTreeMap;

use rust_xlsxwriter::{Chart, ChartMarker, ChartMarkerType, ChartType, Worksheet, XlsxError};

use crate::settings::RankBy;
use crate::summary::rankings::{DEPT_RATE_COL, DEPT_SCORE_COL, PROJECT_RATE_COL, PROJECT_SCORE_COL};
use crate::summary::ranks::{BANDS, Ranks, Row, total_name};
use crate::summary::{Ctx, HEAD_ROWS, page_setup, severity_zh, title_row};
use jixiao_rules::Severity;
use jixiao_rules::catalog;

pub fn write(ws: &mut Worksheet, ctx: &Ctx, ranks: &Ranks) -> Result<(), XlsxError> {
    let f = ctx.fmts;
    let r = ctx.report;
    ws.set_name("总览")?;
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 14)?;
    ws.set_column_width(2, 10)?;
    ws.set_column_width(3, 10)?;
    ws.set_column_width(4, 10)?;
    // the charts' columns, set (not the default) so that Excel and LibreOffice agree on them
    for c in 5..crate::summary::leadership::PRINTED_COLS {
        ws.set_column_width(c, 8.43)?;
    }
    title_row(ws, f, &ctx.title.text("总览"))?;

    let figures: Vec<(&str, f64)> = vec![
        ("文件总数", r.files.total as f64),
        ("正常读取", r.files.ok as f64),
        ("未找到自评表", r.files.no_form as f64),
        ("读取失败", r.files.failed as f64),
        ("重复文件", r.files.duplicate as f64),
        ("未读取（格式不支持）", r.files.skipped as f64),
        ("部门整体支出自评表", r.forms.department as f64),
        ("项目支出自评表", r.forms.project as f64),
        ("基础数据表", r.forms.basic as f64),
        ("另有：被较新版本替代、不计入的表", r.forms.superseded as f64),
        ("绩效指标行", r.indicators as f64),
        ("疑点总数", r.anomalies.total as f64),
        ("其中：错误", r.anomalies.error as f64),
        ("其中：警告", r.anomalies.warning as f64),
        ("其中：提示", r.anomalies.info as f64),
        ("另有：已替代版本的疑点（另列，不计入）", r.anomalies.superseded as f64),
    ];
    ws.write_string_with_format(2, 0, "运行概况", &f.header)?;
    ws.write_string_with_format(2, 1, "数量", &f.header)?;
    let mut row = 3;
    for (label, v) in &figures {
        ws.write_string_with_format(row, 0, *label, &f.text)?;
        ws.write_number_with_format(row, 1, *v, &f.count)?;
        row += 1;
    }
    ws.write_string_with_format(row, 0, "运行日期", &f.text)?;
    ws.write_string_with_format(row, 1, &r.run_date, &f.text)?;
    row += 1;
    ws.write_string_with_format(row, 0, "工具版本", &f.text)?;
    ws.write_string_with_format(row, 1, format!("jixiao {}", r.version), &f.text)?;
    row += 2;

    // grade distribution over every form that counts (B and C), by the total ranked by;
    // forms that cannot be ranked (待核实) and forms without a stated total (ranking by it)
    // have rows of their own, so the table adds up to the forms that count
    let config = ctx.config;
    let by_name = total_name(config.ranking.by);
    let grade_row = row;
    ws.write_string_with_format(row, 0, format!("等级分布（按{by_name}）"), &f.header)?;
    ws.write_string_with_format(row, 1, "部门整体", &f.header)?;
    ws.write_string_with_format(row, 2, "项目", &f.header)?;
    ws.write_string_with_format(row, 3, "合计", &f.header)?;
    let mut no_total = (0.0, 0.0);
    for (i, g) in BANDS.iter().enumerate() {
        let count = |forms: &[Row]| forms.iter().filter(|r| r.band(config) == *g).count() as f64;
        let (d, p) = (count(&ranks.departments), count(&ranks.projects));
        if *g == "无总分" {
            no_total = (d, p);
        }
        let rr = row + 1 + i as u32;
        ws.write_string_with_format(rr, 0, *g, &f.text)?;
        ws.write_number_with_format(rr, 1, d, &f.count)?;
        ws.write_number_with_format(rr, 2, p, &f.count)?;
        ws.write_number_with_format(rr, 3, d + p, &f.count)?;
    }
    // the total, which is every form that counts (one version per department and project)
    let rr = row + 1 + BANDS.len() as u32;
    let (d, p) = (ranks.departments.len() as f64, ranks.projects.len() as f64);
    ws.write_string_with_format(rr, 0, "合计（计入的表）", &f.header)?;
    ws.write_number_with_format(rr, 1, d, &f.count)?;
    ws.write_number_with_format(rr, 2, p, &f.count)?;
    ws.write_number_with_format(rr, 3, d + p, &f.count)?;
    row = rr + 1;
    if no_total.0 + no_total.1 > 0.0 {
        let note = format!(
            "无总分：{}张表（部门整体{}张、项目{}张）未填总分，不定等级、不参与排名，见部门排名、项目排名中排名为“无总分”的行",
            no_total.0 + no_total.1,
            no_total.0,
            no_total.1
        );
        ws.write_string_with_format(row, 0, note, &f.info)?;
        row += 1;
    }
    let pending = match config.ranking.by {
        RankBy::Calculated => {
            "待核实：各项均无得分、无法核定总分，或核定总分高于其分值的表，不定等级、不参与排名、不计入平均分，原因见排名表的备注"
        }
        RankBy::Stated => "待核实：填报总分高于其分值的表，不定等级、不参与排名、不计入平均分，原因见排名表的备注",
    };
    ws.write_string_with_format(row, 0, pending, &f.info)?;
    row += 2;

    // anomalies per rule and severity
    ws.write_string_with_format(row, 0, "疑点规则", &f.header)?;
    for (i, s) in [Severity::Error, Severity::Warning, Severity::Info].iter().enumerate() {
        ws.write_string_with_format(row, 1 + i as u16, severity_zh(*s), &f.header)?;
    }
    ws.write_string_with_format(row, 4, "合计", &f.header)?;
    let mut per_rule: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for a in &ctx.data.anomalies {
        let i = match a.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        per_rule.entry(a.rule).or_default()[i] += 1;
    }
    for rule in catalog() {
        let c = per_rule.get(rule.id).copied().unwrap_or_default();
        row += 1;
        ws.write_string_with_format(row, 0, format!("{}（{}）", rule.name, rule.id), &f.text)?;
        for (i, n) in c.iter().enumerate() {
            ws.write_number_with_format(row, 1 + i as u16, *n as f64, &f.count)?;
        }
        ws.write_number_with_format(row, 4, c.iter().sum::<usize>() as f64, &f.count)?;
    }
    // issue 15: the block for leadership, below
    let printed_to = crate::summary::leadership::write(ws, ctx, ranks, row + 3)?;

    // charts, to the right of the tables
    let mut grade_chart = Chart::new(ChartType::Column);
    grade_chart.title().set_name("自评等级分布");
    grade_chart
        .add_series()
        .set_name("部门整体")
        .set_categories(("总览", grade_row + 1, 0, grade_row + 4, 0))
        .set_values(("总览", grade_row + 1, 1, grade_row + 4, 1));
    grade_chart
        .add_series()
        .set_name("项目")
        .set_categories(("总览", grade_row + 1, 0, grade_row + 4, 0))
        .set_values(("总览", grade_row + 1, 2, grade_row + 4, 2));
    grade_chart.y_axis().set_name("表数");
    grade_chart.set_width(350).set_height(260);
    ws.insert_chart(2, 5, &grade_chart)?;

    let mut scatter = Chart::new(ChartType::Scatter);
    scatter.title().set_name(&format!("执行率与{by_name}"));
    // columns of 部门排名 / 项目排名: 核定执行率 and the total ranked by
    for (sheet, n, rate_col, score_col, name, marker) in [
        (
            "部门排名",
            ranks.departments.len() as u32,
            DEPT_RATE_COL,
            DEPT_SCORE_COL,
            "部门整体",
            ChartMarkerType::Diamond,
        ),
        ("项目排名", ranks.projects.len() as u32, PROJECT_RATE_COL, PROJECT_SCORE_COL, "项目", ChartMarkerType::Circle),
    ] {
        if n == 0 {
            continue;
        }
        scatter
            .add_series()
            .set_name(name)
            .set_categories((sheet, HEAD_ROWS, rate_col, HEAD_ROWS + n - 1, rate_col))
            .set_values((sheet, HEAD_ROWS, score_col, HEAD_ROWS + n - 1, score_col))
            .set_marker(ChartMarker::new().set_type(marker).set_size(6));
    }
    scatter.x_axis().set_name("执行率").set_num_format("0%");
    scatter.y_axis().set_name(by_name);
    // Excel rejects a chart without series: with no forms there is nothing to plot
    if !ranks.departments.is_empty() || !ranks.projects.is_empty() {
        scatter.set_width(350).set_height(260);
        ws.insert_chart(17, 5, &scatter)?;
    }

    // printed: the figures in A–E and the charts beside them (F–L); the chart's reference
    // lines (参考线) stand right of that, on screen only
    let widths: Vec<f64> = [40.0, 14.0, 10.0, 10.0, 10.0].into_iter().chain([8.43; 7]).collect();
    page_setup(ws, &widths);
    ws.set_print_area(0, 0, printed_to, crate::summary::leadership::PRINTED_COLS - 1)?;
    Ok(())
}
