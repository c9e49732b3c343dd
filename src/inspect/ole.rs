//! OLE compound files the `cfb` crate refuses for what no reader needs: a directory entry
//! whose red-black colour is neither red nor black. calamine's own OLE reader ignores the
//! colour and reads such a workbook; the pre-checks and the percent pass need the `cfb`
//! crate, so the colours are set right in a copy and every stage reads that copy. Any
//! other damage is left for `cfb` to refuse: calamine's lenient reader panics or allocates
//! without bound on much of it (found by fuzzing).

use std::borrow::Cow;
use std::io::Cursor;

/// `bytes`, or a copy with its directory colours set right when that is all that keeps the
/// `cfb` crate from opening it.
pub fn lenient(bytes: &[u8]) -> Cow<'_, [u8]> {
    if !bytes.starts_with(&super::OLE_MAGIC) || cfb::CompoundFile::open(Cursor::new(bytes)).is_ok() {
        return Cow::Borrowed(bytes);
    }
    match repair_colours(bytes) {
        Some(fixed) if cfb::CompoundFile::open(Cursor::new(&fixed[..])).is_ok() => Cow::Owned(fixed),
        _ => Cow::Borrowed(bytes),
    }
}

/// A copy whose directory entries all have a valid colour (black for an invalid one), or
/// `None` when none had to change or the directory cannot be found. Follows the directory's
/// sector chain through the FAT sectors the header lists (109 of them: files up to 6.8 MB
/// with 512-byte sectors, 436 MB with 4,096-byte ones), at most once per sector.
fn repair_colours(bytes: &[u8]) -> Option<Vec<u8>> {
    let u16at = |i: usize| bytes.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize);
    let u32at = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize);
    let shift = u16at(30)?;
    if !(7..=16).contains(&shift) {
        return None;
    }
    let size = 1usize << shift;
    let offset = |sector: usize| (sector + 1).checked_mul(size);
    // the FAT: the sectors the header's DIFAT names, 4-byte entries each
    let fat_sectors: Vec<usize> = (0..109).filter_map(|i| u32at(76 + 4 * i)).filter(|&s| s < 0xFFFF_FFFA).collect();
    let next = |sector: usize| -> Option<usize> {
        let per = size / 4;
        let fat = *fat_sectors.get(sector / per)?;
        u32at(offset(fat)? + 4 * (sector % per))
    };
    let mut out = bytes.to_vec();
    let mut changed = false;
    let mut sector = u32at(48)?;
    let total = bytes.len() / size + 1;
    for _ in 0..total {
        if sector >= 0xFFFF_FFFA {
            break;
        }
        let start = offset(sector)?;
        for entry in (0..size / 128).map(|i| start + i * 128) {
            if let Some(colour) = out.get_mut(entry + 67)
                && *colour > 1
            {
                *colour = 1;
                changed = true;
            }
        }
        sector = next(sector)?;
    }
    changed.then_some(out)
}
