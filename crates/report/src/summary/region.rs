//! The region a summary's titles name when the user gave none (`--region`, `[report]
//! region`): the administrative division that the departments' names start with most
//! often (`株洲市行政审批服务局`, `株洲市第一中学` → `株洲市`). A folder's own name is never
//! taken for it (`sample-data2022年度…` was): without a division in the names, the titles
//! name none.

use std::collections::HashMap;

/// Suffixes that end a division's name. `州` alone is not one (`杭州`, `广州` are followed
/// by `市`), only in `自治州`.
const SUFFIXES: [&str; 8] = ["自治区", "自治州", "省", "市", "县", "区", "旗", "盟"];

/// Leading words that are not part of a division (`中共株洲市委…`).
const NOT_DIVISION: [&str; 2] = ["中共", "中国"];

/// The division a department's name starts with: two to twelve characters ending in one of
/// [`SUFFIXES`], the shortest such prefix (`湖南省株洲市财政局` → `湖南省`). A name that
/// starts with a suffix (`市教育局`, `县市区财政局`, `区块链中心`) names none.
pub fn division(name: &str) -> Option<&str> {
    let name = name.trim_start();
    if NOT_DIVISION.iter().any(|w| name.starts_with(w)) {
        return None;
    }
    let first = name.chars().next()?;
    if SUFFIXES.iter().any(|s| s.starts_with(first)) {
        return None;
    }
    let mut chars = 0;
    for (i, c) in name.char_indices() {
        chars += 1;
        if chars > 12 || !is_han(c) {
            return None;
        }
        if chars < 2 {
            continue;
        }
        let end = i + c.len_utf8();
        let prefix = &name[..end];
        if SUFFIXES.iter().any(|s| prefix.ends_with(s) && prefix.chars().count() > s.chars().count()) {
            // `自治` is followed by 区 or 州: not a suffix on its own
            return Some(prefix);
        }
    }
    None
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// The division the names start with most often (ties: the one seen first), or `None`.
pub fn named_most<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, d) in names.into_iter().filter_map(division).enumerate() {
        counts.entry(d).or_insert((0, i)).0 += 1;
    }
    counts.into_iter().max_by_key(|(_, (n, first))| (*n, std::cmp::Reverse(*first))).map(|(d, _)| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn divisions_at_the_start_of_department_names() {
        assert_eq!(division("株洲市行政审批服务局"), Some("株洲市"));
        assert_eq!(division("湖南省株洲市财政局"), Some("湖南省"));
        assert_eq!(division("杭州市西湖区教育局"), Some("杭州市"));
        assert_eq!(division("广西壮族自治区财政厅"), Some("广西壮族自治区"));
        assert_eq!(division("湘西土家族苗族自治州民政局"), Some("湘西土家族苗族自治州"));
        assert_eq!(division("攸县财政局"), Some("攸县"));
        for none in ["市教育局", "县市区财政局", "区块链中心", "中共株洲市委宣传部", "财政局", "sample-data", ""]
        {
            assert_eq!(division(none), None, "{none}");
        }
    }

    #[test]
    fn the_division_named_most_wins_and_a_folder_name_never() {
        let names = ["株洲市第一中学", "株洲市攸县财政局", "湖南省财政厅", "株洲市中心医院", "市教育局"];
        assert_eq!(named_most(names), Some("株洲市".into()));
        assert_eq!(named_most(["sample-data", "input", "2022自评"]), None);
    }
}
