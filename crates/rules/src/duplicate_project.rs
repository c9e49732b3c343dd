//! DUPLICATE_PROJECT: the same project reported in more than one form.

use crate::anomaly::Anomaly;
use crate::rule::{BatchForms, Ctx, place};
use jixiao_forms::model::FormKind;

/// Fires, across the whole batch, on every project form that does not count because
/// another form has the same (year, department, project) — names compared without
/// whitespace — and was chosen as the version that counts (`crate::versions`: the file
/// modified last, the first form within a file). Files that are byte-identical copies are
/// DUPLICATE_FILE's business and are not seen here. Points at the project name of the
/// form that does not count, and names the one that does.
pub fn check(forms: &BatchForms, ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let evals = forms.evaluations;
    for (e, winner) in evals.iter().zip(forms.superseded) {
        if e.form != FormKind::Project {
            continue;
        }
        let Some(counted) = winner.and_then(|w| evals.get(w as usize)) else { continue };
        let message = format!(
            "项目“{}”重复填报：以{}{}为准，本表不计入排名",
            e.project.as_deref().unwrap_or(""),
            counted.path(),
            place(counted.path(), counted.sheet(), counted.start)
        );
        out.push(ctx.flag_summary(e, e.project_at, message));
    }
}
