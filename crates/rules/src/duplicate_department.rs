//! DUPLICATE_DEPARTMENT: a department's form A or B handed in more than once.

use crate::anomaly::Anomaly;
use crate::rule::{BatchForms, Ctx, place};
use jixiao_forms::model::FormKind;

/// Fires on every form B and form A that does not count because another form of the same
/// kind claims the same (year, department) and was chosen as the version that counts
/// (`crate::versions`: the file modified last). A corrected 修改版 or a re-formatted copy
/// would otherwise rank the department twice. Points at the start of the form that does not
/// count, and names the file that does.
pub fn check(forms: &BatchForms, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let evals = forms.evaluations;
    for (e, winner) in evals.iter().zip(forms.superseded) {
        if e.form != FormKind::Department {
            continue;
        }
        let Some(counted) = winner.and_then(|w| evals.get(w as usize)) else { continue };
        let message = format!(
            "部门“{}”{}的部门整体支出绩效自评表重复报送：以{}{}为准，本表不计入排名",
            e.department.as_deref().unwrap_or(""),
            year(e.year),
            counted.path(),
            place(counted.path(), counted.sheet(), counted.start)
        );
        out.push(ctx.flag_summary(e, Some(e.start), message));
    }
    let basics = forms.basics;
    for (b, winner) in basics.iter().zip(forms.basic_superseded) {
        let Some(counted) = winner.and_then(|w| basics.get(w as usize)) else { continue };
        let message = format!(
            "部门“{}”{}的基础数据表重复报送：以{}{}为准，本表不计入合计",
            b.department,
            year(b.year),
            counted.path,
            place(&counted.path, &counted.sheet, counted.start)
        );
        out.push(ctx.flag_basic_summary(b, message));
    }
}

fn year(y: Option<i32>) -> String {
    y.map(|y| format!("{y}年度")).unwrap_or_default()
}
