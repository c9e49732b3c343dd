//! Fuzzes the form locator, the extractors and the rules with arbitrary cell grids.
//! The input bytes are decoded into a grid whose cells are biased towards the labels and
//! values real forms hold, so the fuzzer reaches deep into the extractors.
#![no_main]

use jixiao_forms::labels::Labels;
use jixiao_rules::settings::Checks;
use jixiao_reader::grid::{Cell, Grid, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const LABELS: &[&str] = &[
    "项目支出名称", "项目名称", "市级预算部门名称", "财政供养人员情况", "经费控制情况", "主管部门", "实施单位", "年初预算数",
    "全年预算数", "全年执行数", "调整后预算数", "预算执行数", "分值", "权重", "执行率", "得分", "年度资金总额", "总额",
    "其中：当年财政拨款", "上年结转资金", "其他资金", "其中：基本支出：958.07", "项目支出：1294.35", "年度总体目标", "一级指标",
    "二级指标", "三级指标", "指标性质", "年度指标值", "度量单位", "实际完成值", "偏差原因分析及改进措施", "总分", "合计",
    "产出指标(50分)", "效益指标（30分）", "满意度指标(10分)", "成本指标", "数量指标", "填表人：胡静 填报日期：2023.6.28 联系电话：1",
    "编制数", "2022年实际在职人数", "控制率", "2021年决算数", "2022年预算数", "2022年决算数", "三公经费", "1、公务接待",
    "其中：公车购置", "3、市级专项资金（一个专项一行）", "楼堂馆所控制情况", "2022年度项目支出绩效自评表", "≥90%", "95%以上",
    "400-600元", "2..23亿元", "<!%", "794500元", "……", "/", "——", "20234..25", "≤19.8万元", "1,294.35", "　9.9", "≥", "%",
];

fuzz_target!(|data: &[u8]| {
    static SETTINGS: OnceLock<(Labels, Checks)> = OnceLock::new();
    let (labels, checks) = SETTINGS.get_or_init(|| (Labels::builtin(), Checks::builtin()));
    let Some((&w, rest)) = data.split_first() else { return };
    let width = (w % 14 + 1) as u32;
    let mut cells = Vec::new();
    let mut bytes = rest.iter();
    while let Some(&b) = bytes.next() {
        let v = match b % 8 {
            0..=2 => Value::Empty,
            3..=5 => Value::Text(LABELS[(b as usize / 8) % LABELS.len()].to_string()),
            6 => {
                let n = bytes.next().copied().unwrap_or(0) as f64 + bytes.next().copied().unwrap_or(0) as f64 / 100.0;
                Value::Number(if b & 0x80 != 0 { -n } else { n })
            }
            _ => {
                let len = (bytes.next().copied().unwrap_or(0) % 8) as usize;
                let raw: Vec<u8> = bytes.by_ref().take(len).copied().collect();
                Value::Text(String::from_utf8_lossy(&raw).into_owned())
            }
        };
        cells.push(v);
        if cells.len() > 4000 {
            break;
        }
    }
    let height = cells.len().div_ceil(width as usize) as u32;
    let mut grid = Grid::new("fuzz", 0, 0, height, width);
    for (i, v) in cells.into_iter().enumerate() {
        grid.set((i as u32 / width, i as u32 % width), Cell::new(v));
    }
    // merged regions from the tail bytes
    if let [.., a, b, c] = data {
        let (r, col) = ((*a as u32) % height.max(1), (*b as u32) % width);
        grid.fill_merge((r, col), (r + (*c as u32 % 4), col + (*c as u32 / 64)));
    }
    let forms = jixiao_forms::extract::extract_sheet(&grid, labels, "fuzz.xlsx");
    let date = chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    let _ = jixiao_rules::check_forms(&forms.evaluations, &forms.basics, checks, date);
});
