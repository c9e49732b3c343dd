//! The help of every command and option, in both languages, applied to clap's command at
//! run time ([`localize`]). An entry's id is the command's name (`run`) or the command and
//! the argument's id (`run.out`); `""` is the program itself. A test fails when an option
//! has no entry, so a new flag cannot ship without its Chinese help.

use clap::{Arg, ArgAction, Command};

use super::Lang;

/// (id, Chinese, English). For a command, the text is its description; `<id>.after` is the
/// examples printed below its options; `<id>.usage` its usage line.
pub const HELP: &[(&str, &str, &str)] = &[
    (
        "",
        "jixiao（绩效）：批量读取预算绩效自评表（Excel 工作簿和 Word 报告），逐表核对，输出汇总工作簿和数据集。",
        "Reads folders of budget-performance self-evaluation forms (绩效自评表; workbooks and Word reports), checks them and writes a dataset and one summary workbook.",
    ),
    (
        ".after",
        "示例：\n  jixiao run D:\\2022自评 --out D:\\2022汇总\n  jixiao explain D:\\2022自评\\市教育局\\项目自评表.xlsx\n  jixiao rules\n\n查看某个命令的说明：jixiao run --help",
        "Examples:\n  jixiao run 2022自评 --out 2022汇总\n  jixiao explain 2022自评/市教育局/项目自评表.xlsx\n  jixiao rules\n\nHelp of one command: jixiao run --help",
    ),
    (
        "lang",
        "界面语言：zh（中文，默认）或 en（英文）；也可设环境变量 JIXIAO_LANG=en",
        "Language of the messages: zh (Chinese, the default) or en; or set JIXIAO_LANG=en",
    ),
    ("help", "显示帮助", "Print help"),
    ("version", "显示版本号", "Print version"),
    (
        "run",
        "读取输入文件夹（含子文件夹）中的全部自评材料并核对，写出汇总。\n读取 Excel 工作簿（.xlsx .xlsm .xlsb .xls .ods .et）和 Word 报告（.docx）；其他文件（.doc、PDF、图片、压缩包等）列入文件清单并注明原因。",
        "Reads every self-evaluation under INPUT_DIR (subfolders too), checks it and writes OUT_DIR.\nReads workbooks (.xlsx .xlsm .xlsb .xls .ods .et) and Word reports (.docx); every other file (.doc, PDF, images, archives…) is listed with the reason it was not read.",
    ),
    (
        "run.after",
        "示例：\n  jixiao run D:\\2022自评 --out D:\\2022汇总\n  jixiao run D:\\2022自评 --out D:\\2022汇总 --roster D:\\名单.xlsx --feedback\n  jixiao run D:\\2022自评 --out D:\\2022汇总 --region 株洲市 --year 2022 --config 我的设置.toml\n\n输出文件夹须为新的或空的文件夹，或以前的 jixiao 输出；jixiao 只替换自己写的文件。\n结果：summary.xlsx（汇总工作簿：总览、排名、疑点清单……）、通报草稿.docx、dataset\\*.parquet、run.json。\n选项以两个英文连字符开头，如 --out。",
        "Examples:\n  jixiao run sample-data --out out\n  jixiao run 2022自评 --out 2022汇总 --roster 名单.xlsx --feedback\n  jixiao run 2022自评 --out 2022汇总 --region 株洲市 --year 2022 --config my.toml\n\nOUT_DIR must be new, empty, or an earlier jixiao output; jixiao replaces only the files it wrote.\nOutput: summary.xlsx (overview, rankings, anomaly list…), dataset/*.parquet, run.json.",
    ),
    ("run.input", "要读取的文件夹（含子文件夹），例如 D:\\2022自评", "Folder scanned recursively (e.g. `sample-data`)"),
    (
        "run.out",
        "输出文件夹，例如 --out D:\\2022汇总（默认 jixiao-out）：summary.xlsx、run.json、dataset\\",
        "Output folder (default jixiao-out): summary.xlsx, run.json and dataset/*.parquet",
    ),
    (
        "run.config",
        "设置文件（TOML），补充标签同义词、修改规则阈值，例如 --config 我的设置.toml",
        "Extra TOML config merged over the built-in labels and rules (e.g. `--config my.toml`)",
    ),
    (
        "run.jobs",
        "同时处理的文件数，默认每个 CPU 核一个，例如 --jobs 2",
        "Parallel jobs; default one per CPU core (e.g. `--jobs 2`); `--jobs 1` uses one core",
    ),
    ("run.quiet", "不显示进度条和结束时的汇总行", "No progress bar and no closing summary line"),
    (
        "run.no_cache",
        "全部重新读取，不沿用上次输出中未改动文件的结果",
        "Re-read every file instead of reusing unchanged files' results from OUT_DIR/cache",
    ),
    (
        "run.roster",
        "应报部门名单（.xlsx 或 .csv，列名“部门名称”，可选“所属系统”），用于报送情况：谁未报送、名称写错、名单外，例如 --roster 名单.xlsx",
        "The departments expected (.xlsx or .csv with columns 部门名称 and optional 所属系统): 报送情况 lists who sent nothing, misspelt names and names on no roster",
    ),
    (
        "run.feedback",
        "另为每个部门写一份整改反馈工作簿：输出文件夹\\反馈\\<系统>\\<部门>.xlsx",
        "Also write one feedback workbook per department: OUT_DIR/反馈/<系统>/<部门>.xlsx",
    ),
    (
        "run.replies",
        "各部门填好整改情况说明后交回的反馈工作簿所在文件夹，其答复写入疑点清单（整改状态“已反馈”），例如 --replies D:\\回执",
        "Folder of the feedback workbooks departments returned: their answers go into 疑点清单 (整改状态 已反馈)",
    ),
    (
        "run.region",
        "各表标题中的地区，例如 --region 株洲市（默认取部门名称中最常见的地区，没有则不写）",
        "The region every title names (e.g. `--region 株洲市`); default: the division most department names start with, else none",
    ),
    (
        "run.year",
        "各表标题中的年度，例如 --year 2022（默认取自评表中的年度）",
        "The year every title names (e.g. `--year 2022`); default: the years of the forms read",
    ),
    (
        "explain",
        "说明一个文件里读到了什么、没读到什么及原因：找到的表、每张表的列对应（及匹配到的标签）、金额单位、跳过的行；没有找到表时列出最接近的候选。数字或表缺失时先运行它。",
        "Show what the reader finds in one file: the forms, each table's header mapping with the label that matched, the unit in force, the rows skipped and why; for a sheet with no form, the closest candidates.",
    ),
    (
        "explain.after",
        "示例：\n  jixiao explain D:\\2022自评\\市教育局\\项目自评表.xlsx\n  jixiao explain 自评表.xlsx --config 我的设置.toml",
        "Examples:\n  jixiao explain 2022自评/市教育局/项目自评表.xlsx\n  jixiao explain form.xlsx --config my.toml",
    ),
    ("explain.file", "要说明的文件（工作簿或 Word 报告）", "The workbook or Word report to explain"),
    (
        "explain.config",
        "设置文件（TOML），含您补充的标签同义词，例如 --config 我的设置.toml",
        "Extra TOML config with your own label synonyms (e.g. `--config my.toml`)",
    ),
    (
        "rules",
        "列出全部核对规则及现行阈值（规则编号、中文名称、含义、严重程度）。",
        "Print the rule catalog with the thresholds in force.",
    ),
    (
        "rules.after",
        "示例：\n  jixiao rules\n  jixiao rules --config 我的设置.toml",
        "Examples:\n  jixiao rules\n  jixiao rules --config my.toml",
    ),
    (
        "rules.markdown",
        "以 Markdown 格式输出（docs/rules.md 的格式）",
        "Print it as Markdown (the format of docs/rules.md)",
    ),
    (
        "rules.config",
        "设置文件（TOML），显示其中修改后的阈值，例如 --config 我的设置.toml",
        "Extra TOML config whose thresholds to show (e.g. `--config my.toml`)",
    ),
    ("worker", "内部命令：在子进程中读取文件", "Internal: read the files a run sends on stdin, in a worker process"),
];

/// Value names shown in the usage lines (`--out <输出文件夹>`).
const VALUE_NAMES: &[(&str, &str, &str)] = &[
    ("input", "输入文件夹", "INPUT_DIR"),
    ("out", "输出文件夹", "OUT_DIR"),
    ("config", "设置文件", "FILE"),
    ("jobs", "数量", "N"),
    ("roster", "名单文件", "FILE"),
    ("replies", "回执文件夹", "DIR"),
    ("region", "地区", "REGION"),
    ("year", "年度", "YEAR"),
    ("file", "文件", "FILE"),
    ("lang", "语言", "LANG"),
];

/// The entry for an id, in `lang`.
pub fn text(id: &str, lang: Lang) -> Option<&'static str> {
    HELP.iter().find(|(i, _, _)| *i == id).map(|(_, zh, en)| lang.pick(zh, en))
}

/// The section headings clap prints, in Chinese.
const TEMPLATE_ZH: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` with its help, its subcommands' and every argument's in `lang`; in Chinese also
/// clap's headings (用法, 参数, 选项, 命令) and its built-in help and version flags.
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let mut cmd = cmd.disable_help_flag(true).disable_version_flag(true).disable_help_subcommand(true);
    cmd = with_texts(cmd, "", lang);
    cmd = cmd.arg(version_arg(lang));
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |sub| with_texts(sub.disable_help_flag(true), &name, lang));
    }
    if lang == Lang::Zh {
        cmd = cmd.subcommand_help_heading("命令").subcommand_value_name("命令");
    }
    cmd
}

fn version_arg(lang: Lang) -> Arg {
    let arg = Arg::new("version")
        .short('V')
        .long("version")
        .action(ArgAction::Version)
        .help(text("version", lang).unwrap_or(""));
    if lang == Lang::Zh { arg.help_heading("选项") } else { arg }
}

/// One command: its description, examples, usage headings, each argument's help.
fn with_texts(mut cmd: Command, id: &str, lang: Lang) -> Command {
    if let Some(about) = text(id, lang) {
        cmd = cmd.about(about.lines().next().unwrap_or("")).long_about(about);
    }
    if let Some(after) = text(&format!("{id}.after"), lang) {
        cmd = cmd.after_help(after);
    }
    let prefix = if id.is_empty() { String::new() } else { format!("{id}.") };
    let ids: Vec<String> = cmd.get_arguments().map(|a| a.get_id().to_string()).collect();
    for arg in ids {
        let help = text(&format!("{prefix}{arg}"), lang).or_else(|| text(&arg, lang));
        let value = VALUE_NAMES.iter().find(|(i, _, _)| *i == arg).map(|(_, zh, en)| lang.pick(zh, en));
        cmd = cmd.mut_arg(&arg, |a| {
            let mut a = a;
            if let Some(h) = help {
                a = a.help(h);
            }
            if let Some(v) = value {
                a = a.value_name(v);
            }
            if lang == Lang::Zh {
                let heading = if a.is_positional() { "参数" } else { "选项" };
                // the Chinese help states each default in words
                a = a.help_heading(heading);
                if !a.get_default_values().is_empty() {
                    a = a.hide_default_value(true);
                }
            }
            a
        });
    }
    cmd = cmd.arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(text("help", lang).unwrap_or(""))
            .help_heading(match lang {
                Lang::Zh => Some("选项"),
                Lang::En => None,
            }),
    );
    if lang == Lang::Zh {
        let usage = usage_zh(&cmd);
        cmd = cmd.help_template(TEMPLATE_ZH).override_usage(usage);
    }
    cmd
}

/// `jixiao run [选项] <输入文件夹>`: clap's `[OPTIONS]` in Chinese.
fn usage_zh(cmd: &Command) -> String {
    let mut cmd = cmd.clone();
    let usage = cmd.render_usage().to_string();
    let usage = usage.trim_start_matches("Usage:").trim();
    let usage = usage.replace("[OPTIONS]", "[选项]").replace("<COMMAND>", "<命令>");
    if usage.starts_with("jixiao") { usage } else { format!("jixiao {usage}") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_command_and_option_has_help_in_both_languages() {
        let cmd = crate::cli::Cli::command();
        for sub in cmd.get_subcommands() {
            let name = sub.get_name();
            assert!(text(name, Lang::Zh).is_some(), "no help for `{name}`");
            for a in sub.get_arguments() {
                let id = format!("{name}.{}", a.get_id());
                let global = a.get_id().as_str();
                assert!(
                    text(&id, Lang::Zh).is_some() || text(global, Lang::Zh).is_some(),
                    "`{id}` has no Chinese help: add it to HELP"
                );
            }
        }
        for (id, zh, en) in HELP {
            assert!(!zh.is_empty() && !en.is_empty(), "{id}");
        }
    }

    #[test]
    fn the_chinese_help_of_run_says_what_is_read_and_gives_examples() {
        let mut cmd = localize(crate::cli::Cli::command(), Lang::Zh);
        let run = cmd.find_subcommand_mut("run").expect("run");
        let help = run.render_long_help().to_string();
        for words in ["用法：", "参数", "选项", "Word 报告", "示例", "--out <输出文件夹>", "显示帮助"]
        {
            assert!(help.contains(words), "`{words}` missing from:\n{help}");
        }
        assert!(!help.contains("Usage") && !help.contains("Options:") && !help.contains("Print help"), "{help}");
    }
}
