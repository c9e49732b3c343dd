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
    // a folder dropped on the program's icon (Windows starts it with the folder's path
    // alone), or a double click with nothing at all: run with defaults, keep the window
    if let Some(folder) = dropped_folder(&args) {
        let code = match dropped(&folder, lang) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("{}", errors::render(&e, lang));
                1
            }
        };
        pause(lang);
        std::process::exit(code);
    }
    // a file, or several things, dropped on the program: say what it takes, and keep the
    // window open long enough to read it
    if dropped_other(&args) {
        eprintln!("jixiao：{}", text::drop_a_folder(lang));
        pause(lang);
        std::process::exit(2);
    }
    if args.len() == 1 && cfg!(windows) {
        eprintln!("{}", text::nothing_to_do(lang));
        pause(lang);
        std::process::exit(2);
    }
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

/// The subcommands: an argument naming one is never a dropped path.
const COMMANDS: [&str; 4] = ["run", "explain", "rules", "worker"];

/// The folder of a drag and drop: one argument, an existing folder (a subcommand's name
/// is never one: `run`, `explain` and `rules` are read as commands first).
fn dropped_folder(args: &[std::ffi::OsString]) -> Option<std::path::PathBuf> {
    let [_, one] = args else { return None };
    let path = std::path::PathBuf::from(one);
    let is_command = COMMANDS.iter().any(|c| one == c);
    (!is_command && path.is_dir()).then_some(path)
}

/// Something dropped that is not one folder: every argument an existing path (never a
/// command or an option), and not exactly one folder.
fn dropped_other(args: &[std::ffi::OsString]) -> bool {
    let rest = &args[1.min(args.len())..];
    !rest.is_empty()
        && dropped_folder(args).is_none()
        && rest.iter().all(|a| {
            let s = a.to_string_lossy();
            !s.starts_with('-') && !COMMANDS.contains(&s.as_ref()) && std::path::Path::new(a).exists()
        })
}

/// Runs on a dropped folder with the defaults, writing beside it into `<folder>-汇总结果`
/// (or `-汇总结果2`, … when that one holds other files: the OUT_DIR rule decides).
fn dropped(input: &std::path::Path, lang: Lang) -> anyhow::Result<()> {
    let input = std::path::absolute(input)?;
    let name = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "自评材料".into());
    let parent = input.parent().unwrap_or(&input).to_path_buf();
    let out = (1..=20)
        .map(|n| parent.join(if n == 1 { format!("{name}-汇总结果") } else { format!("{name}-汇总结果{n}") }))
        .find(|o| jixiao::pipeline::outdir::usable(o, &input))
        .ok_or_else(|| anyhow::anyhow!(text::dropped_no_out(&input.display().to_string(), lang)))?;
    eprintln!("{}", text::dropped_start(&input.display().to_string(), &out.display().to_string(), lang));
    execute(
        Command::Run {
            input,
            out: out.clone(),
            config: None,
            jobs: None,
            quiet: false,
            no_cache: false,
            roster: None,
            feedback: false,
            replies: None,
            region: None,
            year: None,
        },
        lang,
    )?;
    eprintln!("{}", text::dropped_done(&out.display().to_string(), lang));
    Ok(())
}

/// Waits for Enter, so that a window opened by a double click or a drop stays open until
/// it has been read.
fn pause(lang: Lang) {
    eprintln!("{}", text::press_enter(lang));
    let _ = std::io::stdin().read_line(&mut String::new());
}

fn execute(command: Command, lang: Lang) -> anyhow::Result<()> {
    match command {
        Command::Run { input, out, config, jobs, quiet, no_cache, roster, feedback, replies, region, year } => {
            let mut cfg = Config::load(config.as_deref())?;
            // the flags win over the config file
            if let Some(region) = region {
                cfg.settings.report.region = region;
            }
            if year.is_some() {
                cfg.settings.report.year = year;
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
            // the files are read in worker processes: this binary, as `jixiao worker` (or what
            // JIXIAO_WORKER_EXE names: under an emulator such as qemu-user, a wrapper that
            // starts the binary the same way, since the emulated process cannot exec it)
            let workers = match std::env::var_os("JIXIAO_WORKER_EXE") {
                Some(exe) => Some(std::path::PathBuf::from(exe)),
                None => Some(std::env::current_exe().context("finding the jixiao binary to start its workers")?),
            };
            if feedback {
                let fb = &opts.config.settings.feedback;
                let unset: Vec<&str> = [("office", fb.office.as_str()), ("deadline", fb.deadline.text())]
                    .into_iter()
                    .filter(|(_, v)| v.trim().is_empty())
                    .map(|(k, _)| k)
                    .collect();
                if !unset.is_empty() {
                    eprintln!("jixiao：{}", text::feedback_unset(&unset, lang));
                }
            }
            let extras = RunExtras {
                roster,
                feedback,
                replies,
                workers,
                progress_template: Some(text::progress_template(lang)),
            };
            let report = run_with(&opts, &extras)?;
            if !quiet {
                eprintln!("{}", text::closing_line(&report, lang));
            }
            if let Some(r) = &report.replies {
                eprintln!("{}", text::replies_lines(r, lang));
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
            // the Markdown catalog (docs/rules.md) is an engineering document, in English
            let text = if markdown || lang == Lang::En {
                jixiao_rules::describe(&cfg.settings.checks, markdown)
            } else {
                text::rules_zh(&cfg)
            };
            print!("{text}");
            Ok(())
        }
    }
}
