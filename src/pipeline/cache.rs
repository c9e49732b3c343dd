//! The incremental-run cache: each file's result, keyed by its content, its path, the
//! configuration, the run date and the tool's version, kept in `OUT_DIR/cache/`. A re-run
//! reads the bytes and hashes them (cheap) and skips parsing, extraction and the form
//! rules for every unchanged file. Batch rules, rankings and outputs are always redone.
//!
//! The cache rides along with the output: entries still in use are hard-linked into the
//! new output folder, so files that disappeared leave nothing behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::config::Config;
use jixiao_rules::FileResult;

pub struct Cache {
    old: Option<PathBuf>,
    new: PathBuf,
    hits: AtomicUsize,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Cache {
    /// Opens the previous run's cache under `out` (when it was made with the same tool
    /// version, configuration and run date) and starts the new one under `staging`.
    pub fn open(out: &Path, staging: &Path, config: &Config, run_date: NaiveDate) -> Cache {
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION"));
        h.update(serde_json::to_vec(config).unwrap_or_default());
        h.update(run_date.to_string());
        let salt = hex(&h.finalize());
        let old_dir = out.join("cache");
        let old = std::fs::read_to_string(old_dir.join("SALT")).ok().filter(|s| *s == salt).map(|_| old_dir);
        let new = staging.join("cache");
        let _ = std::fs::create_dir_all(&new).and_then(|_| std::fs::write(new.join("SALT"), &salt));
        Cache { old, new, hits: AtomicUsize::new(0) }
    }

    fn entry(rel: &str, sha256: &str) -> String {
        let mut h = Sha256::new();
        h.update(rel);
        h.update([0]);
        h.update(sha256);
        format!("{}.bin", &hex(&h.finalize())[..32])
    }

    /// The cached result of this file, if its content is unchanged.
    pub fn get(&self, rel: &str, sha256: &str) -> Option<FileResult> {
        let name = Self::entry(rel, sha256);
        let old = self.old.as_ref()?.join(&name);
        let bytes = std::fs::read(&old).ok()?;
        let result: FileResult = postcard::from_bytes(&bytes).ok()?;
        let new = self.new.join(&name);
        if std::fs::hard_link(&old, &new).is_err() {
            let _ = std::fs::write(&new, &bytes);
        }
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(result)
    }

    /// Stores a result; a cache that cannot be written only costs speed next time.
    pub fn put(&self, rel: &str, sha256: &str, result: &FileResult) {
        if let Ok(bytes) = postcard::to_stdvec(result) {
            self.put_bytes(rel, sha256, &bytes);
        }
    }

    /// Stores a result already serialized as [`Cache::put`] would (a worker's reply).
    pub fn put_bytes(&self, rel: &str, sha256: &str, bytes: &[u8]) {
        let _ = std::fs::write(self.new.join(Self::entry(rel, sha256)), bytes);
    }

    /// Whether there is a previous run's cache to look in.
    pub fn has_previous(&self) -> bool {
        self.old.is_some()
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }
}
