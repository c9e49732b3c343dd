//! What calamine does not tell of an `.ods` sheet: which cells are percentages
//! (`office:value-type="percentage"`: typed `98%`, stored 0.98) and which cells are merged
//! (`table:number-columns-spanned` / `number-rows-spanned`). Read from `content.xml` in one
//! streaming pass; counts the file declares (repeats, spans) are bounded before use, so a
//! hostile file cannot make this pass allocate or loop more than its own size allows.

use std::collections::HashMap;
use std::io::Read;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::grid::Pos;
use crate::opened::Zip;

/// Per sheet name: the percentage cells and the merged areas.
#[derive(Debug, Default, PartialEq)]
pub struct OdsExtras {
    pub percent: HashMap<String, Vec<Pos>>,
    pub merges: HashMap<String, Vec<(Pos, Pos)>>,
    /// Per sheet, the cells calamine will hold for it: the bounding box of the cells with a
    /// value, repeats expanded (calamine expands them into a dense range).
    pub spans: HashMap<String, u64>,
}

/// No sheet of a form needs more positions recorded than this; a repeat beyond it is a
/// formatting run over empty space, not cells anyone typed.
const MAX_RECORDED: usize = 200_000;
/// Rows and columns beyond these are past any grid the reader accepts.
const MAX_ROW: u64 = 1_048_576;
const MAX_COL: u64 = 16_384;

/// Scans `content.xml`; an unreadable file gives no extras (calamine reports the error).
pub fn ods_extras(zip: &mut Zip<'_>, max_unpacked_bytes: u64) -> OdsExtras {
    let mut out = OdsExtras::default();
    let Ok(f) = zip.by_name("content.xml") else { return out };
    let mut xml = Vec::new();
    if f.take(max_unpacked_bytes).read_to_end(&mut xml).is_err() {
        return out;
    }
    let mut reader = Reader::from_reader(xml.as_slice());
    let mut buf = Vec::new();
    let (mut sheet, mut row, mut col, mut rows_repeated) = (String::new(), 0u64, 0u64, 1u64);
    let mut recorded = 0usize;
    // the current sheet's cells with a value: (top, left, bottom, right)
    let mut bbox: Option<(u64, u64, u64, u64)> = None;
    let close = |sheet: &str, bbox: &mut Option<(u64, u64, u64, u64)>, out: &mut OdsExtras| {
        if let Some((t, l, b, r)) = bbox.take() {
            out.spans.insert(sheet.to_string(), (b - t + 1) * (r - l + 1));
        }
    };
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => e,
        };
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().into_inner() {
                "table" => {
                    close(&sheet, &mut bbox, &mut out);
                    sheet = attr(e, "name").unwrap_or_default();
                    row = 0;
                }
                "table-row" => {
                    rows_repeated = num(e, "number-rows-repeated").clamp(1, MAX_ROW);
                    col = 0;
                    if matches!(event, Event::Empty(_)) {
                        row += rows_repeated;
                    }
                }
                "table-cell" | "covered-table-cell" => {
                    let repeat = num(e, "number-columns-repeated").clamp(1, MAX_COL);
                    let value_type = attr(e, "value-type");
                    if value_type.is_some() && row < MAX_ROW && col < MAX_COL {
                        let (b, r) = ((row + rows_repeated - 1).min(MAX_ROW - 1), (col + repeat - 1).min(MAX_COL - 1));
                        bbox = Some(match bbox {
                            None => (row, col, b, r),
                            Some((t0, l0, b0, r0)) => (t0.min(row), l0.min(col), b0.max(b), r0.max(r)),
                        });
                    }
                    if row < MAX_ROW && col < MAX_COL && recorded < MAX_RECORDED {
                        let at = (row as u32, col as u32);
                        if value_type.as_deref() == Some("percentage") {
                            let n = repeat.min(64) as u32;
                            let cells = out.percent.entry(sheet.clone()).or_default();
                            cells.extend((0..n).map(|i| (at.0, at.1 + i)));
                            recorded += n as usize;
                        }
                        let (cs, rs) = (num(e, "number-columns-spanned"), num(e, "number-rows-spanned"));
                        if cs > 1 || rs > 1 {
                            let end_r = (row + rs.max(1) - 1).min(MAX_ROW - 1) as u32;
                            let end_c = (col + cs.max(1) - 1).min(MAX_COL - 1) as u32;
                            out.merges.entry(sheet.clone()).or_default().push((at, (end_r, end_c)));
                            recorded += 1;
                        }
                    }
                    col = col.saturating_add(repeat);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().into_inner() == "table-row" => row = row.saturating_add(rows_repeated),
            _ => {}
        }
        buf.clear();
    }
    close(&sheet, &mut bbox, &mut out);
    out
}

fn attr(e: &BytesStart, local: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.local_name().into_inner() == local).map(|a| a.value.to_string())
}

fn num(e: &BytesStart, local: &str) -> u64 {
    attr(e, local).and_then(|v| v.trim().parse().ok()).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::io::Write;

    fn ods(content: &str) -> Vec<u8> {
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        z.start_file("content.xml", zip::write::SimpleFileOptions::default()).unwrap();
        z.write_all(content.as_bytes()).unwrap();
        z.finish().unwrap().into_inner()
    }

    #[test]
    fn percentages_and_spans_are_found_at_their_cells() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:table="t"><office:body><office:spreadsheet>
            <table:table table:name="自评表">
              <table:table-row table:number-rows-repeated="2"><table:table-cell/></table:table-row>
              <table:table-row>
                <table:table-cell table:number-columns-repeated="3"/>
                <table:table-cell office:value-type="percentage" office:value="0.98"/>
                <table:table-cell table:number-columns-spanned="2" table:number-rows-spanned="3" office:value-type="string"/>
              </table:table-row>
            </table:table></office:spreadsheet></office:body></office:document-content>"#;
        let bytes = ods(xml);
        let x = ods_extras(&mut crate::opened::open_zip(&bytes).unwrap(), 1 << 20);
        assert_eq!(x.percent["自评表"], vec![(2, 3)]);
        assert_eq!(x.merges["自评表"], vec![((2, 4), (4, 5))]);
    }

    #[test]
    fn absurd_repeats_are_bounded() {
        let xml = r#"<table:table xmlns:table="t" xmlns:office="o" table:name="s"><table:table-row table:number-rows-repeated="4294967295">
            <table:table-cell table:number-columns-repeated="4294967295" office:value-type="percentage"/></table:table-row></table:table>"#;
        let bytes = ods(xml);
        let x = ods_extras(&mut crate::opened::open_zip(&bytes).unwrap(), 1 << 20);
        assert!(x.percent["s"].len() <= 64);
    }
}
