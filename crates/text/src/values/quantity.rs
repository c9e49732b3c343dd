//! Targets and actuals of the indicator table: `≥90%`, `95%以上`, `400-600元`,
//! `500万条`, `1亿`, `≤19.8万元`, or free text (`提升`, `全年`, a whole sentence).
//!
//! The grammar is deliberately strict: `[operator] number [-number] [万|亿] [unit]
//! [以上|以下|以内]` and nothing else. A sentence that merely contains a number
//! (`群众办理时限由3天压缩为1天`) is free text: comparing its first number would raise
//! false alarms, and a false alarm costs a reviewer's trust.

use crate::normalize::norm;
use crate::values::number::plain_number;

/// The comparison a target asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
    Range,
    /// A bare number: "at least" or "at most" depending on the row (成本指标 → at most).
    Bare,
}

impl Op {
    /// The operator as the dataset's `target_op` column writes it.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "=",
            Op::Range => "range",
            Op::Bare => "",
        }
    }

    /// Reads an explicit 指标性质 cell (`≥`, `=`, `≤`, `定量`…); `None` when it says nothing.
    pub fn from_nature(text: &str) -> Option<Op> {
        let t = norm(text);
        let (op, rest) = strip_prefix_op(&t)?;
        rest.is_empty().then_some(op)
    }
}

/// A parsed quantity: `value` as typed (times `scale`), in `unit`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Quantity {
    pub op: Op,
    pub value: f64,
    /// Upper end of a range.
    pub hi: Option<f64>,
    /// 10⁴ for 万, 10⁸ for 亿, 1 otherwise.
    pub scale: f64,
    /// Base unit after scaling: `%`, `元`, `件`, `㎡`, or empty.
    pub unit: String,
}

/// The outcome of parsing a target or actual cell.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Parsed {
    Empty,
    Quantity(Quantity),
    /// Words, or a sentence: not comparable.
    Free,
    /// A broken number (`2..23亿元`, `<!%`): keep the raw text, flag it, never guess.
    Malformed,
}

const PREFIX_OPS: &[(&str, Op)] = &[
    (">=", Op::Ge),
    ("≥", Op::Ge),
    ("≧", Op::Ge),
    ("大于等于", Op::Ge),
    ("大于或等于", Op::Ge),
    ("不低于", Op::Ge),
    ("不少于", Op::Ge),
    ("不小于", Op::Ge),
    ("至少", Op::Ge),
    ("达到", Op::Ge),
    ("<=", Op::Le),
    ("≤", Op::Le),
    ("≦", Op::Le),
    ("小于等于", Op::Le),
    ("小于或等于", Op::Le),
    ("不高于", Op::Le),
    ("不超过", Op::Le),
    ("不多于", Op::Le),
    ("不大于", Op::Le),
    ("控制在", Op::Le),
    (">", Op::Gt),
    ("大于", Op::Gt),
    ("高于", Op::Gt),
    ("超过", Op::Gt),
    ("<", Op::Lt),
    ("小于", Op::Lt),
    ("低于", Op::Lt),
    ("少于", Op::Lt),
    ("==", Op::Eq),
    ("=", Op::Eq),
    ("等于", Op::Eq),
];

const SUFFIX_OPS: &[(&str, Op)] =
    &[("及以上", Op::Ge), ("以上", Op::Ge), ("及以下", Op::Le), ("以下", Op::Le), ("以内", Op::Le), ("之内", Op::Le)];

fn strip_prefix_op(t: &str) -> Option<(Op, &str)> {
    PREFIX_OPS.iter().find_map(|(p, op)| t.strip_prefix(p).map(|rest| (*op, rest)))
}

/// Parses a target or actual cell.
pub fn parse_quantity(text: &str) -> Parsed {
    let t = norm(text).replace('％', "%");
    if t.is_empty() {
        return Parsed::Empty;
    }
    let (mut op, rest) = match strip_prefix_op(&t) {
        Some((op, rest)) => (op, rest),
        None => (Op::Bare, t.as_str()),
    };
    let mut rest = rest;
    if let Some((suffix_op, body)) = SUFFIX_OPS.iter().find_map(|(s, o)| rest.strip_suffix(s).map(|b| (*o, b))) {
        if op == Op::Bare {
            op = suffix_op;
        }
        rest = body;
    }
    let Some((lo, after)) = take_number(rest) else {
        return if op != Op::Bare && is_numberish(rest) { Parsed::Malformed } else { classify_free(&t) };
    };
    let lo = match lo {
        Ok(v) => v,
        Err(()) => return Parsed::Malformed,
    };
    let mut after = after;
    let mut hi = None;
    // a range: 400-600, 400~600, 400至600, 400元-600元
    let (unit_before_sep, tail) = split_unit(after);
    for sep in ["-", "~", "至", "—", "–"] {
        if let Some(r) = tail.strip_prefix(sep)
            && let Some((Ok(v), a)) = take_number(r)
        {
            hi = Some(v);
            after = a;
            let (u2, t2) = split_unit(after);
            if !t2.is_empty() || (!unit_before_sep.is_empty() && !u2.is_empty() && u2 != unit_before_sep) {
                return classify_free(&t);
            }
            if u2.is_empty() {
                after = unit_before_sep;
            }
            break;
        }
    }
    if hi.is_some() {
        if op == Op::Bare {
            op = Op::Range;
        } else {
            return classify_free(&t);
        }
    }
    let (unit_text, tail) = split_unit(after);
    if !tail.is_empty() {
        return classify_free(&t);
    }
    let (scale, unit) = scale_and_unit(unit_text);
    Parsed::Quantity(Quantity { op, value: lo, hi, scale, unit })
}

/// Takes the leading number of `s`: `Ok(value)` when well formed, `Err` when a run of
/// digits and dots does not parse (`2..23`), `None` when `s` does not start with a digit.
fn take_number(s: &str) -> Option<(Result<f64, ()>, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || *c == '.' || *c == ','))
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    let run = &s[..end];
    if !run.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let run_trim = run.trim_end_matches(',');
    let rest = &s[run_trim.len()..];
    Some((plain_number(run_trim).ok_or(()), rest))
}

/// Splits a unit (letters and symbols, no digits, no sentence punctuation, at most 6
/// characters) off the front of `s`; returns (unit, whatever follows).
fn split_unit(s: &str) -> (&str, &str) {
    let mut end = 0;
    for (count, (i, c)) in s.char_indices().enumerate() {
        if count >= 6 || c.is_ascii_digit() || is_sentence_punct(c) || matches!(c, '-' | '~' | '至' | '—' | '–') {
            break;
        }
        end = i + c.len_utf8();
    }
    (&s[..end], &s[end..])
}

fn is_sentence_punct(c: char) -> bool {
    matches!(c, ',' | '。' | ';' | ':' | '(' | ')' | '、' | '!' | '?' | '“' | '”' | '"' | '\'' | '《' | '》' | '.')
}

fn is_numberish(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%' | '!'))
}

/// Text that failed the grammar: malformed when it is made of number characters only.
fn classify_free(t: &str) -> Parsed {
    let core: String = t.chars().filter(|c| !matches!(c, '<' | '>' | '=' | '≥' | '≤' | '%')).collect();
    let core = core.trim_end_matches("亿元").trim_end_matches("万元").trim_end_matches('元');
    if !core.is_empty()
        && core.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '!' | ','))
        && core.chars().any(|c| c == '!' || c == '.')
    {
        Parsed::Malformed
    } else {
        Parsed::Free
    }
}

/// `万条` → (10⁴, `条`), `亿元` → (10⁸, `元`), `万元` → (10⁴, `元`), `平方米` → (1, `㎡`).
fn scale_and_unit(u: &str) -> (f64, String) {
    let (scale, base) = if let Some(b) = u.strip_prefix('万') {
        (1e4, b)
    } else if let Some(b) = u.strip_prefix('亿') {
        (1e8, b)
    } else if let Some(b) = u.strip_prefix('千').filter(|b| !b.is_empty() && *b != "克" && *b != "米" && *b != "瓦")
    {
        (1e3, b)
    } else {
        (1.0, u)
    };
    let canonical = match base {
        "平方米" | "平方" | "平米" | "m2" | "m²" => "㎡",
        "百分比" | "百分点" => "%",
        "G" | "Gb" | "GB" | "Gbps" | "g" => "G",
        other => other,
    };
    (scale, canonical.to_string())
}

/// An interval on the real line; `open` ends exclude their bound.
#[derive(Debug, Clone, Copy)]
struct Interval {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
}

fn interval(op: Op, v: f64, hi: Option<f64>) -> Interval {
    let inf = f64::INFINITY;
    match op {
        Op::Ge => Interval { lo: v, lo_open: false, hi: inf, hi_open: true },
        Op::Gt => Interval { lo: v, lo_open: true, hi: inf, hi_open: true },
        Op::Le => Interval { lo: -inf, lo_open: true, hi: v, hi_open: false },
        Op::Lt => Interval { lo: -inf, lo_open: true, hi: v, hi_open: true },
        Op::Range => Interval { lo: v, lo_open: false, hi: hi.unwrap_or(v), hi_open: false },
        Op::Eq | Op::Bare => Interval { lo: v, lo_open: false, hi: v, hi_open: false },
    }
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a.is_finite() && b.is_finite() && (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0))
}

/// Brings two quantities to one unit: a side with no unit takes the other's (people write
/// `19.8` under a `≤19.8万元` target). `None` when the units disagree.
fn common_scale(t: &Quantity, a: &Quantity) -> Option<(f64, f64)> {
    let (mut ts, mut as_) = (t.scale, a.scale);
    let (tu, au) = (t.unit.as_str(), a.unit.as_str());
    if tu != au {
        if au.is_empty() {
            if as_ == 1.0 {
                as_ = ts;
            }
        } else if tu.is_empty() {
            if ts == 1.0 {
                ts = as_;
            }
        } else {
            return None;
        }
    } else if tu.is_empty() {
        // both bare: a lone scale on one side (`1亿` vs `1.19`) applies to both
        if as_ == 1.0 {
            as_ = ts;
        } else if ts == 1.0 {
            ts = as_;
        }
    }
    Some((ts, as_))
}

/// Whether `actual` meets `target`. `bare_op` is what a bare target number means on this
/// row (at least, or at most for 成本指标; an explicit 指标性质 column overrides it).
/// `None` when the two are not comparable (units disagree).
pub fn meets(target: &Quantity, actual: &Quantity, bare_op: Op) -> Option<bool> {
    let (ts, as_) = common_scale(target, actual)?;
    let top = if target.op == Op::Bare { bare_op } else { target.op };
    let t = interval(top, target.value * ts, target.hi.map(|h| h * ts));
    let aop = if actual.op == Op::Bare { Op::Eq } else { actual.op };
    let a = interval(aop, actual.value * as_, actual.hi.map(|h| h * as_));
    let lo_ok = if close(a.lo, t.lo) { !t.lo_open || a.lo_open } else { a.lo > t.lo };
    let hi_ok = if close(a.hi, t.hi) { !t.hi_open || a.hi_open } else { a.hi < t.hi };
    Some(lo_ok && hi_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        match parse_quantity(text) {
            Parsed::Quantity(q) => q,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn operators_ranges_units() {
        let t = q("≥90%");
        assert_eq!((t.op, t.value, t.unit.as_str()), (Op::Ge, 90.0, "%"));
        let t = q("95%以上");
        assert_eq!((t.op, t.value), (Op::Ge, 95.0));
        let t = q("400-600元");
        assert_eq!((t.op, t.value, t.hi, t.unit.as_str()), (Op::Range, 400.0, Some(600.0), "元"));
        let t = q("500万条");
        assert_eq!((t.value, t.scale, t.unit.as_str()), (500.0, 1e4, "条"));
        let t = q("≤19.8万元");
        assert_eq!((t.op, t.scale, t.unit.as_str()), (Op::Le, 1e4, "元"));
        let t = q("2.26万平方");
        assert_eq!((t.value, t.unit.as_str()), (2.26, "㎡"));
        assert_eq!(q("不超过5天").op, Op::Le);
        assert_eq!(q("1G").unit, "G");
    }

    #[test]
    fn sentences_are_free_text() {
        for s in [
            "群众办理时限由3天压缩为1天，提交材料由8份减为1张身份证",
            "12月31日前完成",
            "提升",
            "全年",
            "项目成本控制在113.5万元",
            "政务外网线路272（400家内包干）",
            "完成各阶段项目管理数≥60",
            "比2021年每本印刷单价（29.5元）减少30%以上。",
        ] {
            assert_eq!(parse_quantity(s), Parsed::Free, "{s}");
        }
    }

    #[test]
    fn broken_numbers_are_malformed() {
        assert_eq!(parse_quantity("2..23亿元"), Parsed::Malformed);
        assert_eq!(parse_quantity("<!%"), Parsed::Malformed);
        assert_eq!(parse_quantity("1.2.3"), Parsed::Malformed);
    }

    #[test]
    fn comparisons() {
        assert_eq!(meets(&q("75000件"), &q("56774件"), Op::Ge), Some(false));
        assert_eq!(meets(&q("≥90%"), &q("100%"), Op::Ge), Some(true));
        assert_eq!(meets(&q(">99%"), &q(">99%"), Op::Ge), Some(true));
        assert_eq!(meets(&q("96.5万元"), &q("62.7万元"), Op::Le), Some(true));
        assert_eq!(meets(&q("≤19.8万元"), &q("19.8"), Op::Ge), Some(true));
        assert_eq!(meets(&q("500万条"), &q("640万"), Op::Ge), Some(true));
        assert_eq!(meets(&q("1亿"), &q("1.19亿元"), Op::Ge), Some(true));
        assert_eq!(meets(&q("7天"), &q("100%"), Op::Ge), None);
        assert_eq!(meets(&q("99%"), &q("98%"), Op::Ge), Some(false));
        assert_eq!(meets(&q("400-600元"), &q("400-600元"), Op::Ge), Some(true));
    }
}
