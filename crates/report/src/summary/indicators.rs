//! 指标明细: every indicator row of every form, with whether its target was met.
//! Streamed as files are processed (see `SummaryWriter::add`).

use crate::summary::{Col, V};
use jixiao_forms::model::Evaluation;

pub const COLS: &[Col] = &[
    Col("部门", 12.0),
    Col("项目", 16.0),
    Col("一级指标", 6.0),
    Col("二级指标", 8.0),
    Col("三级指标", 18.0),
    Col("年度指标值", 12.0),
    Col("实际完成值", 12.0),
    Col("分值", 5.0),
    Col("得分", 5.0),
    Col("是否达成", 6.0),
    Col("偏差原因分析", 18.0),
    Col("文件", 30.0),
    Col("工作表", 12.0),
    Col("行", 6.0),
];

/// The sheet's rows for one form.
pub fn rows(e: &Evaluation) -> Vec<Vec<V>> {
    e.indicators
        .iter()
        .map(|i| {
            let met = match i.met {
                Some(true) => "达成",
                Some(false) => "未达成",
                None => "不可比",
            };
            vec![
                V::Text(e.department.value.clone().unwrap_or_default()),
                V::Text(e.project.value.clone().unwrap_or_default()),
                V::Text(i.level1.clone()),
                V::Text(i.level2.clone()),
                V::Text(i.level3.clone()),
                V::Text(i.target.value.clone().unwrap_or_default()),
                V::Text(i.actual.value.clone().unwrap_or_default()),
                V::Score(i.weight.get()),
                V::Score(i.score.get()),
                V::Text(met.into()),
                V::Text(i.reason.value.clone().unwrap_or_default()),
                V::Text(e.path.clone()),
                V::Text(e.sheet.clone()),
                V::Int(Some(i.row as i64 + 1)),
            ]
        })
        .collect()
}
