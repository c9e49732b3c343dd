//! `通报草稿.docx`: the circular (通报) a performance office sends after the review, as an
//! editable Word draft in Chinese. Every figure in it comes from what the summary workbook
//! shows, from the same structures: the ranking ([`Ranks`]) for grades and execution rates,
//! the intake ([`roster::lines`]) for who handed in, the findings of the versions that count
//! for the problems and the departments with errors. The sections:
//!
//! - title `关于<region><year>年度部门预算绩效自评情况的通报（草稿）` (the summary's region
//!   and years), salutation and opening;
//! - 一、报送情况: departments and forms handed in; with a roster 应报 / 已报 / 未报 / 报送率
//!   overall and per 系统, and who is missing;
//! - 二、自评结果: the grade mix overall (departments and projects) and per 系统 with its
//!   execution rate;
//! - 三、发现的主要问题: each rule that fired, with its Chinese name, count and one real
//!   example (department, form, what was wrong);
//! - 四、存在错误的部门: a table of the departments with errors and their counts;
//! - 五、整改要求: what to correct, by the deadline.
//!
//! The document is built as plain content first ([`Circular`]), then rendered with
//! `docx-rs`: A4, 仿宋 body text, 黑体 headings, 宋体 tables, page numbers in the footer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use docx_rs::{
    AlignmentType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum, Paragraph, Run, RunFonts,
    SpecialIndentType, Table as DocxTable, TableAlignmentType, TableCell, TableLayoutType, TableRow, VAlignType,
    VMergeType, WidthType,
};

use crate::settings::{RankBy, Settings};
use crate::summary::ranks::{BANDS, Ranks};
use crate::summary::{Ctx, roster, systems};
use jixiao_forms::model::FormKind;
use jixiao_rules::FileStatus;
use jixiao_rules::Severity;
use jixiao_text::normalize::norm;

/// The draft's file name in OUT_DIR.
pub const FILE: &str = "通报草稿.docx";

/// What section 五 says until a deadline is configured.
pub const DEADLINE_PLACEHOLDER: &str = "（请填写整改期限）";

#[derive(Debug, thiserror::Error)]
pub enum CircularError {
    #[error("cannot write the 通报 draft {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("cannot write the 通报 draft {path}: {cause}")]
    Zip { path: String, cause: String },
}

/// The draft's content, before it is laid out in Word.
#[derive(Debug, Clone, PartialEq)]
pub struct Circular {
    pub title: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `各预算部门（单位）：`, flush left.
    Salutation(String),
    /// `一、报送情况` (黑体).
    Heading(String),
    /// Body text, indented two characters.
    Text(String),
    /// A table with its caption above it.
    Table(Table),
    /// Right-aligned lines at the end (issuer, date).
    Closing(Vec<String>),
}

/// A table: header rows whose cells may span columns and rows, then body rows of text.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// `表1 分系统报送情况`.
    pub caption: String,
    pub head: Vec<Vec<Head>>,
    pub rows: Vec<Vec<String>>,
    /// Relative column widths (any unit): scaled to the text width.
    pub widths: Vec<usize>,
    /// Columns of text (left-aligned); the others (figures) are centred.
    pub text_cols: usize,
}

/// A header cell: its text, the grid columns it spans and the header rows it spans down.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub text: String,
    pub cols: usize,
    pub rows: usize,
}

impl Head {
    fn one(text: &str) -> Head {
        Head { text: text.into(), cols: 1, rows: 1 }
    }
    /// A cell spanning both rows of a two-row header.
    fn tall(text: &str) -> Head {
        Head { text: text.into(), cols: 1, rows: 2 }
    }
    fn wide(text: &str, cols: usize) -> Head {
        Head { text: text.into(), cols, rows: 1 }
    }
}

/// By when, as section 五 says it: `于2024年1月15日前` for a date in `[feedback] deadline`,
/// the text as configured (`收到通知后10个工作日内`), else the placeholder for the office to
/// fill in.
fn deadline(config: &Settings) -> String {
    let d = &config.feedback.deadline;
    match (d.date(), d.text().trim()) {
        (_, "") => format!("于{DEADLINE_PLACEHOLDER}前"),
        (Some(date), _) => {
            use chrono::Datelike;
            format!("于{}年{}月{}日前", date.year(), date.month(), date.day())
        }
        (None, text) => text.to_string(),
    }
}

/// Who to report to: `[feedback] office, contact, phone`, as far as they are set.
fn contact(config: &Settings) -> String {
    let fb = &config.feedback;
    let parts: Vec<&str> =
        [fb.office.trim(), fb.contact.trim(), fb.phone.trim()].into_iter().filter(|s| !s.is_empty()).collect();
    if parts.is_empty() { "请填写".to_string() } else { parts.join("，") }
}

/// Text from an input cell, safe in XML and on one line: control characters (which XML 1.0
/// cannot hold, and a department name may) and line breaks become spaces.
pub fn clean(s: &str) -> String {
    let out: String =
        s.chars().map(|c| if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' { ' ' } else { c }).collect();
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A count and its share: `3个（占37.5%）`.
fn share(n: usize, of: usize) -> String {
    if of == 0 { format!("{n}个") } else { format!("{n}个（占{}）", pct(n as f64 / of as f64)) }
}

/// A fraction as a percentage with two decimals, as the summary shows rates (`0.00%`).
pub fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// An amount in 万元 with separators and two decimals (`#,##0.00`).
fn wan(x: f64) -> String {
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{frac}", if x < 0.0 { "-" } else { "" })
}

/// `一`, `二`, … for numbered items (up to 99).
fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!("{}十{}", DIGITS[n / 10], if n.is_multiple_of(10) { "" } else { DIGITS[n % 10] }),
        _ => n.to_string(),
    }
}

/// `2023-12-31` → `2023年12月31日`.
fn chinese_date(date: &str) -> String {
    match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) => {
            use chrono::Datelike;
            format!("{}年{}月{}日", d.year(), d.month(), d.day())
        }
        Err(_) => date.to_string(),
    }
}

/// The title: `关于株洲市2022年度部门预算绩效自评情况的通报（草稿）`.
pub fn title(ctx: &Ctx) -> String {
    format!("关于{}{}部门预算绩效自评情况的通报（草稿）", ctx.title.region, ctx.title.years)
}

/// What the draft says, from the summary's own structures.
pub fn build(ctx: &Ctx, ranks: &Ranks) -> Circular {
    let counted = Counted::of(ctx);
    let mut blocks = vec![
        Block::Salutation("各预算部门（单位）：".into()),
        Block::Text(format!(
            "根据预算绩效管理工作安排，各部门报送了{}部门整体支出和项目支出绩效自评材料。我们对报送的自评表逐表进行了审核，现将有关情况通报如下：",
            ctx.title.years
        )),
    ];
    let mut tables = 0;
    intake(ctx, ranks, &mut blocks, &mut tables);
    results(ctx, ranks, &mut blocks, &mut tables);
    problems(ctx, &counted, &mut blocks);
    departments(ctx, ranks, &counted, &mut blocks, &mut tables);
    requirements(ctx, &counted, &mut blocks);
    blocks.push(Block::Closing(vec!["（落款单位）".into(), chinese_date(&ctx.report.run_date)]));
    Circular { title: title(ctx), blocks }
}

/// The findings that count (not of superseded versions), as every summary count takes them.
struct Counted<'a> {
    findings: Vec<&'a jixiao_rules::Anomaly>,
    /// errors, warnings, infos.
    severities: [usize; 3],
}

impl<'a> Counted<'a> {
    fn of(ctx: &'a Ctx) -> Counted<'a> {
        let superseded = ctx.data.superseded_ids();
        let findings: Vec<_> = ctx
            .data
            .anomalies
            .iter()
            .filter(|a| a.eval_id.as_deref().is_none_or(|id| !superseded.contains(id)))
            .collect();
        let mut severities = [0; 3];
        for a in &findings {
            severities[severity_index(a.severity)] += 1;
        }
        Counted { findings, severities }
    }
}

fn severity_index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// Files handed in that nothing was read from.
fn unread(ctx: &Ctx) -> usize {
    ctx.data
        .files
        .iter()
        .filter(|f| matches!(f.status, FileStatus::Failed | FileStatus::Skipped | FileStatus::NoForm))
        .filter(|f| ctx.extras.roster_file.as_deref() != Some(f.path.as_str()))
        .count()
}

/// 应报 / 已报 / 未报 of one 系统 (or all).
#[derive(Default, Clone, Copy)]
struct Intake {
    handed: usize,
    missing: usize,
}

impl Intake {
    fn row(&self, name: &str) -> Vec<String> {
        let expected = self.handed + self.missing;
        let rate = if expected == 0 { String::new() } else { pct(self.handed as f64 / expected as f64) };
        vec![name.to_string(), expected.to_string(), self.handed.to_string(), self.missing.to_string(), rate]
    }
}

/// 一、报送情况.
fn intake(ctx: &Ctx, ranks: &Ranks, blocks: &mut Vec<Block>, tables: &mut usize) {
    blocks.push(Block::Heading("一、报送情况".into()));
    let lines = roster::lines(ctx);
    let mut departments: BTreeSet<String> = BTreeSet::new();
    for e in ctx.data.counted() {
        if let Some(d) = e.department.as_deref().filter(|d| !d.trim().is_empty()) {
            departments.insert(crate::roster::key(d, &ctx.config.roster));
        }
    }
    let files = ctx.data.files.iter().filter(|f| ctx.extras.roster_file.as_deref() != Some(f.path.as_str())).count();
    let unread = unread(ctx);
    let forms = format!(
        "共收到自评材料文件{files}个，读取部门整体支出绩效自评表{}张、项目支出绩效自评表{}张",
        ranks.departments.len(),
        ranks.projects.len()
    );
    let superseded = ctx.report.forms.superseded;
    let mut tail = String::new();
    if superseded > 0 {
        tail.push_str(&format!("；同一部门、项目重复报送的，以较新版本为准，{superseded}张旧版本表未重复计入"));
    }
    if unread > 0 {
        tail.push_str(&format!("；另有{unread}个文件未能识别出自评表（见汇总表“报送情况”“文件清单”）"));
    }
    let missing_forms = lines.iter().filter(|l| l.category == "缺表").count();
    if missing_forms > 0 {
        tail.push_str(&format!("；{missing_forms}处材料不全（缺部门整体或项目支出绩效自评表）"));
    }
    if ctx.extras.roster.is_none() {
        blocks.push(Block::Text(format!(
            "本次共有{}个部门报送了自评材料。{forms}{tail}。（本次审核未提供应报部门名单，未统计未报送部门和报送率。）",
            departments.len()
        )));
        return;
    }
    // per 系统: roster entries handed in (matched, or whose files could not be read) and missing
    let mut by: BTreeMap<String, Intake> = BTreeMap::new();
    let mut handed_names: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut missing: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for l in &lines {
        let handed = matches!(l.category, "已匹配" | "未识别") && !l.roster_name.is_empty();
        if handed && handed_names.insert((l.system.as_str(), l.roster_name.as_str())) {
            by.entry(l.system.clone()).or_default().handed += 1;
        } else if l.category == "未报送" {
            by.entry(l.system.clone()).or_default().missing += 1;
            missing.entry(l.system.as_str()).or_default().push(l.roster_name.as_str());
        }
    }
    let mut total = Intake::default();
    for i in by.values() {
        total.handed += i.handed;
        total.missing += i.missing;
    }
    let expected = total.handed + total.missing;
    let outside = lines.iter().filter(|l| l.category == "名单外").count();
    let rate = if expected == 0 { "—".to_string() } else { pct(total.handed as f64 / expected as f64) };
    let mut text = format!(
        "按应报部门名单，应报送自评材料的部门{expected}个，已报送{}个，未报送{}个，报送率{rate}。{forms}{tail}",
        total.handed, total.missing
    );
    if outside > 0 {
        text.push_str(&format!("；另有{outside}个报送单位不在名单中，请核实名称（见汇总表“报送情况”）"));
    }
    text.push('。');
    blocks.push(Block::Text(text));
    if missing.is_empty() {
        blocks.push(Block::Text("名单内部门均已报送。".into()));
    } else {
        let parts: Vec<String> =
            missing.iter().map(|(sys, names)| format!("{}：{}", clean(sys), clean(&names.join("、")))).collect();
        blocks.push(Block::Text(format!("未报送的部门（{}个）：{}。", total.missing, parts.join("；"))));
    }
    *tables += 1;
    let mut rows: Vec<Vec<String>> = by.iter().map(|(sys, i)| i.row(&clean(sys))).collect();
    rows.push(total.row("合计"));
    blocks.push(Block::Table(Table {
        caption: format!("表{tables} 分系统报送情况"),
        head: vec![["所属系统", "应报", "已报", "未报", "报送率"].map(Head::one).to_vec()],
        rows,
        widths: vec![40, 15, 15, 15, 15],
        text_cols: 1,
    }));
}

/// Grade counts of a list of ranked forms, in [`BANDS`] order.
fn grade_counts<'a>(rows: impl Iterator<Item = &'a crate::summary::ranks::Row<'a>>, config: &Settings) -> [usize; 6] {
    let mut c = [0; 6];
    for r in rows {
        let b = r.band(config);
        if let Some(i) = BANDS.iter().position(|x| *x == b) {
            c[i] += 1;
        }
    }
    c
}

/// `优3个（占37.50%）、良2个（占25.00%）…`; bands with none are left out.
fn grade_sentence(c: &[usize; 6], of: usize) -> String {
    let parts: Vec<String> = BANDS
        .iter()
        .zip(c)
        .filter(|(_, n)| **n > 0)
        .map(|(g, n)| match *g {
            "待核实" => format!("待核实（总分不能成立，未定等级）{}", share(*n, of)),
            "无总分" => format!("未填总分（未定等级）{}", share(*n, of)),
            g => format!("“{g}”{}", share(*n, of)),
        })
        .collect();
    if parts.is_empty() { "无".into() } else { parts.join("、") }
}

/// 二、自评结果.
fn results(ctx: &Ctx, ranks: &Ranks, blocks: &mut Vec<Block>, tables: &mut usize) {
    let config = ctx.config;
    blocks.push(Block::Heading("二、自评结果".into()));
    let (d, p) = (ranks.departments.len(), ranks.projects.len());
    let dc = grade_counts(ranks.departments.iter(), config);
    let pc = grade_counts(ranks.projects.iter(), config);
    let g = &config.checks.grades;
    let basis = match config.ranking.by {
        RankBy::Stated => "各表填报的总分",
        RankBy::Calculated => "核定总分（各表预算执行得分与各项指标得分之和）",
    };
    blocks.push(Block::Text(format!(
        "参评部门{d}个，自评等级为{}。参评项目{p}个，自评等级为{}。等级按{basis}确定：{}分及以上为“优”，{}分至{}分为“良”，{}分至{}分为“中”，{}分以下为“差”。",
        grade_sentence(&dc, d),
        grade_sentence(&pc, p),
        jixiao_rules::fmt(g.excellent),
        jixiao_rules::fmt(g.good),
        jixiao_rules::fmt(g.excellent),
        jixiao_rules::fmt(g.pass),
        jixiao_rules::fmt(g.good),
        jixiao_rules::fmt(g.pass),
    )));
    let budget: f64 = ranks.departments.iter().filter_map(|r| r.e.budget_full).sum();
    let executed: f64 = ranks.departments.iter().filter_map(|r| r.e.executed).sum();
    if budget != 0.0 {
        blocks.push(Block::Text(format!(
            "参评部门全年预算数合计{}万元，全年执行数合计{}万元，总体预算执行率{}。",
            wan(budget),
            wan(executed),
            pct(executed / budget)
        )));
    }

    // the grade mix, as 总览 counts it
    *tables += 1;
    let mut rows = Vec::new();
    for (i, b) in BANDS.iter().enumerate() {
        if i >= 4 && dc[i] + pc[i] == 0 {
            continue;
        }
        let of = |n: usize, all: usize| if all == 0 { String::new() } else { pct(n as f64 / all as f64) };
        rows.push(vec![b.to_string(), dc[i].to_string(), of(dc[i], d), pc[i].to_string(), of(pc[i], p)]);
    }
    let full = |n: usize| if n == 0 { String::new() } else { "100.00%".into() };
    rows.push(vec!["合计".into(), d.to_string(), full(d), p.to_string(), full(p)]);
    blocks.push(Block::Table(Table {
        caption: format!("表{tables} 自评等级分布"),
        head: vec![
            vec![Head::tall("自评等级"), Head::wide("部门整体支出", 2), Head::wide("项目支出", 2)],
            ["表数", "占比", "表数", "占比"].map(Head::one).to_vec(),
        ],
        rows,
        widths: vec![20, 20, 20, 20, 20],
        text_cols: 0,
    }));

    // per 系统, department forms: grades and execution rate, as 分系统汇总 counts them
    #[derive(Default)]
    struct Sys {
        forms: usize,
        grades: [usize; 6],
        budget: f64,
        executed: f64,
    }
    let mut by: BTreeMap<String, Sys> = BTreeMap::new();
    for r in &ranks.departments {
        let s = by.entry(systems::of(ctx, r.e)).or_default();
        s.forms += 1;
        if let Some(i) = BANDS.iter().position(|x| *x == r.band(config)) {
            s.grades[i] += 1;
        }
        s.budget += r.e.budget_full.unwrap_or(0.0);
        s.executed += r.e.executed.unwrap_or(0.0);
    }
    if by.is_empty() {
        return;
    }
    let line = |name: &str, s: &Sys| {
        let mut v = vec![name.to_string(), s.forms.to_string()];
        v.extend(s.grades[..4].iter().map(|n| n.to_string()));
        v.push((s.grades[4] + s.grades[5]).to_string());
        v.push(if s.budget != 0.0 { pct(s.executed / s.budget) } else { String::new() });
        v
    };
    let mut total = Sys::default();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for (name, s) in &by {
        total.forms += s.forms;
        (0..6).for_each(|i| total.grades[i] += s.grades[i]);
        total.budget += s.budget;
        total.executed += s.executed;
        rows.push(line(&clean(name), s));
    }
    rows.push(line("合计", &total));
    *tables += 1;
    blocks.push(Block::Text("各系统部门整体支出自评情况见下表。".into()));
    blocks.push(Block::Table(Table {
        caption: format!("表{tables} 分系统自评情况（部门整体支出）"),
        head: vec![
            vec![Head::tall("所属系统"), Head::tall("参评部门"), Head::wide("自评等级", 5), Head::tall("预算执行率")],
            ["优", "良", "中", "差", "未定等级"].map(Head::one).to_vec(),
        ],
        rows,
        widths: vec![29, 12, 8, 8, 8, 8, 12, 15],
        text_cols: 1,
    }));
}

/// What a finding is about: `株洲市某局“窗口补贴”项目支出绩效自评表`.
fn form_of(kinds: &HashMap<&str, FormKind>, a: &jixiao_rules::Anomaly) -> String {
    let dept = clean(&a.department);
    let kind = a.eval_id.as_deref().and_then(|id| kinds.get(id).copied());
    let form = match kind {
        Some(FormKind::Project) => format!("“{}”项目支出绩效自评表", clean(&a.project)),
        Some(FormKind::Department) => "部门整体支出绩效自评表".into(),
        Some(FormKind::Basic) => "基础数据表".into(),
        None if a.eval_id.is_some() => "基础数据表".into(),
        None => format!("报送的文件“{}”", clean(&a.path)),
    };
    if dept.is_empty() { form } else { format!("{dept}{form}") }
}

/// 三、发现的主要问题: each rule that fired, errors first, most often first.
fn problems(ctx: &Ctx, counted: &Counted, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading("三、发现的主要问题".into()));
    let [e, w, i] = counted.severities;
    if e + w + i == 0 {
        blocks.push(Block::Text("审核未发现问题。".into()));
        return;
    }
    blocks.push(Block::Text(format!(
        "审核共发现疑点{}处，其中错误{e}处、警告{w}处、提示{i}处。错误指表内数字相互矛盾或不可能成立，警告指可能有误或缺项，提示供复核参考。主要问题如下：",
        e + w + i
    )));
    let kinds: HashMap<&str, FormKind> = ctx.data.evaluations.iter().map(|e| (e.eval_id(), e.form)).collect();
    // rule → its findings, in the summary's order (error → warning → info, department, …)
    let mut by_rule: Vec<(&'static str, Vec<&jixiao_rules::Anomaly>)> = Vec::new();
    for a in &counted.findings {
        match by_rule.iter_mut().find(|(id, _)| *id == a.rule) {
            Some((_, v)) => v.push(a),
            None => by_rule.push((a.rule, vec![a])),
        }
    }
    by_rule.sort_by(|(_, a), (_, b)| {
        severity_index(a[0].severity).cmp(&severity_index(b[0].severity)).then(b.len().cmp(&a.len()))
    });
    for (n, (id, found)) in by_rule.iter().enumerate() {
        let rule = jixiao_rules::rule(id);
        let name = rule.map(|r| r.name).unwrap_or(id);
        let meaning = rule.map(|r| r.meaning.trim_end_matches('。')).unwrap_or_default();
        let depts: BTreeSet<String> = found.iter().map(|a| norm(&a.department)).filter(|d| !d.is_empty()).collect();
        // one real example: the first that names a department, as 疑点清单 lists it
        let example = found.iter().find(|a| !a.department.trim().is_empty()).unwrap_or(&found[0]);
        // where: the file's name (its folder is the department's), the sheet or table, the cell
        let file = clean(example.path.rsplit('/').next().unwrap_or_default());
        let place = match (example.sheet.is_empty(), example.cell.is_empty()) {
            (false, false) => format!("（{file}，{}，{}）", clean(&example.sheet), clean(&example.cell)),
            (false, true) => format!("（{file}，{}）", clean(&example.sheet)),
            _ => String::new(),
        };
        let involved = if depts.is_empty() { String::new() } else { format!("，涉及{}个部门", depts.len()) };
        let meaning = if meaning.is_empty() { String::new() } else { format!("{meaning}。") };
        blocks.push(Block::Text(format!(
            "（{}）{name}（{}，{}处{involved}）。{meaning}如{}{place}：{}",
            chinese_number(n + 1),
            crate::summary::severity_zh(found[0].severity),
            found.len(),
            form_of(&kinds, example),
            end_sentence(&clean(&example.message)),
        )));
    }
}

/// Ends a message with `。` unless it ends with punctuation already.
fn end_sentence(s: &str) -> String {
    if s.ends_with(['。', '！', '？']) { s.to_string() } else { format!("{s}。") }
}

/// 四、存在错误的部门: departments whose forms (everything handed in for the year) have
/// errors, as 部门排名 counts them.
fn departments(ctx: &Ctx, ranks: &Ranks, counted: &Counted, blocks: &mut Vec<Block>, tables: &mut usize) {
    blocks.push(Block::Heading("四、存在错误的部门".into()));
    let years: BTreeSet<Option<i32>> = ranks.departments.iter().map(|r| r.e.year).collect();
    let mut rows: Vec<(String, String, [usize; 3])> = ranks
        .departments
        .iter()
        .map(|r| {
            let mut name = clean(r.e.department.as_deref().unwrap_or_default());
            if years.len() > 1
                && let Some(y) = r.e.year
            {
                name.push_str(&format!("（{y}年度）"));
            }
            (name, clean(&systems::of(ctx, r.e)), ranks.handed(r.e).anomalies)
        })
        .filter(|(_, _, c)| c[0] > 0)
        .collect();
    rows.sort_by(|a, b| b.2[0].cmp(&a.2[0]).then(b.2[1].cmp(&a.2[1])).then_with(|| a.0.cmp(&b.0)));
    let listed: usize = rows.iter().map(|r| r.2[0]).sum();
    let elsewhere = counted.severities[0].saturating_sub(listed);
    if rows.is_empty() {
        blocks.push(Block::Text("审核未发现存在错误的部门。".into()));
    } else {
        blocks.push(Block::Text(format!(
            "{}个部门的自评材料存在错误，合计{listed}处（含该部门报送的部门整体、项目支出自评表和基础数据表），具体见下表；各部门的疑点明细见汇总表“疑点清单”。",
            rows.len()
        )));
        *tables += 1;
        let body: Vec<Vec<String>> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (name, sys, c))| vec![(i + 1).to_string(), name, sys, c[0].to_string(), c[1].to_string()])
            .collect();
        blocks.push(Block::Table(Table {
            caption: format!("表{tables} 存在错误的部门"),
            head: vec![
                vec![Head::tall("序号"), Head::tall("部门"), Head::tall("所属系统"), Head::wide("疑点数", 2)],
                ["错误", "警告"].map(Head::one).to_vec(),
            ],
            rows: body,
            widths: vec![8, 40, 28, 12, 12],
            text_cols: 3,
        }));
    }
    if elsewhere > 0 {
        blocks.push(Block::Text(format!(
            "另有错误{elsewhere}处出自未能对应到部门整体支出绩效自评表的材料（如无法读取的文件、只报送项目支出自评表的单位），见汇总表“疑点清单”。"
        )));
    }
}

/// 五、整改要求.
fn requirements(ctx: &Ctx, counted: &Counted, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading("五、整改要求".into()));
    let by = deadline(ctx.config);
    let [e, w, _] = counted.severities;
    let mut items: Vec<String> = Vec::new();
    if e > 0 {
        items.push(format!(
            "对列为“错误”的{e}处问题，请有关部门对照原始数据逐项核实，更正自评表后{by}重新报送；更正前相关自评结果不予采用。"
        ));
    }
    if w > 0 {
        items.push(format!(
            "对列为“警告”的{w}处问题，请逐项核实：填写有误的予以更正，扣分未说明原因的补充偏差原因分析，确无错误的书面说明理由，{by}一并报送。"
        ));
    }
    let missing = roster::lines(ctx).iter().filter(|l| l.category == "未报送").count();
    if missing > 0 {
        items.push(format!("未报送自评材料的{missing}个部门，请{by}补报。"));
    }
    let unread = unread(ctx);
    if unread > 0 {
        items.push(format!("未能识别的{unread}个文件，请相关部门按规定格式（Excel 工作簿 .xlsx）重新报送，{by}完成。"));
    }
    items.push(format!(
        "各部门应以本次自评发现的问题为鉴，加强预算绩效管理，确保自评数据真实、准确、完整。整改情况请{by}书面报送（联系：{}）。",
        contact(ctx.config)
    ));
    for (i, t) in items.iter().enumerate() {
        blocks.push(Block::Text(format!("（{}）{t}", chinese_number(i + 1))));
    }
}

// ---------------------------------------------------------------------------------------
// Layout in Word

/// A4 in twentieths of a point, and the margins of a government document (GB/T 9704:
/// top 37 mm, bottom 35 mm, left 28 mm, right 26 mm).
const PAGE: (u32, u32) = (11_906, 16_838);
const MARGIN: (i32, i32, i32, i32) = (2_098, 1_984, 1_587, 1_474);
/// The width text runs in.
const TEXT_WIDTH: usize = (PAGE.0 as i32 - MARGIN.2 - MARGIN.3) as usize;

const BODY_FONT: &str = "仿宋";
const HEADING_FONT: &str = "黑体";
const TABLE_FONT: &str = "宋体";
const LATIN_FONT: &str = "Times New Roman";
/// Sizes in half-points: 二号 22 pt, 三号 16 pt, 五号 10.5 pt.
const TITLE_SIZE: usize = 44;
const BODY_SIZE: usize = 32;
const TABLE_SIZE: usize = 21;

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new().east_asia(east_asia).ascii(LATIN_FONT).hi_ansi(LATIN_FONT).cs(LATIN_FONT)
}

/// A run of text; whatever it holds, it is [`clean`]ed into text XML can carry.
fn run(text: &str, font: &str, size: usize) -> Run {
    Run::new().add_text(clean(text)).fonts(fonts(font)).size(size)
}

/// Body lines 28 pt apart, as government documents set them.
fn body_spacing() -> LineSpacing {
    LineSpacing::new().line_rule(LineSpacingType::Exact).line(560)
}

/// Tables up to this many rows are kept on one page (each row kept with the next), as
/// far as the page allows; longer ones break between rows.
const KEEP_TOGETHER: usize = 20;

/// A table cell's text: centred (figures, headers) or left-aligned (names); `bold` in
/// headers; `keep` with the next row.
fn table_cell(text: &str, bold: bool, center: bool, keep: bool) -> TableCell {
    let mut r = run(text, TABLE_FONT, TABLE_SIZE);
    if bold {
        r = r.bold();
    }
    let p = Paragraph::new()
        .add_run(r)
        .align(if center { AlignmentType::Center } else { AlignmentType::Left })
        .keep_next(keep)
        .line_spacing(LineSpacing::new().line_rule(LineSpacingType::Auto).line(240));
    TableCell::new().add_paragraph(p).vertical_align(VAlignType::Center)
}

fn render_table(t: &Table) -> DocxTable {
    let ncols = t.widths.len();
    let sum: usize = t.widths.iter().sum::<usize>().max(1);
    let grid: Vec<usize> = t.widths.iter().map(|w| w * TEXT_WIDTH / sum).collect();
    let width_of = |from: usize, cols: usize| grid[from.min(ncols)..(from + cols).min(ncols)].iter().sum::<usize>();
    let mut rows = Vec::new();
    // header rows: per grid column, how many more rows a cell above still covers, and its span
    let mut covered: Vec<(usize, usize)> = vec![(0, 1); ncols];
    for head_row in &t.head {
        let mut cells = Vec::new();
        let mut heads = head_row.iter();
        let mut c = 0;
        while c < ncols {
            let (left, span) = covered[c];
            if left > 0 {
                covered[c].0 -= 1;
                cells.push(
                    table_cell("", true, true, true)
                        .vertical_merge(VMergeType::Continue)
                        .grid_span(span)
                        .width(width_of(c, span), WidthType::Dxa),
                );
                c += span;
                continue;
            }
            let Some(h) = heads.next() else { break };
            let span = h.cols.max(1);
            let mut cell = table_cell(&h.text, true, true, true).width(width_of(c, span), WidthType::Dxa);
            if span > 1 {
                cell = cell.grid_span(span);
            }
            if h.rows > 1 {
                cell = cell.vertical_merge(VMergeType::Restart);
                covered[c] = (h.rows - 1, span);
            }
            cells.push(cell);
            c += span;
        }
        rows.push(TableRow::new(cells).cant_split());
    }
    let keep = t.rows.len() <= KEEP_TOGETHER;
    for (i, r) in t.rows.iter().enumerate() {
        let last = i + 1 == t.rows.len();
        let cells = (0..ncols)
            .map(|c| {
                let text = r.get(c).map(String::as_str).unwrap_or_default();
                let center = c >= t.text_cols || text.chars().count() <= 2;
                table_cell(text, false, center, keep && !last).width(grid[c], WidthType::Dxa)
            })
            .collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    DocxTable::new(rows)
        .set_grid(grid)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .align(TableAlignmentType::Center)
}

/// The draft as a Word document.
pub fn render(c: &Circular, run_date: &str) -> Docx {
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .add_run(run("— ", BODY_FONT, 28))
            .add_page_num(PageNum::new())
            .add_run(run(" —", BODY_FONT, 28)),
    );
    let mut doc = Docx::new()
        .page_size(PAGE.0, PAGE.1)
        .page_margin(PageMargin::new().top(MARGIN.0).bottom(MARGIN.1).left(MARGIN.2).right(MARGIN.3))
        .default_fonts(fonts(BODY_FONT))
        .default_size(BODY_SIZE)
        .footer(footer)
        .created_at(&format!("{run_date}T00:00:00Z"))
        .updated_at(&format!("{run_date}T00:00:00Z"));
    doc = doc.add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Center)
            .line_spacing(LineSpacing::new().before(0).after(560).line_rule(LineSpacingType::Auto).line(360))
            .add_run(run(&clean(&c.title), TABLE_FONT, TITLE_SIZE).bold()),
    );
    for (i, b) in c.blocks.iter().enumerate() {
        // a sentence that introduces a table stays on the table's page
        let before_table = matches!(c.blocks.get(i + 1), Some(Block::Table(_)));
        doc = match b {
            Block::Salutation(t) => {
                doc.add_paragraph(Paragraph::new().line_spacing(body_spacing()).add_run(run(t, BODY_FONT, BODY_SIZE)))
            }
            Block::Heading(t) => doc.add_paragraph(
                Paragraph::new()
                    .line_spacing(body_spacing())
                    .keep_next(true)
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .add_run(run(t, HEADING_FONT, BODY_SIZE)),
            ),
            Block::Text(t) => doc.add_paragraph(
                Paragraph::new()
                    .line_spacing(body_spacing())
                    .align(AlignmentType::Both)
                    .keep_next(before_table)
                    .indent(None, Some(SpecialIndentType::FirstLine(640)), None, None)
                    .add_run(run(t, BODY_FONT, BODY_SIZE)),
            ),
            Block::Table(t) => doc
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .keep_next(true)
                        .line_spacing(LineSpacing::new().before(120).after(60))
                        .add_run(run(&t.caption, HEADING_FONT, 24)),
                )
                .add_table(render_table(t))
                .add_paragraph(Paragraph::new().line_spacing(LineSpacing::new().after(0).line(240))),
            Block::Closing(lines) => {
                let mut d = doc.add_paragraph(Paragraph::new().line_spacing(body_spacing()));
                for l in lines {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Right)
                            .line_spacing(body_spacing())
                            .indent(None, None, Some(640), None)
                            .add_run(run(l, BODY_FONT, BODY_SIZE)),
                    );
                }
                d
            }
        };
    }
    doc
}

/// Writes the draft to `path`.
pub fn write(path: &Path, c: &Circular, run_date: &str) -> Result<(), CircularError> {
    let shown = path.display().to_string();
    let file = std::fs::File::create(path).map_err(|cause| CircularError::Io { path: shown.clone(), cause })?;
    let mut out = std::io::BufWriter::new(file);
    render(c, run_date).pack(&mut out).map_err(|e| CircularError::Zip { path: shown.clone(), cause: e.to_string() })?;
    std::io::Write::flush(&mut out).map_err(|cause| CircularError::Io { path: shown, cause })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_text() {
        assert_eq!(wan(1234567.891), "1,234,567.89");
        assert_eq!(wan(-958.07), "-958.07");
        assert_eq!(wan(0.0), "0.00");
        assert_eq!(pct(0.78114), "78.11%");
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(23), "二十三");
        assert_eq!(chinese_date("2023-12-31"), "2023年12月31日");
        assert_eq!(clean("株洲市\u{1}第一\n中学\u{FFFF}"), "株洲市 第一 中学");
        assert_eq!(share(3, 8), "3个（占37.50%）");
        assert_eq!(end_sentence("总分不符"), "总分不符。");
    }

    #[test]
    fn text_xml_cannot_carry_is_left_out_and_the_document_reads_back() {
        let c = Circular {
            title: "关于\u{1}某市2022年度部门预算绩效自评情况的通报（草稿）".into(),
            blocks: vec![
                Block::Heading("一、报送情况".into()),
                Block::Text("株洲市\u{0}第一中学<&>\u{FFFE}".into()),
                Block::Table(Table {
                    caption: "表1 测试".into(),
                    head: vec![vec![Head::one("部门"), Head::one("错误")]],
                    rows: vec![vec!["甲\u{1b}乙".into(), "3".into()]],
                    widths: vec![3, 1],
                    text_cols: 1,
                }),
            ],
        };
        let mut bytes = std::io::Cursor::new(Vec::new());
        render(&c, "2023-12-31").pack(&mut bytes).unwrap();
        let doc = jixiao_reader::read::docx::read_docx(bytes.get_ref(), 1_000_000, 1 << 26).unwrap();
        let text: Vec<String> = (0..=doc.grid.bottom()).map(|r| doc.grid.get((r, 0)).text()).collect();
        assert_eq!(text[0], "关于 某市2022年度部门预算绩效自评情况的通报（草稿）");
        assert!(text.contains(&"株洲市 第一中学<&>".to_string()), "{text:?}");
        assert!(text.contains(&"甲 乙".to_string()), "{text:?}");
    }

    #[test]
    fn merged_header_cells_cover_the_grid() {
        let t = Table {
            caption: "表1".into(),
            head: vec![
                vec![Head::tall("A"), Head::wide("B", 2), Head::tall("C")],
                vec![Head::one("b1"), Head::one("b2")],
            ],
            rows: vec![vec!["x".into(), "1".into(), "2".into(), "3".into()]],
            widths: vec![1, 1, 1, 1],
            text_cols: 1,
        };
        let xml = String::from_utf8(docx_rs::BuildXML::build(&render_table(&t))).unwrap();
        // the first header row: A restarts a vertical merge, B spans two columns
        assert!(xml.contains(r#"<w:gridSpan w:val="2" />"#), "{xml}");
        assert_eq!(xml.matches(r#"<w:vMerge w:val="restart" />"#).count(), 2, "{xml}");
        assert_eq!(xml.matches(r#"<w:vMerge w:val="continue" />"#).count(), 2, "{xml}");
        assert!(xml.contains(r#"w:eastAsia="宋体""#), "{xml}");
    }
}
