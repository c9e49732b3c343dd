//! Text normalization for label matching and value parsing.
//!
//! Department staff type labels by hand, so `项目支\n出名称`, `　9.9` and `（５０分）` all
//! occur. Everything that compares text goes through [`norm`] first, so one rule applies
//! everywhere: no whitespace of any kind, and full-width ASCII folded to ASCII.

/// Removes all whitespace (including U+3000 and line breaks inside words) and folds
/// full-width ASCII (U+FF01–U+FF5E) to ASCII.
pub fn norm(s: &str) -> String {
    s.chars().filter(|c| keeps(*c)).map(fold_width).collect()
}

/// [`norm`], without a copy when the text is already normalized (most cells are).
pub fn norm_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(|c| keeps(c) && fold_width(c) == c) { std::borrow::Cow::Borrowed(s) } else { norm(s).into() }
}

/// A small text file's bytes as people's editors save it in China: UTF-8 with or without a
/// byte-order mark (Notepad, Excel's "CSV UTF-8"), else GB18030 (Notepad's and Excel's
/// "ANSI" on a Chinese Windows). For config files and rosters.
pub fn decode_text(bytes: Vec<u8>) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").map(<[u8]>::to_vec).unwrap_or(bytes);
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => decode_gb18030(e.as_bytes()),
    }
}

fn decode_gb18030(bytes: &[u8]) -> String {
    encoding_rs::GB18030.decode(bytes).0.into_owned()
}

fn keeps(c: char) -> bool {
    !c.is_whitespace() && c != '\u{200b}' && c != '\u{feff}'
}

/// Folds one full-width character to its ASCII twin; other characters pass unchanged.
pub fn fold_width(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{3000}' => ' ',
        '≧' => '≥',
        '≦' => '≤',
        // box-drawing and other look-alikes typed for an operator
        '═' | '〓' => '=',
        _ => c,
    }
}

/// Normalized text with decorations removed, for comparing against a label synonym:
/// a leading `其中:`, a trailing colon and a trailing parenthetical (`(万元)`, `(50分)`).
pub fn clean_label(s: &str) -> String {
    let n = norm(s);
    let (start, end) = decorations(&n);
    n[start..end].to_string()
}

/// The byte range of already-normalized text that [`clean_label`] keeps: the label is
/// always a slice of its normalized text, so a grid cell stores two offsets, not a copy.
pub fn decorations(n: &str) -> (usize, usize) {
    let start = if n.starts_with("其中:") {
        "其中:".len()
    } else if n.starts_with("其中") {
        "其中".len()
    } else {
        0
    };
    let t = &n[start..];
    let mut end = t.len();
    loop {
        let before = end;
        while t[..end].ends_with(':') {
            end -= 1;
        }
        if t[..end].ends_with(')')
            && let Some(open) = t[..end].rfind('(')
            && open > 0
        {
            end = open;
        }
        if end == before {
            break;
        }
    }
    (start, start + end)
}

/// The number of points a label declares in parentheses: `产出指标(50分)` → 50,
/// `预算执行情况(万元)(20分)` → 20, `得分(20分*执行率)` → 20. The last parenthetical that
/// starts with a number of points wins.
pub fn declared_points(s: &str) -> Option<f64> {
    let t = norm(s);
    t.rmatch_indices('(').find_map(|(i, _)| points_at(&t[i + 1..]))
}

/// `20分…` at the start of a parenthetical's text → 20.
fn points_at(inner: &str) -> Option<f64> {
    let end = inner.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    if end == 0 || !inner[end..].starts_with('分') {
        return None;
    }
    inner[..end].parse().ok()
}

/// The first plausible year (1990–2100) written as `2022年` in a text.
pub fn year_in(s: &str) -> Option<i32> {
    let t = norm(s);
    let chars: Vec<char> = t.chars().collect();
    for i in 0..chars.len().saturating_sub(4) {
        let window: String = chars[i..i + 4].iter().collect();
        let before_digit = i > 0 && chars[i - 1].is_ascii_digit();
        if !before_digit && window.chars().all(|c| c.is_ascii_digit()) && chars[i + 4] == '年' {
            let y: i32 = window.parse().ok()?;
            if (1990..=2100).contains(&y) {
                return Some(y);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_spaces_and_folds_width() {
        assert_eq!(norm("项目支\n出名称"), "项目支出名称");
        assert_eq!(norm("　９.９ "), "9.9");
        assert_eq!(norm("效益指标（30分）"), "效益指标(30分)");
    }

    #[test]
    fn cleans_label_decorations() {
        assert_eq!(clean_label("其中：当年财政拨款　"), "当年财政拨款");
        assert_eq!(clean_label("项目资金\n（万元）"), "项目资金");
        assert_eq!(clean_label("按收入性质分："), "按收入性质分");
        assert_eq!(declared_points("满意度\n\n指标\n\n（10分）"), Some(10.0));
        assert_eq!(declared_points("产出指标"), None);
        assert_eq!(declared_points("预算执行情况（万元）（20分）"), Some(20.0));
        assert_eq!(declared_points("得分(20分*执行率)"), Some(20.0));
        assert_eq!(declared_points("总分(100分)"), Some(100.0));
        assert_eq!(declared_points("执行率(B/A)"), None);
    }

    #[test]
    fn finds_year_in_titles() {
        assert_eq!(year_in("2022年度项目支出绩效自评表"), Some(2022));
        assert_eq!(year_in("部门预算项目支出绩效自评表(2023年度)"), Some(2023));
        assert_eq!(year_in("项目支出绩效自评表"), None);
    }
}
