//! Every file handed in is accounted for: a folder mixing a workbook, Word reports, a
//! `.doc`, a PDF, an image, WPS files and a named pipe lists every file, each with the
//! status a person expects and, for what was not read, what to ask the department for.

mod common;

use std::path::Path;

use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunOptions, run};
use jixiao_fixtures::{Layout, WorkbookSpec, docx, seed};
use jixiao_report::dataset::read_table;

fn opts(input: &Path, out: &Path) -> RunOptions {
    run_options(input, out, Config::default_config(), false)
}

/// An OLE compound file with the given streams.
fn ole(streams: &[&str]) -> Vec<u8> {
    let mut c = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    for name in streams {
        let mut s = c.create_stream(name).unwrap();
        std::io::Write::write_all(&mut s, &[0u8; 600]).unwrap();
    }
    c.into_inner().into_inner()
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_mixed_folder_lists_every_file_with_its_status_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let seed_book = WorkbookSpec::stacked("附表", seed::forms(), Layout::default()).to_bytes().unwrap();
    write(&input.join("甲局/2022.xlsx"), &seed_book);
    // 乙局 handed in its report split in three Word files, in a folder of another name
    for (name, spec) in docx::seed_split() {
        write(&input.join(format!("乙局/{name}.docx")), &docx::to_bytes(&spec).unwrap());
    }
    write(&input.join("丙局/自评报告.doc"), &ole(&["WordDocument", "1Table"]));
    write(&input.join("丙局/自评报告.pdf"), b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n");
    write(&input.join("丙局/扫描件.jpg"), b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00");
    write(&input.join("丁局/自评表.wps"), &ole(&["WordDocument"]));
    write(&input.join("丁局/改名的.docx"), &ole(&["WordDocument", "0Table"]));
    write(&input.join("丁局/报表.et"), &std::fs::read("tests/fixtures/formats/seed.xls").unwrap());
    write(&input.join("丁局/材料.rar"), b"Rar!\x1A\x07\x01\x00");
    write(&input.join("丁局/说明.txt"), "请查收".as_bytes());
    write(&input.join("丁局/.hidden.pdf"), b"%PDF-1.4");
    write(&input.join("丁局/~$自评表.docx"), b"lock");
    #[cfg(unix)]
    {
        let fifo = input.join("丁局/管道");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
        assert!(made, "mkfifo");
    }

    let out = dir.path().join("out");
    let report = run(&opts(&input, &out)).expect("the run completes");
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    let col = |name: &str| -> Vec<String> {
        files.column(name).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
    };
    let (paths, status, errors) = (col("path"), col("status"), col("error"));
    let row = |p: &str| paths.iter().position(|x| x == p).unwrap_or_else(|| panic!("{p} missing: {paths:?}"));
    let expect: &[(&str, &str, &str)] = &[
        ("甲局/2022.xlsx", "ok", ""),
        ("乙局/附件1-1.docx", "ok", ""),
        ("乙局/附件1-2.docx", "ok", ""),
        ("乙局/附件1-3.docx", "ok", ""),
        ("丙局/自评报告.doc", "skipped", "Word 97-2003 格式（.doc），请另存为 .docx 或 .xlsx 后重新提交"),
        ("丙局/自评报告.pdf", "skipped", "PDF 文件无法读取表格，请提交 Excel 或 Word 原件"),
        ("丙局/扫描件.jpg", "skipped", "图片文件无法读取表格"),
        ("丁局/自评表.wps", "skipped", "WPS 文字格式（.wps），请另存为 .docx 或 .xlsx"),
        ("丁局/改名的.docx", "skipped", "Word 97-2003 格式（.doc），扩展名却是 .docx"),
        ("丁局/报表.et", "ok", ""),
        ("丁局/材料.rar", "skipped", "压缩包，请解压后提交"),
        ("丁局/说明.txt", "skipped", "文本文件"),
    ];
    for (p, st, reason) in expect {
        let i = row(p);
        assert_eq!(status[i], *st, "{p}: {}", errors[i]);
        assert!(errors[i].contains(reason), "{p}: {}", errors[i]);
    }
    #[cfg(unix)]
    {
        let i = row("丁局/管道");
        assert_eq!(status[i], "skipped");
        assert!(errors[i].contains("命名管道"), "{}", errors[i]);
    }
    assert!(!paths.iter().any(|p| p.contains(".hidden") || p.contains("~$")), "{paths:?}");
    let listed = expect.len() + usize::from(cfg!(unix));
    assert_eq!(paths.len(), listed, "{paths:?}");
    assert_eq!(report.files.total, listed);
    assert_eq!(report.files.skipped, 7 + usize::from(cfg!(unix)));

    // the split report's projects take 乙局's form-B department, not the folder's name
    let evals = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    let strs = |name: &str| -> Vec<String> {
        evals.column(name).unwrap().str().unwrap().iter().map(|s| s.unwrap_or("").to_string()).collect()
    };
    let (epaths, depts) = (strs("path"), strs("department"));
    let split: Vec<&String> =
        epaths.iter().zip(&depts).filter(|(p, _)| p.starts_with("乙局/")).map(|(_, d)| d).collect();
    assert_eq!(split.len(), 9);
    assert!(split.iter().all(|d| *d == "株洲市行政审批服务局"), "{split:?}");

    // the summary's file list shows the skipped files as not read, with the reason
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("summary.xlsx")).unwrap();
    let list = wb.worksheet_range("文件清单").unwrap();
    let pdf = list.rows().find(|r| r[0].to_string().contains("自评报告.pdf")).expect("the PDF is listed");
    assert_eq!(pdf[1].to_string(), "未读取");
    assert!(pdf[2].to_string().contains("请提交 Excel 或 Word 原件"), "{:?}", pdf[2]);
}
