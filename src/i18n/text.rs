//! The progress bar, the closing summary line and the warnings of a run.

use super::Lang;
use jixiao_report::run_report::RunReport;

/// indicatif's template for the progress bar.
pub fn progress_template(lang: Lang) -> &'static str {
    lang.pick(
        "{bar:40} {pos}/{len} 个文件  {per_sec}  预计还需 {eta}",
        "{bar:40} {pos}/{len} files  {per_sec}  ETA {eta}",
    )
}

/// The line a run ends with: what was read, what was found, where it went.
pub fn closing_line(r: &RunReport, lang: Lang) -> String {
    let f = &r.files;
    let secs = r.durations_ms.total as f64 / 1000.0;
    match lang {
        Lang::Zh => format!(
            "共 {} 个文件（已读取 {}，未找到自评表 {}，读取失败 {}，重复 {}，未读取 {}）· 部门整体自评表 {} 张、项目自评表 {} 张、基础数据表 {} 张（另有 {} 张已被新版本替代，不计入）· 疑点 {} 条（错误 {}，警告 {}，提示 {}）· 用时 {:.1} 秒 → {}",
            f.total,
            f.ok,
            f.no_form,
            f.failed,
            f.duplicate,
            f.skipped,
            r.forms.department,
            r.forms.project,
            r.forms.basic,
            r.forms.superseded,
            r.anomalies.total,
            r.anomalies.error,
            r.anomalies.warning,
            r.anomalies.info,
            secs,
            r.out
        ),
        Lang::En => crate::pipeline::one_line(r),
    }
}

/// A file of ours not written because the user keeps one of that name in OUT_DIR.
pub fn kept_user_file(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("注意：输出文件夹中已有您的同名文件 {path}，未覆盖；本次的这一份没有写出"),
        Lang::En => {
            format!("note: OUT_DIR holds a file of yours at {path}; it was kept and this run's was not written")
        }
    }
}

/// A file of an earlier run the user changed, kept although this run did not write it.
pub fn kept_changed(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("注意：{path} 是上次输出的文件，已被修改，予以保留（不再更新）"),
        Lang::En => format!("note: {path}, written by an earlier run and changed since, was kept"),
    }
}

/// Drag-and-drop: what is read and where the results go.
pub fn dropped_start(input: &str, out: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("正在读取 {input} 中的自评材料，结果将写入 {out}"),
        Lang::En => format!("reading {input}; the results go to {out}"),
    }
}

/// Drag-and-drop: where to look when the run is done.
pub fn dropped_done(out: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("完成。请打开 {out} 中的 summary.xlsx（汇总）查看结果。"),
        Lang::En => format!("done: open summary.xlsx in {out}"),
    }
}

/// Drag-and-drop: no folder found to write the results in.
pub fn dropped_no_out(input: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{input} 旁边的“-汇总结果”文件夹都已被其他文件占用，请在命令行中用 --out 指定输出文件夹"),
        Lang::En => format!("no free results folder beside {input}: name one with --out"),
    }
}

/// The window's last line when it was opened by a double click or a drop.
pub fn press_enter(lang: Lang) -> &'static str {
    lang.pick("按回车键关闭窗口……", "press Enter to close this window…")
}

/// Started with nothing to do (a double click on jixiao.exe).
pub fn nothing_to_do(lang: Lang) -> &'static str {
    lang.pick(
        "jixiao（绩效）：把装有自评材料的文件夹拖到 jixiao.exe 的图标上即可运行；\n或在命令行中运行 jixiao run <文件夹> --out <输出文件夹>，jixiao --help 查看全部用法。",
        "jixiao: drop a folder of submissions onto jixiao.exe, or run `jixiao run <DIR> --out <OUT>`; `jixiao --help` for more.",
    )
}

/// `--feedback` with `[feedback]` settings missing (`office`, `deadline`).
pub fn feedback_unset(keys: &[&str], lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            let names: Vec<&str> = keys
                .iter()
                .map(|k| match *k {
                    "office" => "发文单位（office）",
                    "deadline" => "反馈期限（deadline）",
                    other => other,
                })
                .collect();
            format!("注意：设置文件的 [feedback] 中未设置{}，反馈工作簿中显示为“（未设置）”", names.join("、"))
        }
        Lang::En => format!("note: [feedback] {} not set; the feedback workbooks show （未设置）", keys.join(", ")),
    }
}

/// What `--replies` found, for the terminal: the counts, then every answered row that
/// matches no finding and every file skipped, in Chinese (the office reads them).
pub fn replies_lines(r: &jixiao_report::feedback::replies::ReplyCounts, lang: Lang) -> String {
    if lang == Lang::En {
        return format!(
            "replies: {} feedback workbooks read, {} findings answered, {} rows matched no finding, {} files skipped",
            r.files, r.answered, r.unmatched, r.skipped
        );
    }
    let mut out = format!(
        "反馈回收：读取反馈表{}份，{}条问题已反馈，{}行未能对应到问题，{}个文件不是可读取的反馈表（已跳过）",
        r.files, r.answered, r.unmatched, r.skipped
    );
    for u in &r.unmatched_rows {
        let what = [u.rule.as_str(), u.cell.as_str()].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>();
        let what = if what.is_empty() { String::new() } else { format!("（{}）", what.join(" ")) };
        out.push_str(&format!(
            "\n  未对应：{} 工作表“{}”第{}行{what}：{}。反馈内容：{}",
            u.file, u.sheet, u.row, u.why, u.reply
        ));
    }
    for s in &r.skipped_files {
        out.push_str(&format!("\n  已跳过：{}：{}", s.file, s.reason));
    }
    out
}

/// A file, or several things, dropped on the program instead of one folder.
pub fn drop_a_folder(lang: Lang) -> &'static str {
    lang.pick(
        "请把装有自评材料的一个“文件夹”拖到 jixiao.exe 上（不是单个文件，一次只拖一个文件夹）。要查看一个文件读到了什么，请在命令行运行 jixiao explain 文件。",
        "drop one folder of submissions on jixiao.exe (not a file, one folder at a time); to see what one file holds, run `jixiao explain FILE`.",
    )
}

/// `jixiao rules` in Chinese: each rule's 级别, id, 名称 and 含义, and its thresholds in
/// force in words (the English catalog, and the Markdown of docs/rules.md, stay
/// `jixiao_rules::describe`).
pub fn rules_zh(config: &crate::config::Config) -> String {
    let mut out = String::from("核对规则（级别：错误须改正，警告请核实，提示供参考）\n\n");
    for rule in jixiao_rules::catalog() {
        let severity = jixiao_report::summary::severity_zh(jixiao_rules::severity_of(&config.settings.checks, rule.id));
        let off = if config.settings.checks.rule(rule.id).enabled == Some(false) { "（已停用）" } else { "" };
        out.push_str(&format!("【{severity}】{}{off}  {}\n", rule.name, rule.id));
        out.push_str(&format!("    {}\n", rule.meaning));
        let thresholds = jixiao_report::summary::guide::thresholds(&config.settings, rule.id);
        if !thresholds.is_empty() {
            out.push_str(&format!("    阈值：{thresholds}\n"));
        }
    }
    let g = &config.settings.checks.grades;
    let f = jixiao_rules::fmt;
    out.push_str(&format!(
        "\n等级：优 ≥ {}分，良 ≥ {}分，中 ≥ {}分，其余为差。\n",
        f(g.excellent),
        f(g.good),
        f(g.pass)
    ));
    out
}
