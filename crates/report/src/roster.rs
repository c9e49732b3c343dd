//! The roster (`--roster 名单.xlsx` or `.csv`): the departments expected to hand in, with
//! their 系统, and how handed-in names are matched against it. People write one name in
//! several ways (`株洲市第一中学（本级）`, `第一中学(本级) `), so names are compared by a
//! key: no whitespace, full-width letters and brackets folded, configured prefixes
//! (`株洲市`) dropped. A name that matches no key gets the closest roster name suggested
//! (edit distance between keys).

use std::collections::HashMap;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto};

use crate::settings::RosterMatching;
use jixiao_text::normalize::norm;

#[derive(Debug, thiserror::Error)]
pub enum RosterError {
    #[error("cannot read {path}: {cause}")]
    Io { path: String, cause: std::io::Error },
    #[error("cannot read workbook {path}: {cause}")]
    Workbook { path: String, cause: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

/// The rows of a small table file: a `.csv` (UTF-8, a BOM allowed, or GB18030 as Excel
/// in China saves it) or the first sheet of a workbook, as text, blank rows dropped.
pub fn read_rows(path: &Path) -> Result<Vec<Vec<String>>, RosterError> {
    let shown = path.display().to_string();
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("txt"));
    let rows: Vec<Vec<String>> = if is_csv {
        let bytes = std::fs::read(path).map_err(|cause| RosterError::Io { path: shown.clone(), cause })?;
        let text = jixiao_text::normalize::decode_text(bytes);
        text.lines().map(split_csv).collect()
    } else {
        let mut wb = open_workbook_auto(path)
            .map_err(|e| RosterError::Workbook { path: shown.clone(), cause: e.to_string() })?;
        let first = wb
            .sheet_names()
            .first()
            .cloned()
            .ok_or_else(|| RosterError::Invalid { path: shown.clone(), message: "the workbook has no sheet".into() })?;
        let range = wb
            .worksheet_range(&first)
            .map_err(|e| RosterError::Workbook { path: shown.clone(), cause: e.to_string() })?;
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect()
    };
    Ok(rows.into_iter().filter(|r| r.iter().any(|c| !c.trim().is_empty())).collect())
}

/// One CSV line, with `"…"` quoting (`""` inside quotes is a quote).
fn split_csv(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// The key a name is matched by: [`norm`] (no whitespace, full-width ASCII folded), the
/// Chinese brackets folded (`（）【】` → `()[]`), the configured prefixes dropped.
pub fn key(name: &str, m: &RosterMatching) -> String {
    let n: String = norm(name)
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '【' | '〔' => '[',
            '】' | '〕' => ']',
            c => c,
        })
        .collect();
    let mut s = n.as_str();
    for p in &m.drop_prefixes {
        let p = norm(p);
        if !p.is_empty() && s.len() > p.len() {
            s = s.strip_prefix(p.as_str()).unwrap_or(s);
        }
    }
    s.to_string()
}

/// Levenshtein distance in characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A department the roster expects.
#[derive(Debug, Clone, PartialEq)]
pub struct Expected {
    pub name: String,
    pub system: String,
}

#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub entries: Vec<Expected>,
    by_key: HashMap<String, usize>,
}

/// Headers the roster's name and 系统 columns may carry.
const NAME_HEADERS: [&str; 6] = ["部门名称", "单位名称", "预算部门", "部门", "单位", "名称"];
const SYSTEM_HEADERS: [&str; 5] = ["所属系统", "系统", "主管部门", "区县", "归口"];

impl Roster {
    /// Reads a roster: a header row (within the first five) naming the department column
    /// (部门名称/单位名称/…, [`NAME_HEADERS`]) and, optionally, the 系统 column. A roster
    /// without such a header is refused, naming the headers it has and those accepted:
    /// guessing a column would list every department handed in as 名单外.
    pub fn load(path: &Path, m: &RosterMatching) -> Result<Roster, RosterError> {
        let rows = read_rows(path)?;
        Self::from_rows(&rows, m).map_err(|message| RosterError::Invalid { path: path.display().to_string(), message })
    }

    pub fn from_rows(rows: &[Vec<String>], m: &RosterMatching) -> Result<Roster, String> {
        let find = |row: &[String], names: &[&str]| names.iter().find_map(|h| row.iter().position(|c| norm(c) == *h));
        let header = rows.iter().take(5).position(|r| find(r, &NAME_HEADERS).is_some());
        let Some(h) = header else { return Err(no_name_column(rows)) };
        let (start, name_col, system_col) =
            (h + 1, find(&rows[h], &NAME_HEADERS).unwrap_or(0), find(&rows[h], &SYSTEM_HEADERS));
        let mut r = Roster::default();
        for row in &rows[start.min(rows.len())..] {
            let name = row.get(name_col).map(|s| s.trim().to_string()).unwrap_or_default();
            if name.is_empty() {
                continue;
            }
            let system = system_col.and_then(|c| row.get(c)).map(|s| s.trim().to_string()).unwrap_or_default();
            let k = key(&name, m);
            if r.by_key.contains_key(&k) {
                continue;
            }
            r.by_key.insert(k, r.entries.len());
            r.entries.push(Expected { name, system });
        }
        if r.entries.is_empty() {
            return Err("the roster lists no department (a column headed 部门名称 or 单位名称)".into());
        }
        Ok(r)
    }

    /// The roster entry a handed-in name matches, by key.
    pub fn find(&self, name: &str, m: &RosterMatching) -> Option<usize> {
        self.by_key.get(&key(name, m)).copied()
    }

    /// The closest roster entry to a name that matches none (leaving out `taken`, the
    /// entries already matched), with its distance: within `max_distance` and differing
    /// in at most half the characters, or one name inside the other (`实验小学` and
    /// `实验小学(本级)`).
    pub fn closest(
        &self,
        name: &str,
        m: &RosterMatching,
        taken: &std::collections::HashSet<usize>,
    ) -> Option<(usize, usize)> {
        let k = key(name, m);
        self.entries
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken.contains(i))
            .filter_map(|(i, e)| {
                let ek = key(&e.name, m);
                let d = distance(&k, &ek);
                let shorter = k.chars().count().min(ek.chars().count());
                let near = d <= m.max_distance && d * 2 <= shorter;
                let inside = shorter > 0 && (k.contains(&ek) || ek.contains(&k));
                (near || inside).then_some((i, d))
            })
            .min_by_key(|(i, d)| (*d, *i))
    }
}

/// Why a roster without a department-name header is refused, in the office's words: the
/// headers its first row has, the ones accepted, and what to add.
fn no_name_column(rows: &[Vec<String>]) -> String {
    let accepted = NAME_HEADERS.join("、");
    let first = rows.iter().find(|r| r.iter().any(|c| !c.trim().is_empty()));
    let found = match first {
        Some(row) => {
            let cells: Vec<&str> = row.iter().map(|c| c.trim()).filter(|c| !c.is_empty()).collect();
            format!("第一行为“{}”", cells.join("、"))
        }
        None => "名单是空的".to_string(),
    };
    format!("名单中找不到部门名称列：{found}；可用的列名：{accepted}。请在名单第一行加上列名“部门名称”。")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m() -> RosterMatching {
        RosterMatching { drop_prefixes: vec!["株洲市".into()], max_distance: 3 }
    }

    #[test]
    fn keys_survive_brackets_prefixes_and_spaces() {
        assert_eq!(key("株洲市第一中学（本级） ", &m()), key("第一中学(本级)", &m()));
        assert_eq!(key("株洲市 第一中学", &m()), "第一中学");
        assert_eq!(key("株洲市", &m()), "株洲市", "a name that is only the prefix keeps it");
    }

    #[test]
    fn distances() {
        assert_eq!(distance("第一中学", "第一中学"), 0);
        assert_eq!(distance("第一中学", "第壹中学"), 1);
        assert_eq!(distance("", "abc"), 3);
    }

    #[test]
    fn csv_and_headers() {
        let rows: Vec<Vec<String>> =
            ["序号,单位名称,所属系统", "1,株洲市第一中学,市教育局系统", "2,\"株洲市中心医院\",市卫生健康委系统"]
                .iter()
                .map(|l| split_csv(l))
                .collect();
        let r = Roster::from_rows(&rows, &m()).unwrap();
        assert_eq!(r.entries.len(), 2);
        assert_eq!(r.entries[1], Expected { name: "株洲市中心医院".into(), system: "市卫生健康委系统".into() });
        assert_eq!(r.find("第一中学 ", &m()), Some(0));
        assert_eq!(r.closest("株洲市中心医阮", &m(), &Default::default()), Some((1, 1)));
        assert_eq!(r.closest("株洲市园林局", &m(), &Default::default()), None, "nothing alike");
    }

    #[test]
    fn a_roster_without_a_department_name_column_is_refused() {
        let rows: Vec<Vec<String>> =
            ["序号,名字,备注", "1,株洲市第一中学,", "2,株洲市中心医院,"].iter().map(|l| split_csv(l)).collect();
        let message = Roster::from_rows(&rows, &m()).unwrap_err();
        assert_eq!(
            message,
            "名单中找不到部门名称列：第一行为“序号、名字、备注”；\
             可用的列名：部门名称、单位名称、预算部门、部门、单位、名称。请在名单第一行加上列名“部门名称”。"
        );
        // a header below a title row is still found; no rows at all is refused as empty
        let titled: Vec<Vec<String>> =
            ["2022年部门名单,,", "序号,部门,备注", "1,株洲市第一中学,"].iter().map(|l| split_csv(l)).collect();
        assert_eq!(Roster::from_rows(&titled, &m()).unwrap().entries[0].name, "株洲市第一中学");
        assert!(Roster::from_rows(&[], &m()).unwrap_err().contains("名单是空的"));
    }
}
