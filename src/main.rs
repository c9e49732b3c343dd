//! The `jixiao` binary: parse the command line, run, report — in the language chosen
//! (`crate::i18n`). All work is in the library.

use anyhow::Context as _;
use jixiao::cli::Command;
use jixiao::config::Config;
use jixiao::i18n::{Lang, errors, text};
use jixiao::pipeline::{RunExtras, RunOptions, run_with};

/// mimalloc: the run allocates many small strings on several threads at once, where it
/// measured faster than the system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let lang = Lang::detect(&args);
    let cli = match jixiao::cli::parse(args, lang) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                e.exit();
            }
            eprintln!("{}", errors::clap(&e, lang));
            std::process::exit(2);
        }
    };
    let code = match execute(cli.command, lang) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{}", errors::render(&e, lang));
            1
        }
    };
    std::process::exit(code);
}

fn execute(command: Command, lang: Lang) -> anyhow::Result<()> {
    match command {
        Command::Run { input, out, config, jobs, quiet, no_cache, roster, feedback, region, year } => {
            let mut cfg = Config::load(config.as_deref())?;
            // the flags win over the config file
            if let Some(region) = region {
                cfg.report.region = region;
            }
            if year.is_some() {
                cfg.report.year = year;
            }
            let opts = RunOptions {
                input,
                out,
                config: cfg,
                config_path: config,
                jobs,
                progress: !quiet,
                cache: !no_cache,
                run_date: chrono::Local::now().date_naive(),
            };
            // the files are read in worker processes: this binary, as `jixiao worker`
            let workers = Some(std::env::current_exe().context("finding the jixiao binary to start its workers")?);
            let report = run_with(&opts, &RunExtras { roster, feedback, workers, lang })?;
            if !quiet {
                eprintln!("{}", text::closing_line(&report, lang));
            }
            for f in &report.kept_user_files {
                eprintln!("jixiao：{}", text::kept_user_file(f, lang));
            }
            for f in &report.kept_changed {
                eprintln!("jixiao：{}", text::kept_changed(f, lang));
            }
            Ok(())
        }
        Command::Explain { file, config } => {
            let cfg = Config::load(config.as_deref())?;
            print!("{}", jixiao::explain::explain_file(&file, &cfg)?);
            Ok(())
        }
        Command::Worker => {
            jixiao::pipeline::worker::serve(std::io::stdin().lock(), std::io::stdout().lock(), true)?;
            Ok(())
        }
        Command::Rules { markdown, config } => {
            let cfg = Config::load(config.as_deref())?;
            print!("{}", jixiao::rules::describe(&cfg, markdown));
            Ok(())
        }
    }
}
