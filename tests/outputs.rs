//! The outputs other tools rely on: the Parquet tables with the contract's names and
//! types, summary.xlsx with its sheets and ranks, run.json, and the exit status.

mod common;

use std::path::Path;
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};
use common::*;
use jixiao::config::Config;
use jixiao::pipeline::{RunOptions, run};
use jixiao_fixtures::{Layout, WorkbookSpec, seed};
use jixiao_report::dataset::read_table;
use polars::prelude::DataType;

fn run_on_seed(dir: &Path) -> std::path::PathBuf {
    let input = dir.join("in");
    let seed = WorkbookSpec::stacked("附表", seed::forms(), Layout::default());
    std::fs::create_dir_all(input.join("株洲市行政审批服务局")).unwrap();
    seed.save(&input.join("株洲市行政审批服务局/2022.xlsx")).unwrap();
    // a copy (DUPLICATE_FILE) and a notes workbook with no form
    std::fs::create_dir_all(input.join("copies")).unwrap();
    std::fs::copy(input.join("株洲市行政审批服务局/2022.xlsx"), input.join("copies/2022 - 副本.xlsx")).unwrap();
    let mut notes = rust_xlsxwriter::Workbook::new();
    notes.add_worksheet().write_string(0, 0, "填报说明：金额单位为万元").unwrap();
    notes.save(input.join("说明.xlsx")).unwrap();
    let out = dir.join("out");
    let opts = run_options(&input, &out, Config::default_config(), false);
    run(&opts).unwrap();
    out
}

#[test]
fn parquet_tables_have_the_contract_names_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_on_seed(dir.path());
    use DataType::*;
    let contract: &[(&str, &[(&str, DataType)])] = &[
        (
            "files",
            &[
                ("path", String),
                ("bytes", Int64),
                ("sha256", String),
                ("status", String),
                ("error", String),
                ("forms", Int32),
            ],
        ),
        (
            "evaluations",
            &[
                ("eval_id", String),
                ("path", String),
                ("sheet", String),
                ("row", Int32),
                ("form", String),
                ("year", Int32),
                ("department", String),
                ("project", String),
                ("supervisor", String),
                ("implementer", String),
                ("budget_initial", Float64),
                ("budget_full", Float64),
                ("executed", Float64),
                ("exec_weight", Float64),
                ("exec_rate", Float64),
                ("exec_rate_calc", Float64),
                ("exec_score", Float64),
                ("weight_total", Float64),
                ("score_total", Float64),
                ("score_calc", Float64),
                ("grade", String),
                ("filled_by", String),
                ("filled_date", Date),
                ("phone", String),
            ],
        ),
        (
            "funds",
            &[
                ("eval_id", String),
                ("source", String),
                ("initial", Float64),
                ("full", Float64),
                ("executed", Float64),
                ("weight", Float64),
                ("rate", Float64),
                ("score", Float64),
            ],
        ),
        (
            "indicators",
            &[
                ("eval_id", String),
                ("row", Int32),
                ("level1", String),
                ("level2", String),
                ("level3", String),
                ("target", String),
                ("actual", String),
                ("weight", Float64),
                ("score", Float64),
                ("reason", String),
                ("target_op", String),
                ("target_value", Float64),
                ("actual_value", Float64),
                ("unit", String),
                ("met", Boolean),
            ],
        ),
        (
            "basic_data",
            &[
                ("path", String),
                ("sheet", String),
                ("row", Int32),
                ("department", String),
                ("year", Int32),
                ("item", String),
                ("parent", String),
                ("prev_final", Float64),
                ("budget", Float64),
                ("final", Float64),
            ],
        ),
        (
            "anomalies",
            &[
                ("rule", String),
                ("severity", String),
                ("path", String),
                ("sheet", String),
                ("cell", String),
                ("eval_id", String),
                ("department", String),
                ("project", String),
                ("message", String),
                ("expected", Float64),
                ("actual", Float64),
            ],
        ),
    ];
    for (table, cols) in contract {
        let df = read_table(&out.join(format!("dataset/{table}.parquet"))).unwrap();
        for (name, dtype) in *cols {
            let col = df.column(name).unwrap_or_else(|_| panic!("{table}.{name} missing"));
            assert_eq!(col.dtype(), dtype, "{table}.{name}");
        }
    }
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    let status: Vec<Option<&str>> = files.column("status").unwrap().str().unwrap().iter().collect();
    let paths: Vec<Option<&str>> = files.column("path").unwrap().str().unwrap().iter().collect();
    assert_eq!(
        paths,
        vec![Some("copies/2022 - 副本.xlsx"), Some("株洲市行政审批服务局/2022.xlsx"), Some("说明.xlsx")],
        "every file, sorted, relative with /"
    );
    // the copy comes first in path order, so it is the one kept; the other is the duplicate
    assert_eq!(status, vec![Some("ok"), Some("duplicate"), Some("no_form")]);
    let evals = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    assert_eq!(evals.height(), 9, "the duplicate's forms are not counted again");
    let rates: Vec<Option<f64>> = evals.column("exec_rate").unwrap().f64().unwrap().iter().collect();
    assert!(rates.contains(&Some(0.78)), "rates are fractions");
    let run_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run_json["files"]["total"], 3);
    assert_eq!(run_json["files"]["duplicate"], 1);
    assert_eq!(run_json["forms"]["project"], 8);
    assert!(run_json["config"]["labels"].is_object(), "run.json records the config used");
}

#[test]
fn summary_workbook_has_its_sheets_and_shared_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_on_seed(dir.path());
    let mut wb: Xlsx<_> = open_workbook(out.join("summary.xlsx")).unwrap();
    let expected: Vec<&str> =
        jixiao_report::summary::SHEETS.iter().chain(&jixiao_report::summary::EXTRA_SHEETS).copied().collect();
    assert_eq!(wb.sheet_names(), expected);
    let projects = wb.worksheet_range("项目排名").unwrap();
    let rows: Vec<(f64, String, f64)> = projects
        .rows()
        .skip(2)
        .map(|r| {
            let num = |d: &Data| match d {
                Data::Float(f) => *f,
                Data::Int(i) => *i as f64,
                _ => f64::NAN,
            };
            // (title and header rows skipped) 年度, 排名, 项目, 部门, 核定总分…
            (num(&r[1]), r[2].to_string(), num(&r[4]))
        })
        .collect();
    let ranks: Vec<f64> = rows.iter().map(|r| r.0).collect();
    // by the checked total: 99.9, 98, 97, 95.5, 85, 84.1, 83.12, 82.8 (ties sharing a rank
    // are tested in tests/rankings.rs, by the stated total)
    assert_eq!(ranks, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]);
    let totals: Vec<f64> = rows.iter().map(|r| r.2).collect();
    assert_eq!(totals, vec![99.9, 98.0, 97.0, 95.5, 85.0, 84.1, 83.12, 82.8]);
    assert_eq!(rows[0].1, "一件事一次办改革经费");
    let anomalies = wb.worksheet_range("疑点清单").unwrap();
    let severities: Vec<String> = anomalies.rows().skip(2).map(|r| r[0].to_string()).collect();
    assert!(
        anomalies.rows().any(|r| r[8] == "TOTAL_MISMATCH" && r[1] == "总分与分项合计不符"),
        "each finding names its rule in Chinese beside the id"
    );
    let order = |s: &str| ["错误", "警告", "提示"].iter().position(|x| *x == s).unwrap();
    assert!(
        severities.windows(2).all(|w| order(&w[0]) <= order(&w[1])),
        "sorted error → warning → info: {severities:?}"
    );
    assert!(
        anomalies
            .rows()
            .skip(2)
            .all(|r| !r[11].to_string().is_empty() || r[8].to_string().contains("FILE") || r[8] == "NO_FORM_FOUND"),
        "form findings name a cell"
    );
    let files = wb.worksheet_range("文件清单").unwrap();
    assert_eq!(files.rows().count(), 5, "title, header and one row per input file");

    // numbers are shown in their formats (written through column formats): 总分 0.00,
    // 全年预算数 #,##0.00, 执行率 0.00%, on every data row; 指标明细's 分值 0.00
    let format_at = |wb: &mut Xlsx<_>, sheet: &str, pos: (u32, u32)| -> String {
        let styles = wb.worksheet_style(sheet).unwrap();
        styles.get(pos).and_then(|s| s.number_format.as_ref()).map(|n| n.format_code.clone()).unwrap_or_default()
    };
    for row in [2, 9] {
        assert_eq!(format_at(&mut wb, "项目排名", (row, 4)), "0.00", "核定总分");
        assert_eq!(format_at(&mut wb, "项目排名", (row, 6)), "0.00", "填报总分");
        assert_eq!(format_at(&mut wb, "项目排名", (row, 8)), "0.00", "差异");
        assert_eq!(format_at(&mut wb, "项目排名", (row, 9)), "#,##0.00");
        assert_eq!(format_at(&mut wb, "项目排名", (row, 12)), "0.00%");
    }
    assert_eq!(format_at(&mut wb, "指标明细", (2, 7)), "0.00");
    // 基础数据: headcounts (人数) and 控制率 each in a column of their own, not among the amounts
    let basic = wb.worksheet_range("基础数据").unwrap();
    let header: Vec<String> = basic.rows().nth(1).unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header[7..9], ["人数", "控制率"]);
    let rate_row = basic.rows().position(|r| r[2] == "控制率").unwrap() as u32;
    let staff_row = basic.rows().position(|r| r[2] == "编制数").unwrap() as u32;
    assert_eq!(format_at(&mut wb, "基础数据", (rate_row, 8)), "0.00%");
    assert_eq!(format_at(&mut wb, "基础数据", (staff_row, 7)), "#,##0");
    assert!(
        basic.get(((staff_row - basic.start().unwrap().0) as usize, 8)).is_none_or(|c| c.to_string().is_empty()),
        "no rate beside a headcount"
    );
    assert_eq!(format_at(&mut wb, "基础数据", (rate_row + 1, 6)), "#,##0.00");
}

#[test]
fn exit_status_follows_the_spec() {
    let bin = env!("CARGO_BIN_EXE_jixiao");
    let dir = tempfile::tempdir().unwrap();
    let missing = Command::new(bin)
        .args(["run", "/no/such/folder", "--out"])
        .arg(dir.path().join("o"))
        .arg("--quiet")
        .status()
        .unwrap();
    assert_eq!(missing.code(), Some(1), "input missing");
    let usage = Command::new(bin).args(["run", "--no-such-flag"]).status().unwrap();
    assert_eq!(usage.code(), Some(2), "usage error");
    std::fs::create_dir_all(dir.path().join("in")).unwrap();
    std::fs::write(dir.path().join("in/broken.xlsx"), b"not a workbook").unwrap();
    let ok = Command::new(bin)
        .arg("run")
        .arg(dir.path().join("in"))
        .arg("--out")
        .arg(dir.path().join("o"))
        .arg("--quiet")
        .status()
        .unwrap();
    assert_eq!(ok.code(), Some(0), "a failed file does not fail the run");
    let files = read_table(&dir.path().join("o/dataset/files.parquet")).unwrap();
    assert_eq!(files.column("status").unwrap().str().unwrap().get(0), Some("failed"));
}

#[test]
fn one_job_writes_what_two_jobs_write() {
    // more files than one chunk (128), so chunks are written in order on both paths:
    // `--jobs 1` processes and writes on one thread; `--jobs 2` streams the summary while
    // processing and hands each chunk on to a thread of its own for the Parquet tables
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    for i in 0..140 {
        let d = jixiao_fixtures::synth::department(i, 31, (1, 2));
        let p = input.join(&d.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        d.workbook.save(&p).unwrap();
    }
    let written = |jobs: usize| {
        let out = dir.path().join(format!("out{jobs}"));
        let opts = RunOptions {
            input: input.clone(),
            out: out.clone(),
            config: Config::default_config(),
            config_path: None,
            jobs: Some(jobs),
            progress: false,
            cache: false,
            run_date: run_date(),
        };
        let report = run(&opts).unwrap();
        assert_eq!(report.files.total, 140);
        outputs(&out)
    };
    assert_eq!(written(1), written(2));
}
