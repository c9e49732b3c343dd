//! What a 科员 reads at the command line is Chinese: the help of every command, the errors
//! with what to do; English stays one flag (`--lang en`) or variable (`JIXIAO_LANG=en`) away.

use std::process::{Command, Output};

fn jixiao(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    c.args(args).env_remove("JIXIAO_LANG");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

#[test]
fn help_is_chinese_with_examples_and_says_word_reports_are_read() {
    let o = jixiao(&["run", "--help"], &[]);
    assert_eq!(o.status.code(), Some(0));
    let text = out(&o);
    for words in
        ["用法：jixiao run [选项] <输入文件夹>", "Word 报告（.docx）", "示例：", "--roster <名单文件>", "显示帮助"]
    {
        assert!(text.contains(words), "`{words}` missing:\n{text}");
    }
    let top = out(&jixiao(&["--help"], &[]));
    assert!(top.contains("命令") && top.contains("说明一个文件里读到了什么"), "{top}");
}

#[test]
fn english_on_request() {
    for (args, env) in
        [(vec!["run", "--help", "--lang", "en"], vec![]), (vec!["run", "--help"], vec![("JIXIAO_LANG", "en")])]
    {
        let text = out(&jixiao(&args, &env));
        assert!(text.contains("Usage: jixiao run [OPTIONS] <INPUT_DIR>") && text.contains("Word reports"), "{text}");
    }
    let o = jixiao(&["run", "/no/such/folder", "--lang", "en"], &[]);
    assert!(out(&o).contains("input folder /no/such/folder does not exist"), "{}", out(&o));
}

#[test]
fn errors_say_what_is_wrong_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("2022自评");
    let o = jixiao(&["run", missing.to_str().unwrap(), "--out", dir.path().join("o").to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains(&format!("找不到输入文件夹 {}，请检查路径", missing.display())), "{}", out(&o));

    let config = dir.path().join("my.toml");
    std::fs::write(&config, "# 我的设置\n[grades]\nexcellent = \"九十\"\n").unwrap();
    let o = jixiao(&["rules", "--config", config.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(out(&o).contains("第3行：grades.excellent 应为数字，实为“九十”"), "{}", out(&o));
    assert!(!out(&o).contains("f64"), "no Rust type names: {}", out(&o));

    let o = jixiao(&["run", ".", "--no-such-flag"], &[]);
    assert_eq!(o.status.code(), Some(2), "usage errors exit 2");
    assert!(out(&o).contains("无法识别的选项 --no-such-flag") && out(&o).contains("jixiao --help"), "{}", out(&o));
}

#[test]
fn the_closing_line_is_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
    let o = jixiao(&["run", sample.to_str().unwrap(), "--out", dir.path().join("o").to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", out(&o));
    let text = out(&o);
    assert!(text.contains("共 38 个文件（已读取 35") && text.contains("疑点"), "{text}");
}

/// A folder dropped on the program (its path the only argument): a run with defaults whose
/// results go beside it, into a folder the OUT_DIR rule allows, and a window that waits.
#[test]
fn a_dropped_folder_runs_with_defaults_and_writes_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("2022自评");
    std::fs::create_dir_all(input.join("株洲市行政审批服务局")).unwrap();
    jixiao_fixtures::WorkbookSpec::stacked("附表", jixiao_fixtures::seed::forms(), jixiao_fixtures::Layout::default())
        .save(&input.join("株洲市行政审批服务局/2022.xlsx"))
        .unwrap();
    // a folder of the user's already has the first name: it is left alone
    let taken = dir.path().join("2022自评-汇总结果");
    std::fs::create_dir_all(&taken).unwrap();
    std::fs::write(taken.join("我的.docx"), b"mine").unwrap();
    for _ in 0..2 {
        let o = Command::new(env!("CARGO_BIN_EXE_jixiao"))
            .arg(&input)
            .env_remove("JIXIAO_LANG")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", out(&o));
        let text = out(&o);
        assert!(text.contains("2022自评-汇总结果2") && text.contains("按回车键关闭窗口"), "{text}");
    }
    assert!(dir.path().join("2022自评-汇总结果2/summary.xlsx").is_file(), "written, then reused on the second drop");
    assert_eq!(std::fs::read(taken.join("我的.docx")).unwrap(), b"mine");
    assert!(!taken.join("summary.xlsx").exists());
}

/// Runs of two or more English words in `text`, once the names that stay as they are
/// (options, files, formats, products, the variable that switches to English) are set aside.
fn english_phrases(text: &str) -> Vec<String> {
    const NAMES: [&str; 17] = [
        "jixiao",
        "run",
        "explain",
        "rules",
        "JIXIAO_LANG",
        "TOML",
        "Markdown",
        "Excel",
        "Word",
        "WPS",
        "PDF",
        "CPU",
        "true",
        "false",
        "en",
        "zh",
        "D:",
    ];
    let mut phrases = Vec::new();
    for line in text.lines() {
        let mut run: Vec<&str> = Vec::new();
        for token in line.split(|c: char| c.is_whitespace() || "，。；：（）“”、,;()<>[]|".contains(c)) {
            let word = token.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            let plain_word = !word.is_empty()
                && word.chars().all(|c| c.is_ascii_alphabetic())
                && !token.starts_with('-')
                && !token.contains('.')
                && !token.contains('/')
                && !token.contains('\\')
                && !token.contains('=')
                && !NAMES.contains(&word);
            if plain_word {
                run.push(word);
            } else {
                if run.len() >= 2 {
                    phrases.push(run.join(" "));
                }
                run.clear();
            }
        }
        if run.len() >= 2 {
            phrases.push(run.join(" "));
        }
    }
    phrases
}

#[test]
fn no_english_sentence_in_the_help_or_the_errors_unless_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let bad_config = dir.path().join("设置.toml");
    std::fs::write(&bad_config, "[grades]\nexcellent = \"九十\"\nunknown = 1\n").unwrap();
    let file = dir.path().join("汇总.xlsx");
    std::fs::write(&file, b"x").unwrap();
    let missing = dir.path().join("没有这个文件夹");
    let (m, c, f) = (missing.to_str().unwrap(), bad_config.to_str().unwrap(), file.to_str().unwrap());
    let cases: Vec<Vec<&str>> = vec![
        vec!["--help"],
        vec!["run", "--help"],
        vec!["explain", "--help"],
        vec!["rules", "--help"],
        vec!["rules"],
        vec!["run", m],
        vec!["run", ".", "--out", f],
        vec!["run", ".", "--config", c],
        vec!["rules", "--config", m],
        vec!["explain", m],
        vec!["run"],
        vec!["run", ".", "--jobs", "很多"],
        vec!["run", ".", "--no-such-flag"],
        vec!["frob"],
    ];
    for args in &cases {
        let text = out(&jixiao(args, &[]));
        let english = english_phrases(&text);
        assert!(english.is_empty(), "`jixiao {}` says {english:?} in English:\n{text}", args.join(" "));
        let en = out(&jixiao(&[args.as_slice(), &["--lang", "en"]].concat(), &[]));
        assert!(!english_phrases(&en).is_empty(), "and English on request: {en}");
    }
}

/// A workbook dropped on the program instead of a folder: said in plain words, and the
/// window waits (it used to close on clap's `没有命令 …`).
#[test]
fn a_dropped_file_is_told_to_be_a_folder_and_the_window_waits() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("株洲市实验小学2022年度绩效自评.xlsx");
    std::fs::write(&file, b"x").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg(&file)
        .env_remove("JIXIAO_LANG")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let text = out(&o);
    assert!(text.contains("拖到 jixiao.exe 上（不是单个文件") && text.contains("按回车键关闭窗口"), "{text}");
}
