//! 基础数据: form A, staffing and spending-control lines with their parents.

use rust_xlsxwriter::{Worksheet, XlsxError};

use crate::summary::{Col, Ctx, V, table};

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let cols = [
        Col("部门", 26.0),
        Col("年度", 7.0),
        Col("项目", 30.0),
        Col("上级项目", 24.0),
        Col("上年决算数(万元)", 14.0),
        Col("本年预算数(万元)", 14.0),
        Col("本年决算数(万元)", 14.0),
        Col("文件", 30.0),
        Col("工作表", 12.0),
        Col("行", 6.0),
    ];
    let rows = ctx.data.basics.iter().flat_map(|b| {
        let staff = [("编制数", &b.staff_authorized), ("实际在职人数", &b.staff_actual), ("控制率", &b.staff_rate)]
            .into_iter()
            .filter(|(_, f)| f.at.is_some())
            .map(move |(item, f)| {
                let value = if item == "控制率" { V::Pct(f.get()) } else { V::Score(f.get()) };
                vec![
                    V::Text(b.department.clone()),
                    V::Int(b.year.map(i64::from)),
                    V::Text(item.into()),
                    V::Text("财政供养人员情况".into()),
                    V::Text(String::new()),
                    V::Text(String::new()),
                    value,
                    V::Text(b.path.clone()),
                    V::Text(b.sheet.clone()),
                    V::Int(f.at.map(|p| p.0 as i64 + 1)),
                ]
            });
        let lines = b.lines.iter().map(move |l| {
            vec![
                V::Text(b.department.clone()),
                V::Int(b.year.map(i64::from)),
                V::Text(l.item.clone()),
                V::Text(l.parent.clone().unwrap_or_default()),
                V::Wan(l.prev_final.get()),
                V::Wan(l.budget.get()),
                V::Wan(l.final_.get()),
                V::Text(b.path.clone()),
                V::Text(b.sheet.clone()),
                V::Int(Some(l.row as i64 + 1)),
            ]
        });
        staff.chain(lines)
    });
    table(ws, "基础数据", ctx.fmts, &cols, rows)?;
    Ok(())
}
