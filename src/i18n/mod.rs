//! What the binary says to the person at the keyboard, in Chinese first (a 科员 in a finance
//! bureau) and in English for engineers and logs (`--lang en`, or `JIXIAO_LANG=en`).
//!
//! Every message of the command line lives in this folder, both languages side by side, so
//! a translator reads one place: [`help`] the help of every command and option, [`errors`]
//! the errors and their advice, [`text`] the progress bar, the closing summary and the
//! warnings. The per-file reasons and the sheets are Chinese by design (they are the
//! office's documents) and are written where they are made.
//!
//! Plain tables rather than a message-catalog crate: `rust-i18n` (YAML files compiled in
//! by a macro) and `fluent` (the Fluent syntax, plural rules, a runtime bundle) were
//! compared; both add a build step or a runtime for what is here two languages without
//! plurals, and neither localizes clap's help, which is most of the text.

pub mod errors;
pub mod help;
pub mod text;

use std::ffi::OsString;

/// The language the binary speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// The environment variable that chooses English (`JIXIAO_LANG=en`).
pub const LANG_VAR: &str = "JIXIAO_LANG";

impl Lang {
    /// `--lang en` / `--lang=en` anywhere on the command line wins, then `JIXIAO_LANG`;
    /// Chinese otherwise. Read before clap parses, because clap's help is built in the
    /// language chosen.
    pub fn detect(args: &[OsString]) -> Lang {
        let mut it = args.iter().map(|a| a.to_string_lossy());
        while let Some(a) = it.next() {
            if a == "--" {
                break;
            }
            if a == "--lang" {
                if let Some(v) = it.next() {
                    return Lang::parse(&v).unwrap_or_default();
                }
            } else if let Some(v) = a.strip_prefix("--lang=") {
                return Lang::parse(v).unwrap_or_default();
            }
        }
        std::env::var(LANG_VAR).ok().and_then(|v| Lang::parse(&v)).unwrap_or_default()
    }

    /// `zh`, `zh_CN.UTF-8`, `中文` → Chinese; `en`, `en_US` → English.
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        if s.starts_with("en") || s == "english" {
            Some(Lang::En)
        } else if s.starts_with("zh") || s == "中文" || s == "cn" {
            Some(Lang::Zh)
        } else {
            None
        }
    }

    /// The message in this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_flag_chooses_the_language() {
        assert_eq!(Lang::detect(&args(&["jixiao", "run", "x", "--lang", "en"])), Lang::En);
        assert_eq!(Lang::detect(&args(&["jixiao", "--lang=en", "--help"])), Lang::En);
        assert_eq!(Lang::detect(&args(&["jixiao", "--lang", "zh", "--help"])), Lang::Zh);
        assert_eq!(Lang::detect(&args(&["jixiao", "run", "--", "--lang", "en"])), Lang::detect(&args(&["jixiao"])));
    }
}
