//! Fixture number one: the seed department (`shared/seeds/000_…txt`), generated as a
//! workbook, must yield the figures of spec §4.

mod common;

use common::*;
use jixiao_forms::model::FormKind;

#[test]
fn seed_totals_budgets_rates_and_counts() {
    let r = seed_result();
    assert_eq!(r.file.forms, 10, "one form A, one form B, eight form C");
    // (name, stated total, calculated total, 全年预算数, 全年执行数, stated rate, indicator rows)
    let expected: [(&str, f64, f64, f64, f64, f64, usize); 9] = [
        ("株洲市行政审批服务局", 98.7, 98.7, 2252.43, 2252.43, 1.0, 9),
        ("窗口补贴", 95.9, 84.1, 65.61, 65.61, 1.0, 9),
        ("一件事一次办改革经费", 99.9, 99.9, 22.03, 22.0, 0.9986, 10),
        ("快递服务经费", 95.0, 82.8, 187.0, 146.06, 0.78, 7),
        ("信息资源共享交换平台", 95.0, 95.5, 79.45, 79.45, 1.0, 14),
        ("项目技术审查会相关费用", 95.62, 83.12, 100.0, 62.7, 0.627, 9),
        ("电子政务外网网络安全", 98.0, 98.0, 240.0, 240.0, 1.0, 10),
        ("电子政务网租赁", 97.0, 97.0, 239.8, 214.78, 0.8956, 12),
        ("市民中心大厅运转维护费", 97.0, 85.0, 31.82, 31.82, 1.0, 9),
    ];
    for (name, stated, calc, full, executed, rate, n) in expected {
        let e = form(&r, name);
        assert!(approx(e.score_total.get(), stated), "{name}: stated {:?}", e.score_total.get());
        assert!((e.score_calc() - calc).abs() < 1e-6, "{name}: calc {}", e.score_calc());
        assert!(approx(e.budget_full(), full), "{name}: full {:?}", e.budget_full());
        assert!(approx(e.executed(), executed), "{name}: executed {:?}", e.executed());
        assert!(approx(e.exec_rate(), rate), "{name}: rate {:?}", e.exec_rate());
        assert_eq!(e.indicators.len(), n, "{name}: indicator rows");
        assert_eq!(e.year, Some(2022), "{name}: year");
        assert_eq!(e.department.value.as_deref(), Some("株洲市行政审批服务局"), "{name}: department");
    }
    let b = form(&r, "株洲市行政审批服务局");
    assert_eq!(b.form, FormKind::Department);
    assert_eq!(b.filled_by.value.as_deref(), Some("胡静"));
    assert_eq!(b.filled_date.value, chrono::NaiveDate::from_ymd_opt(2023, 6, 28));
    assert_eq!(b.phone.value.as_deref(), Some("28683269"));
    // 其中：基本支出：958.07 and 项目支出：1294.35 are read from inside their label cells
    let basic = b.funds.iter().find(|f| f.source == "basic").and_then(|f| f.executed.get());
    let project = b.funds.iter().find(|f| f.source == "project").and_then(|f| f.executed.get());
    assert_eq!((basic, project), (Some(958.07), Some(1294.35)));
}

#[test]
fn seed_values_in_yuan_and_broken_dates_keep_their_text() {
    let r = seed_result();
    let info = form(&r, "信息资源共享交换平台");
    let total = info.total_fund().unwrap();
    assert_eq!(total.full.raw, "794500元");
    assert_eq!(total.full.get(), Some(79.45));
    assert_eq!(total.initial.get(), Some(0.0));
    let review = form(&r, "项目技术审查会相关费用");
    assert_eq!(review.filled_date.value, None);
    assert_eq!(review.filled_date.raw, "20234..25");
    assert_eq!(review.exec_score(), None, "the fund table's 得分 is blank");
    let courier = form(&r, "快递服务经费");
    assert_eq!(courier.filled_by.value, None);
    let window = form(&r, "窗口补贴");
    assert_eq!(window.supervisor.value, None, "主管部门 is blank in the seed");
    assert_eq!(window.filled_date.value, chrono::NaiveDate::from_ymd_opt(2022, 4, 30));
}

#[test]
fn seed_basic_data_tree() {
    let r = seed_result();
    assert_eq!(r.basics.len(), 1);
    let a = &r.basics[0];
    assert_eq!(a.department, "株洲市行政审批服务局");
    assert_eq!(a.year, Some(2022));
    assert_eq!(
        (a.staff_authorized.get(), a.staff_actual.get(), a.staff_rate.get()),
        (Some(43.0), Some(42.0), Some(0.98))
    );
    let line = |item: &str| a.lines.iter().find(|l| l.item == item).unwrap_or_else(|| panic!("no line {item}"));
    assert_eq!(line("市级专项资金").parent.as_deref(), Some("项目支出"));
    assert_eq!(line("公车运行维护").parent.as_deref(), Some("公务用车购置和维护经费"));
    assert_eq!(line("水费、电费、差旅费").parent.as_deref(), Some("公用经费"));
    assert_eq!(line("政府采购金额").parent, None);
    assert_eq!(line("政府采购金额").prev_final.get(), None, "—— is not a number");
    let children: Vec<_> = a.lines.iter().filter(|l| l.parent.as_deref() == Some("市级专项资金")).collect();
    assert_eq!(children.len(), 9, "one line per special fund");
    let sum = |f: fn(&jixiao_forms::model::BasicLine) -> Option<f64>| children.iter().filter_map(|l| f(l)).sum::<f64>();
    assert!((sum(|l| l.prev_final.get()) - 574.35).abs() < 1e-6);
    assert!((sum(|l| l.final_.get()) - 931.0467).abs() < 1e-6);
    assert_eq!(line("市级专项资金").final_.get(), Some(1294.35));
}

#[test]
fn seed_first_rules_fire_where_the_seed_is_wrong() {
    let r = seed_result();
    let has = |name: &str, rule: &str| rules_on(&r, name).contains(&rule);
    for name in ["窗口补贴", "快递服务经费", "信息资源共享交换平台", "项目技术审查会相关费用", "市民中心大厅运转维护费"]
    {
        assert!(has(name, "TOTAL_MISMATCH"), "{name}: TOTAL_MISMATCH");
    }
    for name in ["株洲市行政审批服务局", "一件事一次办改革经费", "电子政务外网网络安全", "电子政务网租赁"]
    {
        assert!(!has(name, "TOTAL_MISMATCH"), "{name}: no TOTAL_MISMATCH");
        assert!(!has(name, "WEIGHT_SUM"), "{name}: no WEIGHT_SUM");
    }
    for (name, sum) in [("窗口补贴", 90.0), ("快递服务经费", 90.0), ("项目技术审查会相关费用", 97.5)]
    {
        let a = r.anomalies.iter().find(|a| a.rule == "WEIGHT_SUM" && a.project.contains(name)).unwrap();
        assert_eq!(a.actual, Some(sum), "{name}");
    }
    assert!(!r.anomalies.iter().any(|a| a.rule == "EXEC_RATE_MISMATCH"), "every stated rate of the seed is right");
    let courier = r.anomalies.iter().find(|a| a.rule == "TOTAL_MISMATCH" && a.project.contains("快递")).unwrap();
    assert_eq!(courier.message, "总分填报95，按分项合计为82.8（预算执行7.8+指标75）");
    // it points at the stated score cell: the 得分 column (H) of the 总分 row
    let e = form(&r, "快递服务经费");
    assert_eq!(courier.cell, jixiao_forms::model::a1(e.score_total.at.unwrap()));
    assert!(courier.cell.starts_with('H'));
}

/// What the run keeps of each form for the rankings (`EvalSummary`, compact: file, sheet
/// and id share one string) gives back the form's own place and figures.
#[test]
fn seed_form_summaries_keep_place_and_figures() {
    use jixiao_forms::model::EvalSummary;
    let r = seed_result();
    for e in &r.evaluations {
        let s = EvalSummary::of(e);
        assert_eq!((s.path(), s.sheet(), s.eval_id()), (e.path.as_str(), e.sheet.as_str(), e.eval_id.as_str()));
        assert_eq!((s.start, s.title()), (e.start, e.title().as_str()));
        assert_eq!(
            (s.score_total, s.budget_full, s.indicators as usize),
            (e.score_total.get(), e.budget_full(), e.indicators.len())
        );
        // an id not of the form path#sheet#n (none is built so, but a cache could hold one)
        let mut odd = e.clone();
        odd.eval_id = format!("other-{}", e.indicators.len());
        let s = EvalSummary::of(&odd);
        assert_eq!((s.path(), s.sheet(), s.eval_id()), (e.path.as_str(), e.sheet.as_str(), odd.eval_id.as_str()));
    }
    let windows = EvalSummary::of(form(&r, "窗口补贴"));
    assert!(windows.project.as_deref().is_some_and(|p| p.contains("窗口补贴")));
    assert_eq!(windows.department.as_deref(), Some("株洲市行政审批服务局"));
}
