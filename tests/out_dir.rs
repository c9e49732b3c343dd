//! OUT_DIR belongs to the user: every test snapshots the user's files (every byte) before a
//! run of the real binary and asserts that none was lost or changed afterwards, whatever
//! `--out` named, and the exit status the spec gives.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use jixiao_fixtures::{Layout, WorkbookSpec, seed};
use jixiao_report::dataset::read_table;
use walkdir::WalkDir;

/// Every file under `dir` (links not followed), by relative path, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The user's files under `dir`: the snapshot without jixiao's own (those `paths` name).
fn only<'a>(snap: &'a BTreeMap<String, Vec<u8>>, paths: &[&str]) -> BTreeMap<&'a str, &'a Vec<u8>> {
    snap.iter().filter(|(k, _)| paths.contains(&k.as_str())).map(|(k, v)| (k.as_str(), v)).collect()
}

/// A year's submissions in `root/2022自评`: the seed's forms as a department's workbook, a
/// notes workbook and a subfolder.
fn submissions(root: &Path) -> PathBuf {
    let input = root.join("2022自评");
    let dept = input.join("株洲市行政审批服务局");
    std::fs::create_dir_all(&dept).unwrap();
    WorkbookSpec::stacked("附表", seed::forms(), Layout::default()).save(&dept.join("2022自评表.xlsx")).unwrap();
    std::fs::write(input.join("报送说明.txt"), "各单位于4月底前报送").unwrap();
    input
}

fn jixiao(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jixiao"));
    c.args(args).arg("--quiet");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["run", input.to_str().unwrap(), "--out", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    jixiao(&args, &[])
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A refused OUT_DIR: exit 1, the reason on stderr, and not one byte of `root` changed.
fn assert_refused(root: &Path, input: &Path, out: &Path, says: &str) {
    let before = snapshot(root);
    let o = run(input, out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(says), "the message says why: {}", stderr(&o));
    assert!(stderr(&o).contains("请指定一个新的或空的输出文件夹"), "and what to do: {}", stderr(&o));
    assert_eq!(snapshot(root), before, "nothing of the user's changed");
}

#[test]
fn out_the_inputs_parent_is_refused_and_nothing_is_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    assert_refused(dir.path(), &input, dir.path(), "包含输入文件夹");
    // `.` from the folder above the submissions, as a user types it
    let before = snapshot(dir.path());
    let o = Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir.path())
        .args(["run", "2022自评", "--out", ".", "--quiet"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn out_the_input_itself_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    assert_refused(dir.path(), &input, &input, "包含输入文件夹");
}

#[test]
fn out_a_folder_of_other_files_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let office = dir.path().join("通报");
    std::fs::create_dir_all(office.join("往年")).unwrap();
    std::fs::write(office.join("2021年通报.docx"), b"the office's own document").unwrap();
    std::fs::write(office.join("往年/2020.xlsx"), b"an older one").unwrap();
    assert_refused(dir.path(), &input, &office, "不是空文件夹");
}

#[test]
fn out_an_existing_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let file = dir.path().join("汇总.xlsx");
    std::fs::write(&file, b"last year's summary").unwrap();
    assert_refused(dir.path(), &input, &file, "是一个已有文件");
    assert!(file.is_file(), "still a file, not turned into a folder");
}

#[test]
fn an_empty_folder_and_a_new_one_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let empty = dir.path().join("空");
    std::fs::create_dir(&empty).unwrap();
    for out in [empty, dir.path().join("新/结果")] {
        let o = run(&input, &out, &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(out.join("summary.xlsx").is_file() && out.join("dataset/evaluations.parquet").is_file());
        assert!(out.join(jixiao::pipeline::outdir::MANIFEST).is_file());
    }
}

#[test]
fn a_rerun_keeps_what_the_user_added_and_replaces_only_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let out = dir.path().join("结果");
    let first = run(&input, &out, &["--feedback"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let reference = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    let anomalies = read_table(&out.join("dataset/anomalies.parquet")).unwrap();
    let system = std::fs::read_dir(out.join("反馈")).unwrap().flatten().next().unwrap().path();
    // the user's additions: a note at the top, a department's reply in 反馈/, a file in dataset/
    std::fs::write(out.join("我的批注.txt"), "第3页再核").unwrap();
    std::fs::write(system.join("回执.xlsx"), b"a department's reply").unwrap();
    std::fs::write(out.join("dataset/说明.txt"), "自留").unwrap();
    let user = ["我的批注.txt", "dataset/说明.txt"];
    let reply = system.strip_prefix(&out).unwrap().join("回执.xlsx").to_string_lossy().replace('\\', "/");
    let mut user: Vec<&str> = user.to_vec();
    user.push(&reply);
    let before = snapshot(&out);

    let again = run(&input, &out, &["--feedback"]);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(only(&snapshot(&out), &user), only(&before, &user), "the user's files are as they were");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(report["cache_hits"], 2, "a normal re-run still uses the cache: {report}");
    assert!(reference.equals_missing(&read_table(&out.join("dataset/evaluations.parquet")).unwrap()));
    assert!(anomalies.equals_missing(&read_table(&out.join("dataset/anomalies.parquet")).unwrap()));

    // without --feedback the workbooks jixiao wrote go, the reply beside them stays
    let third = run(&input, &out, &[]);
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
    let after = snapshot(&out);
    assert_eq!(only(&after, &user), only(&before, &user));
    let feedback: Vec<&String> = after.keys().filter(|k| k.starts_with("反馈/")).collect();
    assert_eq!(feedback, vec![&reply], "only the user's reply is left in 反馈/");
}

#[test]
fn a_file_the_user_put_where_one_of_ours_goes_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let out = dir.path().join("结果");
    assert_eq!(run(&input, &out, &[]).status.code(), Some(0));
    // the user saves a workbook of their own under the name a feedback workbook will take
    let first = run(&input, &out, &["--feedback"]);
    assert_eq!(first.status.code(), Some(0));
    let ours: Vec<String> =
        snapshot(&out).into_keys().filter(|k| k.starts_with("反馈/") && k.ends_with(".xlsx")).collect();
    let target = out.join(&ours[0]);
    let third = run(&input, &out, &[]);
    assert_eq!(third.status.code(), Some(0));
    assert!(!target.exists());
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, b"mine").unwrap();
    let o = run(&input, &out, &["--feedback"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read(&target).unwrap(), b"mine", "not overwritten");
    assert!(stderr(&o).contains(&ours[0]), "the user is told: {}", stderr(&o));
}

#[cfg(unix)]
#[test]
fn nothing_is_written_or_deleted_through_a_link_out_of_out_dir() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let out = dir.path().join("结果");
    assert_eq!(run(&input, &out, &[]).status.code(), Some(0));
    let elsewhere = dir.path().join("别处");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("evaluations.parquet"), b"not jixiao's").unwrap();
    std::fs::write(elsewhere.join("账目.xlsx"), b"the user's").unwrap();
    std::fs::remove_dir_all(out.join("dataset")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("dataset")).unwrap();
    let before = snapshot(dir.path());
    let o = run(&input, &out, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("符号链接"), "{}", stderr(&o));
    assert_eq!(snapshot(&elsewhere), only_dir(&before, "别处/"));
    assert!(std::fs::symlink_metadata(out.join("dataset")).unwrap().file_type().is_symlink());
}

fn only_dir(snap: &BTreeMap<String, Vec<u8>>, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    snap.iter().filter_map(|(k, v)| Some((k.strip_prefix(prefix)?.to_string(), v.clone()))).collect()
}

#[test]
fn a_run_killed_while_moving_its_files_in_leaves_old_or_new_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let out = dir.path().join("结果");
    assert_eq!(run(&input, &out, &["--feedback"]).status.code(), Some(0));
    std::fs::write(out.join("我的批注.txt"), "第3页再核").unwrap();
    let reference = read_table(&out.join("dataset/evaluations.parquet")).unwrap();
    let ours_before = snapshot(&out);
    // killed after 0, 3 and 8 of the files were moved in (a new input file changes the outputs)
    std::fs::copy(
        input.join("株洲市行政审批服务局/2022自评表.xlsx"),
        input.join("株洲市行政审批服务局/2022自评表（副本）.xlsx"),
    )
    .unwrap();
    for n in [0, 3, 8] {
        let args = ["run", input.to_str().unwrap(), "--out", out.to_str().unwrap(), "--feedback", "--no-cache"];
        let o = jixiao(&args, &[(jixiao::pipeline::outdir::FAILPOINT, &format!("commit:{n}"))]);
        assert_eq!(o.status.code(), Some(137), "the failpoint ended the run: {}", stderr(&o));
        let now = snapshot(&out);
        assert_eq!(now["我的批注.txt"], "第3页再核".as_bytes().to_vec());
        // every entry of the earlier output is still there, in one version or the other
        for (rel, _) in ours_before.iter().filter(|(k, _)| k.as_str() != "我的批注.txt") {
            assert!(now.contains_key(rel), "{rel} lost after a kill at {n}");
        }
        assert!(read_table(&out.join("dataset/evaluations.parquet")).is_ok(), "a whole table, old or new");
    }
    let o = run(&input, &out, &["--feedback"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let names: Vec<String> =
        std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with(".jixiao-staging")), "leftovers cleaned: {names:?}");
    assert_eq!(std::fs::read(out.join("我的批注.txt")).unwrap(), "第3页再核".as_bytes());
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    assert_eq!(files.height(), 3, "the new input file is in the output");
    assert!(reference.equals_missing(&read_table(&out.join("dataset/evaluations.parquet")).unwrap()));
}

#[test]
fn the_manifest_knows_the_feedback_writers_names() {
    use jixiao::pipeline::outdir::{FEEDBACK_FOLDER, FEEDBACK_INDEX};
    assert_eq!(FEEDBACK_FOLDER, jixiao_report::feedback::FOLDER);
    assert_eq!(FEEDBACK_INDEX, format!("cache/{}", jixiao_report::feedback::INDEX));
    assert_eq!(jixiao::pipeline::outdir::CIRCULAR_FILE, jixiao_report::summary::circular::FILE);
    assert_eq!(jixiao::pipeline::outdir::MANIFEST, jixiao::discover::OUTPUT_MANIFEST);
}

/// The file links of summary.xlsx open the submission: relative to OUT_DIR, where the
/// workbook ends up (they were once relative to the staging folder, one level deeper).
#[test]
fn file_links_lead_from_out_dir_to_the_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    let out = dir.path().join("2022汇总");
    assert_eq!(run(&input, &out, &[]).status.code(), Some(0));
    let mut zip = zip::ZipArchive::new(std::fs::File::open(out.join("summary.xlsx")).unwrap()).unwrap();
    let mut rels = String::new();
    use std::io::Read;
    zip.by_name("xl/worksheets/_rels/sheet4.xml.rels").unwrap().read_to_string(&mut rels).unwrap();
    let targets: Vec<&str> = rels.split("Target=\"").skip(1).filter_map(|t| t.split('"').next()).collect();
    assert!(!targets.is_empty(), "疑点清单 links its files: {rels}");
    for t in targets {
        let path = t.trim_start_matches("file:///").split('#').next().unwrap();
        let path = path.replace("%23", "#").replace("%25", "%");
        assert!(out.join(&path).is_file(), "{t} does not lead from {} to a file", out.display());
    }
}

/// An output left inside the input folder is not read as submissions by a later run into
/// another folder (a user found 87 files where 38 were handed in).
#[test]
fn an_earlier_output_inside_the_input_is_not_read_as_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let input = submissions(dir.path());
    assert_eq!(run(&input, &input.join("结果"), &[]).status.code(), Some(0));
    let out = dir.path().join("2022汇总");
    assert_eq!(run(&input, &out, &[]).status.code(), Some(0));
    let files = read_table(&out.join("dataset/files.parquet")).unwrap();
    assert_eq!(files.height(), 2, "the workbook and the notes, not the earlier output: {files}");
}
