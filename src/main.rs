//! The `jixiao` binary: parse the command line, run, report. All work is in the library.

use anyhow::Context as _;
use clap::Parser;
use jixiao::cli::{Cli, Command};
use jixiao::config::Config;
use jixiao::pipeline::{RunExtras, RunOptions, run_with};

/// mimalloc: the run allocates many small strings on several threads at once, where it
/// measured faster than the system allocator (docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    let code = match execute(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("jixiao: error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}

fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Run { input, out, config, jobs, quiet, no_cache, roster, feedback, replies } => {
            let cfg = Config::load(config.as_deref()).context("loading the configuration")?;
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
            if feedback {
                let fb = &opts.config.feedback;
                let unset: Vec<&str> =
                    [("发文单位 office", fb.office.as_str()), ("反馈期限 deadline", fb.deadline.text())]
                        .into_iter()
                        .filter(|(_, v)| v.trim().is_empty())
                        .map(|(k, _)| k)
                        .collect();
                if !unset.is_empty() {
                    eprintln!("jixiao: 注意：配置 [feedback] 未设置 {}，反馈表中显示为（未设置）", unset.join("、"));
                }
            }
            let report = run_with(&opts, &RunExtras { roster, feedback, replies, workers })?;
            if !quiet {
                eprintln!("{}", jixiao::pipeline::one_line(&report));
            }
            if let Some(r) = &report.replies {
                eprintln!("{}", jixiao::pipeline::replies_lines(r));
            }
            for f in &report.kept_user_files {
                eprintln!("jixiao: 注意：输出文件夹中已有您的同名文件 {f}，未覆盖，本次的这一份未写出");
            }
            for f in &report.kept_changed {
                eprintln!("jixiao: 注意：{f} 是上次输出的文件，已被修改，予以保留（不再更新）");
            }
            Ok(())
        }
        Command::Explain { file, config } => {
            let cfg = Config::load(config.as_deref()).context("loading the configuration")?;
            print!("{}", jixiao::explain::explain_file(&file, &cfg)?);
            Ok(())
        }
        Command::Worker => {
            jixiao::pipeline::worker::serve(std::io::stdin().lock(), std::io::stdout().lock(), true)?;
            Ok(())
        }
        Command::Rules { markdown, config } => {
            let cfg = Config::load(config.as_deref()).context("loading the configuration")?;
            print!("{}", jixiao::rules::describe(&cfg, markdown));
            Ok(())
        }
    }
}
