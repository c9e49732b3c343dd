//! 文件清单: every input file, with its status and, when it failed, why (in Chinese). A
//! file whose forms lost to a newer version of the same department's or project's forms
//! (`jixiao_rules::versions`) says so, and names the file that counts instead.

use std::collections::HashMap;

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::summary::{Col, Ctx, HEAD_ROWS, Layout, V, file_link, table};
use jixiao_rules::FileStatus;
use rust_xlsxwriter::{ConditionalFormatCell, ConditionalFormatCellRule};

pub fn status_zh(s: FileStatus) -> &'static str {
    match s {
        FileStatus::Ok => "正常",
        FileStatus::NoForm => "未找到自评表",
        FileStatus::Failed => "读取失败",
        FileStatus::Duplicate => "重复文件",
        FileStatus::Skipped => "未读取",
    }
}

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let cols = [
        Col("文件", 30.0),
        Col("状态", 9.0),
        Col("原因", 40.0),
        Col("以此文件为准", 24.0),
        Col("表数", 5.0),
        Col("工作表数", 6.0),
        Col("大小(KB)", 7.0),
        Col("SHA-256", 20.0),
        Col("所属系统", 20.0),
    ];
    // the Chinese reason of a failed file is its UNREADABLE_FILE message
    let mut reasons: HashMap<&str, &str> = HashMap::new();
    for a in &ctx.data.anomalies {
        if matches!(a.rule, "UNREADABLE_FILE" | "DUPLICATE_FILE" | "NO_FORM_FOUND") {
            reasons.entry(a.path.as_str()).or_insert(a.message.as_str());
        }
    }
    let reason_zh = |path: &str| reasons.get(path).map(|s| s.to_string());
    let superseded = &ctx.data.superseded_files;
    // a file's 系统 may follow its department (a map file, a roster)
    let mut file_department: HashMap<&str, &str> = HashMap::new();
    for e in &ctx.data.evaluations {
        if let Some(d) = e.department.as_deref() {
            file_department.entry(e.path()).or_insert(d);
        }
    }
    let rows = ctx.data.files.iter().enumerate().map(|(i, f)| {
        let (status, reason, by) = match superseded.get(&f.path) {
            Some(s) => {
                let by = s.by.iter().cloned().collect::<Vec<_>>().join("；");
                let status = if s.forms as i32 >= f.forms { "已被替代" } else { "部分表被替代" };
                let reason = format!(
                    "{}张表另有同一年度、同一部门（项目）的版本，以{by}为准，本文件中的这些表不计入排名",
                    s.forms
                );
                (status, Some(reason), by)
            }
            None => (status_zh(f.status), reason_zh(&f.path).or(f.error.clone()), String::new()),
        };
        vec![
            file_link(ctx, i, &f.path, "", ""),
            V::Text(status.into()),
            V::Text(reason.unwrap_or_default()),
            V::Text(by),
            V::Count(Some(f.forms as i64)),
            V::Count(Some(f.sheets as i64)),
            V::Score(Some(f.bytes as f64 / 1024.0)),
            V::Text(f.sha256.clone()),
            V::Text(ctx.extras.systems.of(&f.path, file_department.get(f.path.as_str()).copied())),
        ]
    });
    // printed without SHA-256; the file is what each row is about, so it stays
    let n = table(ws, ctx, "文件清单", &cols, Layout { print_cols: 7, freeze_cols: 1 }, rows)?;
    if n > 0 {
        let failed = ConditionalFormatCell::new()
            .set_rule(ConditionalFormatCellRule::EqualTo("\"读取失败\""))
            .set_format(&ctx.fmts.cf_red);
        ws.add_conditional_format(HEAD_ROWS, 1, HEAD_ROWS + n - 1, 1, &failed)?;
    }
    Ok(())
}
