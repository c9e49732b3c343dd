//! The formula tokens of an `.xls` cell as calamine 0.38 reads them. calamine parses every
//! formula when it opens the file (`xls.rs`, `parse_formula`) and slices each token's
//! operands without checking that the formula still holds them: a token cut short panics
//! (found by fuzzing; calamine issue #721). This walk takes the same steps — the same
//! operand sizes, BIFF8 or earlier, and calamine's stack depth where a stack error ends its
//! parse first — and names the token calamine would panic on.
//!
//! It never names a token calamine reaches safely: where calamine's parse returns an error
//! (it then keeps the formula as "unrecognised" and reads the file on), the walk stops too,
//! and after a fixed-argument function, whose argument count calamine takes from its own
//! table, it stops because it can no longer tell whether calamine got that far.

/// How many results calamine's formula stack holds.
#[derive(Clone, Copy)]
struct Depth(usize);

impl Depth {
    fn push(&mut self) {
        self.0 += 1;
    }
}

/// The error codes `PtgErr` may carry (any other is calamine's error, not its panic).
const ERRORS: [u8; 8] = [0x00, 0x07, 0x0F, 0x17, 0x1D, 0x24, 0x2A, 0x2B];
/// calamine's function table has this many entries (`utils::FTAB_LEN`).
const FUNCTIONS: usize = 485;

/// The token calamine would index past the end of in `tokens` (a formula's `rgce`, its
/// length already checked against the record), if any.
pub(super) fn token_cut_short(tokens: &[u8], biff8: bool) -> Option<&'static str> {
    let mut rgce = tokens;
    let mut depth = Depth(0);
    while let Some((&ptg, rest)) = rgce.split_first() {
        rgce = rest;
        // `Err(name)`: calamine panics on this token; `Ok(None)`: its parse ends here
        let step = |need: usize, name: &'static str| if rgce.len() < need { Err(name) } else { Ok(Some(need)) };
        let fixed = operand(ptg);
        let taken: Result<Option<usize>, &'static str> = match ptg {
            // an operand of a fixed size: pushed on calamine's stack
            _ if let Some((biff8_size, biff5_size, name)) = fixed => {
                depth.push();
                step(if biff8 { biff8_size } else { biff5_size }, name)
            }
            // PtgExp: calamine checks its four bytes
            0x01 if rgce.len() < 4 => Ok(None),
            0x01 => {
                depth.push();
                Ok(Some(4))
            }
            // binary operators pop one operand, unary ones need one
            0x03..=0x11 if depth.0 == 0 => Ok(None),
            0x03..=0x11 => {
                depth.0 -= 1;
                Ok(Some(0))
            }
            0x12 | 0x13 | 0x15 if depth.0 == 0 => Ok(None),
            0x12..=0x15 => Ok(Some(0)),
            0x16 => {
                depth.push();
                Ok(Some(0))
            }
            // PtgStr: calamine checks the string's length (and returns its error, so does
            // this walk, where `?` ends it)
            0x17 => {
                depth.push();
                let &cch = rgce.first()?;
                let cch = cch as usize;
                let size = if biff8 {
                    let &flags = rgce.get(1)?;
                    1 + 1 + if flags & 1 != 0 { 2 * cch } else { cch }
                } else {
                    1 + cch
                };
                Ok((rgce.len() >= size).then_some(size))
            }
            0x18 => step(5, "extended token (0x18)"),
            0x19 => attribute(rgce, depth),
            0x1C => {
                depth.push();
                match rgce.first() {
                    None => Err("error constant (PtgErr)"),
                    Some(e) if ERRORS.contains(e) => Ok(Some(1)),
                    Some(_) => Ok(None),
                }
            }
            // PtgFunc: its argument count is in calamine's table, so the walk stops here
            0x21 | 0x41 | 0x61 => step(2, "function (PtgFunc)").map(|_| None),
            0x22 | 0x42 | 0x62 => match step(3, "function (PtgFuncVar)") {
                Err(e) => Err(e),
                Ok(_) => {
                    let argc = rgce[0] as usize;
                    let function = u16::from_le_bytes([rgce[1], rgce[2]]) as usize;
                    if depth.0 < argc || function >= FUNCTIONS {
                        Ok(None)
                    } else {
                        depth.0 = depth.0 - argc + 1;
                        Ok(Some(3))
                    }
                }
            },
            // a token calamine does not know: its error
            _ => Ok(None),
        };
        match taken {
            Err(token) => return Some(token),
            Ok(None) => return None,
            Ok(Some(n)) => rgce = &rgce[n..],
        }
    }
    None
}

/// The tokens that push one operand of a fixed size: its size in BIFF8, before BIFF8, and
/// its name (calamine's sizes, `parse_formula`).
fn operand(ptg: u8) -> Option<(usize, usize, &'static str)> {
    Some(match ptg {
        0x3a | 0x5a | 0x7a => (6, 6, "3-D reference (PtgRef3d)"),
        0x3b | 0x5b | 0x7b => (10, 10, "3-D area (PtgArea3d)"),
        0x3c | 0x5c | 0x7c => (6, 6, "3-D reference error (PtgRefErr3d)"),
        0x3d | 0x5d | 0x7d => (10, 10, "3-D area error (PtgAreaErr3d)"),
        0x1D => (1, 1, "boolean (PtgBool)"),
        0x1E => (2, 2, "integer (PtgInt)"),
        0x1F => (8, 8, "number (PtgNum)"),
        0x20 | 0x40 | 0x60 => (7, 7, "array (PtgArray)"),
        0x23 | 0x43 | 0x63 => (4, 4, "name (PtgName)"),
        0x24 | 0x44 | 0x64 => (4, 3, "reference (PtgRef)"),
        0x25 | 0x45 | 0x65 => (8, 6, "area (PtgArea)"),
        0x2A | 0x4A | 0x6A => (4, 3, "reference error (PtgRefErr)"),
        0x2B | 0x4B | 0x6B => (8, 6, "area error (PtgAreaErr)"),
        0x39 | 0x59 => (6, 6, "external name (PtgNameX)"),
        _ => return None,
    })
}

/// `PtgAttr`: its type byte, then operands that depend on it.
fn attribute(rgce: &[u8], depth: Depth) -> Result<Option<usize>, &'static str> {
    const NAME: &str = "attribute (PtgAttr)";
    let Some((&kind, rest)) = rgce.split_first() else { return Err(NAME) };
    let need = |n: usize| if rest.len() < n { Err(NAME) } else { Ok(Some(1 + n)) };
    match kind {
        0x01 | 0x02 | 0x08 | 0x20 | 0x21 => need(2),
        // PtgAttrChoose: a count, then that many offsets and one more
        0x04 => {
            if rest.len() < 2 {
                return Err(NAME);
            }
            need(2 + 2 * (u16::from_le_bytes([rest[0], rest[1]]) as usize + 1))
        }
        // PtgAttrSum: calamine slices, then needs an operand
        0x10 => match need(2) {
            Ok(_) if depth.0 == 0 => Ok(None),
            other => other,
        },
        // PtgAttrSpace: calamine needs an operand first, then reads the space's type
        0x40 | 0x41 if depth.0 == 0 => Ok(None),
        0x40 | 0x41 => match rest.first() {
            None => Err(NAME),
            Some(space) if *space > 0x06 => Ok(None),
            Some(_) => need(2),
        },
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::token_cut_short;

    #[test]
    fn a_token_cut_short_is_named_and_a_whole_formula_is_not() {
        // 1 + 2: PtgInt 1, PtgInt 2, PtgAdd
        assert_eq!(token_cut_short(&[0x1E, 1, 0, 0x1E, 2, 0, 0x03], true), None);
        // the second integer cut short
        assert_eq!(token_cut_short(&[0x1E, 1, 0, 0x1E, 2], true), Some("integer (PtgInt)"));
        // an area error with 4 of its 8 bytes (BIFF8), or enough for BIFF5's 6
        assert_eq!(token_cut_short(&[0x2B, 0, 0, 0, 0], true), Some("area error (PtgAreaErr)"));
        assert_eq!(token_cut_short(&[0x2B, 0, 0, 0, 0, 0, 0], false), None);
        // an operator with nothing on the stack: calamine's error, so a token cut short after
        // it is never reached
        assert_eq!(token_cut_short(&[0x03, 0x1E, 1], true), None);
        // a string whose length runs past the formula: calamine checks that one
        assert_eq!(token_cut_short(&[0x17, 9, 0, b'a'], true), None);
        // after a function whose argument count only calamine's table knows: not predicted
        assert_eq!(token_cut_short(&[0x1E, 1, 0, 0x21, 0x41, 0, 0x1E, 2], true), None);
        // PtgAttrChoose with a count of 1: calamine skips the count and two offsets (6 bytes)
        assert_eq!(token_cut_short(&[0x19, 0x04, 1, 0, 0, 0, 0, 0], true), None);
        assert_eq!(token_cut_short(&[0x19, 0x04, 1, 0, 0, 0, 0], true), Some("attribute (PtgAttr)"));
    }
}
