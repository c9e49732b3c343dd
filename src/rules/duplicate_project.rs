//! DUPLICATE_PROJECT: the same project reported in more than one form.

use std::collections::BTreeMap;

use crate::model::{Anomaly, EvalSummary, FormKind, a1};
use crate::normalize::norm;
use crate::rules::Ctx;

/// Fires, across the whole batch, on every form after the first that has the same
/// (year, department, project) as another (names compared without whitespace). Files
/// that are byte-identical copies are DUPLICATE_FILE's business and are not seen here.
/// Points at the later form's project name.
pub fn check(evals: &[EvalSummary], ctx: &Ctx, out: &mut Vec<Anomaly>) {
    let mut seen: BTreeMap<(Option<i32>, String, String), &EvalSummary> = BTreeMap::new();
    for e in evals.iter().filter(|e| e.form == FormKind::Project) {
        let Some(project) = e.project.as_deref().map(norm).filter(|p| !p.is_empty()) else { continue };
        let dept = e.department.as_deref().map(norm).unwrap_or_default();
        match seen.get(&(e.year, dept.clone(), project.clone())) {
            Some(first) => {
                let message = format!(
                    "项目“{}”重复填报：另见{}（{}工作表{}）",
                    e.project.as_deref().unwrap_or(""),
                    first.path(),
                    first.sheet(),
                    a1(first.start)
                );
                out.push(ctx.flag_summary(e, e.project_at, message));
            }
            None => {
                seen.insert((e.year, dept, project), e);
            }
        }
    }
}
