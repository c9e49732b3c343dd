//! The footer line: `填表人：胡静 填报日期：2023.6.28 联系电话：28683269 单位负责人签字：`,
//! in one cell or spread over several. Read as key/value pairs over the row's text.

use std::ops::Range;

use chrono::NaiveDate;

use crate::labels::Labels;
use crate::model::{Field, Pos};
use jixiao_reader::grid::{Grid, Value};
use jixiao_text::values::date::from_excel_serial;
use jixiao_text::values::parse_date;

#[derive(Debug, Default)]
pub struct Footer {
    pub filled_by: Field<String>,
    pub filled_date: Field<NaiveDate>,
    pub phone: Field<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Key {
    FilledBy,
    FilledDate,
    Phone,
    Other,
}

/// Reads the footer from the first rows of `rows` that hold one of its keys.
pub fn extract(grid: &Grid, labels: &Labels, rows: Range<u32>) -> Footer {
    let mut keys: Vec<(String, Key)> = Vec::new();
    for (set, key) in [
        (&labels.footer.filled_by, Key::FilledBy),
        (&labels.footer.filled_date, Key::FilledDate),
        (&labels.footer.phone, Key::Phone),
        (&labels.footer.other, Key::Other),
    ] {
        keys.extend(set.synonyms().iter().map(|s| (s.clone(), key)));
    }
    keys.sort_by_key(|(s, _)| std::cmp::Reverse(s.chars().count()));

    let mut out = Footer::default();
    for r in rows {
        // the row's text, remembering which cell each character came from
        let mut text = String::new();
        let mut origin: Vec<(usize, Pos)> = Vec::new();
        for (c, cell) in grid.row_cells(r, grid.left) {
            origin.push((text.len(), (r, c)));
            match &cell.value {
                Value::Date(d) => text.push_str(&d.format("%Y-%m-%d").to_string()),
                Value::Number(v) if looks_like_serial(*v) && text.ends_with(':') => {
                    text.push_str(&from_excel_serial(*v).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default())
                }
                Value::Number(_) => text.push_str(&cell.text()),
                _ => text.push_str(cell.norm()),
            }
        }
        let found = scan(&text, &keys);
        if found.is_empty() {
            continue;
        }
        let cell_at = |pos: usize| origin.iter().rev().find(|(o, _)| *o <= pos).map(|(_, p)| *p);
        for (i, (start, end, key)) in found.iter().enumerate() {
            let value_end = found.get(i + 1).map(|f| f.0).unwrap_or(text.len());
            let value = text[*end..value_end].trim_start_matches(':').trim_end_matches(':').to_string();
            let at = if value.is_empty() { cell_at(*start) } else { cell_at(value_end - 1) };
            let key_at = cell_at(*start);
            let field = |v: &str| Field {
                value: (!v.is_empty()).then(|| v.to_string()),
                raw: v.to_string(),
                at: at.or(key_at),
                ..Field::default()
            };
            match key {
                Key::FilledBy if out.filled_by.at.is_none() => out.filled_by = field(&value),
                Key::Phone if out.phone.at.is_none() => out.phone = field(&value),
                Key::FilledDate if out.filled_date.at.is_none() => {
                    out.filled_date =
                        Field { value: parse_date(&value), raw: value.clone(), at: at.or(key_at), ..Field::default() }
                }
                _ => {}
            }
        }
        if out.filled_by.at.is_some() && out.filled_date.at.is_some() {
            break;
        }
    }
    out
}

fn looks_like_serial(v: f64) -> bool {
    (30000.0..80000.0).contains(&v) && v.fract() == 0.0
}

/// Finds the keys in `text`, left to right, longest key first at each position.
fn scan(text: &str, keys: &[(String, Key)]) -> Vec<(usize, usize, Key)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if let Some((k, key)) = keys.iter().find(|(k, _)| text[i..].starts_with(k.as_str())) {
            out.push((i, i + k.len(), *key));
            i += k.len();
        } else {
            i += text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
        }
    }
    out
}
