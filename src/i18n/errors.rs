//! Errors as the person at the keyboard reads them: what is wrong, in plain words, and what
//! to do (`找不到输入文件夹 D:\2022自评，请检查路径`). The library's error types keep English
//! `Display` texts for engineers and logs; this module renders them for the user, in the
//! language chosen, by their variants.

use std::error::Error as _;
use std::io::ErrorKind;

use super::Lang;
use crate::config::ConfigError;
use crate::explain::ExplainError;
use crate::pipeline::RunError;
use crate::pipeline::outdir::OutDirError;
use jixiao_report::roster::RosterError;

/// The whole message for an error that ended a command (its chain walked for the first
/// error of ours), prefixed as every line of the binary is.
pub fn render(e: &anyhow::Error, lang: Lang) -> String {
    let text = e.chain().find_map(|c| ours(c, lang)).unwrap_or_else(|| match lang {
        Lang::Zh => format!("出错：{e:#}"),
        Lang::En => format!("{e:#}"),
    });
    match lang {
        Lang::Zh => format!("jixiao：错误：{text}"),
        Lang::En => format!("jixiao: error: {text}"),
    }
}

fn ours(e: &(dyn std::error::Error + 'static), lang: Lang) -> Option<String> {
    if let Some(e) = e.downcast_ref::<RunError>() {
        return Some(run(e, lang));
    }
    if let Some(e) = e.downcast_ref::<ConfigError>() {
        return Some(config(e, lang));
    }
    if let Some(e) = e.downcast_ref::<OutDirError>() {
        return Some(out_dir(e, lang));
    }
    if let Some(e) = e.downcast_ref::<RosterError>() {
        return Some(roster(e, lang));
    }
    if let Some(e) = e.downcast_ref::<ExplainError>() {
        return Some(match (e, lang) {
            (ExplainError::Io { path, cause }, Lang::Zh) => format!("无法读取文件 {path}：{}", io(cause, lang)),
            (ExplainError::Unreadable { path, reason }, Lang::Zh) => format!("无法读取文件 {path}：{reason}"),
            (e, Lang::En) => e.to_string(),
        });
    }
    None
}

/// An I/O error's cause in plain words.
pub fn io(e: &std::io::Error, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    // Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION (a workbook open in Excel)
    if cfg!(windows) && matches!(e.raw_os_error(), Some(32 | 33)) {
        return "文件正在被其他程序（如 Excel、WPS）打开，请关闭后重试".into();
    }
    match e.kind() {
        ErrorKind::NotFound => "不存在".into(),
        ErrorKind::PermissionDenied => "没有权限（文件可能正在 Excel/WPS 中打开，或文件夹只读）".into(),
        ErrorKind::AlreadyExists => "已存在".into(),
        ErrorKind::StorageFull => "磁盘空间不足".into(),
        ErrorKind::ReadOnlyFilesystem => "所在磁盘只读".into(),
        _ => format!("{e}"),
    }
}

fn run(e: &RunError, lang: Lang) -> String {
    if lang == Lang::En {
        return e.to_string();
    }
    match e {
        RunError::InputMissing(p) => format!("找不到输入文件夹 {p}，请检查路径"),
        RunError::RepliesMissing(p) => format!("找不到反馈回执文件夹 {p}（--replies），请检查路径"),
        RunError::Output { path, cause } => {
            format!("无法写入 {path}：{}。请检查输出文件夹是否可写、磁盘是否已满", io(cause, lang))
        }
        RunError::Dataset(d) => format!("无法写出数据集（dataset）：{d}"),
        RunError::Summary(s) => format!("无法写出汇总工作簿：{s}。若 summary.xlsx 正在 Excel/WPS 中打开，请先关闭"),
        RunError::Threads(t) => format!("无法启动处理线程：{t}"),
        RunError::Roster(r) => roster(r, lang),
        RunError::Feedback(f) => format!("无法写出反馈工作簿：{f}"),
        RunError::Worker(w) => format!("无法启动读取文件的子进程：{w}"),
        RunError::OutDir(o) => out_dir(o, lang),
    }
}

fn roster(e: &RosterError, lang: Lang) -> String {
    match (e, lang) {
        (RosterError::Io { path, cause }, Lang::Zh) => format!("无法读取名单 {path}：{}", io(cause, lang)),
        (RosterError::Workbook { path, cause }, Lang::Zh) => format!("无法读取名单工作簿 {path}：{cause}"),
        (RosterError::Invalid { path, message }, Lang::Zh) => format!("名单 {path} 有误：{message}"),
        (e, _) => e.to_string(),
    }
}

fn out_dir(e: &OutDirError, lang: Lang) -> String {
    const ADVICE_ZH: &str = "请指定一个新的或空的输出文件夹（--out）";
    const ADVICE_EN: &str = "name a new or empty output folder (--out)";
    match (e, lang) {
        (OutDirError::IsFile(p), Lang::Zh) => format!("输出位置 {p} 是一个已有文件，不是文件夹。{ADVICE_ZH}。"),
        (OutDirError::HoldsInput { out, input }, Lang::Zh) => format!(
            "输出文件夹 {out} 是输入文件夹本身或包含输入文件夹 {input}，写入会覆盖上报材料。{ADVICE_ZH}，例如 {input}-结果。"
        ),
        (OutDirError::NotOurs(p), Lang::Zh) => format!(
            "输出文件夹 {p} 不是空文件夹，也不是 jixiao 以前的输出（没有 {}）。为免覆盖其中的文件，{ADVICE_ZH}。",
            crate::pipeline::outdir::MANIFEST
        ),
        (OutDirError::Symlink(p), Lang::Zh) => {
            format!("输出文件夹中的 {p} 是符号链接，jixiao 不会经由它写入或删除。请删除这个链接，或{ADVICE_ZH}。")
        }
        (OutDirError::Blocked(p), Lang::Zh) => {
            format!("输出文件夹中的 {p} 是一个文件，jixiao 要在这里建文件夹。请改名或移走该文件，或{ADVICE_ZH}。")
        }
        (OutDirError::Io { path, cause }, Lang::Zh) => format!("无法写入输出文件夹 {path}：{}", io(cause, lang)),
        (e, Lang::En) => format!("{e}; {ADVICE_EN}"),
    }
}

/// A command line clap could not take, in plain words, with the way to the help.
pub fn clap(e: &clap::Error, lang: Lang) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind as K};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(other) => other.to_string(),
        None => String::new(),
    };
    if lang == Lang::En {
        return e.to_string();
    }
    let (arg, value) = (ctx(ContextKind::InvalidArg), ctx(ContextKind::InvalidValue));
    let what = match e.kind() {
        K::UnknownArgument => {
            let hint = ctx(ContextKind::SuggestedArg);
            let hint = if hint.is_empty() { String::new() } else { format!("；您是否要用 {hint}") };
            format!("无法识别的选项 {arg}{hint}")
        }
        K::InvalidSubcommand => {
            let arg = ctx(ContextKind::InvalidSubcommand);
            let hint = ctx(ContextKind::SuggestedSubcommand);
            let hint = if hint.is_empty() { String::new() } else { format!("；您是否要用 {hint}") };
            format!("没有命令 {arg}{hint}（可用：run、explain、rules）")
        }
        K::MissingRequiredArgument => format!("缺少必须给出的参数：{arg}"),
        K::MissingSubcommand | K::DisplayHelpOnMissingArgumentOrSubcommand => {
            "请给出要执行的命令：run（读取并汇总）、explain（说明一个文件）或 rules（列出规则）".into()
        }
        K::InvalidValue | K::ValueValidation => {
            let valid = ctx(ContextKind::ValidValue);
            let valid = if valid.is_empty() { String::new() } else { format!("（可用：{valid}）") };
            let why = match e.source() {
                Some(s) if s.to_string().contains("invalid digit") || s.to_string().contains("number") => {
                    "，应为数字".to_string()
                }
                _ => String::new(),
            };
            format!("{arg} 的值“{value}”无效{why}{valid}")
        }
        K::ArgumentConflict => format!("选项 {arg} 不能与 {} 同时使用", ctx(ContextKind::PriorArg)),
        K::TooManyValues => format!("{arg} 只能给出一次（多出的值：{value}）"),
        K::InvalidUtf8 => "命令行中有无法识别的字符".into(),
        _ => format!("命令行有误：{}", e.to_string().lines().next().unwrap_or("")),
    };
    format!("jixiao：错误：{what}\n运行 jixiao --help 查看用法（jixiao run --help 查看 run 的全部选项）")
}

/// A configuration error: where (the file, and the line when it can be found) and what,
/// in plain words: `设置文件 my.toml 第3行：grades.excellent 应为数字，实为“九十”`.
fn config(e: &ConfigError, lang: Lang) -> String {
    match e {
        ConfigError::Io { path, cause } => match lang {
            Lang::Zh => format!("无法读取设置文件 {path}：{}，请检查路径", io(cause, lang)),
            Lang::En => e.to_string(),
        },
        ConfigError::Invalid { origin, message } => {
            let key = key_of(message);
            let line = line_of(message).or_else(|| {
                let text = jixiao_text::normalize::decode_text(std::fs::read(origin).ok()?);
                key.as_deref().and_then(|k| line_of_key(&text, k))
            });
            match lang {
                Lang::Zh => {
                    let at = line.map(|l| format!("第{l}行：")).unwrap_or_default();
                    format!("设置文件 {origin} {at}{}", config_message_zh(message, key.as_deref()))
                }
                Lang::En => {
                    let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
                    format!("config {origin}{at} {}", message.lines().next().unwrap_or(message))
                }
            }
        }
    }
}

/// The dotted key an error names (``in `grades.excellent` ``, ``unknown rule `rules.X` ``,
/// ``unknown field `grade` `` under the table the message names, if any).
fn key_of(message: &str) -> Option<String> {
    if let Some(rest) = message.split("unknown field `").nth(1) {
        let field = rest.split('`').next()?;
        let table = message.rfind("in `").map(|i| &message[i + 4..]).and_then(|r| r.split('`').next());
        return Some(match table {
            Some(t) if !t.is_empty() => format!("{t}.{field}"),
            _ => field.to_string(),
        });
    }
    let at = message.rfind("in `").map(|i| i + 4).or_else(|| message.find("`rules.").map(|i| i + 1))?;
    let rest = &message[at..];
    Some(rest[..rest.find('`')?].to_string())
}

/// `TOML parse error at line 3, column 13`.
fn line_of(message: &str) -> Option<usize> {
    let at = message.find("at line ")? + "at line ".len();
    message[at..].split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The line (1-based) of a TOML text where `key` (`grades.excellent`) is set: under its
/// `[table]` header, or as a dotted key.
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let mut table = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix('[').and_then(|t| t.split(']').next()) {
            table = h.trim_matches(['[', ' ']).replace(['"', ' '], "");
            if table == key {
                return Some(i + 1);
            }
            continue;
        }
        let Some((k, _)) = t.split_once('=') else { continue };
        let k = k.trim().replace(['"', ' '], "");
        let full = if table.is_empty() { k } else { format!("{table}.{k}") };
        if full == key || key.starts_with(&format!("{full}.")) {
            return Some(i + 1);
        }
    }
    None
}

/// serde's and toml's wording in plain Chinese, for the cases a user meets; anything else
/// is shown as it is after a Chinese lead.
fn config_message_zh(message: &str, key: Option<&str>) -> String {
    let first = message.lines().find(|l| !l.trim().is_empty() && !l.contains("TOML parse error")).unwrap_or(message);
    let subject = key.map(|k| format!("{k} ")).unwrap_or_default();
    if let Some(rest) = first.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let got = got.strip_prefix("string ").map(|s| format!("“{}”", s.trim_matches('"'))).unwrap_or(got.to_string());
        let want = match expected.trim() {
            e if e.starts_with("f64") || e.starts_with("f32") || e.contains("float") => "数字",
            e if e.starts_with("i") || e.starts_with("u") || e.contains("integer") => "整数",
            e if e.contains("string") => "文字（加英文引号）",
            e if e.contains("bool") => "true 或 false",
            e if e.contains("sequence") || e.contains("array") => "列表，如 [\"甲\", \"乙\"]",
            e if e.contains("map") || e.contains("struct") || e.contains("table") => "一组设置（[表名] 下的若干项）",
            e => e,
        };
        return format!("{subject}应为{want}，实为{got}");
    }
    if let Some(rest) = first.strip_prefix("unknown field `") {
        let (name, known) = rest.split_once('`').unwrap_or((rest, ""));
        let known = known.split_once("expected ").map(|(_, k)| k.replace('`', "")).unwrap_or_default();
        let known = known.trim_start_matches("one of ").trim_start_matches("a ").replace(", ", "、");
        let known = if known.is_empty() { String::new() } else { format!("（可用的设置项：{known}）") };
        return format!("没有名为 {name} 的设置项{known}，请检查拼写");
    }
    if let Some(rest) = first.strip_prefix("unknown rule `") {
        let id = rest.split('`').next().unwrap_or(rest);
        return format!("没有规则 {id}；运行 jixiao rules 可列出全部规则编号");
    }
    if first.contains("must be a number ≥ 0") {
        let got = first.rsplit("got ").next().unwrap_or("");
        return format!("{subject}应为不小于 0 的数字，实为 {got}");
    }
    if message.contains('“') || message.contains('”') || message.contains('‘') || message.contains('’') {
        return "用了中文引号。设置文件中的引号须为英文引号 \"，请改正后重试".into();
    }
    if message.contains("TOML parse error") {
        return format!("格式有误（{}）。请检查引号、等号和方括号", first.trim());
    }
    format!("设置有误：{}", first.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zh(user: &str) -> String {
        let e = crate::config::Config::build(Some(("my.toml", user))).expect_err("refused");
        config(&e, Lang::Zh)
    }

    #[test]
    fn a_word_where_a_number_goes_is_named_with_its_key() {
        let m = zh("[grades]\nexcellent = \"九十\"\n");
        assert!(m.contains("grades.excellent 应为数字，实为“九十”"), "{m}");
    }

    #[test]
    fn an_unknown_field_and_an_unknown_rule_say_what_to_do() {
        let m = zh("grade = 1\n");
        assert!(m.contains("没有名为 grade 的设置项") && m.contains("请检查拼写"), "{m}");
        let m = zh("[rules.NO_SUCH_RULE]\ntolerance = 1\n");
        assert!(m.contains("没有规则 rules.NO_SUCH_RULE") && m.contains("jixiao rules"), "{m}");
    }

    #[test]
    fn a_syntax_error_names_its_line() {
        let m = zh("[report]\nregion = \"株洲市\"\nyear = = 2022\n");
        assert!(m.starts_with("设置文件 my.toml 第3行：格式有误"), "{m}");
    }

    #[test]
    fn chinese_quotes_are_named() {
        let m = zh("[labels.indicator_columns]\ntarget = [“考核目标”]\n");
        assert!(m.contains("第2行") && m.contains("中文引号"), "{m}");
    }

    #[test]
    fn lines_of_keys() {
        let text = "# c\n[grades]\nexcellent = 1\n[rules.TOTAL_MISMATCH]\ntolerance = 2\n";
        assert_eq!(line_of_key(text, "grades.excellent"), Some(3));
        assert_eq!(line_of_key(text, "rules.TOTAL_MISMATCH.tolerance"), Some(5));
        assert_eq!(line_of_key(text, "report.region"), None);
    }
}
