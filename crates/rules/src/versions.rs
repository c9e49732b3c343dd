//! Which version of a form counts. A department often hands in the same forms more than
//! once — a corrected 修改版, a 重报 at year end, the same workbook saved as `.xls` — and
//! only byte-identical copies are caught by their hash. Here every form claims a key
//! ((year, department) for forms A and B, (year, department, project) for form C); when
//! several forms claim the same key, one counts in the rankings and totals and the others
//! are superseded by it, so a department is ranked once.
//!
//! The version that counts is the one in the file modified last (a re-submission is newer
//! than what it replaces); equal times, or `[ranking] versions = "path"`, fall back to the
//! path that sorts last (`…修改版.xlsx` sorts after `….xlsx`). Within one file the first
//! form counts: a second copy in the same workbook is a slip, not a new version.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use jixiao_forms::model::FormKind;
use jixiao_text::normalize::norm;

/// Which of several versions of the same form counts (see `crate::versions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionOrder {
    /// The file modified last counts; equal times fall back to path order.
    Modified,
    /// The file whose path sorts last counts (`…修改版.xlsx` after `….xlsx`), whatever the times.
    Path,
}

/// What a form claims to be, and where it comes from.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    pub kind: FormKind,
    pub year: Option<i32>,
    pub department: Option<&'a str>,
    /// Form C only.
    pub project: Option<&'a str>,
    pub path: &'a str,
    pub modified: Option<SystemTime>,
}

/// The identity two versions share, names compared without whitespace. `None` for a form
/// that names no department (or, form C, no project): it cannot be matched with another.
fn key(c: &Claim) -> Option<(FormKind, Option<i32>, String, String)> {
    let dept = c.department.map(norm).filter(|d| !d.is_empty());
    let project = c.project.map(norm).filter(|p| !p.is_empty());
    match c.kind {
        FormKind::Project => Some((c.kind, c.year, dept.unwrap_or_default(), project?)),
        _ => Some((c.kind, c.year, dept?, String::new())),
    }
}

/// For each claim, in order: `Some(i)` when claim `i` counts instead of it, `None` when it
/// counts itself.
pub fn choose(claims: &[Claim], order: VersionOrder) -> Vec<Option<u32>> {
    let mut groups: HashMap<_, Vec<usize>> = HashMap::new();
    for (i, c) in claims.iter().enumerate() {
        if let Some(k) = key(c) {
            groups.entry(k).or_default().push(i);
        }
    }
    let mut out = vec![None; claims.len()];
    for members in groups.values().filter(|m| m.len() > 1) {
        let rank = |&i: &usize| {
            let c = &claims[i];
            let time = if order == VersionOrder::Modified { c.modified } else { None };
            // later time, then later path, then the earlier form of the same file
            (time, c.path, std::cmp::Reverse(i))
        };
        let Some(&winner) = members.iter().max_by_key(|i| rank(i)) else { continue };
        for &i in members.iter().filter(|&&i| i != winner) {
            out[i] = Some(winner as u32);
        }
    }
    out
}

/// What a file's forms lost to other files' versions, for 文件清单 and `files.parquet`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Superseded {
    /// The files whose versions count instead, sorted.
    pub by: BTreeSet<String>,
    /// How many of this file's forms do not count.
    pub forms: usize,
}

/// Files whose forms were superseded by another file's, by path. A form superseded by a
/// form of its own file (the same project twice in one workbook) does not make the file
/// superseded.
pub fn superseded_files(claims: &[Claim], chosen: &[Option<u32>]) -> BTreeMap<String, Superseded> {
    let mut out: BTreeMap<String, Superseded> = BTreeMap::new();
    for (c, w) in claims.iter().zip(chosen) {
        let Some(winner) = w.and_then(|w| claims.get(w as usize)) else { continue };
        if winner.path != c.path {
            let s = out.entry(c.path.to_string()).or_default();
            s.by.insert(winner.path.to_string());
            s.forms += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn claim<'a>(kind: FormKind, dept: &'a str, project: Option<&'a str>, path: &'a str, t: u64) -> Claim<'a> {
        Claim {
            kind,
            year: Some(2022),
            department: Some(dept),
            project,
            path,
            modified: Some(SystemTime::UNIX_EPOCH + Duration::from_secs(t)),
        }
    }

    #[test]
    fn the_file_modified_last_counts_else_the_last_path() {
        let claims = [
            claim(FormKind::Department, "财政局", None, "a/财政局.xlsx", 200),
            claim(FormKind::Department, "财政局 ", None, "b/财政局修改版.xlsx", 100),
            claim(FormKind::Department, "教育局", None, "c/教育局.xlsx", 100),
        ];
        assert_eq!(choose(&claims, VersionOrder::Modified), vec![None, Some(0), None]);
        assert_eq!(choose(&claims, VersionOrder::Path), vec![Some(1), None, None]);
        let files = superseded_files(&claims, &choose(&claims, VersionOrder::Modified));
        assert_eq!(files["b/财政局修改版.xlsx"].by.iter().collect::<Vec<_>>(), vec!["a/财政局.xlsx"]);
    }

    #[test]
    fn projects_match_by_department_and_name_and_the_first_in_a_file_counts() {
        let claims = [
            claim(FormKind::Project, "财政局", Some("项目甲"), "x.xlsx", 5),
            claim(FormKind::Project, "财政局", Some("项目甲"), "x.xlsx", 5),
            claim(FormKind::Project, "教育局", Some("项目甲"), "y.xlsx", 5),
            claim(FormKind::Project, "财政局", Some(""), "y.xlsx", 5),
        ];
        assert_eq!(choose(&claims, VersionOrder::Modified), vec![None, Some(0), None, None]);
        assert!(superseded_files(&claims, &choose(&claims, VersionOrder::Modified)).is_empty());
    }

    #[test]
    fn years_are_versions_of_different_forms() {
        let mut a = claim(FormKind::Department, "财政局", None, "a.xlsx", 1);
        let b = claim(FormKind::Department, "财政局", None, "b.xlsx", 2);
        a.year = Some(2021);
        assert_eq!(choose(&[a, b], VersionOrder::Modified), vec![None, None]);
    }
}
