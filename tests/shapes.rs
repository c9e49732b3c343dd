//! Issue 21: each shape a clerk lays a form out in, read right on its own fixture. The
//! fixtures are the seed's forms (or a Sichuan-template department), re-laid by one
//! transformation (`jixiao_fixtures::transform`) or edited where the shape is one cell.

mod common;

use std::path::Path;

use common::*;
use jixiao_fixtures::transform::{Cells, Family, capture, side_by_side};
use jixiao_fixtures::{Cv, Layout, SheetSpec};
use jixiao_rules::FileResult;

fn seed_cells(forms: Vec<jixiao_fixtures::Form>) -> Cells {
    let spec = SheetSpec { name: "附表".into(), preamble: Vec::new(), forms, layout: Layout::default() };
    capture(&spec, "seed.xlsx").unwrap()
}

/// A project form in Sichuan's template (指标性质 | 指标值 | 度量单位 side by side), as cells.
fn sichuan_project(file: &str) -> Cells {
    let sichuan = jixiao_fixtures::format_sources().into_iter().find(|(n, _)| *n == "sichuan").unwrap().1;
    sichuan
        .sheets
        .iter()
        .map(|s| capture(s, file).unwrap())
        .find(|c| c.cells.values().any(|v| *v == Cv::T("指标性质".into())))
        .unwrap()
}

fn read(dir: &Path, cells: &Cells) -> FileResult {
    let path = dir.join(&cells.file);
    std::fs::write(&path, cells.to_xlsx().unwrap()).unwrap();
    if let Ok(d) = std::env::var("SHAPES_DEBUG") {
        let _ = std::fs::copy(&path, Path::new(&d).join(&cells.file));
    }
    process_path(&path, &cells.file)
}

fn rules(r: &FileResult) -> Vec<String> {
    let mut v: Vec<String> = r.anomalies.iter().map(|a| format!("{} {} {}", a.rule, a.department, a.project)).collect();
    v.sort();
    v
}

#[test]
fn a_label_and_its_value_in_one_cell() {
    let dir = tempfile::tempdir().unwrap();
    let plain = seed_cells(jixiao_fixtures::seed::forms());
    let mut joined = plain.clone();
    let labels = ["项目支\n出名称", "市级预算部门名称", "主管部门", "实施单位"].map(String::from).to_vec();
    Family::JoinLabelValue { labels }.apply(&mut joined);
    assert!(joined.cells.values().any(|v| matches!(v, Cv::T(t) if t.starts_with("主管部门："))), "joined");
    let (want, got) = (read(dir.path(), &plain), read(dir.path(), &joined));
    assert_eq!(got.evaluations.len(), want.evaluations.len(), "every form found by its joined name label");
    assert_eq!((got.evaluations.len(), got.basics.len()), (9, 1));
    let e = form(&got, "窗口补贴");
    assert_eq!(e.project.value.as_deref(), Some("窗口补贴"));
    assert_eq!(e.project.at, form(&got, "窗口补贴").project.at, "points at the joined cell");
    let names = |r: &FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want));
    assert_eq!(rules(&got), rules(&want));
}

#[test]
fn two_pairs_in_one_cell_under_a_title() {
    // 保山's form: a title, then `单位名称:… 填报日期:…` in one cell, then the scoring table
    let dir = tempfile::tempdir().unwrap();
    let mut cells = seed_cells(jixiao_fixtures::seed::forms().into_iter().skip(1).take(1).collect());
    let (name_row, name_col) =
        *cells.cells.iter().find(|(_, v)| matches!(v, Cv::T(t) if t.contains("部门名称"))).map(|(p, _)| p).unwrap();
    let dept = match cells.cells.range((name_row, name_col + 1)..(name_row + 1, 0)).next() {
        Some((_, Cv::T(t))) => t.clone(),
        other => panic!("{other:?}"),
    };
    let before = read(dir.path(), &cells);
    let mut value_cells: Vec<(u32, u32)> =
        cells.cells.range((name_row, name_col)..(name_row + 1, 0)).map(|(p, _)| *p).collect();
    value_cells.retain(|p| p.1 > name_col);
    for p in value_cells {
        cells.cells.remove(&p);
    }
    cells.merges.retain(|m| m.0 != name_row);
    cells.cells.insert((name_row, name_col), Cv::T(format!("单位名称:{dept} 填报日期:2023年4月6日")));
    // no footer below: the date is said above the form only
    let footer: Vec<u32> =
        cells.cells.iter().filter(|(_, v)| matches!(v, Cv::T(t) if t.contains("填表人"))).map(|(p, _)| p.0).collect();
    cells.cells.retain(|p, _| !footer.contains(&p.0));
    let r = read(dir.path(), &cells);
    assert_eq!(r.evaluations.len(), 1, "{:?}", r.file.error);
    let e = &r.evaluations[0];
    assert_eq!(
        e.department.value.as_deref(),
        Some(dept.trim_matches('\u{3000}')),
        "the first pair's value stops at the second"
    );
    assert_eq!(e.filled_date.value, chrono::NaiveDate::from_ymd_opt(2023, 4, 6), "the second pair");
    assert_eq!(e.indicators.len(), before.evaluations[0].indicators.len());
}

#[test]
fn two_forms_side_by_side_are_read_apart() {
    let dir = tempfile::tempdir().unwrap();
    let forms = jixiao_fixtures::seed::forms();
    let (left, right) = forms.split_at(5);
    let (l, r) = (seed_cells(left.to_vec()), seed_cells(right.to_vec()));
    let stacked = read(dir.path(), &seed_cells(forms.clone()));
    let beside = read(dir.path(), &Cells { file: "beside.xlsx".into(), ..side_by_side(l, r, 2) });
    assert_eq!((beside.evaluations.len(), beside.basics.len()), (9, 1));
    let names = |r: &FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(names(&beside), names(&stacked), "each form's funds and scores its own");
    assert_eq!(rules(&beside), rules(&stacked), "no false alarm from the form beside");
    let note = beside.file.error.as_deref().unwrap_or_default();
    assert!(note.contains("并排") && note.contains("A–"), "the file's note says how it was read: {note}");
}

#[test]
fn two_forms_side_by_side_with_no_column_between_are_read_apart_by_their_titles() {
    let dir = tempfile::tempdir().unwrap();
    let forms = jixiao_fixtures::seed::forms();
    // two project forms, their titles in one row, the right one starting in the column
    // after the left one's last
    let (l, r) = (seed_cells(forms[2..3].to_vec()), seed_cells(forms[3..4].to_vec()));
    let stacked = read(dir.path(), &jixiao_fixtures::transform::stacked(l.clone(), r.clone(), 2));
    let beside = read(dir.path(), &Cells { file: "touching.xlsx".into(), ..side_by_side(l, r, 0) });
    let names = |r: &FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(beside.evaluations.len(), 2);
    assert_eq!(names(&beside), names(&stacked));
    assert_eq!(rules(&beside), rules(&stacked));
}

#[test]
fn a_two_row_indicator_header_is_not_an_indicator() {
    let dir = tempfile::tempdir().unwrap();
    let plain = sichuan_project("sichuan.xlsx");
    let mut grouped = plain.clone();
    Family::GroupedHeader.apply(&mut grouped);
    assert!(grouped.cells.values().any(|v| matches!(v, Cv::T(t) if t == "年度指标值")), "grouped");
    let (want, got) = (read(dir.path(), &plain), read(dir.path(), &grouped));
    assert!(!want.evaluations.is_empty());
    for (w, g) in want.evaluations.iter().zip(&got.evaluations) {
        assert_eq!(g.indicators.len(), w.indicators.len(), "the header's second row is not an indicator");
        assert!(g.indicators.iter().all(|i| i.level3 != "三级指标" && i.nature != "指标性质"));
        assert_eq!(essence(g), essence(w));
    }
    assert_eq!(rules(&got), rules(&want));
    let note = got.file.error.as_deref().unwrap_or_default();
    assert!(note.contains("两行表头，合为一行读"), "said in the file's note: {note}");
}

#[test]
fn a_header_wrapped_onto_two_rows_is_one_header() {
    let dir = tempfile::tempdir().unwrap();
    let plain = seed_cells(jixiao_fixtures::seed::forms().into_iter().take(3).collect());
    let mut wrapped = Cells { file: "wrapped.xlsx".into(), ..plain.clone() };
    Family::WrappedHeader.apply(&mut wrapped);
    let (want, got) = (read(dir.path(), &plain), read(dir.path(), &wrapped));
    let names = |r: &FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want));
}

#[test]
fn the_year_only_in_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let plain = seed_cells(jixiao_fixtures::seed::forms());
    let mut moved = plain.clone();
    Family::YearToFileName.apply(&mut moved);
    assert!(moved.file.starts_with("2022年"), "{}", moved.file);
    let left: Vec<&Cv> = moved.cells.values().filter(|v| matches!(v, Cv::T(t) if t.contains("2022年度"))).collect();
    assert!(left.is_empty(), "no year left in the titles: {left:?}");
    let (want, got) = (read(dir.path(), &plain), read(dir.path(), &moved));
    assert!(want.evaluations.iter().all(|e| e.year == Some(2022)));
    assert!(got.evaluations.iter().all(|e| e.year == Some(2022)), "the year from the file's name");
    let note = got.file.error.as_deref().unwrap_or_default();
    assert!(note.contains("标题中没有年度，取自文件名（2022年）"), "said in the file's note: {note}");
    assert!(want.file.error.is_none(), "nothing to say of the plain layout: {:?}", want.file.error);
}

/// The 总分 row of the first form with an indicator table: (row, label column).
fn total_row(cells: &Cells) -> (u32, u32) {
    *cells.cells.iter().find(|(_, v)| matches!(v, Cv::T(t) if t == "总分")).map(|(p, _)| p).unwrap()
}

#[test]
fn a_total_with_a_grade_beside_it_and_one_two_cells_on() {
    let dir = tempfile::tempdir().unwrap();
    let forms: Vec<_> = jixiao_fixtures::seed::forms().into_iter().skip(1).take(1).collect();
    let plain = seed_cells(forms);
    let want = read(dir.path(), &plain);
    let stated = want.evaluations[0].score_total.value.expect("the seed form states its total");
    let (r, c) = total_row(&plain);
    let right: Vec<(u32, u32)> = plain.cells.range((r, c + 1)..(r + 1, 0)).map(|(p, _)| *p).collect();
    let far = right.iter().map(|p| p.1).max().unwrap() + 6;
    // 保山: `总分(100分) | 96 | 自评等级 | 优`
    let mut graded = plain.clone();
    for p in &right {
        graded.cells.remove(p);
    }
    graded.merges.retain(|m| m.0 != r);
    graded.cells.insert((r, c), Cv::T("总分(100分)".into()));
    graded.cells.insert((r, c + 1), Cv::N(stated));
    graded.cells.insert((r, c + 2), Cv::T("自评等级".into()));
    graded.cells.insert((r, c + 3), Cv::T("优".into()));
    let got = read(dir.path(), &graded);
    assert_eq!(got.evaluations[0].score_total.value, Some(stated), "the stated total beside its label");
    assert_eq!(got.evaluations[0].weight_total.value, Some(100.0), "the weight its label states");
    // a pasted form: 总分's numbers far right of it, past empty cells
    let mut far_right = plain.clone();
    let values: Vec<Cv> = right.iter().filter_map(|p| far_right.cells.remove(p)).collect();
    far_right.merges.retain(|m| m.0 != r);
    for (i, v) in values.into_iter().enumerate() {
        far_right.cells.insert((r, far + i as u32), v);
    }
    let got = read(dir.path(), &far_right);
    assert_eq!(got.evaluations[0].score_total.value, Some(stated), "two cells on and more");
}

#[test]
fn a_numbered_placeholder_row_is_no_indicator() {
    // 天长: `指标1:/ | / | /` where the template's slot was left unfilled
    let dir = tempfile::tempdir().unwrap();
    let plain = seed_cells(jixiao_fixtures::seed::forms().into_iter().skip(1).take(1).collect());
    let want = read(dir.path(), &plain);
    let (r, _) = total_row(&plain);
    let header = *plain.cells.iter().find(|(_, v)| matches!(v, Cv::T(t) if t == "三级指标")).map(|(p, _)| p).unwrap();
    let mut slot = plain.clone();
    let cols: Vec<u32> =
        plain.cells.range((header.0, 0)..(header.0 + 1, 0)).map(|(p, _)| p.1).filter(|c| *c > header.1).collect();
    // an extra row just above 总分, inside the table
    let mut moved = Cells { cells: Default::default(), merges: Vec::new(), ..slot.clone() };
    for (&(rr, cc), v) in &slot.cells {
        moved.cells.insert((if rr >= r { rr + 1 } else { rr }, cc), v.clone());
    }
    for m in &slot.merges {
        let f = |x: u32| if x >= r { x + 1 } else { x };
        moved.merges.push((f(m.0), m.1, f(m.2), m.3));
    }
    slot = moved;
    slot.cells.insert((r, header.1), Cv::T("指标1:/".into()));
    for c in cols {
        slot.cells.insert((r, c), Cv::T("/".into()));
    }
    let got = read(dir.path(), &slot);
    assert_eq!(got.evaluations[0].indicators.len(), want.evaluations[0].indicators.len());
    assert_eq!(rules(&got), rules(&want));
}

#[test]
fn explain_shows_the_blocks_pairs_and_header_bands_of_a_side_by_side_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let mut left = sichuan_project("x.xlsx");
    Family::GroupedHeader.apply(&mut left);
    Family::JoinLabelValue { labels: vec!["项目名称".into()] }.apply(&mut left);
    let right = seed_cells(jixiao_fixtures::seed::forms().into_iter().skip(1).take(1).collect());
    let cells = Cells { file: "2022年度对比.xlsx".into(), ..side_by_side(left, right, 2) };
    let path = dir.path().join(&cells.file);
    std::fs::write(&path, cells.to_xlsx().unwrap()).unwrap();
    let text = jixiao::explain::explain_file(&path, &jixiao::config::Config::default_config()).unwrap();
    assert!(text.contains("并排的 2 个区块"), "{text}");
    assert!(text.contains("区块 A–"), "{text}");
    assert!(text.contains("名称与标签在同一格：「项目名称」"), "{text}");
    assert!(text.contains("两行表头"), "{text}");
    assert!(text.contains("年度：2022"), "{text}");
}

#[test]
fn values_below_a_row_of_labels() {
    // 大英 and 萧县: `项目名称 | 主管部门 | 实施单位` over their values
    let dir = tempfile::tempdir().unwrap();
    let plain = sichuan_project("sichuan.xlsx");
    let mut below = Cells { file: "below.xlsx".into(), ..plain.clone() };
    Family::ValueBelowLabel { labels: ["项目名称", "主管部门", "实施单位"].map(String::from).to_vec() }
        .apply(&mut below);
    assert_ne!(below, Cells { file: "below.xlsx".into(), ..plain.clone() }, "re-laid");
    let (want, got) = (read(dir.path(), &plain), read(dir.path(), &below));
    let e = &got.evaluations[0];
    assert_eq!(e.project.value, want.evaluations[0].project.value);
    assert_eq!(e.supervisor.value, want.evaluations[0].supervisor.value);
    assert_eq!(e.implementer.value, want.evaluations[0].implementer.value);
    assert!(e.supervisor.value.is_some() && e.implementer.value.is_some());
    let note = got.file.error.as_deref().unwrap_or_default();
    assert!(
        note.contains("主管部门写在标签下一行"),
        "said in the file's note: {note} {:?} {:?}",
        e.supervisor.at,
        e.implementer.at
    );
    let names = |r: &FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&want));
}

/// The first of the seed's project forms with both 主管部门 and 实施单位 filled, as cells.
fn one_project() -> Cells {
    let dir = tempfile::tempdir().unwrap();
    jixiao_fixtures::seed::forms()
        .into_iter()
        .map(|f| seed_cells(vec![f]))
        .find(|c| {
            let r = read(dir.path(), c);
            r.evaluations.first().is_some_and(|e| {
                e.form == jixiao_forms::model::FormKind::Project
                    && e.supervisor.value.is_some()
                    && e.implementer.value.is_some()
            })
        })
        .unwrap()
}

fn find(cells: &Cells, label: &str) -> (u32, u32) {
    *cells.cells.iter().find(|(_, v)| matches!(v, Cv::T(t) if t == label)).map(|(p, _)| p).unwrap()
}

/// Clears row `r` right of column `c` (cells and merges starting there).
fn clear_right(cells: &mut Cells, r: u32, c: u32) {
    cells.cells.retain(|p, _| !(p.0 == r && p.1 > c));
    cells.merges.retain(|m| !(m.0 == r && m.1 > c));
}

#[test]
fn forms_touching_side_by_side_with_titles_on_different_rows() {
    // the right form one row lower, no empty column between (a user's test found it read as one)
    let dir = tempfile::tempdir().unwrap();
    let forms = jixiao_fixtures::seed::forms();
    let (l, mut r) = (seed_cells(forms[2..3].to_vec()), seed_cells(forms[3..4].to_vec()));
    let stacked = read(dir.path(), &jixiao_fixtures::transform::stacked(l.clone(), r.clone(), 2));
    Family::Offset { rows: 1, cols: 0 }.apply(&mut r);
    let beside = read(dir.path(), &Cells { file: "offset.xlsx".into(), ..side_by_side(l, r, 0) });
    let names = |r: &FileResult| r.evaluations.iter().map(essence).collect::<Vec<_>>();
    assert_eq!(names(&beside), names(&stacked));
    assert_eq!(rules(&beside), rules(&stacked));
}

#[test]
fn two_header_pairs_in_one_cell_and_an_empty_label_before_another() {
    let dir = tempfile::tempdir().unwrap();
    let plain = one_project();
    let want = read(dir.path(), &plain);
    let (r, c) = find(&plain, "主管部门");
    let e = &want.evaluations[0];
    let (sup, imp) = (e.supervisor.value.clone().unwrap(), e.implementer.value.clone().unwrap());
    // `主管部门:县水利局  实施单位:县农村供水站` in one cell
    let mut both = Cells { file: "both.xlsx".into(), ..plain.clone() };
    clear_right(&mut both, r, c);
    both.merges.retain(|m| (m.0, m.1) != (r, c));
    both.cells.insert((r, c), Cv::T(format!("主管部门:{sup}  实施单位：{imp}")));
    let got = read(dir.path(), &both);
    assert_eq!(got.evaluations[0].supervisor.value.as_deref(), Some(sup.as_str()));
    assert_eq!(got.evaluations[0].implementer.value.as_deref(), Some(imp.as_str()), "the second pair");
    // `主管部门： | 实施单位：县农村供水站`: the first is blank, not the next label's cell
    let mut blank = Cells { file: "blank.xlsx".into(), ..plain.clone() };
    clear_right(&mut blank, r, c);
    blank.cells.insert((r, c), Cv::T("主管部门：".into()));
    blank.cells.insert((r, c + 2), Cv::T(format!("实施单位：{imp}")));
    let got = read(dir.path(), &blank);
    assert_eq!(got.evaluations[0].supervisor.value, None, "blank, and said so");
    assert_eq!(got.evaluations[0].implementer.value.as_deref(), Some(imp.as_str()));
    assert!(
        got.anomalies.iter().any(|a| a.rule == "MISSING_VALUE" && a.message.contains("主管部门")),
        "{:?}",
        got.anomalies
    );
}

#[test]
fn a_total_written_with_its_unit_and_a_unit_line_as_footer() {
    let dir = tempfile::tempdir().unwrap();
    let plain = one_project();
    let want = read(dir.path(), &plain);
    let stated = want.evaluations[0].score_total.value.unwrap();
    let at = want.evaluations[0].score_total.at.unwrap();
    // `96.6分`
    let mut text = Cells { file: "text.xlsx".into(), ..plain.clone() };
    text.cells.insert(at, Cv::T(format!("{}分", jixiao_text::values::number::fmt_number(stated))));
    let got = read(dir.path(), &text);
    assert_eq!(got.evaluations[0].score_total.value, Some(stated));
    assert_eq!(rules(&got), rules(&want), "no 总分得分未填写");
    // the footer written `单位名称:… 填报日期:…` at the form's foot: a footer, not a form
    let mut foot = Cells { file: "foot.xlsx".into(), ..plain.clone() };
    let rows: Vec<u32> =
        foot.cells.iter().filter(|(_, v)| matches!(v, Cv::T(t) if t.contains("填表人"))).map(|(p, _)| p.0).collect();
    foot.cells.retain(|p, _| !rows.contains(&p.0));
    let last = foot.extent().0;
    foot.cells.insert((last, 0), Cv::T("单位名称:株洲市行政审批服务局 填报日期:2023年4月6日".into()));
    let got = read(dir.path(), &foot);
    assert_eq!(got.evaluations.len(), 1);
    assert_eq!(got.evaluations[0].filled_date.value, chrono::NaiveDate::from_ymd_opt(2023, 4, 6));
}
