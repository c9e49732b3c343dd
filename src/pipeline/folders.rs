//! A department's forms spread over several files of one folder (附件1-2 in one file,
//! 附件1-3 in another): a project form (or form A) in a file without form B takes the
//! department of the form B in its folder, when the folder's files name exactly one
//! (spec §2). Results arrive chunk by chunk in path order, so a folder's files are
//! adjacent; the last folder of a chunk waits for the next chunk, which may hold more of
//! its files, and everything is released when the last file has arrived.

use crate::model::{FileResult, FormKind};
use crate::pipeline::process::parent_dir;

/// The results held back until their folder is complete.
pub struct Folders {
    pending: Vec<FileResult>,
    /// Files still to come; when none are, every folder is complete.
    remaining: usize,
}

impl Folders {
    pub fn new(total: usize) -> Folders {
        Folders { pending: Vec::new(), remaining: total }
    }

    /// Takes a chunk's results (in path order) and returns those whose folder is
    /// complete, departments resolved.
    pub fn push(&mut self, results: Vec<FileResult>) -> Vec<FileResult> {
        self.remaining = self.remaining.saturating_sub(results.len());
        self.pending.extend(results);
        let keep_from = if self.remaining == 0 {
            self.pending.len()
        } else {
            // the last folder may continue in the next chunk
            let last = self.pending.last().map(|r| parent_dir(&r.file.path).to_string());
            self.pending.iter().rposition(|r| Some(parent_dir(&r.file.path)) != last.as_deref()).map_or(0, |i| i + 1)
        };
        let held = self.pending.split_off(keep_from);
        let mut ready = std::mem::replace(&mut self.pending, held);
        let mut start = 0;
        while start < ready.len() {
            let dir = parent_dir(&ready[start].file.path).to_string();
            let end =
                ready[start..].iter().position(|r| parent_dir(&r.file.path) != dir).map_or(ready.len(), |n| start + n);
            resolve_folder(&mut ready[start..end]);
            start = end;
        }
        ready
    }
}

/// Gives the folder's one form-B department to the forms of its files that have no form B.
pub fn resolve_folder(files: &mut [FileResult]) {
    let mut names: Vec<&str> = files
        .iter()
        .flat_map(|r| r.evaluations.iter())
        .filter(|e| e.form == FormKind::Department)
        .filter_map(|e| e.department.value.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    let [name] = names.as_slice() else { return };
    let name = name.to_string();
    for r in files.iter_mut().filter(|r| !r.evaluations.iter().any(|e| e.form == FormKind::Department)) {
        let mut ids = Vec::new();
        for e in r.evaluations.iter_mut().filter(|e| e.form == FormKind::Project) {
            e.department.value = Some(name.clone());
            e.department.raw = name.clone();
            ids.push(e.eval_id.clone());
        }
        for b in &mut r.basics {
            b.department = name.clone();
            ids.push(b.form_id.clone());
        }
        for a in r.anomalies.iter_mut().filter(|a| a.eval_id.as_ref().is_some_and(|id| ids.contains(id))) {
            a.department = name.clone();
        }
    }
}
