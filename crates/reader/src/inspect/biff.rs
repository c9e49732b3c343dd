//! The `.xls` pre-checks: a walk over the BIFF records that refuses, before calamine
//! opens the file, what calamine would allocate for without bound or panic on (each
//! panic here was found by fuzzing and is kept in `tests/fixtures/fuzz/`).
//!
//! The walk goes where calamine 0.38 goes (`xls.rs`, `parse_workbook`): the workbook
//! globals from the stream's start to their EOF, then each sheet from the offset its
//! BOUNDSHEET record declares, to that sheet's EOF, skipping the substreams nested in it
//! (charts). A sheet whose offset points anywhere else is read from there, by calamine and
//! by this walk alike; a record neither reaches is never judged.

use std::collections::HashMap;

use crate::error::ReadError;

use super::ptg::token_cut_short;

/// The cell records calamine keeps and where their row and column are: the first four
/// bytes of each (MULRK's last column is in its last two).
const BIFF_CELLS: [u16; 8] = [0x0203, 0x0204, 0x00FD, 0x027E, 0x0205, 0x0006, 0x00D6, 0x00BD];

/// One record as calamine's `RecordIter` yields it, with the CONTINUE records after it
/// skipped (`end` is where the next record starts).
struct Rec<'a> {
    at: usize,
    kind: u16,
    data: &'a [u8],
    end: usize,
}

/// calamine's `RecordIter` from `at`. It ends at the stream's end or at a record (or a
/// CONTINUE) the stream cuts short, where calamine returns an error for the whole file.
struct Records<'a> {
    stream: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Records<'a> {
    type Item = Rec<'a>;

    fn next(&mut self) -> Option<Rec<'a>> {
        let s = self.stream;
        let u16at = |i: usize| u16::from_le_bytes([s[i], s[i + 1]]);
        let at = self.at;
        if s.len() < at + 4 {
            return None;
        }
        let (kind, len) = (u16at(at), u16at(at + 2) as usize);
        let data = s.get(at + 4..at + 4 + len)?;
        let mut end = at + 4 + len;
        while s.len() > end + 4 && u16at(end) == 0x003C {
            end += 4 + u16at(end + 2) as usize;
            if end > s.len() {
                self.at = s.len();
                return None;
            }
        }
        self.at = end;
        Some(Rec { at, kind, data, end })
    }
}

/// What one sheet's walk found: the area of its cells' bounding box, or that calamine
/// stops with an error there (the whole file fails, nothing after it is read).
enum Sheet {
    Cells(u64),
    ReaderFails,
}

/// Walks an `.xls` stream's records as calamine does: the number of sheets (BOUNDSHEET),
/// each sheet's declared DIMENSIONS and the bounding box of its cells, which calamine
/// allocates densely for every sheet when it opens the file. Refuses a declared or real
/// size over `max_cells`, per sheet and for all sheets together, and what calamine would
/// panic on.
pub(super) fn precheck_xls(stream: &[u8], max_cells: u64, max_sheets: u64) -> Result<(), ReadError> {
    let (offsets, biff8) = globals(stream, max_sheets)?;
    // calamine walks each sheet from its offset: sheets that overlap are walked again, so
    // the walk is bounded (a valid file's sheets are disjoint and walk the stream once)
    let mut budget = stream.len().saturating_mul(4).saturating_add(1 << 20);
    let mut seen: HashMap<usize, u64> = HashMap::new();
    let mut total: u64 = 0;
    for (i, &at) in offsets.iter().enumerate() {
        let sheet = i as u64 + 1;
        let cells = match seen.get(&at) {
            Some(&cells) => cells,
            None => match walk_sheet(stream, at, sheet, biff8, max_cells, &mut budget)? {
                Sheet::Cells(cells) => {
                    seen.insert(at, cells);
                    cells
                }
                Sheet::ReaderFails => return Ok(()),
            },
        };
        total = total.saturating_add(cells);
        if cells > max_cells || total > max_cells {
            return Err(ReadError::XlsTooLarge { sheet, cells, total, limit: max_cells });
        }
    }
    Ok(())
}

/// The workbook globals, from the stream's start to their EOF: the checks calamine would
/// panic without, then each sheet's offset and whether the file is BIFF8 (as calamine
/// tells it from the last BOF it saw there).
fn globals(stream: &[u8], max_sheets: u64) -> Result<(Vec<usize>, bool), ReadError> {
    let mut biff8 = true;
    let mut offsets = Vec::new();
    for r in (Records { stream, at: 0 }) {
        if let Some(record) = globals_record_cut_short(r.kind, r.data, biff8) {
            return Err(ReadError::Corrupt(format!(
                "the workbook's {record} record at byte {} is shorter than its fields",
                r.at
            )));
        }
        match r.kind {
            0x0809 => biff8 = is_biff8(r.data),
            // SST: calamine reads the shared strings across the CONTINUE records that
            // follow, and indexes past the end of a record cut short there (a fourth find)
            0x00FC if sst_cut_short(r.data, &continues(&stream[r.at + 4 + r.data.len()..r.end])) => {
                return Err(ReadError::Corrupt(
                    "the shared-strings table (SST) is cut short across its CONTINUE records".into(),
                ));
            }
            0x0085 => {
                let sheets = offsets.len() as u64 + 1;
                // BOUNDSHEET: calamine reads the sheet at the stream offset it declares
                // without checking it, and panics past the end (found by fuzzing)
                let at = r.data.get(..4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
                if at > stream.len() {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {sheets} starts at byte {at}, past the end of the workbook stream ({} bytes)",
                        stream.len()
                    )));
                }
                if sheets > max_sheets {
                    return Err(ReadError::TooManySheets { sheets, limit: max_sheets });
                }
                offsets.push(at);
            }
            0x000A => break,
            _ => {}
        }
    }
    Ok((offsets, biff8))
}

/// One sheet, from `at` to its EOF, as calamine reads it. `budget`: the bytes of records
/// the walk may still go over, for all sheets together.
fn walk_sheet(
    stream: &[u8],
    at: usize,
    sheet: u64,
    biff8: bool,
    max_cells: u64,
    budget: &mut usize,
) -> Result<Sheet, ReadError> {
    let (mut seen_bof, mut depth) = (false, 0usize);
    // the current sheet's bounding box: (top, left, bottom, right)
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut include = |r: u32, c: u32, c_end: u32| {
        bbox = Some(match bbox {
            None => (r, c, r, c_end),
            Some((t, l, b, rt)) => (t.min(r), l.min(c), b.max(r), rt.max(c_end)),
        });
    };
    // a STRING record's cell goes where the last formula was, (0, 0) before any
    let mut formula_at = (0u32, 0u32);
    let mut records = Records { stream, at };
    for r in records.by_ref() {
        let taken = r.end - r.at;
        if taken > *budget {
            return Err(ReadError::Corrupt(format!(
                "its sheets overlap in the workbook stream: reading sheet {sheet} would go over the \
                 stream ({} bytes) more than four times",
                stream.len()
            )));
        }
        *budget -= taken;
        let data = r.data;
        let u16at = |i: usize| data.get(i..i + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]) as u32);
        if depth > 0 {
            match r.kind {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match r.kind {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => break,
            0x0200 => {
                let u32at =
                    |i: usize| data.get(i..i + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64);
                let (rf, rl, cf, cl) = match data.len() {
                    10 => (u16at(0) as u64, u16at(2) as u64, u16at(4) as u64, u16at(6) as u64),
                    14 | 16 => (u32at(0), u32at(4), u16at(8) as u64, u16at(10) as u64),
                    _ => return Ok(Sheet::ReaderFails),
                };
                let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                if rl >= 1 && cl >= 1 {
                    // as a release build of calamine computes it (an end before the start
                    // wraps around)
                    let rows = (rl - 1).wrapping_sub(rf).wrapping_add(1) & 0xFFFF_FFFF;
                    let cols = (cl - 1).wrapping_sub(cf).wrapping_add(1) & 0xFFFF_FFFF;
                    let declared = rows.saturating_mul(cols);
                    if declared > max_cells {
                        return Err(ReadError::DeclaredTooMany {
                            what: format!("cells in sheet {sheet}'s DIMENSIONS ({rows} rows × {cols} columns)"),
                            declared,
                            limit: max_cells,
                        });
                    }
                }
            }
            // FORMULA: calamine slices the formula's tokens by the length the record
            // declares (`cce`) without checking it against the record, and then each
            // token's operands (found by fuzzing): refuse such a file here, precisely
            0x0006 if data.len() >= 20 => {
                let (row, col) = (u16at(0), u16at(2));
                let cell = crate::grid::a1((row, col));
                let cce = data.get(20..22).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
                let Some(tokens) = cce.and_then(|cce| data.get(22..22 + cce)) else {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {sheet}: the formula at {cell} declares more tokens than its record holds"
                    )));
                };
                if let Some(token) = token_cut_short(tokens, biff8) {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {sheet}: the formula at {cell} ends in the middle of its {token} token"
                    )));
                }
                formula_at = (row, col);
                include(row, col, col);
            }
            0x0207 => include(formula_at.0, formula_at.1, formula_at.1),
            // MERGECELLS: calamine reads the count and then that many 8-byte areas without
            // checking the record's length (a third fuzzing find)
            0x00E5 => {
                let count = data.get(..2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
                if count.is_none_or(|n| 2 + 8 * n > data.len()) {
                    return Err(ReadError::Corrupt(format!(
                        "sheet {sheet}: a merged-cells record lists more areas than it holds"
                    )));
                }
            }
            // MULRK: calamine counts its cells as `last - first + 1` in 16 bits, which
            // overflows on a last column before the first (fuzzing, fifth find)
            0x00BD if data.len() >= 6 && u16at(data.len() - 2) < u16at(2) => {
                return Err(ReadError::Corrupt(format!(
                    "sheet {sheet}: the numbers record at {} ends in a column before the one it starts in",
                    crate::grid::a1((u16at(0), u16at(2)))
                )));
            }
            k if BIFF_CELLS.contains(&k) && data.len() >= 4 => {
                let (row, col) = (u16at(0), u16at(2));
                let end = if k == 0x00BD && data.len() >= 6 { u16at(data.len() - 2) } else { col };
                include(row, col, end.max(col));
            }
            _ => {}
        }
    }
    let cells = bbox.map_or(0, |(t, l, b, r)| (b - t + 1) as u64 * (r - l + 1) as u64);
    Ok(Sheet::Cells(cells))
}

/// Whether a BOF record (its version, and the type for version 0) starts a BIFF8 file, as
/// calamine tells it.
fn is_biff8(bof: &[u8]) -> bool {
    let at = |i: usize| bof.get(i..i + 2).map_or(0, |b| u16::from_le_bytes([b[0], b[1]]));
    match at(0) {
        0x0200 | 0x0002 | 0x0007 | 0x0300 | 0x0400 | 0x0500 => false,
        0 => at(2) != 0x1000,
        _ => true,
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
