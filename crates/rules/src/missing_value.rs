//! MISSING_VALUE: a cell the forms require is blank.

use crate::anomaly::Anomaly;
use crate::rule::Ctx;
use jixiao_forms::model::{Evaluation, Field, FormKind};

/// Fires once per blank required cell: project name (form C), department name (form B;
/// 主管部门 on form C), the fund table's 全年预算数 / 全年执行数 / 得分, each indicator's
/// 实际完成值 / 分值 / 得分, the 总分 得分, 填表人 and 填报日期. A footer field the template
/// does not have at all (no `填表人` label) is not "blank". Points at the blank cell.
pub fn check(e: &Evaluation, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let mut blank = |what: String, f: &dyn Blank| {
        if let Some(at) = f.blank_at() {
            out.push(ctx.flag(e, Some(at), format!("{what}未填写"), None, None));
        }
    };
    match e.form {
        FormKind::Project => {
            blank("项目名称".into(), &e.project);
            blank("主管部门".into(), &e.supervisor);
        }
        _ => blank("部门名称".into(), &e.department),
    }
    if let Some(t) = e.total_fund() {
        blank("资金表全年预算数".into(), &t.full);
        blank("资金表全年执行数".into(), &t.executed);
        blank("资金表得分".into(), &t.score);
    }
    for i in &e.indicators {
        blank(format!("指标“{}”实际完成值", i.level3), &i.actual);
        blank(format!("指标“{}”分值", i.level3), &i.weight);
        blank(format!("指标“{}”得分", i.level3), &i.score);
    }
    blank("总分得分".into(), &e.score_total);
    blank("填表人".into(), &e.filled_by);
    blank("填报日期".into(), &e.filled_date);
}

/// A field that is blank where it sits: it has a place (`at`) and nothing in it.
trait Blank {
    fn blank_at(&self) -> Option<jixiao_forms::model::Pos>;
}

impl<T: Clone> Blank for Field<T> {
    fn blank_at(&self) -> Option<jixiao_forms::model::Pos> {
        if self.is_blank() && self.note == jixiao_forms::model::Note::None { self.at } else { None }
    }
}
