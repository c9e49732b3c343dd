//! `jixiao explain FILE`: what the reader found in one workbook, and where, and why not.
//!
//! What a user runs when a number or a form is missing from the summary: for each sheet the
//! forms found (kind, anchor cell, title, year), each table's header row with the column →
//! field mapping and the label text that matched, the unit in force, the rows skipped as
//! placeholders and why, and, for a sheet with no form, the closest candidates. It runs the
//! same locate and extract functions as `jixiao run`, so what it prints is what a run reads.

use jixiao_text::values::number::fmt_number;
use std::fmt::Write as _;

use crate::config::Config;
use jixiao_forms::extract::{funds, indicators};
use jixiao_forms::labels::Labels;
use jixiao_forms::locate::{Located, locate};
use jixiao_forms::model::{FormKind, Pos, a1};
use jixiao_reader::grid::Grid;
use jixiao_reader::read::{Document, read_file};

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("{path}: {reason}")]
    Unreadable { path: String, reason: String },
}

/// Reads `path` and describes every sheet (plain text, Chinese labels).
pub fn explain_file(path: &std::path::Path, config: &Config) -> Result<String, ExplainError> {
    let shown = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|cause| ExplainError::Io { path: shown.clone(), cause })?;
    let unreadable =
        |e: jixiao_reader::ReadError| ExplainError::Unreadable { path: shown.clone(), reason: e.chinese() };
    let (grids, word) = match read_file(&bytes, &config.limits.read_limits()).map_err(unreadable)? {
        Document::Sheets(w, _) => (w.grids, false),
        // a Word report: its paragraphs and tables in reading order, as one grid
        Document::Word(doc) => (vec![doc.grid], true),
        Document::NotRead(_, why) => return Err(unreadable(why)),
    };
    let mut out = if word {
        format!("文件 {shown}：Word 文档，段落与表格按阅读顺序排成一个表（下面的单元格地址按此排列）\n")
    } else {
        format!("文件 {shown}：{} 个工作表\n", grids.len())
    };
    for grid in &grids {
        out.push('\n');
        out.push_str(&explain_sheet(grid, &config.labels, &shown.replace('\\', "/")));
    }
    out.push_str(HOW_TO_ADD);
    Ok(out)
}

/// How a user teaches the reader a wording it does not know.
const HOW_TO_ADD: &str = "
表头或标签没有识别时，可以自己加同义词：新建一个 TOML 文件（如 my.toml），写入
  [labels.indicator_columns]
  target = [\"考核目标值\"]
  [labels.fund_columns]
  full = [\"批复预算数\"]
（键名见 config/labels.toml：表单名称 [labels.forms]，资金表列 [labels.fund_columns]，资金来源行
[labels.fund_sources]，指标表列 [labels.indicator_columns]，总分行 [labels.fields] total_row）。
表头按词匹配：写下最短而不会混淆的词即可。所加的同义词追加在内置的之后，不会替换它们。
然后用 jixiao explain 文件 --config my.toml 检查，再 jixiao run 目录 --config my.toml。
";

/// Describes one sheet.
pub fn explain_grid(grid: &Grid, labels: &Labels) -> String {
    explain_sheet(grid, labels, "")
}

/// Describes one sheet of the file at `path` (its name and folders may give the year):
/// its blocks when it holds forms side by side, then each form.
pub fn explain_sheet(grid: &Grid, labels: &Labels, path: &str) -> String {
    let mut out = String::new();
    let area = if grid.height == 0 {
        "空".to_string()
    } else {
        format!("{}:{}", a1((grid.top, grid.left)), a1((grid.bottom() - 1, grid.right() - 1)))
    };
    let _ = writeln!(out, "工作表「{}」（{area}）", grid.sheet);
    let blocks = jixiao_forms::layout::blocks(grid, labels);
    if blocks.len() > 1 {
        let names: Vec<String> = blocks.iter().map(|b| jixiao_forms::extract::columns_name(b.left, b.right)).collect();
        let _ = writeln!(
            out,
            "  并排的 {} 个区块，各自成表分开读：{}（以整列空白、且两侧各有表单名称或标题为界）",
            blocks.len(),
            names.join("、")
        );
        let mut n = 0;
        for (b, name) in blocks.iter().zip(&names) {
            let block = grid.columns(b.left, b.right);
            let forms = locate(&block, labels);
            let _ = writeln!(out, "  区块 {name}：{} 个表单", forms.len());
            for form in &forms {
                n += 1;
                describe_form(&mut out, &block, labels, form, n, path);
            }
        }
        return out;
    }
    let forms = locate(grid, labels);
    if forms.is_empty() {
        out.push_str("  没有找到表单。\n");
        out.push_str(&candidates(grid, labels));
        return out;
    }
    for (i, form) in forms.iter().enumerate() {
        describe_form(&mut out, grid, labels, form, i + 1, path);
    }
    out
}

fn kind_name(kind: FormKind) -> &'static str {
    match kind {
        FormKind::Basic => "基础数据表（表A）",
        FormKind::Department => "部门整体支出绩效自评表（表B）",
        FormKind::Project => "项目支出绩效自评表（表C）",
    }
}

fn cell_text(grid: &Grid, pos: Pos) -> String {
    grid.get(pos).text().replace('\n', " ")
}

fn describe_form(out: &mut String, grid: &Grid, labels: &Labels, form: &Located, n: usize, path: &str) {
    let _ = writeln!(
        out,
        "  表单 {n}：{}，标签「{}」在 {}，第 {}–{} 行",
        kind_name(form.kind),
        cell_text(grid, form.anchor),
        a1(form.anchor),
        form.start.0 + 1,
        form.end_row
    );
    if form.start != form.anchor {
        let _ = writeln!(out, "    标题「{}」在 {}", cell_text(grid, form.start), a1(form.start));
    }
    if let Some((label, value)) = jixiao_forms::layout::inline_pair(grid.get(form.anchor))
        && !value.is_empty()
    {
        let _ = writeln!(out, "    名称与标签在同一格：「{label}」→「{value}」");
    }
    let file_name = path.rsplit('/').next().unwrap_or(path);
    match jixiao_forms::layout::year(form.year, &grid.sheet, path) {
        Some((y, from)) => {
            let _ = writeln!(out, "    年度：{y}（取自{}）", from.chinese());
        }
        None => {
            let _ =
                writeln!(out, "    年度：标题、工作表名、文件名「{file_name}」和文件夹名中都没有找到（如“2022年度”）");
        }
    }
    if form.kind == FormKind::Basic {
        return;
    }
    let rows = form.anchor.0..form.end_row;
    let fund = funds::extract(grid, labels, rows.clone(), form.start.0);
    match &fund {
        Some(t) => {
            let unit = match t.unit_at {
                Some(at) => format!("{}（{}「{}」）", t.unit.chinese(), a1(at), cell_text(grid, at)),
                None => format!("{}（未声明，按默认）", t.unit.chinese()),
            };
            let _ = writeln!(out, "    资金表：表头在第 {} 行，金额单位 {unit}", t.header_row + 1);
            let c = &t.cols;
            let roles = [
                ("年初预算数", "initial", c.initial),
                ("全年预算数", "full", c.full),
                ("全年执行数", "executed", c.executed),
                ("分值", "weight", c.weight),
                ("执行率", "rate", c.rate),
                ("得分", "score", c.score),
            ];
            mapping(out, grid, t.header_row, &roles);
            for f in &t.rows {
                let _ = writeln!(out, "      第 {} 行「{}」→ 资金来源 {}", f.row + 1, f.label, f.source);
            }
            if let Some(total) = t.rows.iter().find(|f| f.source == "total")
                && total.weight.at.is_some_and(|at| at.0 == t.header_row)
            {
                let _ = writeln!(out, "      预算执行分值取自表头所标的分数：{}", total.weight.raw.replace('\n', " "));
            }
        }
        None => out.push_str("    资金表：没有找到（需要同时有“全年预算数/年初预算数”和“全年执行数”的表头行）\n"),
    }
    let from = fund.as_ref().map(|f| f.last_row + 1).unwrap_or(form.anchor.0);
    match indicators::extract(grid, labels, from..form.end_row) {
        Some(t) => {
            if t.band_end > t.header_row {
                let _ = writeln!(
                    out,
                    "    指标表：表头占第 {}–{} 行（两行表头，逐列合为一个标签读），读到 {} 个指标",
                    t.header_row + 1,
                    t.band_end + 1,
                    t.rows.len()
                );
            } else {
                let _ = writeln!(out, "    指标表：表头在第 {} 行，读到 {} 个指标", t.header_row + 1, t.rows.len());
            }
            let c = &t.cols;
            let roles = [
                ("一级指标", "level1", c.level1),
                ("二级指标", "level2", c.level2),
                ("三级指标", "level3", Some(c.level3)),
                ("指标性质", "nature", c.nature),
                ("年度指标值", "target", c.target),
                ("度量单位", "unit", c.unit),
                ("实际完成值", "actual", c.actual),
                ("分值", "weight", c.weight),
                ("得分", "score", c.score),
                ("偏差原因", "reason", c.reason),
            ];
            mapping(out, grid, t.header_row, &roles);
            for s in &t.sections {
                if let Some(d) = s.declared {
                    let _ = writeln!(out, "      一级指标「{}」标明 {} 分（{}）", s.level1, d, a1(s.at));
                }
            }
            // runs of rows skipped for the same reason on one line: 跳过第 60–64 行
            let mut i = 0;
            while i < t.skipped.len() {
                let (first, why) = t.skipped[i];
                let mut last = first;
                while i + 1 < t.skipped.len() && t.skipped[i + 1] == (last + 1, why) {
                    i += 1;
                    last += 1;
                }
                let rows =
                    if last > first { format!("{}–{}", first + 1, last + 1) } else { format!("{}", first + 1) };
                let _ = writeln!(out, "      跳过第 {rows} 行：{why}");
                i += 1;
            }
            match t.total_row {
                Some(r) => {
                    let show = |f: &jixiao_forms::model::Field<f64>| match (f.value, f.at) {
                        (Some(v), Some(at)) => format!("{}={}", a1(at), fmt_number(v)),
                        _ => "未填".to_string(),
                    };
                    let _ = writeln!(
                        out,
                        "    总分行：第 {} 行，分值 {}，得分 {}",
                        r + 1,
                        show(&t.weight_total),
                        show(&t.score_total)
                    );
                }
                None => out.push_str("    总分行：没有找到（标签如“总分”“合计”）\n"),
            }
        }
        None => out.push_str("    指标表：没有找到（需要有“三级指标”和“分值”或“得分”的表头行）\n"),
    }
}

/// Prints a header's column → field mapping, then the header cells no field took.
fn mapping(out: &mut String, grid: &Grid, row: u32, roles: &[(&str, &str, Option<u32>)]) {
    for (name, key, col) in roles {
        match col {
            Some(c) => {
                let _ = writeln!(out, "      {}「{}」→ {name}（{key}）", a1((row, *c)), cell_text(grid, (row, *c)));
            }
            None => {
                let _ = writeln!(out, "      {name}（{key}）：无此列");
            }
        }
    }
    let used: Vec<u32> = roles.iter().filter_map(|r| r.2).collect();
    let unused: Vec<String> = grid
        .row_cells(row, grid.left)
        .filter(|(c, cell)| !used.contains(c) && !cell.clean().is_empty())
        .map(|(c, _)| format!("{}「{}」", a1((row, c)), cell_text(grid, (row, c))))
        .collect();
    if !unused.is_empty() {
        let _ = writeln!(out, "      未对应到字段的表头：{}", unused.join("、"));
    }
}

/// For a sheet with no form: tables and titles that look like part of one.
fn candidates(grid: &Grid, labels: &Labels) -> String {
    let mut out = String::new();
    let mut found = 0;
    for r in grid.top..grid.bottom() {
        if found >= 5 {
            break;
        }
        if let Some(c) = indicators::header(grid, r, &labels.indicator_columns) {
            let _ = writeln!(
                out,
                "  最接近的：三级指标/得分表头在 {}，但其上方没有表单名称标签（{}）",
                a1((r, c.level3)),
                name_labels(labels)
            );
            found += 1;
        } else if funds::header(grid, r, &labels.fund_columns).is_some() {
            let first = grid.row_cells(r, grid.left).next().map(|(c, _)| c).unwrap_or(grid.left);
            let _ = writeln!(
                out,
                "  最接近的：资金表表头在第 {} 行（{}），但其上方没有表单名称标签（{}）",
                r + 1,
                a1((r, first)),
                name_labels(labels)
            );
            found += 1;
        } else if let Some((c, cell)) =
            grid.row_cells(r, grid.left).find(|(_, cell)| labels.forms.title_marker.found_in(cell.norm()))
            && cell.norm().chars().count() <= 40
        {
            let _ = writeln!(
                out,
                "  最接近的：{} 像表单标题「{}」，但其下没有表单名称标签",
                a1((r, c)),
                cell_text(grid, (r, c))
            );
            found += 1;
        }
    }
    if found == 0 {
        out.push_str("  也没有像表头或标题的行（这个工作表可能不是自评表）。\n");
    }
    out
}

fn name_labels(labels: &Labels) -> String {
    let mut v: Vec<&str> = labels.forms.project.synonyms().iter().map(String::as_str).take(2).collect();
    v.extend(labels.forms.department.synonyms().iter().map(String::as_str).take(2));
    v.iter().map(|s| format!("“{s}”")).collect::<Vec<_>>().join("、")
}
