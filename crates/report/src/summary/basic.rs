//! 基础数据: form A, staffing and spending-control lines with their parents.
//! Streamed as files are processed (see `SummaryWriter::add`).

use crate::summary::{Col, V};
use jixiao_forms::model::BasicForm;

pub const COLS: &[Col] = &[
    Col("部门", 16.0),
    Col("年度", 5.0),
    Col("项目", 24.0),
    Col("上级项目", 16.0),
    Col("上年决算数(万元)", 11.0),
    Col("本年预算数(万元)", 11.0),
    Col("本年决算数(万元)", 11.0),
    Col("人数", 8.0),
    Col("控制率", 8.0),
    Col("文件", 30.0),
    Col("工作表", 12.0),
    Col("行", 6.0),
];

/// A headcount: a whole number with thousands separators; a fractional one as it is.
fn count(x: Option<f64>) -> V {
    match x {
        Some(x) if x.fract() != 0.0 => V::Score(Some(x)),
        x => V::Count(x.map(|x| x as i64)),
    }
}

/// The sheet's rows for one form A: staffing first, then the spending lines.
pub fn rows(b: &BasicForm) -> Vec<Vec<V>> {
    let staff = [("编制数", &b.staff_authorized), ("实际在职人数", &b.staff_actual), ("控制率", &b.staff_rate)]
        .into_iter()
        .filter(|(_, f)| f.at.is_some())
        .map(|(item, f)| {
            // headcounts and the control rate each have a column of their own, never the 万元
            // ones: a column holds one kind of number, so it sums and formats as one
            let (heads, rate) = if item == "控制率" {
                (V::Text(String::new()), V::Pct(f.get()))
            } else {
                (count(f.get()), V::Text(String::new()))
            };
            vec![
                V::Text(b.department.clone()),
                V::Int(b.year.map(i64::from)),
                V::Text(item.into()),
                V::Text("财政供养人员情况".into()),
                V::Text(String::new()),
                V::Text(String::new()),
                V::Text(String::new()),
                heads,
                rate,
                V::Text(b.path.clone()),
                V::Text(b.sheet.clone()),
                V::Int(f.at.map(|p| p.0 as i64 + 1)),
            ]
        });
    let lines = b.lines.iter().map(|l| {
        vec![
            V::Text(b.department.clone()),
            V::Int(b.year.map(i64::from)),
            V::Text(l.item.clone()),
            V::Text(l.parent.clone().unwrap_or_default()),
            V::Wan(l.prev_final.get()),
            V::Wan(l.budget.get()),
            V::Wan(l.final_.get()),
            V::Text(String::new()),
            V::Text(String::new()),
            V::Text(b.path.clone()),
            V::Text(b.sheet.clone()),
            V::Int(Some(l.row as i64 + 1)),
        ]
    });
    staff.chain(lines).collect()
}
