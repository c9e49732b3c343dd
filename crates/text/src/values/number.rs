//! Numbers in cells: real numbers, numbers stored as text (`　9.9`, `1,294.35`), amounts with
//! a unit (`794500元` in a 万元 table), rates in any of their forms.

use crate::normalize::norm;

/// What a cell that should hold a number holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    /// Nothing at all.
    Blank,
    /// A marker that the cell does not apply: `/`, `——`, `无`, `……`.
    NotApplicable,
    /// A number.
    Value(f64),
    /// Something that tried to be a number and failed (`2..23`, `<!%`, `1.2.3`).
    Malformed,
    /// Words where a number belongs (`已完成`): not a broken number, just not a number.
    Text,
}

impl Num {
    pub fn value(&self) -> Option<f64> {
        match self {
            Num::Value(v) => Some(*v),
            _ => None,
        }
    }
}

const NOT_APPLICABLE: &[&str] =
    &["/", "\\", "-", "--", "—", "——", "－", "无", "…", "……", "...", "......", "空", "不适用"];

/// True when the normalized text is a "does not apply" marker.
pub fn is_not_applicable(t: &str) -> bool {
    NOT_APPLICABLE.contains(&t)
}

/// Parses a plain number written as text. Thousands separators are accepted only in
/// their proper places, so `1,294.35` reads but `1,2` is malformed.
pub fn parse_number(text: &str) -> Num {
    let t = norm(text);
    if t.is_empty() {
        return Num::Blank;
    }
    if is_not_applicable(&t) {
        return Num::NotApplicable;
    }
    match plain_number(&t) {
        Some(v) => Num::Value(v),
        None if looks_numeric(&t) => Num::Malformed,
        None => Num::Text,
    }
}

/// Parses `[-]digits[.digits]` with optional well-placed thousands separators.
pub fn plain_number(t: &str) -> Option<f64> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if body.is_empty() {
        return None;
    }
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    if let Some(f) = frac
        && (f.is_empty() || !f.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    if int.is_empty() && frac.is_none() {
        return None;
    }
    let digits: String = if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let first_ok = !groups[0].is_empty() && groups[0].len() <= 3;
        let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
        if !first_ok || !rest_ok {
            return None;
        }
        groups.concat()
    } else {
        int.to_string()
    };
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let s = match frac {
        Some(f) => format!("{}.{f}", if digits.is_empty() { "0" } else { &digits }),
        None => digits,
    };
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

/// Text made only of digits, dots, commas, percent signs, operators and stray `!`: an
/// attempt at a number. Used to tell `2..23` (broken) from `已完成` (words).
pub fn looks_numeric(t: &str) -> bool {
    t.chars().any(|c| c.is_ascii_digit() || c == '!' || c == '.')
        && t.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(c, '.' | ',' | '%' | '!' | '<' | '>' | '=' | '≥' | '≤' | '+' | '-' | '。' | '、')
        })
}

/// The unit of an amount: written in the cell (`794500元`) or declared by its table
/// (`项目资金(元)`, `金额单位：元`). The dataset holds 万元.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum AmountUnit {
    #[default]
    Wan,
    Yuan,
    Yi,
}

impl AmountUnit {
    /// The factor that turns an amount in this unit into 万元.
    pub fn to_wan(self) -> f64 {
        match self {
            AmountUnit::Wan => 1.0,
            AmountUnit::Yuan => 0.0001,
            AmountUnit::Yi => 10_000.0,
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            AmountUnit::Wan => "万元",
            AmountUnit::Yuan => "元",
            AmountUnit::Yi => "亿元",
        }
    }

    /// The unit a label or note declares: `(元)`, `单位：元`, `金额单位：万元`, `(亿元)`.
    /// Looks only at a parenthesised unit or one right after `单位` that ends there (a
    /// space, a bracket or punctuation follows), so `主管单位：元宝区财政局` or `元旦慰问`
    /// declare nothing. Takes the cell's own text: its spaces mark where words end.
    pub fn declared_in(raw: &str) -> Option<AmountUnit> {
        const WORDS: [(&str, AmountUnit); 3] =
            [("万元", AmountUnit::Wan), ("亿元", AmountUnit::Yi), ("元", AmountUnit::Yuan)];
        let t: String =
            raw.chars().map(|c| if c.is_whitespace() { ' ' } else { crate::normalize::fold_width(c) }).collect();
        if let Some(i) = t.find("单位") {
            let rest = t[i + "单位".len()..].trim_start_matches([':', ' ']);
            for (word, unit) in WORDS {
                if let Some(after) = rest.strip_prefix(word)
                    && after.chars().next().is_none_or(|c| " )]】,;、.。".contains(c))
                {
                    return Some(unit);
                }
            }
        }
        let n: String = t.chars().filter(|c| *c != ' ').collect();
        n.match_indices('(').find_map(|(i, _)| {
            let inner = &n[i + 1..];
            let close = inner.find(')')?;
            WORDS.iter().find(|(w, _)| *w == &inner[..close]).map(|(_, u)| *u)
        })
    }
}

/// Parses an amount: `1,294.35`, `794500元` (→ 79.45 万元, written Yuan), `1.2亿元` (→ 12000,
/// written Yi). The unit is the one the text writes (`None` for a bare number, which is in
/// its table's unit); the value is converted to 万元 when a unit is written.
pub fn parse_amount(text: &str) -> (Num, Option<AmountUnit>) {
    let t = norm(text);
    let (body, unit) = if let Some(b) = t.strip_suffix("万元") {
        (b, Some(AmountUnit::Wan))
    } else if let Some(b) = t.strip_suffix("亿元").or_else(|| t.strip_suffix('亿')) {
        (b, Some(AmountUnit::Yi))
    } else if let Some(b) = t.strip_suffix('元') {
        (b, Some(AmountUnit::Yuan))
    } else {
        (t.as_str(), None)
    };
    match parse_number(body) {
        Num::Value(v) => (Num::Value(round9(v * unit.unwrap_or_default().to_wan())), unit),
        other => (other, None),
    }
}

/// Parses a rate into a fraction: `99.86%` → 0.9986, `78.11` → 0.7811, `0.7811` → 0.7811.
/// A bare number above 1.5 is read as percent points: no execution rate is 150 times over.
pub fn parse_rate(text: &str) -> Num {
    let t = norm(text);
    if let Some(body) = t.strip_suffix('%') {
        return match parse_number(body) {
            Num::Value(v) => Num::Value(round9(v / 100.0)),
            Num::Blank => Num::Malformed,
            other => other,
        };
    }
    match parse_number(&t) {
        Num::Value(v) => Num::Value(rate_from_number(v)),
        other => other,
    }
}

/// A numeric rate cell: a fraction when at most 1.5, else percent points.
pub fn rate_from_number(v: f64) -> f64 {
    if v.abs() > 1.5 { round9(v / 100.0) } else { v }
}

/// Rounds away binary noise (79.45000000000001) so values read back as typed.
pub fn round9(v: f64) -> f64 {
    (v * 1e9).round() / 1e9
}

/// Formats a number like Excel's General format would, without float noise.
pub fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{:.10}", v);
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_text() {
        assert_eq!(parse_number("　9.9"), Num::Value(9.9));
        assert_eq!(parse_number("1,294.35"), Num::Value(1294.35));
        assert_eq!(parse_number("2..23"), Num::Malformed);
        assert_eq!(parse_number("1,2"), Num::Malformed);
        assert_eq!(parse_number("——"), Num::NotApplicable);
        assert_eq!(parse_number("已完成"), Num::Text);
        assert_eq!(parse_number(" "), Num::Blank);
    }

    #[test]
    fn amounts_in_yuan_are_converted() {
        assert_eq!(parse_amount("794500元"), (Num::Value(79.45), Some(AmountUnit::Yuan)));
        assert_eq!(parse_amount("0元"), (Num::Value(0.0), Some(AmountUnit::Yuan)));
        assert_eq!(parse_amount("1.2亿元"), (Num::Value(12000.0), Some(AmountUnit::Yi)));
        assert_eq!(parse_amount("146.06"), (Num::Value(146.06), None));
        assert_eq!(parse_amount("3万元"), (Num::Value(3.0), Some(AmountUnit::Wan)));
    }

    #[test]
    fn units_declared_by_a_table() {
        assert_eq!(AmountUnit::declared_in("项目资金(元)"), Some(AmountUnit::Yuan));
        assert_eq!(AmountUnit::declared_in("金额单位:元"), Some(AmountUnit::Yuan));
        assert_eq!(AmountUnit::declared_in("单位:万元"), Some(AmountUnit::Wan));
        assert_eq!(AmountUnit::declared_in("全年预算数(亿元)"), Some(AmountUnit::Yi));
        assert_eq!(AmountUnit::declared_in("预算执行情况(万元)(20分)"), Some(AmountUnit::Wan));
        assert_eq!(AmountUnit::declared_in("元旦慰问经费"), None);
        assert_eq!(AmountUnit::declared_in("主管单位：元宝区财政局"), None);
        assert_eq!(AmountUnit::declared_in("实施单位:元江县农业农村局"), None);
        assert_eq!(AmountUnit::declared_in("金额单位：元　　填报日期：2023年4月15日"), Some(AmountUnit::Yuan));
        assert_eq!(AmountUnit::declared_in("项目资金\n（元）"), Some(AmountUnit::Yuan));
        assert_eq!(AmountUnit::declared_in("年度资金总额"), None);
    }

    #[test]
    fn rates_in_all_forms() {
        assert_eq!(parse_rate("99.86%"), Num::Value(0.9986));
        assert_eq!(parse_rate("　78%"), Num::Value(0.78));
        assert_eq!(parse_rate("78.11"), Num::Value(0.7811));
        assert_eq!(parse_rate("0.7811"), Num::Value(0.7811));
        assert_eq!(parse_rate("<!%"), Num::Malformed);
    }
}
