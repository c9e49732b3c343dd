//! Which number cells of an `.xls` are shown as percentages. calamine reads the number
//! formats of an `.xls` only to tell dates from numbers, so a cell typed `98%` (0.98 with
//! format `0%`) would read as 0.98. This pass walks the BIFF records itself: FORMAT and XF
//! in the workbook globals give the percent styles, and the NUMBER / RK / MULRK / FORMULA
//! records of each sheet the cells that use them. Every length is checked against the
//! record that holds it, and the positions kept are bounded, so a damaged or hostile file
//! yields fewer positions, never a panic or an allocation it declares.

use crate::grid::Pos;

/// Positions kept per workbook at most; a form sheet has a few hundred number cells.
const MAX_POSITIONS: usize = 1_000_000;

/// The percent-formatted number cells of each sheet, in the workbook's sheet order
/// (BOUNDSHEET order, which is calamine's), from the workbook stream's bytes.
pub fn percent_cells(data: &[u8]) -> Vec<Vec<Pos>> {
    let mut biff8 = true;
    let mut formats: Vec<(u16, bool)> = Vec::new();
    let mut xf_formats: Vec<u16> = Vec::new();
    let mut sheets: Vec<usize> = Vec::new();
    for (typ, rec) in records(data, 0) {
        match typ {
            0x0809 => biff8 = u16_at(rec, 0) == Some(0x0600),
            0x041E => {
                if let Some(f) = format_record(rec, biff8) {
                    formats.push(f);
                }
            }
            0x00E0 => xf_formats.push(u16_at(rec, 2).unwrap_or(0)),
            0x0085 => {
                if let Some(pos) = u32_at(rec, 0) {
                    sheets.push(pos as usize);
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    let is_percent_fmt = |ifmt: u16| ifmt == 9 || ifmt == 10 || formats.iter().any(|&(i, p)| i == ifmt && p);
    let percent_xf: Vec<bool> = xf_formats.iter().map(|&f| is_percent_fmt(f)).collect();
    if !percent_xf.contains(&true) {
        return vec![Vec::new(); sheets.len()];
    }
    let is_percent = |xf: Option<u16>| xf.and_then(|x| percent_xf.get(x as usize).copied()).unwrap_or(false);
    let mut kept = 0usize;
    let mut out = Vec::with_capacity(sheets.len());
    for start in sheets {
        let mut cells = Vec::new();
        for (typ, rec) in records(data, start).skip(1) {
            if kept + cells.len() >= MAX_POSITIONS {
                break;
            }
            let at = |r: usize, c: usize| (u16_at(rec, r).unwrap_or(0) as u32, u16_at(rec, c).unwrap_or(0) as u32);
            match typ {
                // NUMBER, RK: row, column, XF
                0x0203 | 0x027E if is_percent(u16_at(rec, 4)) => cells.push(at(0, 2)),
                // FORMULA with a numeric result (0xFFFF in the last two result bytes marks
                // a string, boolean or error)
                0x0006 if is_percent(u16_at(rec, 4)) && u16_at(rec, 12) != Some(0xFFFF) => cells.push(at(0, 2)),
                // MULRK: row, first column, then (XF, RK) pairs, then the last column
                0x00BD => {
                    let (row, first) = at(0, 2);
                    let pairs = rec.len().saturating_sub(6) / 6;
                    for i in 0..pairs {
                        if is_percent(u16_at(rec, 4 + i * 6)) {
                            cells.push((row, first + i as u32));
                        }
                    }
                }
                0x000A => break,
                _ => {}
            }
        }
        kept += cells.len();
        out.push(cells);
    }
    out
}

/// A FORMAT record: its index and whether its code shows a percentage. BIFF8 strings are
/// UTF-16 or 8-bit by a flag; BIFF5 strings are 8-bit in the workbook's code page, where
/// `%` and `"` are ASCII and never a trail byte (GBK trail bytes start at 0x40).
fn format_record(rec: &[u8], biff8: bool) -> Option<(u16, bool)> {
    let ifmt = u16_at(rec, 0)?;
    let code: String = if biff8 {
        let cch = u16_at(rec, 2)? as usize;
        let wide = rec.get(4)? & 1 == 1;
        let body = rec.get(5..)?;
        if wide {
            let units: Vec<u16> = body.chunks_exact(2).take(cch).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
            String::from_utf16_lossy(&units)
        } else {
            body.iter().take(cch).map(|&b| b as char).collect()
        }
    } else {
        let cch = *rec.get(2)? as usize;
        rec.get(3..)?.iter().take(cch).map(|&b| b as char).collect()
    };
    Some((ifmt, crate::read::is_percent_format(&code)))
}

/// BIFF records from `start`: (type, data), until the stream or a record is cut short.
fn records(data: &[u8], start: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = start;
    std::iter::from_fn(move || {
        let typ = u16_at(data, at)?;
        let len = u16_at(data, at + 2)? as usize;
        let rec = data.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, rec))
    })
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?]))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes([*b.get(i)?, *b.get(i + 1)?, *b.get(i + 2)?, *b.get(i + 3)?]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((body.len() as u16).to_le_bytes());
        v.extend(body);
        v
    }

    #[test]
    fn percent_styles_mark_their_cells_and_damage_yields_nothing() {
        let mut globals = rec(0x0809, &[0x00, 0x06, 0x05, 0x00]);
        globals.extend(rec(0x00E0, &[0, 0, 0, 0])); // XF 0: General
        globals.extend(rec(0x00E0, &[0, 0, 9, 0])); // XF 1: built-in 0%
        let sheet_at = globals.len() + 8 + 4;
        globals.extend(rec(0x0085, &(sheet_at as u32).to_le_bytes()));
        globals.extend(rec(0x000A, &[]));
        let mut data = globals;
        assert_eq!(data.len(), sheet_at);
        data.extend(rec(0x0809, &[0x00, 0x06, 0x10, 0x00]));
        let mut number = vec![3, 0, 6, 0, 1, 0];
        number.extend(0.98f64.to_le_bytes());
        data.extend(rec(0x0203, &number));
        let mut plain = vec![4, 0, 6, 0, 0, 0];
        plain.extend(12.0f64.to_le_bytes());
        data.extend(rec(0x0203, &plain));
        data.extend(rec(0x00BD, &[5, 0, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0]));
        data.extend(rec(0x000A, &[]));
        assert_eq!(percent_cells(&data), vec![vec![(3, 6), (5, 2)]]);
        // cut anywhere: fewer positions, never a panic
        for cut in 0..data.len() {
            let _ = percent_cells(&data[..cut]);
        }
    }
}
