//! The run's state as results arrive, one file at a time in path order: the file log,
//! a summary of every form, the anomalies; identical files set aside (DUPLICATE_FILE);
//! at the end, the batch rules (DUPLICATE_PROJECT) and the anomalies' order.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::config::Config;
use crate::model::{Anomaly, EvalSummary, FileRecord, FileResult, FileStatus};
use crate::pipeline::process::file_anomaly;

/// What the run keeps in memory: small per file and per form, whatever the corpus size.
#[derive(Debug, Default)]
pub struct Batch {
    pub files: Vec<FileRecord>,
    pub evaluations: Vec<EvalSummary>,
    pub basic_forms: usize,
    pub anomalies: Vec<Anomaly>,
    first_by_hash: HashMap<String, String>,
}

impl Batch {
    /// Takes one file's result, in path order. Returns it when its forms count; a
    /// byte-identical copy of an earlier file is marked `duplicate` and its forms are
    /// not counted again.
    pub fn add(&mut self, mut r: FileResult, config: &Config) -> Option<FileResult> {
        let hashed = !r.file.sha256.is_empty() && r.file.status != FileStatus::Failed;
        let dup_of = if hashed { self.first_by_hash.get(&r.file.sha256).cloned() } else { None };
        if let Some(original) = dup_of {
            r.file.status = FileStatus::Duplicate;
            r.file.error = Some(format!("same content as {original}"));
            let message = format!("与{original}内容完全相同，其中的表不重复计入排名和合计");
            self.anomalies.extend(file_anomaly(config, "DUPLICATE_FILE", &r.file.path, message));
            self.files.push(r.file);
            return None;
        }
        if hashed {
            self.first_by_hash.insert(r.file.sha256.clone(), r.file.path.clone());
        }
        self.evaluations.extend(r.evaluations.iter().map(EvalSummary::of));
        self.basic_forms += r.basics.len();
        self.anomalies.append(&mut r.anomalies);
        self.files.push(r.file.clone());
        Some(r)
    }

    /// Runs the batch rules and puts the anomalies in the order people read them.
    pub fn finish(&mut self, config: &Config, run_date: NaiveDate) {
        let found = crate::rules::check_batch(&self.evaluations, config, run_date);
        self.anomalies.extend(found);
        sort_anomalies(&mut self.anomalies);
    }
}

/// The batch stage over results held in memory (tests, small runs): sorts them by path,
/// adds them in turn and finishes.
pub fn finish_batch(mut results: Vec<FileResult>, config: &Config, run_date: NaiveDate) -> Batch {
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
    fn cell_key(cell: &str) -> (u32, u32) {
        let letters: String = cell.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        let row: u32 = cell[letters.len()..].parse().unwrap_or(0);
        let col = letters.bytes().fold(0u32, |acc, b| acc * 26 + (b - b'A' + 1) as u32);
        (row, col)
    }
    a.sort_by(|x, y| {
        (x.severity, &x.department, &x.project, &x.path, &x.sheet, cell_key(&x.cell), x.rule).cmp(&(
            y.severity,
            &y.department,
            &y.project,
            &y.path,
            &y.sheet,
            cell_key(&y.cell),
            y.rule,
        ))
    });
}
