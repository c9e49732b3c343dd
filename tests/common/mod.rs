//! Helpers shared by the integration tests: write generated workbooks to a temporary
//! folder and run the pipeline's stages on them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use jixiao::config::Config;
use jixiao::discover::Input;
use jixiao_fixtures::WorkbookSpec;
use jixiao_forms::model::Evaluation;
use jixiao_rules::FileResult;

/// The date the tests run "on", so date rules do not depend on the clock.
pub fn run_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()
}

/// A run of `input` into `out` as the tests make it: two jobs, no progress bar, the test's
/// run date.
pub fn run_options(input: &Path, out: &Path, config: Config, cache: bool) -> jixiao::pipeline::RunOptions {
    jixiao::pipeline::RunOptions {
        input: input.into(),
        out: out.into(),
        config,
        config_path: None,
        jobs: Some(2),
        progress: false,
        cache,
        run_date: run_date(),
    }
}

/// Writes `spec` to `dir/rel` and processes it as the pipeline would.
pub fn process(dir: &Path, rel: &str, spec: &WorkbookSpec) -> FileResult {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    spec.save(&path).unwrap();
    process_path(&path, rel)
}

pub fn process_path(path: &Path, rel: &str) -> FileResult {
    process_with(path, rel, &Config::default_config())
}

/// [`process_path`] with a configuration of the test's own (a user's `--config`).
pub fn process_with(path: &Path, rel: &str, config: &Config) -> FileResult {
    let input = Input { path: PathBuf::from(path), rel: rel.to_string() };
    jixiao::pipeline::process_file(&input, config, run_date())
}

/// The form whose project (or department, for form B) name contains `name`.
pub fn form<'a>(r: &'a FileResult, name: &str) -> &'a Evaluation {
    r.evaluations.iter().find(|e| e.title().contains(name)).unwrap_or_else(|| {
        panic!("no form named {name}; have {:?}", r.evaluations.iter().map(|e| e.title()).collect::<Vec<_>>())
    })
}

/// Rule ids that fired on the form named `name`.
pub fn rules_on(r: &FileResult, name: &str) -> Vec<&'static str> {
    let id = &form(r, name).eval_id;
    let mut v: Vec<&'static str> =
        r.anomalies.iter().filter(|a| a.eval_id.as_ref() == Some(id)).map(|a| a.rule).collect();
    v.sort();
    v
}

pub fn approx(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

/// What a form says, without where it says it: the records two layouts of the same
/// content must agree on.
pub fn essence(e: &Evaluation) -> String {
    let funds: Vec<String> = e
        .funds
        .iter()
        .map(|f| {
            format!(
                "{}:{:?}/{:?}/{:?}/{:?}/{:?}/{:?}",
                f.source, f.initial.value, f.full.value, f.executed.value, f.weight.value, f.rate.value, f.score.value
            )
        })
        .collect();
    let inds: Vec<String> = e
        .indicators
        .iter()
        .map(|i| {
            format!(
                "{}|{:?}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
                i.level1,
                i.level1_declared,
                i.level2,
                i.level3,
                i.target.value,
                i.actual.value,
                i.weight.value,
                i.score.value,
                i.reason.value,
                i.met
            )
        })
        .collect();
    format!(
        "{:?} {:?} {:?} {:?} {:?} {:?} {:?}\nfunds {funds:?}\nindicators {inds:#?}\ntotal {:?}/{:?} footer {:?} {:?} {:?}",
        e.form,
        e.year,
        e.department.value,
        e.project.value,
        e.project_code,
        e.supervisor.value,
        e.implementer.value,
        e.weight_total.value,
        e.score_total.value,
        e.filled_by.value,
        e.filled_date.value,
        e.phone.value
    )
}

/// Rewrites one cell of an `.xlsx` as a formula with no cached value, the way programs
/// that never calculate leave it (`<c r="H107"><f>SUM(H1:H2)</f></c>`).
pub fn uncalculated_formula(xlsx: &[u8], sheet_index: usize, cell: &str) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let target = format!("xl/worksheets/sheet{}.xml", sheet_index + 1);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if name == target {
            let xml = String::from_utf8(data).unwrap();
            let open = format!("<c r=\"{cell}\"");
            let start = xml.find(&open).unwrap_or_else(|| panic!("{cell} not in {target}"));
            let end = start + xml[start..].find("</c>").unwrap() + 4;
            let replaced = format!("{}<c r=\"{cell}\"><f>SUM(A1:A2)</f></c>{}", &xml[..start], &xml[end..]);
            data = replaced.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The seed's workbook (all ten forms stacked in one sheet), processed.
pub fn seed_result() -> FileResult {
    let dir = tempfile::tempdir().unwrap();
    let spec = WorkbookSpec::stacked("附表", jixiao_fixtures::seed::forms(), jixiao_fixtures::Layout::default());
    process(dir.path(), "株洲市行政审批服务局/2022.xlsx", &spec)
}

/// Every table and every summary sheet, as text (timings left out).
pub fn outputs(out: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for t in ["files", "evaluations", "funds", "indicators", "basic_data", "anomalies"] {
        let mut df = jixiao_report::dataset::read_table(&out.join(format!("dataset/{t}.parquet"))).unwrap();
        if t == "files" {
            df = df.drop("millis").unwrap();
        }
        v.push(format!("{t}: {:?}", df));
        v.push(format!("{t} rows: {}", df.height()));
    }
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(out.join("summary.xlsx")).unwrap();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        v.push(format!(
            "{name}: {:?}",
            range.rows().map(|r| r.iter().map(|c| c.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>()
        ));
    }
    v
}
