//! The `.xls` pre-checks: a walk over the BIFF records that refuses, before calamine
//! opens the file, what calamine would allocate for without bound or panic on (each
//! panic here was found by fuzzing and is kept in `tests/fixtures/fuzz/`).

use std::io::{Cursor, Read};

use crate::read::ReadError;

use super::MAX_SHEETS;

/// The cell records whose first four bytes are the cell's row and column.
const BIFF_CELLS: [u16; 9] = [0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x0006, 0x00D6, 0x0207, 0x00BD];

/// Walks an `.xls` stream's records: the number of sheets (BOUNDSHEET), each sheet's
/// declared DIMENSIONS and the bounding box of its cells, which calamine allocates densely
/// for every sheet when it opens the file. Refuses a declared or real size over
/// `max_cells`, per sheet and for all sheets together.
pub(super) fn precheck_xls(bytes: &[u8], max_cells: u64) -> Result<(), ReadError> {
    let Ok(mut cfb) = cfb::CompoundFile::open(Cursor::new(bytes)) else { return Ok(()) };
    let Some(name) = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|s| cfb.exists(s)) else {
        return Ok(());
    };
    let mut stream = Vec::new();
    if cfb.open_stream(name).and_then(|mut s| s.read_to_end(&mut stream)).is_err() {
        return Ok(());
    }
    let (mut pos, mut depth, mut substream, mut sheets) = (0usize, 0usize, 0usize, 0u64);
    let mut total: u64 = 0;
    let mut biff8 = true;
    // the current sheet's bounding box: (top, left, bottom, right)
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let area = |b: Option<(u32, u32, u32, u32)>| b.map_or(0, |(t, l, bo, r)| (bo - t + 1) as u64 * (r - l + 1) as u64);
    while pos + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
        let len = u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]) as usize;
        let data = &stream[pos + 4..(pos + 4 + len).min(stream.len())];
        pos += 4 + len;
        // the workbook globals, as calamine reads them (a record cut by the stream's end
        // is calamine's error, not its panic)
        if substream <= 1 && data.len() == len {
            if kind == 0x0809 && substream == 0 {
                biff8 = is_biff8(data);
            }
            if let Some(record) = globals_record_cut_short(kind, data, biff8) {
                return Err(ReadError::Corrupt(format!(
                    "the workbook's {record} record at byte {} is shorter than its fields",
                    pos - 4 - len
                )));
            }
        }
        match kind {
            0x0809 => {
                depth += 1;
                if depth == 1 {
                    substream += 1;
                    bbox = None;
                }
                continue;
            }
            0x000A => {
                if depth == 1 && substream > 1 {
                    let cells = area(bbox);
                    total = total.saturating_add(cells);
                    if cells > max_cells || total > max_cells {
                        return Err(ReadError::XlsTooLarge {
                            sheet: substream as u64 - 1,
                            cells,
                            total,
                            limit: max_cells,
                        });
                    }
                }
                depth = depth.saturating_sub(1);
                continue;
            }
            _ if depth != 1 => continue,
            // FORMULA: calamine slices the formula's tokens by the length the record
            // declares (`cce`) without checking it against the record, and panics on a
            // record cut short (found by fuzzing): refuse such a file here, precisely
            0x0006 if substream > 1 => {
                let row = data.get(..2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u32);
                let col = data.get(2..4).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u32);
                let cce = data.get(20..22).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
                if data.len() >= 20 && cce.is_none_or(|cce| 22 + cce > data.len()) {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {}: the formula at {} declares more tokens than its record holds",
                        substream - 1,
                        crate::model::a1((row, col))
                    )));
                }
            }
            // MERGECELLS: calamine reads the count and then that many 8-byte areas without
            // checking the record's length (a third fuzzing find)
            0x00E5 if substream > 1 => {
                let count = data.get(..2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
                if count.is_none_or(|n| 2 + 8 * n > data.len()) {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {}: a merged-cells record lists more areas than it holds",
                        substream - 1
                    )));
                }
            }
            // SST: calamine reads the shared strings across the CONTINUE records that
            // follow, and indexes past the end of a record cut short there (a fourth find)
            0x00FC if substream == 1 && sst_cut_short(data, &continues(&stream[pos.min(stream.len())..])) => {
                return Err(ReadError::Corrupt(
                    "the shared-strings table (SST) is cut short across its CONTINUE records".into(),
                ));
            }
            0x0085 => {
                sheets += 1;
                // BOUNDSHEET: calamine reads the sheet at the stream offset it declares
                // without checking it, and panics past the end (found by fuzzing)
                let at = data.get(..4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
                if at > stream.len() {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {sheets} starts at byte {at}, past the end of the workbook stream ({} bytes)",
                        stream.len()
                    )));
                }
                if sheets > MAX_SHEETS as u64 {
                    return Err(ReadError::TooManySheets { sheets, limit: MAX_SHEETS as u64 });
                }
            }
            0x0200 => {
                let u16at = |i: usize| data.get(i..i + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u64);
                let u32at =
                    |i: usize| data.get(i..i + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64);
                let (rf, rl, cf, cl) = match data.len() {
                    10 => (u16at(0), u16at(2), u16at(4), u16at(6)),
                    14 | 16 => (u32at(0), u32at(4), u16at(8), u16at(10)),
                    _ => continue,
                };
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    // as calamine computes it (an end before the start wraps around)
                    let rows = (rl - 1).wrapping_sub(rf).wrapping_add(1) & 0xFFFF_FFFF;
                    let cols = (cl - 1).wrapping_sub(cf).wrapping_add(1) & 0xFFFF_FFFF;
                    let declared = rows.saturating_mul(cols);
                    if declared > max_cells {
                        return Err(ReadError::DeclaredTooMany {
                            what: format!(
                                "cells in sheet {}'s DIMENSIONS ({rows} rows × {cols} columns)",
                                substream - 1
                            ),
                            declared,
                            limit: max_cells,
                        });
                    }
                }
            }
            // MULRK: calamine counts its cells as `last - first + 1` in 16 bits, which
            // overflows on a last column before the first (fuzzing, fifth find)
            0x00BD
                if substream > 1 && data.len() >= 6 && {
                    let first = u16::from_le_bytes([data[2], data[3]]);
                    u16::from_le_bytes([data[data.len() - 2], data[data.len() - 1]]) < first
                } =>
            {
                let (r, c) =
                    (u16::from_le_bytes([data[0], data[1]]) as u32, u16::from_le_bytes([data[2], data[3]]) as u32);
                return Err(ReadError::Corrupt(format!(
                    "sheet {}: the numbers record at {} ends in a column before the one it starts in",
                    substream - 1,
                    crate::model::a1((r, c))
                )));
            }
            k if BIFF_CELLS.contains(&k) && data.len() >= 4 => {
                let r = u16::from_le_bytes([data[0], data[1]]) as u32;
                let c = u16::from_le_bytes([data[2], data[3]]) as u32;
                // MULRK: the last column is in the record's last two bytes
                let c_end = if k == 0x00BD && data.len() >= 6 {
                    u16::from_le_bytes([data[data.len() - 2], data[data.len() - 1]]) as u32
                } else {
                    c
                }
                .max(c);
                bbox = Some(match bbox {
                    None => (r, c, r, c_end),
                    Some((t, l, b, rt)) => (t.min(r), l.min(c), b.max(r), rt.max(c_end)),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether a BOF record (its version, and the type for version 0) starts a BIFF8 file, as
/// calamine tells it.
fn is_biff8(bof: &[u8]) -> bool {
    let at = |i: usize| bof.get(i..i + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    match at(0) {
        0x0600 => true,
        0 => at(2) != 0x1000,
        _ => false,
    }
}

/// The name of a globals record too short for the fields calamine 0.38 reads from it
/// without checking the length (each one indexes past the record and panics): BOF, CODEPAGE,
/// DATEMODE, BOUNDSHEET, NAME (whose formula length must fit too), EXTERNSHEET (BIFF8).
fn globals_record_cut_short(kind: u16, data: &[u8], biff8: bool) -> Option<&'static str> {
    let (name, min) = match kind {
        0x0809 => ("BOF", 2),
        0x0042 => ("CODEPAGE", 2),
        0x0022 => ("DATEMODE", 2),
        0x0085 => ("BOUNDSHEET", 6),
        0x0017 if biff8 => ("EXTERNSHEET", 2),
        0x0018 => {
            let cce = data.get(4..6).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as usize);
            return (data.len() < 14 || cce > data.len()).then_some("NAME");
        }
        _ => return None,
    };
    (data.len() < min).then_some(name)
}

/// The CONTINUE records (0x003C) at the start of `rest`, as calamine gathers them for the
/// record before; none when one runs past the end (calamine then fails, it does not panic).
fn continues(rest: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut at = rest;
    while at.len() > 4 && u16::from_le_bytes([at[0], at[1]]) == 0x003C {
        let len = u16::from_le_bytes([at[2], at[3]]) as usize;
        let Some(data) = at.get(4..4 + len) else { return Vec::new() };
        out.push(data);
        at = &at[4 + len..];
    }
    out
}

/// Whether calamine 0.38's `parse_sst` would index past the end of a record on this
/// table: the same walk over the strings, stopping where calamine returns an error and
/// answering `true` where it would panic (a rich-text or extended-string header cut short,
/// or an empty CONTINUE record where a string goes on). Bounded: every step consumes bytes
/// or a record.
fn sst_cut_short<'a>(first: &'a [u8], conts: &[&'a [u8]]) -> bool {
    let Some(mut data) = first.get(8..) else { return false };
    let mut next = conts.iter();
    // calamine's `Record::continue_record`
    let mut pull = |data: &mut &'a [u8]| next.next().map(|d| *data = *d).is_some();
    let u16at = |d: &[u8]| u16::from_le_bytes([d[0], d[1]]) as usize;
    while !data.is_empty() || pull(&mut data) {
        if data.is_empty() {
            continue;
        }
        if data.len() < 3 {
            return false;
        }
        let (mut len, flags) = (u16at(data), data[2]);
        data = &data[3..];
        let (mut runs, mut ext) = (0usize, 0usize);
        if flags & 0x8 != 0 {
            if data.len() < 2 {
                return true;
            }
            runs = u16at(data);
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            if data.len() < 4 {
                return true;
            }
            ext = i32::from_le_bytes([data[0], data[1], data[2], data[3]]) as usize;
            data = &data[4..];
        }
        let mut high = flags & 0x1 != 0;
        while len > 0 {
            let took = if high { (data.len() / 2).min(len) } else { data.len().min(len) };
            data = &data[if high { 2 * took } else { took }..];
            len -= took;
            if len > 0 {
                if !pull(&mut data) {
                    return false;
                }
                let Some(&flag) = data.first() else { return true };
                high = flag & 0x1 != 0;
                data = &data[1..];
            }
        }
        for mut skip in [runs * 4, ext] {
            while skip > 0 {
                if data.is_empty() && !pull(&mut data) {
                    return false;
                }
                let took = skip.min(data.len());
                data = &data[took..];
                skip -= took;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::sst_cut_short;

    #[test]
    fn an_sst_cut_short_where_calamine_would_index_past_a_record_is_told_from_a_whole_one() {
        // header: 8 bytes of counts, then "ab" (cch 2, 8-bit), split over a CONTINUE
        let whole: &[u8] = &[0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, b'a'];
        assert!(!sst_cut_short(whole, &[&[0, b'b']]));
        // the string goes on into an empty CONTINUE record: calamine reads its flag byte
        assert!(sst_cut_short(whole, &[&[]]));
        // a rich-text string whose run count is cut off by the record's end
        assert!(sst_cut_short(&[0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0x8, 1], &[]));
        // no CONTINUE where one is needed: calamine returns an error, no panic
        assert!(!sst_cut_short(whole, &[]));
    }
}
