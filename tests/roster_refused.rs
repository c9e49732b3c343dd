//! Issue 19: a roster (`--roster`) with no column it recognises as the department name is
//! refused, naming the headers it found and those it accepts, rather than read as "every
//! department 名单外".

use std::process::Command;

use jixiao::config::Config;
use jixiao_report::roster::Roster;

const BAD: &str = "序号,名字,备注\n1,株洲市第一中学,\n2,株洲市中心医院,\n";

#[test]
fn a_roster_without_a_department_name_column_is_refused_naming_its_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    std::fs::write(&path, BAD).unwrap();
    let error = Roster::load(&path, &Config::default_config().settings.roster).unwrap_err().to_string();
    assert!(error.starts_with(&path.display().to_string()), "the path comes first: {error}");
    assert!(error.contains("名单中找不到部门名称列"), "{error}");
    assert!(error.contains("“序号、名字、备注”"), "the headers found: {error}");
    assert!(error.contains("部门名称、单位名称、预算部门、部门、单位、名称"), "the headers accepted: {error}");
}

#[test]
fn the_run_exits_1_with_the_reason_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in");
    let d = jixiao_fixtures::synth::department(0, 7, (2, 4));
    let file = input.join(&d.path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    d.workbook.save(&file).unwrap();
    let roster = dir.path().join("bad.csv");
    std::fs::write(&roster, BAD).unwrap();
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("run")
        .arg(&input)
        .arg("--roster")
        .arg(&roster)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("名字") && stderr.contains("部门名称"), "{stderr}");
    assert!(stderr.contains("bad.csv"), "the roster is named: {stderr}");
    assert!(!out.exists(), "nothing is written for a refused roster");
    // the same folder with the column named is run
    std::fs::write(&roster, BAD.replacen("名字", "部门名称", 1)).unwrap();
    let ok = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .arg("run")
        .arg(&input)
        .arg("--roster")
        .arg(&roster)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(out.join("summary.xlsx").is_file());
}
