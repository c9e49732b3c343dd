//! The run's state as results arrive, one file at a time in path order: the file log,
//! a summary of every form, the anomalies; identical files set aside (DUPLICATE_FILE);
//! at the end, the versions that count (`jixiao_rules::versions`), the batch rules
//! (DUPLICATE_PROJECT, DUPLICATE_DEPARTMENT), the findings of superseded versions set apart
//! and the anomalies' order.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::time::SystemTime;

use chrono::NaiveDate;

use crate::settings::Settings;
use jixiao_forms::model::{BasicSummary, EvalSummary, FormKind};
use jixiao_rules::BatchForms;
use jixiao_rules::file_anomaly;
use jixiao_rules::versions::{Claim, Superseded, choose, superseded_files};
use jixiao_rules::{Anomaly, FileRecord, FileResult, FileStatus};

/// What the run keeps in memory: small per file and per form, whatever the corpus size.
#[derive(Debug, Default)]
pub struct Batch {
    pub files: Vec<FileRecord>,
    pub evaluations: Vec<EvalSummary>,
    pub basic_forms: usize,
    pub basics: Vec<BasicSummary>,
    /// The findings. After [`Batch::finish`], only those that count: a finding of a
    /// superseded version has moved to `superseded_anomalies`, so that every count made of
    /// this list counts a finding once, in the version that counts.
    pub anomalies: Vec<Anomaly>,
    /// Set by [`Batch::finish`]: the findings of superseded versions (their `eval_id` is a
    /// form another version of which counts, DUPLICATE_DEPARTMENT / DUPLICATE_PROJECT
    /// included), listed apart and never counted.
    pub superseded_anomalies: Vec<Anomaly>,
    /// Per evaluation (same order): the evaluation that counts instead of it, when it is a
    /// superseded version. Set by [`Batch::finish`].
    pub superseded: Vec<Option<u32>>,
    /// The same for `basics`.
    pub basic_superseded: Vec<Option<u32>>,
    /// Files some of whose forms were superseded by another file's, by path.
    pub superseded_files: BTreeMap<String, Superseded>,
    /// INPUT_DIR, to read each file's modification time; none for results held in memory.
    root: Option<PathBuf>,
    modified: HashMap<String, SystemTime>,
    first_by_hash: HashMap<String, String>,
}

impl Batch {
    /// A batch over files under `root`, whose modification times decide which version of a
    /// form counts.
    pub fn new(root: Option<PathBuf>) -> Batch {
        Batch { root, ..Batch::default() }
    }

    /// Whether the evaluation at `i` counts (is not a superseded version).
    pub fn counts(&self, i: usize) -> bool {
        self.superseded.get(i).is_none_or(|w| w.is_none())
    }

    /// The evaluations that count, in order.
    pub fn counted(&self) -> impl Iterator<Item = &EvalSummary> {
        self.evaluations.iter().enumerate().filter(|(i, _)| self.counts(*i)).map(|(_, e)| e)
    }

    /// The eval ids (and form A ids) of forms that do not count.
    pub fn superseded_ids(&self) -> std::collections::HashSet<&str> {
        let evals =
            self.evaluations.iter().zip(&self.superseded).filter(|(_, w)| w.is_some()).map(|(e, _)| e.eval_id());
        let basics = self.basics.iter().zip(&self.basic_superseded).filter(|(_, w)| w.is_some());
        evals.chain(basics.map(|(b, _)| &*b.form_id)).collect()
    }

    /// For each form that does not count (eval id, or form A id): the path of the file
    /// whose version counts instead.
    pub fn superseded_by(&self) -> HashMap<&str, &str> {
        let evals = self.evaluations.iter().zip(&self.superseded).filter_map(|(e, w)| {
            let winner = self.evaluations.get((*w)? as usize)?;
            Some((e.eval_id(), winner.path()))
        });
        let basics = self.basics.iter().zip(&self.basic_superseded).filter_map(|(b, w)| {
            let winner = self.basics.get((*w)? as usize)?;
            Some((&*b.form_id, &*winner.path))
        });
        evals.chain(basics).collect()
    }

    /// Every finding, with whether it belongs to a superseded version, in the order people
    /// read them (for `anomalies.parquet`, which keeps them all).
    pub fn all_anomalies(&self) -> Vec<(&Anomaly, bool)> {
        let mut all: Vec<(&Anomaly, bool)> = self.anomalies.iter().map(|a| (a, false)).collect();
        all.extend(self.superseded_anomalies.iter().map(|a| (a, true)));
        all.sort_by(|x, y| reading_order(x.0, y.0));
        all
    }

    /// Takes one file's result, in path order. Returns it when its forms count; a
    /// byte-identical copy of an earlier file is marked `duplicate` and its forms are
    /// not counted again.
    pub fn add(&mut self, mut r: FileResult, config: &Settings) -> Option<FileResult> {
        let hashed = !r.file.sha256.is_empty() && r.file.status != FileStatus::Failed;
        let dup_of = if hashed { self.first_by_hash.get(&r.file.sha256).cloned() } else { None };
        if let Some(original) = dup_of {
            r.file.status = FileStatus::Duplicate;
            r.file.error = Some(format!("same content as {original}"));
            let message = format!("与{original}内容完全相同，其中的表不重复计入排名和合计");
            let mut found = file_anomaly(&config.checks, "DUPLICATE_FILE", &r.file.path, message);
            // the department of the file that counts, when it has one
            let dept =
                self.evaluations.iter().find(|e| e.path() == original.as_str()).and_then(|e| e.department.clone());
            if let (Some(a), Some(d)) = (found.as_mut(), dept) {
                a.department = d.to_string();
            }
            self.anomalies.extend(found);
            self.files.push(r.file);
            return None;
        }
        if hashed {
            self.first_by_hash.insert(r.file.sha256.clone(), r.file.path.clone());
        }
        // the time decides which version of a form counts; read each run, never cached
        let meta = self.root.as_ref().and_then(|root| std::fs::metadata(root.join(&r.file.path)).ok());
        if let Some(t) = meta.and_then(|m| m.modified().ok()) {
            self.modified.insert(r.file.path.clone(), t);
        }
        self.evaluations.extend(r.evaluations.iter().map(EvalSummary::of));
        self.basics.extend(r.basics.iter().map(BasicSummary::of));
        self.basic_forms += r.basics.len();
        self.anomalies.append(&mut r.anomalies);
        self.files.push(r.file.clone());
        Some(r)
    }

    /// Chooses the versions that count, runs the batch rules, sets the findings of
    /// superseded versions apart and puts the anomalies in the order people read them.
    pub fn finish(&mut self, config: &Settings, run_date: NaiveDate) {
        self.choose_versions(config);
        let forms = BatchForms {
            evaluations: &self.evaluations,
            superseded: &self.superseded,
            basics: &self.basics,
            basic_superseded: &self.basic_superseded,
        };
        let found = jixiao_rules::check_batch(&forms, &config.checks, run_date);
        self.anomalies.extend(found);
        let apart: HashSet<String> = self.superseded_ids().into_iter().map(str::to_owned).collect();
        let (mut superseded, mut counted): (Vec<Anomaly>, Vec<Anomaly>) = std::mem::take(&mut self.anomalies)
            .into_iter()
            .partition(|a| a.eval_id.as_deref().is_some_and(|id| apart.contains(id)));
        sort_anomalies(&mut counted);
        sort_anomalies(&mut superseded);
        (self.anomalies, self.superseded_anomalies) = (counted, superseded);
    }
}

impl Batch {
    fn choose_versions(&mut self, config: &Settings) {
        let modified = |path: &str| self.modified.get(path).copied();
        let evals: Vec<Claim> = self
            .evaluations
            .iter()
            .map(|e| Claim {
                kind: e.form,
                year: e.year,
                department: e.department.as_deref(),
                project: e.project.as_deref().filter(|_| e.form == FormKind::Project),
                path: e.path(),
                modified: modified(e.path()),
            })
            .collect();
        let basics: Vec<Claim> = self
            .basics
            .iter()
            .map(|b| Claim {
                kind: FormKind::Basic,
                year: b.year,
                department: Some(&b.department),
                project: None,
                path: &b.path,
                modified: modified(&b.path),
            })
            .collect();
        let order = config.ranking.versions;
        let (superseded, basic_superseded) = (choose(&evals, order), choose(&basics, order));
        let mut files = superseded_files(&evals, &superseded);
        for (path, s) in superseded_files(&basics, &basic_superseded) {
            let f = files.entry(path).or_default();
            f.by.extend(s.by);
            f.forms += s.forms;
        }
        (self.superseded, self.basic_superseded, self.superseded_files) = (superseded, basic_superseded, files);
    }
}

/// The batch stage over results held in memory (tests, small runs): sorts them by path,
/// adds them in turn and finishes.
pub fn finish_batch(mut results: Vec<FileResult>, config: &Settings, run_date: NaiveDate) -> Batch {
    results.sort_by(|a, b| a.file.path.cmp(&b.file.path));
    let mut batch = Batch::default();
    for r in results {
        batch.add(r, config);
    }
    batch.finish(config, run_date);
    batch
}

/// error → warning → info, then department, project, file, sheet, row, column.
pub fn sort_anomalies(a: &mut [Anomaly]) {
    a.sort_by(reading_order);
}

/// The order of [`sort_anomalies`].
fn reading_order(x: &Anomaly, y: &Anomaly) -> std::cmp::Ordering {
    fn cell_key(cell: &str) -> (u32, u32) {
        let letters: String = cell.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let row: u32 = cell[letters.len()..].parse().unwrap_or(0);
        let col = letters.bytes().fold(0u32, |acc, b| acc * 26 + (b - b'A' + 1) as u32);
        (row, col)
    }
    (x.severity, &x.department, &x.project, &x.path, &x.sheet, cell_key(&x.cell), x.rule).cmp(&(
        y.severity,
        &y.department,
        &y.project,
        &y.path,
        &y.sheet,
        cell_key(&y.cell),
        y.rule,
    ))
}
