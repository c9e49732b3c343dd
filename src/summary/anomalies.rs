//! 疑点清单: every finding, error → warning → info, then department and project, each
//! with its file (a link that opens the source at the cell), sheet and cell.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::config::Severity;
use crate::summary::{Col, Ctx, Formats, V, file_link, severity_zh, table};

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let cols = [
        Col("级别", 6.0),
        Col("规则", 24.0),
        Col("规则名称", 18.0),
        Col("部门", 24.0),
        Col("项目", 30.0),
        Col("说明", 60.0),
        Col("文件", 34.0),
        Col("工作表", 12.0),
        Col("单元格", 8.0),
        Col("应为", 10.0),
        Col("实为", 10.0),
    ];
    let rows = ctx.data.anomalies.iter().enumerate().map(|(i, a)| {
        let style: fn(&Formats) -> &rust_xlsxwriter::Format = match a.severity {
            Severity::Error => |f| &f.error,
            Severity::Warning => |f| &f.warning,
            Severity::Info => |f| &f.info,
        };
        vec![
            V::Styled(severity_zh(a.severity).to_string(), style),
            V::Text(a.rule.to_string()),
            V::Text(crate::rules::name_of(a.rule).to_string()),
            V::Text(a.department.clone()),
            V::Text(a.project.clone()),
            V::Text(a.message.clone()),
            file_link(ctx, i, &a.path, &a.sheet, &a.cell),
            V::Text(a.sheet.clone()),
            V::Text(a.cell.clone()),
            V::Score(a.expected),
            V::Score(a.actual),
        ]
    });
    table(ws, "疑点清单", ctx.fmts, &cols, rows)?;
    Ok(())
}
