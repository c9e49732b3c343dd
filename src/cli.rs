//! Command-line interface (clap). The binary's `main` only parses and dispatches here. The
//! help of every command and option, in Chinese and English, is in [`crate::i18n::help`]
//! (applied by [`parse`]); the comments here are for engineers.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::i18n::Lang;

#[derive(Debug, Parser)]
#[command(name = "jixiao", version)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    // zh (default) or en; read before parsing by `Lang::detect`, accepted here so clap
    // knows it
    #[arg(long, global = true)]
    pub lang: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    // process every file under INPUT and write OUT
    Run {
        input: PathBuf,
        #[arg(long, short, default_value = "jixiao-out")]
        out: PathBuf,
        #[arg(long, short)]
        config: Option<PathBuf>,
        #[arg(long, short)]
        jobs: Option<usize>,
        #[arg(long, short)]
        quiet: bool,
        #[arg(long)]
        no_cache: bool,
        #[arg(long)]
        roster: Option<PathBuf>,
        #[arg(long)]
        feedback: bool,
        // returned feedback workbooks: their answers go into 疑点清单 (`jixiao_report::feedback::replies`)
        #[arg(long)]
        replies: Option<PathBuf>,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        year: Option<i32>,
    },
    // what the reader finds in one file, and why not
    Explain {
        file: PathBuf,
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    // internal: read the files a run sends on stdin, in a worker process
    // (`crate::pipeline::worker`)
    #[command(hide = true)]
    Worker,
    // the rule catalog with the thresholds in force
    Rules {
        #[arg(long)]
        markdown: bool,
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}

/// The command line parsed with its help in `lang`; a line clap refuses is returned as
/// clap's error (help and version requests too: their `exit` prints them).
pub fn parse(args: Vec<OsString>, lang: Lang) -> Result<Cli, clap::Error> {
    let cmd = crate::i18n::help::localize(Cli::command(), lang);
    let matches = cmd.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}
