//! Extraction accuracy on workbooks generated from a seed no other test uses: every
//! numeric field of the contract, compared with what the generator wrote.

mod common;

use common::*;
use jixiao_fixtures::synth::departments;
use jixiao_fixtures::{Cv, Form};
use jixiao_text::values::{Num, parse_amount, parse_rate};

fn amount(c: &Cv) -> Option<f64> {
    match c {
        Cv::N(v) => Some(*v),
        Cv::T(t) => parse_amount(t).0.value(),
        Cv::E => None,
    }
}

fn rate(c: &Cv) -> Option<f64> {
    match c {
        Cv::N(v) => Some(*v),
        Cv::T(t) => match parse_rate(t) {
            Num::Value(v) => Some(v),
            _ => None,
        },
        Cv::E => None,
    }
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-6,
        (None, None) => true,
        _ => false,
    }
}

#[test]
fn numeric_fields_of_unseen_departments_are_extracted() {
    let dir = tempfile::tempdir().unwrap();
    let (mut right, mut total) = (0usize, 0usize);
    let mut misses = Vec::new();
    for d in departments(24, 424242) {
        let r = process(dir.path(), &d.path, &d.workbook);
        let specs: Vec<_> = d
            .workbook
            .sheets
            .iter()
            .flat_map(|s| s.forms.iter())
            .filter_map(|f| if let Form::Eval(e) = f { Some(e) } else { None })
            .collect();
        assert_eq!(r.evaluations.len(), specs.len(), "{}: forms found", d.path);
        for (e, s) in r.evaluations.iter().zip(&specs) {
            let f = &s.funds[0];
            let mut check = |what: &str, got: Option<f64>, want: Option<f64>| {
                total += 1;
                if same(got, want) {
                    right += 1;
                } else {
                    misses.push(format!("{} {}: {what} got {got:?} want {want:?}", d.path, e.title()));
                }
            };
            check("budget_initial", e.budget_initial(), amount(&f.initial));
            check("budget_full", e.budget_full(), amount(&f.full));
            check("executed", e.executed(), amount(&f.executed));
            check("exec_weight", e.exec_weight(), f.weight.num());
            check("exec_rate", e.exec_rate(), rate(&f.rate));
            check("exec_score", e.exec_score(), f.score.num());
            check("weight_total", e.weight_total.get(), s.total_weight.num());
            check("score_total", e.score_total.get(), s.total_score.num());
            check("indicator rows", Some(e.indicators.len() as f64), Some(s.indicators.len() as f64));
            for (i, si) in e.indicators.iter().zip(&s.indicators) {
                check("indicator weight", i.weight.get(), si.weight.num());
                check("indicator score", i.score.get(), si.score.num());
            }
        }
    }
    let share = right as f64 / total as f64;
    eprintln!("numeric fields right: {right}/{total} = {:.2}%", share * 100.0);
    assert!(misses.is_empty(), "{} misses:\n{}", misses.len(), misses.join("\n"));
}
