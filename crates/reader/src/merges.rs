//! Merged regions of an `.xlsx`, read fast.
//!
//! calamine's `merge_cells_by_sheet_name` parses a sheet's whole XML a second time to
//! reach the `<mergeCells>` element at its end, which doubled the cost of reading a
//! workbook (measured: read 9.2 s → see docs/performance.md). Here the sheet XML is only
//! inflated and searched for `mergeCells`, and the refs in that tail are found by a byte
//! scan (`merge_refs`); quick-xml reads only the small workbook.xml and its rels.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::grid::Pos;
use crate::opened::Zip;

/// Merged regions by sheet name: (top-left, bottom-right), 0-based.
pub type Merges = HashMap<String, Vec<(Pos, Pos)>>;

/// Reads the merged regions of every sheet. Anything unexpected yields no merges for
/// that sheet (the extractors also work on unmerged layouts), never an error.
pub fn xlsx_merges(zip: &mut Zip<'_>) -> Merges {
    xlsx_scan(zip, false).merges
}

/// The cell references calamine cannot place ([`crate::inspect::refs`]), by sheet name.
/// Looked for only once a sheet shows the sign of one (a cell past Excel's last cell, or
/// a panic in calamine's reader): the search costs 1.4% of a run's instructions when made
/// on every sheet.
pub fn xlsx_bad_references(zip: &mut Zip<'_>) -> HashMap<String, String> {
    xlsx_scan(zip, true).bad_references
}

/// What one pass over each sheet's XML finds: its merged regions, and with `references`
/// the cell references calamine cannot place, by sheet name.
#[derive(Debug, Default)]
struct SheetScan {
    merges: Merges,
    bad_references: HashMap<String, String>,
}

fn xlsx_scan(zip: &mut Zip<'_>, references: bool) -> SheetScan {
    let mut scan = SheetScan::default();
    let out = &mut scan.merges;
    // the workbook part where `_rels/.rels` puts it (at the root, say), entries named with
    // backslashes or in another case found as calamine finds them
    let workbook_path = crate::inspect::office_document(zip).unwrap_or_else(|| "xl/workbook.xml".into());
    let (dir, file) = workbook_path.rsplit_once('/').unwrap_or(("", &workbook_path));
    let in_dir = |name: &str| if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
    let (Some(workbook), Some(rels)) = (entry(zip, &workbook_path), entry(zip, &in_dir(&format!("_rels/{file}.rels"))))
    else {
        return scan;
    };
    let targets: HashMap<String, String> = elements(&rels, "Relationship", &["Id", "Target"])
        .into_iter()
        .map(|mut v| (std::mem::take(&mut v[0]), std::mem::take(&mut v[1]).replace('\\', "/")))
        .collect();
    for sheet in elements(&workbook, "sheet", &["name", "id"]) {
        let Some(target) = targets.get(&sheet[1]) else { continue };
        let path = match target.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => in_dir(target),
        };
        let Some((xml, whole)) = entry_read(zip, &path) else { continue };
        if let Some(reference) = references.then(|| crate::inspect::refs::overflowing_reference(&xml)).flatten() {
            scan.bad_references.insert(sheet[0].clone(), reference);
        }
        if !whole {
            continue;
        }
        let Some(at) = memchr::memmem::find(&xml, b"mergeCells") else { continue };
        let regions: Vec<(Pos, Pos)> = merge_refs(&xml[at..]).filter_map(parse_range).collect();
        if !regions.is_empty() {
            out.insert(sheet[0].clone(), regions);
        }
    }
    scan
}

/// An entry's bytes, by its name with `/` (matched as [`crate::inspect::zip_head`] does).
fn entry(zip: &mut Zip<'_>, name: &str) -> Option<Vec<u8>> {
    entry_read(zip, name).and_then(|(bytes, whole)| whole.then_some(bytes))
}

/// An entry's bytes as far as they could be read, and whether that is all of them (a
/// damaged entry fails its checksum only at its end, after calamine has read its cells).
fn entry_read(zip: &mut Zip<'_>, name: &str) -> Option<(Vec<u8>, bool)> {
    if let Ok(mut f) = zip.by_name(name) {
        let mut buf = Vec::with_capacity(f.size().min(64 << 20) as usize);
        let whole = f.read_to_end(&mut buf).is_ok();
        return Some((buf, whole));
    }
    crate::inspect::zip_head(zip, name, u64::MAX).map(|b| (b, true))
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

/// The `ref` of every `<mergeCell ref="B3:D5"/>` in the `<mergeCells>` tail of a sheet.
/// A byte scan, not an XML parser: the tail holds only these empty elements (and, after
/// them, page set-up), and quick-xml's per-attribute work was a third of this module's
/// time. A `ref` that is not a plain range is skipped by [`parse_range`].
fn merge_refs(tail: &[u8]) -> impl Iterator<Item = &str> {
    let mut rest = tail;
    std::iter::from_fn(move || {
        loop {
            let at = memchr::memmem::find(rest, b"mergeCell")?;
            let element = &rest[at + b"mergeCell".len()..];
            let end = memchr::memchr(b'>', element).unwrap_or(element.len());
            let (attrs, after) = element.split_at(end);
            rest = after;
            // `mergeCells` (the container) and `</mergeCell>` have no ref
            if !attrs.first().is_some_and(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let Some(r) = memchr::memmem::find(attrs, b"ref=") else { continue };
            let quoted = &attrs[r + 4..];
            let Some(&quote @ (b'"' | b'\'')) = quoted.first() else { continue };
            let Some(len) = memchr::memchr(quote, &quoted[1..]) else { continue };
            if let Ok(text) = std::str::from_utf8(&quoted[1..1 + len]) {
                return Some(text);
            }
        }
    })
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
    fn merge_refs_in_a_sheet_tail() {
        let tail = br#"mergeCells count="3"><mergeCell ref="A1:H1"/><x:mergeCell  ref='B3:D5' />
            <mergeCell xr:uid="{1}" ref="C7:C9"></mergeCell><mergeCell/></mergeCells><pageMargins left="0.7"/>"#;
        let refs: Vec<&str> = merge_refs(tail).collect();
        assert_eq!(refs, ["A1:H1", "B3:D5", "C7:C9"]);
        assert_eq!(merge_refs(b"mergeCells count=\"0\"/>").count(), 0);
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("B3:D5"), Some(((2, 1), (4, 3))));
        assert_eq!(parse_range("$A$1:$AA$10"), Some(((0, 0), (9, 26))));
        assert_eq!(parse_range("A0:B1"), None);
    }
}
