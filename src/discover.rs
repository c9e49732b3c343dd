//! Finding the files handed in under the input folder: recursive, sorted, deterministic.
//! Every file is listed, whatever its extension (what it is is told later, by its bytes:
//! a file nobody reads must still appear in the file list, with the reason). Skips
//! Office lock files (`~$*`), hidden files and folders, and the output folder. Named pipes
//! and other special files are listed too and never opened (see `pipeline::process`).
//! Folders that cannot be read and symlink loops are reported, never fatal.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

/// Extensions of the files the tool reads: workbooks (WPS's `.et` is an `.xls` inside)
/// and Word reports. A file with one of them that turns out to be something unreadable
/// is `failed`; any other file that is not read is `skipped`.
const EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "et", "ods", "docx"];

/// A file to process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    /// Relative to the input folder, `/`-separated.
    pub rel: String,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Paths that could not be walked, with the reason (unreadable folder, symlink loop).
    pub problems: Vec<(String, String)>,
}

/// True for the extensions the tool reads (`.xlsx .xlsm .xlsb .xls .et .ods .docx`), any case.
pub fn is_workbook(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}

/// The path relative to `root`, with `/` separators. A name that is not valid UTF-8 (an
/// archive unpacked with the wrong code page) keeps its invalid bytes as `%XX`, so two such
/// names never come out as the same path (a lossy conversion gives both `�…`).
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components().map(|c| lossless(c.as_os_str())).collect::<Vec<_>>().join("/")
}

/// A name as text: valid UTF-8 as it is, every other byte as `%XX`.
fn lossless(name: &std::ffi::OsStr) -> String {
    if let Some(s) = name.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        // Windows names are UTF-16: only unpaired surrogates are lost, as `\u{FFFD}`
        name.to_string_lossy().into_owned()
    }
}

/// The manifest every jixiao output holds (`crate::pipeline::outdir::MANIFEST`; named here,
/// below the pipeline, and held equal by a test).
pub const OUTPUT_MANIFEST: &str = "jixiao-manifest.json";

/// Walks `root`, never descending into `exclude` (the output folder) nor into any other
/// jixiao output inside it.
pub fn discover(root: &Path, exclude: Option<&Path>) -> Discovered {
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut out = Discovered::default();
    let walker = WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
        if e.depth() == 0 {
            return true;
        }
        let name = e.file_name().to_string_lossy();
        if name.starts_with('.') || name.starts_with("~$") {
            return false;
        }
        if e.file_type().is_dir()
            && let (Some(ex), Ok(c)) = (&exclude, e.path().canonicalize())
            && &c == ex
        {
            return false;
        }
        // an earlier run's output left inside the input (its manifest says so): the tool's
        // own files, not a submission
        !(e.file_type().is_dir() && e.path().join(OUTPUT_MANIFEST).is_file())
    });
    for entry in walker {
        match entry {
            Ok(e) if !e.file_type().is_dir() && e.depth() > 0 => {
                out.inputs.push(Input { path: e.path().to_path_buf(), rel: relative(root, e.path()) });
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(|p| relative(root, p)).unwrap_or_default();
                let reason = if err.loop_ancestor().is_some() { "symlink loop".to_string() } else { err.to_string() };
                out.problems.push((path, reason));
            }
        }
    }
    out
}
