//! OUT_DIR belongs to the user as much as to the tool. People save their own notes in it,
//! a department's 回执 lands in `反馈/`, and a mistyped `--out` can name the input folder or
//! the folder above it. So jixiao writes only its own entries and replaces only what it
//! wrote before:
//!
//! - a manifest (`jixiao-manifest.json`) in OUT_DIR lists every file and folder jixiao put
//!   there, with each file's size and modification time; a re-run replaces those, deletes
//!   those it no longer writes (when the user has not changed them since), and never
//!   touches anything else;
//! - an OUT_DIR that is an existing file, or an existing folder that is neither empty nor
//!   an earlier jixiao output, is refused before anything is read — that covers the input
//!   folder and any folder holding it, which are refused by name too;
//! - nothing is written or deleted through a symbolic link below OUT_DIR;
//! - the run is written into a staging folder inside OUT_DIR (same file system: renames
//!   are atomic), then moved into place file by file. Before the first move the manifest
//!   already lists the old and the new files and the staging folder, so a run killed at
//!   any moment leaves each entry in its previous or its new version, and the next run
//!   knows every leftover as its own and cleans it up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

/// The manifest's file name in OUT_DIR.
pub const MANIFEST: &str = "jixiao-manifest.json";

/// The folder of the feedback workbooks (`jixiao_report::feedback` writes it; named here too so
/// that this module, below the writers, needs none of them; a test holds the two equal).
pub const FEEDBACK_FOLDER: &str = "反馈";
/// Where an output made before manifests lists its feedback workbooks.
pub const FEEDBACK_INDEX: &str = "cache/feedback.tsv";

/// The 通报 draft (`jixiao_report::summary::circular` writes it; named here as the feedback
/// folder is).
pub const CIRCULAR_FILE: &str = "通报草稿.docx";

/// The top-level entries a run writes (besides the manifest).
const OWN_TOP: [&str; 6] = ["summary.xlsx", "run.json", "dataset", "cache", FEEDBACK_FOLDER, CIRCULAR_FILE];

/// Environment variable for crash tests: `commit:N` ends the process (as a kill would)
/// after N files have been moved into place.
pub const FAILPOINT: &str = "JIXIAO_FAILPOINT";

/// Why OUT_DIR cannot be used (the binary says it in Chinese with what to do instead:
/// `crate::i18n::errors`).
#[derive(Debug, thiserror::Error)]
pub enum OutDirError {
    #[error("OUT_DIR {0} is an existing file, not a folder")]
    IsFile(String),
    #[error("OUT_DIR {out} is the input folder {input} or holds it")]
    HoldsInput { out: String, input: String },
    #[error("OUT_DIR {0} is neither empty nor an earlier jixiao output (no {MANIFEST})")]
    NotOurs(String),
    #[error("{0} in OUT_DIR is a symbolic link: nothing is written or deleted through it")]
    Symlink(String),
    #[error("{0} in OUT_DIR is a file where jixiao makes a folder")]
    Blocked(String),
    #[error("cannot write OUT_DIR {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutDirError {
    let path = path.display().to_string();
    move |cause| OutDirError::Io { path, cause }
}

/// A file jixiao wrote: its size and modification time when it was written, so a file the
/// user has since changed is never deleted as stale.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Stamp {
    pub len: u64,
    pub mtime_ns: u128,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = std::fs::symlink_metadata(path).ok().filter(|m| m.is_file())?;
        let mtime_ns = m.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
        Some(Stamp { len: m.len(), mtime_ns })
    }
}

/// What jixiao has in OUT_DIR, by path relative to it (`/`-separated).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub files: BTreeMap<String, Stamp>,
    pub dirs: BTreeSet<String>,
    /// Staging folders of runs under way (or killed): removed by the next run.
    pub staging: BTreeSet<String>,
}

impl Manifest {
    fn new() -> Manifest {
        Manifest { tool: "jixiao".into(), version: env!("CARGO_PKG_VERSION").into(), ..Default::default() }
    }

    fn read(out: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(out.join(MANIFEST)).ok()?;
        serde_json::from_str::<Manifest>(&text).ok().filter(|m| m.tool == "jixiao")
    }

    /// An output of a jixiao before manifests: its `run.json` says so. Its own files are
    /// the ones it always wrote, the cache entries and the feedback workbooks its index
    /// lists; stamped as they are now.
    fn legacy(out: &Path) -> Option<Manifest> {
        let run: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).ok()?).ok()?;
        if run.get("tool")?.as_str()? != "jixiao" {
            return None;
        }
        let mut m = Manifest::new();
        let mut own = vec!["summary.xlsx".to_string(), "run.json".to_string()];
        own.extend(
            ["files", "evaluations", "funds", "indicators", "basic_data", "anomalies"]
                .map(|t| format!("dataset/{t}.parquet")),
        );
        if let Ok(entries) = std::fs::read_dir(out.join("cache")) {
            own.extend(entries.flatten().map(|e| format!("cache/{}", e.file_name().to_string_lossy())));
        }
        if let Ok(index) = std::fs::read_to_string(out.join(FEEDBACK_INDEX)) {
            own.extend(index.lines().filter_map(|l| l.split_once('\t')).map(|(rel, _)| rel.to_string()));
        }
        for rel in own {
            if let Some(stamp) = Stamp::of(&out.join(&rel)) {
                add_parents(&mut m.dirs, &rel);
                m.files.insert(rel, stamp);
            }
        }
        Some(m)
    }

    /// Writes the manifest atomically (a temporary file renamed over it).
    fn write(&self, out: &Path) -> Result<(), OutDirError> {
        let path = out.join(MANIFEST);
        let tmp = out.join(format!(".{MANIFEST}.tmp-{}", std::process::id()));
        let text = serde_json::to_string_pretty(self).unwrap_or_default();
        std::fs::write(&tmp, text).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }
}

/// Every folder above `rel` (`反馈/系统/部门.xlsx` → `反馈`, `反馈/系统`).
fn add_parents(dirs: &mut BTreeSet<String>, rel: &str) {
    let mut at = 0;
    while let Some(i) = rel[at..].find('/') {
        dirs.insert(rel[..at + i].to_string());
        at += i + 1;
    }
}

/// The path as one canonical absolute path, even when its last components do not exist
/// yet (they are appended to the canonical path of the part that does).
fn canonical(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut rest = Vec::new();
    let mut at = abs.as_path();
    loop {
        if let Ok(c) = at.canonicalize() {
            return rest.into_iter().rev().fold(c, |p, n| p.join(n));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return abs,
        }
    }
}

/// OUT_DIR, checked and opened for a run: the previous manifest and this run's staging
/// folder.
#[derive(Debug)]
pub struct OutDir {
    pub root: PathBuf,
    /// Where this run writes; moved into place by [`OutDir::commit`].
    pub staging: PathBuf,
    old: Manifest,
}

/// What a commit did not do, to tell the user.
#[derive(Debug, Default)]
pub struct Committed {
    /// Files of ours not written because the user has a file of that name there.
    pub kept_user_files: Vec<String>,
    /// Files of an earlier run left in place because the user changed them since.
    pub kept_changed: Vec<String>,
}

/// Whether a run may write into `out` (what [`OutDir::open`] would accept), without
/// writing anything: for choosing an output folder on the user's behalf.
pub fn usable(out: &Path, input: &Path) -> bool {
    if std::fs::symlink_metadata(out).is_err() {
        return !canonical(input).starts_with(canonical(out));
    }
    if !out.is_dir() || canonical(input).starts_with(canonical(out)) {
        return false;
    }
    let empty = std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none());
    empty || Manifest::read(out).is_some() || Manifest::legacy(out).is_some()
}

impl OutDir {
    /// Checks OUT_DIR against the input folder and its contents, cleans up what a killed
    /// run of ours left, and starts this run's staging folder. Nothing of the user's is
    /// touched; on refusal nothing at all is written.
    pub fn open(out: &Path, input: &Path) -> Result<OutDir, OutDirError> {
        let shown = out.display().to_string();
        if let Ok(m) = std::fs::metadata(out)
            && !m.is_dir()
        {
            return Err(OutDirError::IsFile(shown));
        }
        if std::fs::symlink_metadata(out).is_ok_and(|m| m.file_type().is_symlink()) && std::fs::metadata(out).is_err() {
            // a dangling link: creating the folder would create it wherever the link points
            return Err(OutDirError::Symlink(shown));
        }
        let (out_c, input_c) = (canonical(out), canonical(input));
        if input_c.starts_with(&out_c) {
            return Err(OutDirError::HoldsInput { out: shown, input: input.display().to_string() });
        }
        let old = if out.is_dir() {
            let empty = std::fs::read_dir(out).map_err(io(out))?.next().is_none();
            match Manifest::read(out).or_else(|| Manifest::legacy(out)) {
                Some(m) => m,
                None if empty => Manifest::new(),
                None => return Err(OutDirError::NotOurs(shown)),
            }
        } else {
            std::fs::create_dir_all(out).map_err(io(out))?;
            Manifest::new()
        };
        // nothing of ours may be reached through a link: refuse before reading anything
        let ours =
            OWN_TOP.iter().map(|s| s.to_string()).chain(old.dirs.iter().cloned()).chain(old.files.keys().cloned());
        for rel in ours.chain([MANIFEST.to_string()]) {
            if std::fs::symlink_metadata(out.join(&rel)).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(OutDirError::Symlink(rel));
            }
        }
        // what a killed run of ours left: its staging folders (recorded before they were made)
        for name in &old.staging {
            let p = out.join(name);
            if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_dir()) {
                std::fs::remove_dir_all(&p).map_err(io(&p))?;
            }
        }
        let staging_name = format!(".jixiao-staging-{}", std::process::id());
        let mut journal = old.clone();
        journal.staging = BTreeSet::from([staging_name.clone()]);
        journal.write(out)?;
        let staging = out.join(&staging_name);
        if std::fs::symlink_metadata(&staging).is_ok() {
            return Err(OutDirError::Symlink(staging_name));
        }
        std::fs::create_dir(&staging).map_err(io(&staging))?;
        let mut old = old;
        old.staging = journal.staging;
        Ok(OutDir { root: out.to_path_buf(), staging, old })
    }

    /// Moves what the run wrote into place: each file replaces the earlier run's (never a
    /// file of the user's), files of the earlier run this one did not write are deleted
    /// (unless the user changed them), emptied folders of ours removed, the staging
    /// folder removed, the manifest written.
    pub fn commit(self) -> Result<Committed, OutDirError> {
        let mut done = Committed::default();
        // a file of the user's where one of ours would go stays; ours is not written
        let (staged, theirs): (Vec<String>, Vec<String>) = self.staged().into_iter().partition(|rel| {
            self.old.files.contains_key(rel) || std::fs::symlink_metadata(self.root.join(rel)).is_err()
        });
        done.kept_user_files = theirs;
        // the journal: the old files and the new ones (stamped as staged: a rename keeps
        // size and time), written before anything moves
        let mut journal = self.old.clone();
        for rel in &staged {
            add_parents(&mut journal.dirs, rel);
            journal.files.insert(rel.clone(), Stamp::of(&self.staging.join(rel)).unwrap_or_default());
        }
        journal.write(&self.root)?;

        let failpoint: Option<usize> =
            std::env::var(FAILPOINT).ok().and_then(|v| v.strip_prefix("commit:").and_then(|n| n.parse().ok()));
        let mut new = Manifest::new();
        for (moved, rel) in staged.iter().enumerate() {
            if failpoint == Some(moved) {
                std::process::exit(137);
            }
            let target = self.root.join(rel);
            if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(OutDirError::Symlink(rel.clone()));
            }
            self.make_parents(rel, &mut new.dirs)?;
            std::fs::rename(self.staging.join(rel), &target).map_err(io(&target))?;
            if let Some(stamp) = Stamp::of(&target) {
                new.files.insert(rel.clone(), stamp);
            }
        }
        // the earlier run's files this run did not write
        for (rel, stamp) in &self.old.files {
            if new.files.contains_key(rel) || done.kept_user_files.contains(rel) {
                continue;
            }
            let path = self.root.join(rel);
            match Stamp::of(&path) {
                Some(now) if now == *stamp && !self.through_link(rel) => {
                    std::fs::remove_file(&path).map_err(io(&path))?;
                }
                Some(_) => done.kept_changed.push(rel.clone()),
                None => {}
            }
        }
        // folders of ours that are empty now, deepest first (remove_dir leaves a full one)
        for rel in self.old.dirs.iter().rev() {
            if !new.dirs.contains(rel) && !self.through_link(rel) {
                let _ = std::fs::remove_dir(self.root.join(rel));
            }
        }
        let _ = std::fs::remove_dir_all(&self.staging);
        new.dirs.retain(|d| self.root.join(d).is_dir());
        new.write(&self.root)?;
        Ok(done)
    }

    /// The files written into the staging folder, relative and `/`-separated.
    fn staged(&self) -> Vec<String> {
        WalkDir::new(&self.staging)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .filter_map(|e| e.path().strip_prefix(&self.staging).ok().map(|p| p.to_string_lossy().replace('\\', "/")))
            .collect()
    }

    /// What [`OutDir::commit`] will leave alone, told before it runs so `run.json` can say
    /// so: `extra` names files still to be staged.
    pub fn preview(&self, extra: &[&str]) -> Committed {
        let mut staged = self.staged();
        staged.extend(extra.iter().map(|s| s.to_string()));
        let kept_user_files: Vec<String> = staged
            .iter()
            .filter(|rel| !self.old.files.contains_key(*rel) && std::fs::symlink_metadata(self.root.join(rel)).is_ok())
            .cloned()
            .collect();
        let kept_changed = self
            .old
            .files
            .iter()
            .filter(|(rel, _)| !staged.contains(rel))
            .filter(|(rel, stamp)| Stamp::of(&self.root.join(rel)).is_some_and(|now| now != **stamp))
            .map(|(rel, _)| rel.clone())
            .collect();
        Committed { kept_user_files, kept_changed }
    }

    /// Whether a component of `rel` (inside OUT_DIR) is a symbolic link.
    fn through_link(&self, rel: &str) -> bool {
        let mut p = self.root.clone();
        rel.split('/').any(|part| {
            p.push(part);
            std::fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink())
        })
    }

    /// Creates the folders above `rel` that are missing, refusing any that is a link or a
    /// file, and records them as ours.
    fn make_parents(&self, rel: &str, dirs: &mut BTreeSet<String>) -> Result<(), OutDirError> {
        let parts: Vec<&str> = rel.split('/').collect();
        let mut p = self.root.clone();
        for i in 0..parts.len().saturating_sub(1) {
            p.push(parts[i]);
            let name = parts[..=i].join("/");
            match std::fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => return Err(OutDirError::Symlink(name)),
                Ok(m) if !m.is_dir() => return Err(OutDirError::Blocked(name)),
                Ok(_) => {}
                Err(_) => std::fs::create_dir(&p).map_err(io(&p))?,
            }
            dirs.insert(name);
        }
        Ok(())
    }
}

/// A run that stops on an error leaves no staging folder behind (a killed one leaves it
/// to the next run, which finds it in the manifest).
impl Drop for OutDir {
    fn drop(&mut self) {
        if std::fs::symlink_metadata(&self.staging).is_ok_and(|m| m.is_dir()) {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
