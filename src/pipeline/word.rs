//! Putting a Word report's findings in Word terms. The forms of a `.docx` are extracted
//! and checked on one stacked grid (see [`jixiao_reader::read::docx`]), whose `A1` addresses mean
//! nothing in Word; afterwards every sheet, cell and row is rewritten to the table a
//! person can find: sheet `表3（项目支出绩效自评表）`, cell `第5行第7列`, rows counted
//! within the table. Runs after the form rules, before the result is cached.

use std::collections::HashMap;

use jixiao_forms::model::{BasicForm, Evaluation, FormKind, Pos, a1};
use jixiao_reader::read::docx::WordLayout;
use jixiao_rules::Anomaly;

/// The table names: `表N`, with the form it holds in brackets when one starts in it.
fn table_names(layout: &WordLayout, evals: &[Evaluation], basics: &[BasicForm]) -> Vec<String> {
    let mut names: Vec<String> = layout.tables.iter().map(|t| t.label.clone()).collect();
    let mut named = vec![false; names.len()];
    let mut starts: Vec<(Pos, &str)> = evals
        .iter()
        .map(|e| {
            let what = if e.form == FormKind::Project {
                "项目支出绩效自评表"
            } else {
                "部门整体支出绩效自评表"
            };
            (e.start, what)
        })
        .chain(basics.iter().map(|b| (b.start, "部门整体支出绩效评价基础数据表")))
        .collect();
    starts.sort();
    for (start, what) in starts {
        if let Some(t) = layout.table_of_row(start.0).filter(|t| !named[*t]) {
            names[t] = format!("{}（{what}）", names[t]);
            named[t] = true;
        }
    }
    names
}

/// `A1` back to a 0-based (row, column).
fn parse_a1(s: &str) -> Option<Pos> {
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let col = letters.bytes().try_fold(0u32, |acc, b| acc.checked_mul(26)?.checked_add((b - b'A' + 1) as u32))?;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// Rewrites the forms and findings of one Word report in Word terms.
pub fn relabel(layout: &WordLayout, evals: &mut [Evaluation], basics: &mut [BasicForm], anomalies: &mut [Anomaly]) {
    let names = table_names(layout, evals, basics);
    let sheet_of_row =
        |row: u32| layout.table_of_row(row).and_then(|t| names.get(t).cloned()).unwrap_or_else(|| "正文".to_string());
    let row_in_table = |row: u32| layout.table_row(row).unwrap_or(row);
    // eval_id counts forms from 1 within each (renamed) sheet
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut ids: HashMap<String, (String, String)> = HashMap::new();
    let mut order: Vec<(Pos, bool, usize)> = evals.iter().enumerate().map(|(i, e)| (e.start, true, i)).collect();
    order.extend(basics.iter().enumerate().map(|(i, b)| (b.start, false, i)));
    order.sort();
    for (start, is_eval, i) in order {
        let sheet = sheet_of_row(start.0);
        let n = counts.entry(sheet.clone()).and_modify(|n| *n += 1).or_insert(1);
        if is_eval {
            let e = &mut evals[i];
            let id = format!("{}#{sheet}#{n}", e.path);
            ids.insert(std::mem::replace(&mut e.eval_id, id.clone()), (id, sheet.clone()));
            e.sheet = sheet;
            e.start = (row_in_table(e.start.0), e.start.1);
            for f in &mut e.funds {
                f.row = row_in_table(f.row);
            }
            for ind in &mut e.indicators {
                ind.row = row_in_table(ind.row);
            }
        } else {
            let b = &mut basics[i];
            b.form_id = format!("{}#{sheet}#{n}", b.path);
            b.sheet = sheet;
            b.start = (row_in_table(b.start.0), b.start.1);
            for l in &mut b.lines {
                l.row = row_in_table(l.row);
            }
        }
    }
    for a in anomalies.iter_mut() {
        if let Some((id, sheet)) = a.eval_id.as_ref().and_then(|id| ids.get(id)) {
            a.eval_id = Some(id.clone());
            a.sheet = sheet.clone();
        }
        let Some(pos) = parse_a1(&a.cell) else { continue };
        let Some(at) = layout.locate(pos) else { continue };
        a.sheet = at.table.and_then(|t| names.get(t).cloned()).unwrap_or_else(|| "正文".to_string());
        // a message naming its own cell (`资金表以元填报（H20：…）`) names it the Word way too
        let old = a1(pos);
        a.message = replace_token(&a.message, &old, &at.cell);
        a.cell = at.cell;
    }
}

/// Replaces `old` in `text` where it stands alone (not part of a longer A1 or word).
fn replace_token(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(old) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + old.len()..].chars().next();
        let alone =
            !before.is_some_and(|c| c.is_ascii_alphanumeric()) && !after.is_some_and(|c| c.is_ascii_alphanumeric());
        out.push_str(&rest[..i]);
        out.push_str(if alone { new } else { old });
        rest = &rest[i + old.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_round_trips_and_tokens_are_replaced_alone() {
        for pos in [(0, 0), (19, 7), (313, 10), (4, 27)] {
            assert_eq!(parse_a1(&a1(pos)), Some(pos));
        }
        assert_eq!(parse_a1("第5行"), None);
        assert_eq!(parse_a1(""), None);
        assert_eq!(
            replace_token("资金表（H20：794500元，H200）", "H20", "第3行第8列"),
            "资金表（第3行第8列：794500元，H200）"
        );
    }
}
