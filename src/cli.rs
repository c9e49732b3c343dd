//! Command-line interface (clap). The binary's `main` only parses and dispatches here.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "jixiao",
    version,
    about = "Reads folders of budget-performance self-evaluation workbooks (绩效自评表), checks them and writes a dataset and one summary workbook.",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Process every workbook under INPUT_DIR and write OUT_DIR.
    ///
    /// Example: jixiao run 2022自评材料 --out 2022汇总
    #[command(
        after_help = "Example:\n  jixiao run sample-data --out out\n  jixiao run D:\\2022自评 --out D:\\2022汇总 --config my-labels.toml --jobs 4"
    )]
    Run {
        /// Folder scanned recursively for .xlsx .xlsm .xls .ods workbooks (e.g. `sample-data`).
        input: PathBuf,
        /// Output folder: summary.xlsx, run.json and dataset/*.parquet (e.g. `--out out`).
        #[arg(long, short, default_value = "jixiao-out")]
        out: PathBuf,
        /// Extra TOML config merged over the built-in labels and rules (e.g. `--config my.toml`).
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Worker threads; default one per CPU core (e.g. `--jobs 2`). With `--jobs 1` the work,
        /// writing included, is done one step at a time, using one core.
        #[arg(long, short)]
        jobs: Option<usize>,
        /// No progress bar and no closing summary line.
        #[arg(long, short)]
        quiet: bool,
        /// Re-read every file instead of reusing unchanged files' results from OUT_DIR/cache.
        #[arg(long)]
        no_cache: bool,
        /// The departments expected, with their 系统 (`.xlsx` or `.csv`, columns 部门名称 and
        /// 所属系统): 报送情况 lists who sent nothing, what could not be read, names on no
        /// roster with the closest roster name (e.g. `--roster 名单.xlsx`).
        #[arg(long)]
        roster: Option<PathBuf>,
        /// Also write one feedback workbook per department: OUT_DIR/反馈/<系统>/<部门>.xlsx,
        /// to send out (its issuing block comes from the config's `[feedback]` table: office,
        /// contact, phone, deadline).
        #[arg(long)]
        feedback: bool,
        /// A folder of feedback workbooks the departments sent back (any .xlsx under it,
        /// renamed or not): each 整改情况说明 they wrote goes into 疑点清单 (整改状态 已反馈,
        /// text in 部门反馈), matched by rule, form and cell. Rows that match no finding and
        /// files that are not feedback workbooks are listed (e.g. `--replies 反馈回收`).
        #[arg(long, value_name = "DIR")]
        replies: Option<PathBuf>,
    },
    /// Show what the reader finds in one workbook: the forms, each table's header mapping
    /// with the label that matched, the unit in force, the rows skipped and why, and for a
    /// sheet with no form the closest candidates. Run it when a number or a form is missing.
    ///
    /// Example: jixiao explain 2022自评/市教育局/项目自评表.xlsx
    Explain {
        /// The workbook to explain (e.g. `sample-data/市教育局系统/市教育局.xlsx`).
        file: PathBuf,
        /// Extra TOML config with your own label synonyms (e.g. `--config my.toml`).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
    /// Internal: read the files a run sends on stdin, in a worker process (see
    /// `jixiao::pipeline::worker`).
    #[command(hide = true)]
    Worker,
    /// Print the rule catalog with the thresholds in force.
    ///
    /// Example: jixiao rules --config my.toml
    Rules {
        /// Print it as Markdown (the format of docs/rules.md).
        #[arg(long)]
        markdown: bool,
        /// Extra TOML config whose thresholds to show (e.g. `--config my.toml`).
        #[arg(long, short)]
        config: Option<PathBuf>,
    },
}
