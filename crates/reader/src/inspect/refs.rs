//! Cell references in `.xlsx` sheet XML that calamine 0.38 cannot place: it reads each
//! `r="…"` as letters then digits, accumulating the column in base 26 and the row in base
//! 10 in a `u32` without checking for overflow (`xlsx/mod.rs`,
//! `get_row_and_optional_column`). A debug build panics there (found by fuzzing); a release
//! build wraps around and puts the cell in another column or row than the file says, which
//! is a number read wrong without saying so. No real sheet has such a reference (Excel's
//! last cell is XFD1048576): the sheet is skipped with this reason instead.

/// The first `r="…"` attribute value in `xml` whose column or row overflows as calamine
/// computes them.
pub fn overflowing_reference(xml: &[u8]) -> Option<String> {
    let mut rest = xml;
    while let Some(at) = memchr::memmem::find(rest, b"r=") {
        let before = if at == 0 { b' ' } else { rest[at - 1] };
        let value = &rest[at + 2..];
        rest = value;
        // ` r="…"` only: not `ref=`, `attr=`
        if !before.is_ascii_whitespace() {
            continue;
        }
        let Some(&quote @ (b'"' | b'\'')) = value.first() else { continue };
        let len = memchr::memchr(quote, &value[1..])?;
        let reference = &value[1..1 + len];
        if overflows(reference) {
            return Some(String::from_utf8_lossy(reference).into_owned());
        }
    }
    None
}

/// Whether calamine's column or row accumulation overflows on this reference (it stops at
/// the first byte that is neither a letter nor a digit, with an error of its own).
fn overflows(reference: &[u8]) -> bool {
    let (mut col, mut row, mut digits) = (0u32, 0u32, false);
    for &b in reference {
        let next = match b {
            b'A'..=b'Z' | b'a'..=b'z' if !digits => col
                .checked_mul(26)
                .and_then(|c| c.checked_add((b.to_ascii_uppercase() - b'A') as u32 + 1))
                .map(|c| col = c),
            b'0'..=b'9' => {
                digits = true;
                row.checked_mul(10).and_then(|r| r.checked_add((b - b'0') as u32)).map(|r| row = r)
            }
            _ => return false,
        };
        if next.is_none() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::overflowing_reference;

    #[test]
    fn a_reference_past_any_column_or_row_is_found_and_a_real_one_is_not() {
        let ok = br#"<row r="1048576"><c r="XFD1048576" s="1"><v>1</v></c></row><mergeCell ref="A1:B2"/>"#;
        assert_eq!(overflowing_reference(ok), None);
        let far = br#"<row r="1"><c r="ZZZZZZZZ1"><v>1</v></c></row>"#;
        assert_eq!(overflowing_reference(far).as_deref(), Some("ZZZZZZZZ1"));
        let low = br#"<row r="1"><c r='A99999999999'><v>1</v></c></row>"#;
        assert_eq!(overflowing_reference(low).as_deref(), Some("A99999999999"));
    }
}
