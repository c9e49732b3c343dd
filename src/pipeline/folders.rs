//! A department's forms spread over several files of one folder (附件1-2 in one file,
//! 附件1-3 in another): a project form (or form A) in a file without form B takes the
//! department of the form B in its folder, when the folder's files name exactly one
//! (spec §2). Results arrive chunk by chunk in path order, so a folder's files are
//! adjacent: a file without form B waits until its folder is complete (the next chunk may
//! hold more of it) or names a second department; every other file passes at once.

use crate::pipeline::process::parent_dir;
use jixiao_forms::model::FormKind;
use jixiao_rules::FileResult;

/// The files of the folder being filled that wait for its department. Only files without
/// a form B wait, and only while the folder names at most one department: a big flat folder
/// of many departments' workbooks holds almost nothing, so memory stays flat however many
/// files a folder has.
pub struct Folders {
    current: Option<Folder>,
    /// Files still to come; when none are, every folder is complete.
    remaining: usize,
}

struct Folder {
    dir: String,
    /// Its form-B departments so far, at most two (two already mean "no single one").
    names: Vec<String>,
    waiting: Vec<FileResult>,
}

impl Folder {
    /// The waiting files, given the folder's department when it has exactly one.
    fn release(&mut self) -> Vec<FileResult> {
        let mut out = std::mem::take(&mut self.waiting);
        if let [name] = self.names.as_slice() {
            assign(&mut out, name);
        }
        out
    }
}

impl Folders {
    pub fn new(total: usize) -> Folders {
        Folders { current: None, remaining: total }
    }

    /// Takes a chunk's results (in path order, so a folder's files are adjacent) and
    /// returns those that are final: files with a form B at once, the others when their
    /// folder is complete or names two departments.
    pub fn push(&mut self, results: Vec<FileResult>) -> Vec<FileResult> {
        self.remaining = self.remaining.saturating_sub(results.len());
        let mut ready = Vec::with_capacity(results.len());
        for r in results {
            let dir = parent_dir(&r.file.path);
            if self.current.as_ref().is_none_or(|f| f.dir != dir) {
                if let Some(mut done) = self.current.take() {
                    ready.extend(done.release());
                }
                self.current = Some(Folder { dir: dir.to_string(), names: Vec::new(), waiting: Vec::new() });
            }
            let Some(folder) = self.current.as_mut() else { continue };
            let own: Vec<&str> = r
                .evaluations
                .iter()
                .filter(|e| e.form == FormKind::Department)
                .filter_map(|e| e.department.value.as_deref())
                .collect();
            for name in &own {
                if folder.names.len() < 2 && !folder.names.iter().any(|n| n == name) {
                    folder.names.push(name.to_string());
                }
            }
            let has_form_b = r.evaluations.iter().any(|e| e.form == FormKind::Department);
            if has_form_b || folder.names.len() >= 2 {
                ready.push(r);
            } else {
                folder.waiting.push(r);
            }
            // two departments: nobody waiting can be given one
            if folder.names.len() >= 2 {
                ready.extend(folder.release());
            }
        }
        if self.remaining == 0
            && let Some(mut done) = self.current.take()
        {
            ready.extend(done.release());
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
    assign(files, &name);
}

/// Gives `name` to the project forms, form A and findings of the files without a form B.
fn assign(files: &mut [FileResult], name: &str) {
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
