//! Merged regions of an `.xlsx`, read fast.
//!
//! calamine's `merge_cells_by_sheet_name` parses a sheet's whole XML a second time to
//! reach the `<mergeCells>` element at its end, which doubled the cost of reading a
//! workbook (measured: read 9.2 s → see docs/performance.md). Here the sheet XML is only
//! inflated and searched for `mergeCells`; quick-xml parses just that tail.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::model::Pos;

/// Merged regions by sheet name: (top-left, bottom-right), 0-based.
pub type Merges = HashMap<String, Vec<(Pos, Pos)>>;

/// Reads the merged regions of every sheet. Anything unexpected yields no merges for
/// that sheet (the extractors also work on unmerged layouts), never an error.
pub fn xlsx_merges(bytes: &[u8]) -> Merges {
    let mut out = Merges::new();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else { return out };
    let (Some(workbook), Some(rels)) =
        (entry(&mut zip, "xl/workbook.xml"), entry(&mut zip, "xl/_rels/workbook.xml.rels"))
    else {
        return out;
    };
    let targets: HashMap<String, String> = elements(&rels, "Relationship", &["Id", "Target"])
        .into_iter()
        .map(|mut v| (std::mem::take(&mut v[0]), std::mem::take(&mut v[1])))
        .collect();
    for sheet in elements(&workbook, "sheet", &["name", "id"]) {
        let Some(target) = targets.get(&sheet[1]) else { continue };
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{target}"),
        };
        let Some(xml) = entry(&mut zip, &path) else { continue };
        let Some(at) = memchr::memmem::find(&xml, b"mergeCells") else { continue };
        let start = xml[..at].iter().rposition(|b| *b == b'<').unwrap_or(at);
        let regions: Vec<(Pos, Pos)> =
            elements(&xml[start..], "mergeCell", &["ref"]).iter().filter_map(|v| parse_range(&v[0])).collect();
        if !regions.is_empty() {
            out.insert(sheet[0].clone(), regions);
        }
    }
    out
}

fn entry(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Option<Vec<u8>> {
    let mut f = zip.by_name(name).ok()?;
    let mut buf = Vec::with_capacity(f.size().min(64 << 20) as usize);
    f.read_to_end(&mut buf).ok()?;
    Some(buf)
}

/// The values of `attrs` (matched by local name) on every element named `name`.
fn elements(xml: &[u8], name: &str, attrs: &[&str]) -> Vec<Vec<String>> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == name => {
                let mut values = vec![String::new(); attrs.len()];
                for a in e.attributes().flatten() {
                    if let Some(i) = attrs.iter().position(|k| a.key.local_name().as_ref() == *k) {
                        values[i] = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                    }
                }
                out.push(values);
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// `B3:D5` → ((2, 1), (4, 3)).
fn parse_range(r: &str) -> Option<(Pos, Pos)> {
    let (a, b) = r.split_once(':').unwrap_or((r, r));
    Some((parse_cell(a)?, parse_cell(b)?))
}

fn parse_cell(c: &str) -> Option<Pos> {
    let c = c.trim_start_matches('$');
    let letters = c.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let col = c[..letters].bytes().fold(0u32, |acc, b| acc * 26 + (b.to_ascii_uppercase() - b'A' + 1) as u32) - 1;
    let row: u32 = c[letters..].trim_start_matches('$').parse().ok()?;
    Some((row.checked_sub(1)?, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("B3:D5"), Some(((2, 1), (4, 3))));
        assert_eq!(parse_range("$A$1:$AA$10"), Some(((0, 0), (9, 26))));
        assert_eq!(parse_range("A0:B1"), None);
    }
}
