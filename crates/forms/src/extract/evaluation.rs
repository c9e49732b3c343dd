//! Forms B (部门整体支出绩效自评表) and C (项目支出绩效自评表): header fields, then the
//! fund table, the indicator table with its 总分 row, and the footer.

use crate::extract::{footer, funds, indicators, text_field, value_right};
use crate::labels::{LabelSet, Labels};
use crate::layout::is_label;
use crate::locate::Located;
use crate::model::{Evaluation, Field, FormKind, Pos};
use jixiao_reader::grid::Grid;

/// Extracts a form B or C; `None` when the label that located it was not a form after all
/// (a cover page's `部门名称：`): a form has a fund table or an indicator table.
///
/// Where the layout could be read another way, `notes` says which reading was taken (a
/// second header row read as header, a value read from under its label, the year from the
/// file's or a folder's name), for the file's row in 文件清单 and `files.parquet`.
pub fn extract(
    grid: &Grid,
    labels: &Labels,
    form: &Located,
    path: &str,
    eval_id: &str,
    notes: &mut Vec<String>,
) -> Option<Evaluation> {
    let rows = form.anchor.0..form.end_row;
    let is_field_label = |t: &str| {
        labels.fields.supervisor.is_clean(t)
            || labels.fields.implementer.is_clean(t)
            || labels.forms.project.is_clean(t)
            || labels.forms.department.is_clean(t)
    };
    let name = if form.by_title {
        // a form found by its title: the name stands beside `单位` in the rows under it
        let rows = form.anchor.0 + 1..(form.anchor.0 + 4).min(form.end_row);
        rows.flat_map(|r| grid.row_cells(r, grid.left).map(move |(c, cell)| ((r, c), cell)))
            .find(|(_, cell)| is_label(cell, &labels.forms.title_name))
            .map(|(at, _)| value_right(grid, at, is_field_label))
            .unwrap_or_default()
    } else {
        value_of(grid, labels, form.anchor, &is_field_label)
    };
    // the fields read from under their labels, for the notes
    let mut below: Vec<(&str, crate::model::Pos)> = Vec::new();
    let mut under = |what: &'static str, label: crate::model::Pos, f: &Field<String>| {
        if let Some(at) = f.at.filter(|at| f.value.is_some() && at.0 == label.0 + 1) {
            below.push((what, at));
        }
    };
    if !form.by_title {
        under("名称", form.anchor, &name);
    }
    let mut supervisor = Field::default();
    let mut implementer = Field::default();
    for r in rows.clone() {
        // the later pairs of a cell that holds two (`主管部门:县水利局  实施单位:县农村供水站`),
        // read after the row's labels
        let mut later = Vec::new();
        for (c, cell) in grid.row_cells(r, grid.left) {
            let t = cell.clean();
            let pairs = crate::layout::inline_pairs(cell);
            let first = |set: &LabelSet| set.is_clean(t) || pairs.first().is_some_and(|(l, _)| set.is_clean(l));
            if supervisor.at.is_none() && first(&labels.fields.supervisor) {
                supervisor = value_of(grid, labels, (r, c), &is_field_label);
                under("主管部门", (r, c), &supervisor);
            } else if implementer.at.is_none() && first(&labels.fields.implementer) {
                implementer = value_of(grid, labels, (r, c), &is_field_label);
                under("实施单位", (r, c), &implementer);
            }
            later.extend(pairs.into_iter().skip(1).map(|(label, value)| (c, cell, label, value)));
        }
        for (c, cell, label, value) in later {
            let field = || Field {
                value: (!value.is_empty()).then(|| value.to_string()),
                raw: cell.text(),
                at: Some((r, c)),
                ..Field::default()
            };
            if supervisor.at.is_none() && labels.fields.supervisor.is_clean(&label) {
                supervisor = field();
            } else if implementer.at.is_none() && labels.fields.implementer.is_clean(&label) {
                implementer = field();
            }
        }
        if supervisor.at.is_some() && implementer.at.is_some() {
            break;
        }
    }

    let fund_table = funds::extract(grid, labels, rows.clone(), form.start.0);
    let search_from = fund_table.as_ref().map(|f| f.last_row + 1).unwrap_or(form.anchor.0);
    let indicator_table = indicators::extract(grid, labels, search_from..form.end_row);
    if fund_table.is_none() && indicator_table.is_none() {
        return None;
    }
    let after = indicator_table
        .as_ref()
        .map(|t| t.total_row.unwrap_or(t.last_row) + 1)
        .or(fund_table.as_ref().map(|f| f.last_row + 1))
        .unwrap_or(form.anchor.0 + 1);
    let mut foot = footer::extract(grid, labels, after..form.end_row);
    // some templates put 填报日期 / 填表人 between the title and the form (`单位名称：…
    // 填报日期：2023年4月15日`): a field with no label below is looked for there
    let some_missing = foot.filled_by.at.is_none() || foot.filled_date.at.is_none() || foot.phone.at.is_none();
    if some_missing && form.start.0 < form.anchor.0 {
        // the anchor's own row included: `单位名称:… 填报日期:…` in one cell
        let above = footer::extract(grid, labels, form.start.0..form.anchor.0 + 1);
        if foot.filled_by.at.is_none() {
            foot.filled_by = above.filled_by;
        }
        if foot.filled_date.at.is_none() {
            foot.filled_date = above.filled_date;
        }
        if foot.phone.at.is_none() {
            foot.phone = above.phone;
        }
    }
    let band = indicator_table.as_ref().filter(|t| t.band_end > t.header_row).map(|t| (t.header_row, t.band_end));
    let (indicators, sections, weight_total, score_total) = match indicator_table {
        Some(t) => (t.rows, t.sections, t.weight_total, t.score_total),
        None => (Vec::new(), Vec::new(), Field::default(), Field::default()),
    };

    let (department, project, project_code) = match form.kind {
        FormKind::Department => (name, Field::default(), None),
        _ => {
            let (code, name) = split_code(name);
            (Field::default(), name, code)
        }
    };
    // a form without a title row may still say its year in the sheet's, file's or a folder's name
    let year = crate::layout::year(form.year, &grid.sheet, path);
    let shown = project.value.as_deref().or(department.value.as_deref()).unwrap_or("").to_string();
    let here = format!("工作表“{}”{}的表“{shown}”", grid.sheet, crate::model::a1(form.start));
    if let Some((y, from @ (crate::layout::YearFrom::FileName | crate::layout::YearFrom::Folder))) = year {
        notes.push(format!("{here}：标题中没有年度，取自{}（{y}年）", from.chinese()));
    }
    for (what, at) in below {
        notes.push(format!("{here}：{what}写在标签下一行，按标签行读（{}）", crate::model::a1(at)));
    }
    if let Some((first, last)) = band {
        notes.push(format!("{here}：指标表第{}–{}行是两行表头，合为一行读", first + 1, last + 1));
    }
    let year = year.map(|(y, _)| y);
    Some(Evaluation {
        eval_id: eval_id.to_string(),
        path: path.to_string(),
        sheet: grid.sheet.clone(),
        start: form.start,
        form: form.kind,
        year,
        department,
        project,
        project_code,
        supervisor,
        implementer,
        funds: fund_table.map(|f| f.rows).unwrap_or_default(),
        indicators,
        sections,
        weight_total,
        score_total,
        filled_by: foot.filled_by,
        filled_date: foot.filled_date,
        phone: foot.phone,
        duplicate_of: None,
    })
}

/// A header field's value: right of its label (past merges and empty cells, or in the
/// label's own cell), else below it when the label stands in a row of labels over a row of
/// values (`项目名称 | 主管部门 | 实施单位` over the three values, 大英 and 萧县's layout). A row
/// under the labels that holds a table's header words (`项目资金 | … | 分值`) is the next
/// table, not values: blank fields stay blank.
fn value_of(grid: &Grid, labels: &Labels, label: Pos, is_label: &impl Fn(&str) -> bool) -> Field<String> {
    let right = value_right(grid, label, is_label);
    if right.value.is_some() {
        return right;
    }
    let (r, c) = label;
    let is_field = |cell: &jixiao_reader::grid::Cell| {
        is_label(cell.clean()) || crate::layout::inline_pair(cell).is_some_and(|(l, _)| is_label(&l))
    };
    // the label's row holds labels only: its values are not beside them
    let labels_only = grid.row_cells(r, grid.left).all(|(_, cell)| is_field(cell));
    let below = |k: u32| grid.get((r + 1, k));
    let header_below =
        grid.row_cells(r + 1, grid.left).any(|(_, cell)| is_header_word(labels, cell.clean()) || is_field(cell));
    let cell = below(c);
    // the value starts under the label: not a copy of the label merged down, nor of a value
    // merged from further left
    if labels_only && !header_below && !cell.is_empty() && cell.merged_from.is_none() {
        return text_field(grid, (r + 1, c));
    }
    right
}

/// True when a text is a word of a table's header (a fund or indicator column, a 总分 row).
fn is_header_word(labels: &Labels, text: &str) -> bool {
    let f = &labels.fund_columns;
    let i = &labels.indicator_columns;
    let sets = [
        &f.initial,
        &f.full,
        &f.executed,
        &f.weight,
        &f.rate,
        &f.score,
        &i.level1,
        &i.level2,
        &i.level3,
        &i.nature,
        &i.target,
        &i.unit,
        &i.actual,
        &i.weight,
        &i.score,
        &i.reason,
    ];
    !text.is_empty()
        && (sets.iter().any(|s| crate::labels::strength(s, text) > 0) || labels.fields.total_row.is_clean(text))
}

/// Trims a text field's value the way names are compared (no inner whitespace).
pub fn name_key(f: &Field<String>) -> Option<String> {
    f.value.as_deref().map(jixiao_text::normalize::norm).filter(|s| !s.is_empty())
}

/// Splits a leading project code off a name: `51000021R000000019951-工资性支出` →
/// (`51000021R000000019951`, `工资性支出`). Codes are long runs of digits and capitals.
pub fn split_code(mut name: Field<String>) -> (Option<String>, Field<String>) {
    let Some(v) = name.value.clone() else { return (None, name) };
    if let Some((code, rest)) = v.split_once(['-', '－', '—']) {
        let code = code.trim();
        let is_code = code.len() >= 8
            && code.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            && code.chars().any(|c| c.is_ascii_digit());
        if is_code && !rest.trim().is_empty() {
            name.value = Some(rest.trim().to_string());
            return (Some(code.to_string()), name);
        }
    }
    (None, name)
}
