//! 说明: how to read the workbook, for the office that acts on it — what 错误/警告/提示 ask
//! of them, every rule with its Chinese name, meaning and the tolerance in force (with its
//! unit), the units of the figures, the grade bands and how the rankings are made. Written
//! from the configuration of the run, so it never disagrees with what was checked.

use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use crate::settings::{RankBy, Settings};
use crate::summary::{Ctx, severity_zh};
use jixiao_rules::Severity;
use jixiao_rules::versions::VersionOrder;
use jixiao_rules::{Unit, catalog, fmt, param};

/// What each severity asks of the office.
pub fn severity_meaning(s: Severity) -> &'static str {
    match s {
        Severity::Error => {
            "表内数字相互矛盾或不可能成立（如总分与分项合计不符、得分高于分值）。请退回部门核实更正；更正前该表的分数不宜采用。"
        }
        Severity::Warning => "可能有误或缺项（如必填项为空、扣分未说明原因）。请对照原表核对，必要时请部门补正或说明。",
        Severity::Info => "供复核时参考，一般无需部门处理。",
    }
}

/// A threshold as the office reads it, with its unit.
fn param_text(rule_id: &str, key: &str, value: f64) -> String {
    let pct = |v: f64| format!("{}%", fmt(v * 100.0));
    match key {
        "tolerance" => {
            let unit = match rule_id {
                "EXEC_RATE_MISMATCH" | "STAFF_CONTROL_RATE" => "个百分点",
                "OVER_EXECUTION" | "FUND_SOURCE_SUM" | "SUBTOTAL_MISMATCH" => "万元",
                _ => "分",
            };
            format!("容差 {}{unit}", fmt(value))
        }
        "relative_tolerance" => format!("或合计的 {}（取大者）", pct(value)),
        "threshold" => format!("阈值 {}", pct(value)),
        "expected" => format!("总分行未填分值时按 {}分", fmt(value)),
        _ => format!("{key} = {}", fmt(value)),
    }
}

/// The thresholds of a rule in force under `config`, in Chinese.
pub fn thresholds(config: &Settings, rule_id: &str) -> String {
    let Some(rule) = catalog().iter().find(|r| r.id == rule_id) else { return String::new() };
    rule.params
        .iter()
        .map(|(k, _)| param_text(rule_id, k, param(&config.checks, rule_id, k)))
        .collect::<Vec<_>>()
        .join("，")
}

/// The sheet's columns and their widths, all printed.
const WIDTHS: [(u16, f64); 6] = [(0, 22.0), (1, 14.0), (2, 6.0), (3, 48.0), (4, 22.0), (5, 14.0)];

pub fn write(ws: &mut Worksheet, ctx: &Ctx) -> Result<(), XlsxError> {
    let f = ctx.fmts;
    let config = ctx.config;
    ws.set_name("说明")?;
    for (c, w) in WIDTHS {
        ws.set_column_width(c, w)?;
    }
    crate::summary::title_row(ws, f, &ctx.title.text("说明"))?;
    let mut row = 2u32;
    let heading = |ws: &mut Worksheet, row: u32, cells: &[&str]| -> Result<(), XlsxError> {
        for (c, s) in cells.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, *s, &f.header)?;
        }
        Ok(())
    };
    let line = |ws: &mut Worksheet, row: u32, cells: &[String], fmt: &Format| -> Result<(), XlsxError> {
        for (c, s) in cells.iter().enumerate() {
            ws.write_string_with_format(row, c as u16, s, if c != 2 { &f.wrap } else { fmt })?;
        }
        Ok(())
    };

    heading(ws, row, &["疑点级别", "", "", "对财政部门意味着什么"])?;
    for s in [Severity::Error, Severity::Warning, Severity::Info] {
        row += 1;
        let cells = [severity_zh(s).to_string(), String::new(), String::new(), severity_meaning(s).to_string()];
        line(ws, row, &cells, &f.text)?;
    }

    row += 2;
    heading(ws, row, &["规则编号", "规则名称", "级别", "含义", "容差或阈值（本次运行）", "疑点清单的计算值 / 填报值"])?;
    for rule in catalog() {
        row += 1;
        let settings = config.checks.rule(rule.id);
        let severity = settings.severity.unwrap_or(rule.severity);
        let mut level = severity_zh(severity).to_string();
        if !settings.enabled.unwrap_or(true) {
            level.push_str("（已停用）");
        }
        let pair =
            [rule.shows.expected, rule.shows.actual].iter().filter(|s| !s.is_empty()).copied().collect::<Vec<_>>();
        let unit = match rule.shows.unit {
            Unit::Rate => "（百分比）",
            Unit::Wan => "（万元）",
            Unit::Score => "（分）",
            Unit::Text => "（表中原文）",
            Unit::Nothing => "",
        };
        let cells = [
            rule.id.to_string(),
            rule.name.to_string(),
            level,
            rule.meaning.to_string(),
            thresholds(config, rule.id),
            format!("{}{unit}", pair.join(" / ")),
        ];
        line(ws, row, &cells, &f.text)?;
    }

    row += 2;
    heading(ws, row, &["单位与口径", "", "", ""])?;
    let g = &config.checks.grades;
    let ranking = match config.ranking.by {
        RankBy::Calculated => "按核定总分（表内各项得分之和：预算执行得分 + 各指标得分）从高到低，同分同名次；每个年度单独排名。等级、等级分布和各平均分也按核定总分；填报总分、填报等级列在旁边，“差异(填报−核定)”为两者之差，相差超过总分容差时以底色标出。各项均无得分的表（如工资性支出表）无法核定总分：排名栏显示“待核实”，备注“无分项得分，无法核定总分”，不定等级、不参与排名，也不计入平均分和等级统计；核定总分高于分值的表同样处理。如需按填报总分排名，可在配置中设置 [ranking] by = \"stated\"".to_string(),
        RankBy::Stated => "按填报总分从高到低（配置 [ranking] by = \"stated\"），同分同名次；每个年度单独排名。等级、等级分布和各平均分也按填报总分；核定总分、核定等级列在旁边，“差异(填报−核定)”为两者之差，相差超过总分容差时以底色标出。填报总分高于分值的表排名栏显示“待核实”并在备注中说明原因，未填总分的表显示“无总分”；两者均不定等级、不参与排名，也不计入平均分和等级统计".to_string(),
    };
    let versions = match config.ranking.versions {
        VersionOrder::Modified => "以最后修改的文件为准（修改时间相同时以路径排序靠后者为准）",
        VersionOrder::Path => "以路径排序靠后的文件为准",
    };
    let notes = [
        ("金额", "万元；单元格注明“元”或“亿元”的已换算为万元（并提示金额单位不符）".to_string()),
        ("比率", "百分比显示；数据集（Parquet）中为小数，如 0.7811 即 78.11%".to_string()),
        ("得分、分值", "分".to_string()),
        (
            "等级",
            format!(
                "优 ≥ {}；良 ≥ {} 且 < {}；中 ≥ {} 且 < {}；差 < {}",
                fmt(g.excellent),
                fmt(g.good),
                fmt(g.excellent),
                fmt(g.pass),
                fmt(g.good),
                fmt(g.pass)
            ),
        ),
        ("填报 / 核定", "填报：表中所填数字；核定：本工具按表内数据计算（核定总分 = 预算执行得分 + 各指标得分，核定执行率 = 全年执行数 ÷ 全年预算数）。两者相差超过总分容差时，排名表中以底色标出".to_string()),
        ("排名", ranking),
        ("重复报送", format!("同一年度、同一部门（项目）有多个版本时只计入一个：{versions}；其余版本在文件清单中标为“已被替代”，并注明以哪个文件为准。被替代版本的疑点另列于“已替代版本的疑点”工作表，不计入疑点清单和任何统计")),
        ("统计口径", "表数、疑点数只计有效版本，每张表、每个疑点只计一次：总览、领导简报、分系统汇总、疑点清单和 run.json 中的数字一致".to_string()),
        ("部门排名的疑点数", "“错误(全部表)”等为该部门当年报送的全部表（部门整体自评表、项目支出自评表、基础数据表）的疑点合计".to_string()),
        ("标题中的地区和年度", "运行时可用 --region 株洲市、--year 2022 指定（也可写在设置文件 [report] 中）；未指定时，地区取部门名称开头最常见的行政区划（如“株洲市第一中学”取“株洲市”），没有则不写，年度取自评表中的年度".to_string()),
        ("通报草稿", format!("每次运行同时生成 {}（Word 文档，可编辑）：报送情况、自评结果、发现的主要问题、存在错误的部门、整改要求，数字与本工作簿一致；整改期限和联系方式取自设置文件 [feedback] 的 deadline、office、contact、phone", crate::summary::circular::FILE)),
        ("整改状态、部门反馈", "疑点清单的“整改状态”可选未整改、已反馈、已整改、无需整改。运行时加 --replies <文件夹> 读取各部门发回的反馈表（--feedback 生成）：部门填写了“整改情况说明”的问题显示“已反馈”，说明内容写入“部门反馈”栏（按部门、规则、表和单元格对应，不按行序）；已标为已整改或无需整改的保持不变。再次运行时，整改状态、备注和部门反馈都会保留".to_string()),
    ];
    for (k, v) in notes {
        row += 1;
        line(ws, row, &[k.to_string(), String::new(), String::new(), v], &f.text)?;
    }
    crate::summary::page_setup(ws, &WIDTHS.map(|(_, w)| w));
    Ok(())
}
