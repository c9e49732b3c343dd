//! The label matcher for table headers: which column of a header row plays which role.
//!
//! Regions word their headers differently (`全年预算数(A)`, `预算数`, `调整后预算数`,
//! `年初目标值(A)`, `未完成原因及拟采取的改进措施`), so a header cell is matched by the words
//! of its label, not by its whole text: after the decorations are gone (see
//! [`jixiao_text::normalize::clean_label`]: codes and formulas in parentheses, units, `分`
//! annotations), a cell plays the role whose synonym it contains, the longest synonym
//! winning (`年初预算数` holds both `年初预算数` and `预算数`: it is the initial budget). A
//! cell equal to a synonym beats any containment. Every synonym lives in
//! `config/labels.toml`, so a user adds a wording there, never in code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use jixiao_text::normalize::clean_label;

/// A list of synonyms for one label, stored cleaned (see [`clean_label`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(from = "Vec<String>", into = "Vec<String>")]
pub struct LabelSet(Vec<String>);

impl From<Vec<String>> for LabelSet {
    fn from(v: Vec<String>) -> Self {
        LabelSet(v.iter().map(|s| clean_label(s)).filter(|s| !s.is_empty()).collect())
    }
}

impl From<LabelSet> for Vec<String> {
    fn from(l: LabelSet) -> Self {
        l.0
    }
}

impl LabelSet {
    /// True when the cell's text, cleaned, is one of the synonyms.
    pub fn is(&self, text: &str) -> bool {
        let c = clean_label(text);
        self.0.contains(&c)
    }

    /// True when the already-cleaned text is one of the synonyms.
    pub fn is_clean(&self, cleaned: &str) -> bool {
        self.0.iter().any(|s| s == cleaned)
    }

    /// True when one of the synonyms occurs inside `text` (a title marker in a title, a
    /// footer label beside its value). Runs for every cell of every indicator row, on
    /// text a few characters long, where setting up `str::contains`' searcher for each
    /// synonym cost more than this scan (measured with callgrind, docs/performance.md).
    pub fn found_in(&self, text: &str) -> bool {
        let h = text.as_bytes();
        self.0.iter().any(|s| {
            let Some((&first, rest)) = s.as_bytes().split_first() else { return true };
            s.len() <= h.len()
                && memchr::memchr_iter(first, &h[..=h.len() - s.len()]).any(|i| h[i + 1..].starts_with(rest))
        })
    }

    /// The synonyms, cleaned.
    pub fn synonyms(&self) -> &[String] {
        &self.0
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Forms {
    pub project: LabelSet,
    pub department: LabelSet,
    pub basic: LabelSet,
    pub title_marker: LabelSet,
    /// Labels of the name field of a form found by its title alone (`单位 | …`).
    pub title_name: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    pub supervisor: LabelSet,
    pub implementer: LabelSet,
    pub fund_end: LabelSet,
    pub total_row: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundColumns {
    pub initial: LabelSet,
    pub full: LabelSet,
    pub executed: LabelSet,
    pub weight: LabelSet,
    pub rate: LabelSet,
    pub score: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorColumns {
    pub level1: LabelSet,
    pub level2: LabelSet,
    pub level3: LabelSet,
    pub nature: LabelSet,
    pub target: LabelSet,
    pub unit: LabelSet,
    pub actual: LabelSet,
    pub weight: LabelSet,
    pub score: LabelSet,
    pub reason: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorKinds {
    pub cost: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    pub filled_by: LabelSet,
    pub filled_date: LabelSet,
    pub phone: LabelSet,
    pub other: LabelSet,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BasicLabels {
    pub staff_authorized: LabelSet,
    pub staff_actual: LabelSet,
    pub staff_rate: LabelSet,
    pub prev_final: LabelSet,
    pub budget: LabelSet,
    pub final_: LabelSetAlias,
    pub top_items: LabelSet,
    pub end_items: LabelSet,
}

/// `final` is a Rust keyword; the TOML key stays `final`.
pub type LabelSetAlias = LabelSet;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    pub forms: Forms,
    pub fields: Fields,
    pub fund_columns: FundColumns,
    pub fund_sources: BTreeMap<String, LabelSet>,
    pub indicator_columns: IndicatorColumns,
    pub indicator_kinds: IndicatorKinds,
    pub footer: Footer,
    pub basic: BasicLabels,
}

/// The built-in synonyms, `config/labels.toml` as shipped.
pub const BUILTIN: &str = include_str!("../../../config/labels.toml");

impl Labels {
    /// The built-in synonyms alone, without a user's additions: what the fuzz targets and
    /// this crate's tests use (the app merges a user's file over [`BUILTIN`] first).
    pub fn builtin() -> Labels {
        Labels::parse(BUILTIN).expect("config/labels.toml parses (covered by a test)")
    }

    /// Labels from the TOML text of a labels file, whose key `final` is this struct's
    /// `final_` (a Rust keyword).
    pub fn parse(text: &str) -> Result<Labels, String> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        toml::Value::Table(rename_final(table)).try_into().map_err(|e: toml::de::Error| e.to_string())
    }

    /// The fund source id (`total`, `fiscal`…) whose synonyms hold this cleaned label.
    pub fn fund_source(&self, cleaned: &str) -> Option<&str> {
        self.fund_sources.iter().find(|(_, set)| set.is_clean(cleaned)).map(|(k, _)| k.as_str())
    }
}

/// Longer text is not a header label but a sentence that happens to hold one (24 Chinese
/// characters; compared in bytes, which is all a header row's hot loop can afford).
const MAX_HEADER_BYTES: usize = 24 * 3;

/// How well a cleaned label matches a set: 0 for not at all, more for a longer synonym,
/// most for the whole label.
pub fn strength(set: &LabelSet, cleaned: &str) -> usize {
    if cleaned.is_empty() || cleaned.len() > MAX_HEADER_BYTES {
        return 0;
    }
    if set.is_clean(cleaned) {
        return 1000 + cleaned.len();
    }
    contained(set, cleaned)
}

/// The length of the longest synonym inside the label, 0 if none is.
fn contained(set: &LabelSet, cleaned: &str) -> usize {
    set.synonyms()
        .iter()
        .filter(|s| s.len() < cleaned.len() && cleaned.contains(s.as_str()))
        .map(String::len)
        .max()
        .unwrap_or(0)
}

/// The column each role takes in a header row. Every (cell, role) pair is scored by
/// [`strength`]; the best pairs are taken first, each cell and each role at most once (ties:
/// the leftmost cell, then the role listed first). So a table heading that merely contains
/// a synonym (`年度预算数(万元)` beside `调整后预算数`) loses to the cell that is the label.
/// `cells` are (column, cleaned label).
pub fn map_header(cells: &[(u32, &str)], roles: &[&LabelSet]) -> Vec<Option<u32>> {
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (ci, &(_, text)) in cells.iter().enumerate() {
        if text.is_empty() || text.len() > MAX_HEADER_BYTES {
            continue;
        }
        // a cell that is a synonym plays that role (most cells of a known template are)
        if let Some(ri) = roles.iter().position(|set| set.is_clean(text)) {
            pairs.push((1000 + text.len(), ci, ri));
            continue;
        }
        for (ri, set) in roles.iter().enumerate() {
            let s = contained(set, text);
            if s > 0 {
                pairs.push((s, ci, ri));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut out = vec![None; roles.len()];
    let mut cell_used = vec![false; cells.len()];
    for (_, ci, ri) in pairs {
        if out[ri].is_none() && !cell_used[ci] {
            out[ri] = Some(cells[ci].0);
            cell_used[ci] = true;
        }
    }
    out
}

/// The labels file uses the key `final`; the struct field is `final_`.
pub fn rename_final(mut t: toml::Table) -> toml::Table {
    if let Some(toml::Value::Table(basic)) = t.get_mut("basic")
        && let Some(v) = basic.remove("final")
    {
        basic.insert("final_".into(), v);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_labels_parse() {
        let l = Labels::builtin();
        assert!(l.forms.project.is("项目支\n出名称"));
        assert_eq!(l.fund_source("当年财政拨款"), Some("fiscal"));
        assert!(l.basic.final_.is("决算数"), "`final` in the file");
    }
    use jixiao_text::normalize::clean_label;

    fn set(words: &[&str]) -> LabelSet {
        LabelSet::from(words.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_header_cell_takes_the_role_of_its_longest_synonym() {
        let initial = set(&["年初预算数"]);
        let full = set(&["全年预算数", "预算数"]);
        let executed = set(&["全年执行数", "执行数"]);
        let rate = set(&["执行率"]);
        let raw = ["年初预算数", "全年预算数(A)", "全年执行数(B)", "执行率(B/A)", "备注"];
        let cleaned: Vec<String> = raw.iter().map(|s| clean_label(s)).collect();
        let cells: Vec<(u32, &str)> = cleaned.iter().enumerate().map(|(i, s)| (i as u32, s.as_str())).collect();
        assert_eq!(map_header(&cells, &[&initial, &full, &executed, &rate]), vec![Some(0), Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn the_cell_that_is_the_label_beats_a_heading_that_contains_it() {
        let initial = set(&["年初预算"]);
        let full = set(&["调整后预算数", "预算数"]);
        let cleaned: Vec<String> =
            ["年度预算数(万元)", "年初预算", "调整后预算数"].iter().map(|s| clean_label(s)).collect();
        let cells: Vec<(u32, &str)> = cleaned.iter().enumerate().map(|(i, s)| (i as u32, s.as_str())).collect();
        assert_eq!(map_header(&cells, &[&initial, &full]), vec![Some(1), Some(2)]);
    }

    #[test]
    fn sentences_are_not_headers() {
        let full = set(&["预算数"]);
        assert_eq!(strength(&full, "本年度预算数较上年增加主要原因是新增了三个项目的建设任务和人员经费"), 0);
        assert!(strength(&full, "预算数") > strength(&full, "全年预算数"));
    }
}
