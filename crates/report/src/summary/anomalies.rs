//! 疑点清单: every finding, error → warning → info, then department and project, each
//! with its rule (id and Chinese name), its file (a link that opens the source at the
//! cell), sheet and cell, and its two values: 计算值 (what the form is compared with —
//! calculated, or the bound it should keep) and 填报值 (what it states), in the rule's own
//! unit (rates as %, amounts in 万元, points in 分) or as the form writes them where the
//! value is text (`353100元`, `20234..25`). 比较项 says what the two values are for the
//! rule at hand. The findings of superseded versions are listed apart, in 已替代版本的疑点.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::summary::{Col, Ctx, Formats, Layout, V, file_link, severity_zh, table};
use jixiao_rules::Anomaly;
use jixiao_rules::Severity;
use jixiao_rules::{Shows, Unit};

/// One of a finding's values as the list shows it: its text where it is text, else the
/// number in the rule's unit.
fn value(text: &Option<String>, number: Option<f64>, unit: Unit) -> V {
    if let Some(t) = text {
        return V::Text(t.clone());
    }
    match unit {
        Unit::Rate => V::Pct(number),
        Unit::Wan => V::WanUnit(number),
        Unit::Score => V::ScoreUnit(number),
        Unit::Text | Unit::Nothing => V::Text(String::new()),
    }
}

/// What the two values are (`计算值 / 填报值`, `分值 / 得分`), for the values shown.
fn pair(shows: Shows, a: &Anomaly) -> String {
    let has_expected = a.expected_text.is_some() || (a.expected.is_some() && shows.unit != Unit::Text);
    let has_actual = a.actual_text.is_some() || (a.actual.is_some() && shows.unit != Unit::Text);
    let names: Vec<&str> = [(has_expected, shows.expected), (has_actual, shows.actual)]
        .into_iter()
        .filter(|(has, name)| *has && !name.is_empty())
        .map(|(_, name)| name)
        .collect();
    names.join(" / ")
}

/// The columns both lists share: 级别 … 所属系统.
const COLS: [Col; 13] = [
    Col("级别", 5.0),
    Col("规则名称", 14.0),
    Col("部门", 14.0),
    Col("项目", 16.0),
    Col("说明", 40.0),
    Col("比较项", 10.0),
    Col("计算值", 11.0),
    Col("填报值", 11.0),
    Col("规则", 24.0),
    Col("文件", 34.0),
    Col("工作表", 12.0),
    Col("单元格", 8.0),
    Col("所属系统", 16.0),
];

/// A finding's cells under [`COLS`]; `i` is its row among the list's (for the file link).
fn cells(ctx: &Ctx, i: usize, a: &Anomaly) -> Vec<V> {
    let style: fn(&Formats) -> &rust_xlsxwriter::Format = match a.severity {
        Severity::Error => |f| &f.error,
        Severity::Warning => |f| &f.warning,
        Severity::Info => |f| &f.info,
    };
    let rule = jixiao_rules::rule(a.rule);
    let shows = rule.map(|r| r.shows).unwrap_or(jixiao_rules::Shows { expected: "", actual: "", unit: Unit::Nothing });
    let number = |x: Option<f64>| if shows.unit == Unit::Text { None } else { x };
    vec![
        V::Styled(severity_zh(a.severity).to_string(), style),
        V::Text(rule.map(|r| r.name).unwrap_or_default().to_string()),
        V::Text(a.department.clone()),
        V::Text(a.project.clone()),
        V::Text(a.message.clone()),
        V::Text(pair(shows, a)),
        value(&a.expected_text, number(a.expected), shows.unit),
        value(&a.actual_text, number(a.actual), shows.unit),
        V::Text(a.rule.to_string()),
        file_link(ctx, i, &a.path, &a.sheet, &a.cell),
        V::Text(a.sheet.clone()),
        V::Text(a.cell.clone()),
        V::Text(ctx.extras.systems.of(&a.path, Some(&a.department))),
    ]
}

/// 疑点清单: the findings that count — those of superseded versions are listed apart, in
/// [`write_superseded`].
pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let mut cols = Vec::from(COLS);
    cols.extend([
        Col("整改状态", 9.0),
        Col("备注", 24.0),
        // the department's answer (`--replies`), appended so the columns above keep their places
        Col(crate::summary::tracking::REPLY_COLUMN, 36.0),
    ]);
    let rows = ctx.data.anomalies.iter().enumerate().map(|(i, a)| {
        let (state, note, reply) = ctx.extras.tracking.with_answer(a, ctx.extras.replies.of(a));
        let mut row = cells(ctx, i, a);
        row.extend([V::Text(state), V::Text(note), V::Text(reply)]);
        row
    });
    // printed without 规则 (the id; its Chinese name is printed), 文件, 工作表, 单元格
    let n = table(ws, ctx, "疑点清单", &cols, Layout { print_cols: 8, freeze_cols: 0 }, rows)?;
    // 整改状态: a drop-down over every finding's row (issue 15)
    let state_col = cols.iter().position(|c| c.0 == "整改状态").unwrap_or(cols.len() - 3) as u16;
    let choices = rust_xlsxwriter::DataValidation::new()
        .allow_list_strings(&crate::summary::tracking::STATES)?
        .set_input_title("整改状态")?;
    let first = crate::summary::HEAD_ROWS;
    ws.add_data_validation(first, state_col, first + n.max(1) - 1, state_col, &choices)?;
    Ok(())
}

/// The sheet of the findings of superseded versions.
pub const SUPERSEDED_SHEET: &str = "已替代版本的疑点";

/// 已替代版本的疑点: the findings of the forms another version of which counts (a
/// re-submitted workbook's older copy), DUPLICATE_DEPARTMENT / DUPLICATE_PROJECT among
/// them, each with the file whose version counts. Listed so that nothing is hidden, and
/// counted nowhere: the version that counts has its own findings in 疑点清单.
pub fn write_superseded(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let mut cols = Vec::from(COLS);
    cols.push(Col("以此文件为准", 34.0));
    let by = ctx.data.superseded_by();
    let rows = ctx.data.superseded_anomalies.iter().enumerate().map(|(i, a)| {
        let mut row = cells(ctx, i, a);
        let counts = a.eval_id.as_deref().and_then(|id| by.get(id)).copied().unwrap_or_default();
        row.push(V::Text(counts.to_string()));
        row
    });
    let n = table(ws, ctx, SUPERSEDED_SHEET, &cols, Layout { print_cols: 8, freeze_cols: 0 }, rows)?;
    if n == 0 {
        let note = "本次没有被较新版本替代的表，无此类疑点";
        ws.write_string_with_format(crate::summary::HEAD_ROWS, 0, note, &ctx.fmts.info)?;
    }
    Ok(())
}
