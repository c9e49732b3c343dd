//! OLE compound files the `cfb` crate refuses for what no reader needs. calamine's own OLE
//! reader ignores the directory's red-black tree (it finds a stream by looking at every
//! directory entry's name) and reads such a workbook; the pre-checks and the percent pass
//! need the `cfb` crate, so the tree is set right in a copy and every stage reads that copy.
//! Two kinds of damage are repaired, as real files have them:
//! - a directory entry whose colour is neither red nor black (set black);
//! - sibling names out of order (Apache POI's `ConditionalFormattingSamples.xls`): each
//!   storage's siblings are re-linked as a chain sorted the way `cfb` compares names, a
//!   valid (if unbalanced) tree. Two siblings of the same name, or an entry reached from two
//!   storages, are left alone: that is not a tree any order can mend.
//!
//! The copy is used only when `cfb` then opens it. Any other damage is left for `cfb` to
//! refuse: calamine's lenient reader panics or allocates without bound on much of it (found
//! by fuzzing). The repair itself allocates in proportion to the file's length, whatever its
//! pointers and sizes say: one copy, and per directory entry (at most one per 128 bytes of
//! the file) an offset, an owner and, one storage at a time, its name; every loop is bounded
//! by the sector or entry count.

use std::borrow::Cow;

/// The directory's "no entry" id.
const NO_STREAM: u32 = 0xFFFF_FFFF;
/// Directory entry object types.
const STORAGE: u8 = 1;
const ROOT: u8 = 5;

/// `bytes`, or a copy with its directory tree set right when that is all that keeps the
/// `cfb` crate from opening it (see [`repair`]).
pub fn lenient(bytes: &[u8]) -> Cow<'_, [u8]> {
    match repair(bytes) {
        Some(copy) => Cow::Owned(copy),
        None => Cow::Borrowed(bytes),
    }
}

/// A copy of an OLE file with its directory tree set right, when `cfb` refuses the file and
/// opens the copy: the colours first, then, if that is not enough, the siblings' order too.
/// `None` for a file `cfb` opens as it is, or one no repair here mends.
pub fn repair(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&super::OLE_MAGIC) || opens(bytes) {
        return None;
    }
    let directory = directory_entries(bytes)?;
    let mut copy = bytes.to_vec();
    if set_colours(&mut copy, &directory) && opens(&copy) {
        return Some(copy);
    }
    if chain_siblings(&mut copy, &directory).is_some() && opens(&copy) {
        return Some(copy);
    }
    None
}

fn opens(bytes: &[u8]) -> bool {
    crate::opened::open_ole(bytes).is_ok()
}

fn u16at(bytes: &[u8], i: usize) -> Option<usize> {
    bytes.get(i..i.checked_add(2)?).map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
}

fn u32at(bytes: &[u8], i: usize) -> Option<u32> {
    bytes.get(i..i.checked_add(4)?).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn set_u32(bytes: &mut [u8], i: usize, v: u32) {
    if let Some(b) = i.checked_add(4).and_then(|end| bytes.get_mut(i..end)) {
        b.copy_from_slice(&v.to_le_bytes());
    }
}

/// The byte offset of each directory entry, in id order (entry `i` at `[i]`), or `None` when
/// the directory cannot be found. Follows the directory's sector chain through the FAT
/// sectors the header lists (109 of them: files up to 6.8 MB with 512-byte sectors, 436 MB
/// with 4,096-byte ones), at most once per sector of the file; stops at a sector that does
/// not fit in the file (the entries after it have no id `cfb` would read).
fn directory_entries(bytes: &[u8]) -> Option<Vec<usize>> {
    let shift = u16at(bytes, 30)?;
    if !(7..=16).contains(&shift) {
        return None;
    }
    let size = 1usize << shift;
    let offset = |sector: usize| (sector + 1).checked_mul(size);
    // the FAT: the sectors the header's DIFAT names, 4-byte entries each
    let fat_sectors: Vec<usize> =
        (0..109).filter_map(|i| u32at(bytes, 76 + 4 * i)).filter(|&s| s < 0xFFFF_FFFA).map(|s| s as usize).collect();
    let next = |sector: usize| -> Option<usize> {
        let per = size / 4;
        let fat = *fat_sectors.get(sector / per)?;
        u32at(bytes, offset(fat)? + 4 * (sector % per)).map(|s| s as usize)
    };
    let mut entries = Vec::new();
    let mut sector = u32at(bytes, 48)? as usize;
    for _ in 0..bytes.len() / size + 1 {
        if sector >= 0xFFFF_FFFA {
            break;
        }
        let start = offset(sector)?;
        if start.checked_add(size).is_none_or(|end| end > bytes.len()) {
            break;
        }
        entries.extend((0..size / 128).map(|i| start + i * 128));
        sector = next(sector)?;
    }
    Some(entries)
}

/// Sets every entry's invalid colour (neither 0, red, nor 1, black) to black; whether any
/// changed.
fn set_colours(out: &mut [u8], entries: &[usize]) -> bool {
    let mut changed = false;
    for &entry in entries {
        if let Some(colour) = out.get_mut(entry + 67)
            && *colour > 1
        {
            *colour = 1;
            changed = true;
        }
    }
    changed
}

/// An entry's name as `cfb` reads it: the UTF-16 units its length (in bytes, the final NUL
/// included) covers; `None` where `cfb` would refuse it.
fn entry_name(bytes: &[u8], entry: usize) -> Option<String> {
    let len = u16at(bytes, entry + 64)?;
    if len > 64 || len % 2 != 0 {
        return None;
    }
    let units = (len / 2).saturating_sub(1);
    let name: Option<Vec<u16>> = (0..units).map(|i| u16at(bytes, entry + 2 * i).map(|u| u as u16)).collect();
    String::from_utf16(&name?).ok()
}

/// The key sibling names are ordered by, as `cfb` orders them
/// (`cfb::internal::path::compare_names`): shorter first (in UTF-16 units), then by their
/// upper case. Two names with equal keys are the same name to `cfb`.
fn name_key(name: &str) -> (usize, String) {
    (name.encode_utf16().count(), name.to_uppercase())
}

/// Re-links the siblings of the root and of every storage reached from it as a chain in
/// `cfb`'s name order: the storage's child is the first, each sibling's left is none and its
/// right the next, every one black. The siblings are those reachable from the child through
/// left and right pointers, each once (a pointer back into the tree, a loop, is dropped, as is
/// an id past the directory's end). `None`, with `out` partly rewritten, when two siblings
/// have the same name, a name cannot be read, or an entry is reached from two storages (or
/// is the root).
fn chain_siblings(out: &mut [u8], entries: &[usize]) -> Option<()> {
    let n = entries.len();
    if n == 0 || out.get(entries[0] + 66) != Some(&ROOT) {
        return None;
    }
    let id = |v: u32| (v != NO_STREAM && (v as usize) < n).then_some(v as usize);
    // the storage whose tree each entry is in; the root is in none
    let mut owner: Vec<Option<usize>> = vec![None; n];
    owner[0] = Some(usize::MAX);
    let mut storages = vec![0usize];
    // each storage is taken once (it is owned by one tree), each entry owned once: at most
    // `n` storages, `n` siblings, `2n + 1` pushes
    while let Some(storage) = storages.pop() {
        let mut siblings: Vec<((usize, String), usize)> = Vec::new();
        let mut stack: Vec<usize> = u32at(out, entries[storage] + 76).and_then(id).into_iter().collect();
        while let Some(s) = stack.pop() {
            match owner[s] {
                Some(o) if o == storage => continue,
                Some(_) => return None,
                None => owner[s] = Some(storage),
            }
            let at = entries[s];
            siblings.push((name_key(&entry_name(out, at)?), s));
            stack.extend([u32at(out, at + 68), u32at(out, at + 72)].into_iter().flatten().filter_map(id));
            if out.get(at + 66) == Some(&STORAGE) {
                storages.push(s);
            }
        }
        siblings.sort_unstable();
        if siblings.windows(2).any(|w| w[0].0 == w[1].0) {
            return None;
        }
        let first = siblings.first().map_or(NO_STREAM, |&(_, s)| s as u32);
        set_u32(out, entries[storage] + 76, first);
        for (i, &(_, s)) in siblings.iter().enumerate() {
            let at = entries[s];
            let right = siblings.get(i + 1).map_or(NO_STREAM, |&(_, r)| r as u32);
            set_u32(out, at + 68, NO_STREAM);
            set_u32(out, at + 72, right);
            if let Some(colour) = out.get_mut(at + 67) {
                *colour = 1;
            }
        }
    }
    Some(())
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests look at the copies with `cfb` itself
mod tests {
    use super::*;
    use jixiao_fixtures::{Cv, biff5};
    use std::io::Cursor;
    use std::io::Read;

    /// A BIFF5 workbook (its `Book` stream) with `extra` streams beside it in the root.
    fn xls(extra: &[&str]) -> Vec<u8> {
        let sheets = vec![("表1".to_string(), vec![(0, 0, Cv::T("项目名称".into())), (1, 1, Cv::N(42.0))])];
        let book = biff5::workbook(&sheets).unwrap();
        let data: Vec<Vec<u8>> = extra.iter().map(|s| s.as_bytes().repeat(9)).collect();
        let streams: Vec<(&str, &[u8])> = extra.iter().zip(&data).map(|(s, d)| (*s, &d[..])).collect();
        biff5::with_streams(&book, &streams).unwrap()
    }

    /// Every stream's path and bytes, as `cfb` reads them.
    fn streams(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut ole = cfb::CompoundFile::open(Cursor::new(bytes)).unwrap();
        let paths: Vec<_> = ole.walk().filter(|e| e.is_stream()).map(|e| e.path().to_path_buf()).collect();
        let mut out: Vec<_> = paths
            .into_iter()
            .map(|p| {
                let mut data = Vec::new();
                ole.open_stream(&p).unwrap().read_to_end(&mut data).unwrap();
                (p.display().to_string(), data)
            })
            .collect();
        out.sort();
        out
    }

    fn refusal(bytes: &[u8]) -> String {
        cfb::CompoundFile::open(Cursor::new(bytes)).err().map(|e| e.to_string()).unwrap_or_default()
    }

    /// Sets entry `id`'s left, right and child pointers (`None`: leave as is).
    fn link(bytes: &mut [u8], id: usize, left: Option<u32>, right: Option<u32>, child: Option<u32>) {
        let at = directory_entries(bytes).unwrap()[id];
        for (field, v) in [(68, left), (72, right), (76, child)] {
            if let Some(v) = v {
                set_u32(bytes, at + field, v);
            }
        }
    }

    fn root_child(bytes: &[u8]) -> usize {
        let entries = directory_entries(bytes).unwrap();
        u32at(bytes, entries[0] + 76).unwrap() as usize
    }

    const EXTRA: [&str; 4] = ["\u{1}CompObj", "\u{5}SummaryInformation", "Ctls", "\u{5}DocumentSummaryInformation"];

    #[test]
    fn names_out_of_order_are_chained_in_cfb_order() {
        let original = xls(&EXTRA);
        let expected = streams(&original);
        assert_eq!(expected.len(), 5);
        let mut odd = original.clone();
        // the tree's top node with its left and right swapped
        let top = root_child(&odd);
        let at = directory_entries(&odd).unwrap()[top];
        let (left, right) = (u32at(&odd, at + 68).unwrap(), u32at(&odd, at + 72).unwrap());
        assert!(left != NO_STREAM || right != NO_STREAM, "the top node has a sibling");
        link(&mut odd, top, Some(right), Some(left), None);
        assert!(refusal(&odd).contains("name ordering"), "{}", refusal(&odd));
        let fixed = lenient(&odd);
        assert!(matches!(fixed, Cow::Owned(_)), "repaired: {}", refusal(&fixed));
        assert_eq!(streams(&fixed), expected);
        // a chain sorted as cfb sorts: Book, Ctls, \1CompObj, \5Summary…, \5DocumentSummary…
        let entries = directory_entries(&fixed).unwrap();
        let mut names = Vec::new();
        let mut s = u32at(&fixed, entries[0] + 76).unwrap();
        while s != NO_STREAM {
            assert_eq!(u32at(&fixed, entries[s as usize] + 68), Some(NO_STREAM));
            names.push(entry_name(&fixed, entries[s as usize]).unwrap());
            s = u32at(&fixed, entries[s as usize] + 72).unwrap();
        }
        assert_eq!(
            names,
            ["Book", "Ctls", "\u{1}CompObj", "\u{5}SummaryInformation", "\u{5}DocumentSummaryInformation"]
        );
    }

    #[test]
    fn a_file_cfb_opens_is_not_copied() {
        let original = xls(&EXTRA);
        assert!(matches!(lenient(&original), Cow::Borrowed(_)));
    }

    #[test]
    fn a_tree_in_descending_order_with_a_loop_is_chained() {
        let original = xls(&EXTRA);
        let expected = streams(&original);
        let mut odd = original.clone();
        // every sibling of the root, largest first, each the right of the one before, and the
        // last pointing back at the first: a loop
        let mut ids: Vec<usize> = (1..6).collect();
        let entries = directory_entries(&odd).unwrap();
        ids.sort_by_key(|&s| std::cmp::Reverse(name_key(&entry_name(&odd, entries[s]).unwrap())));
        link(&mut odd, 0, None, None, Some(ids[0] as u32));
        for (i, &s) in ids.iter().enumerate() {
            let right = ids.get(i + 1).copied().unwrap_or(ids[0]);
            link(&mut odd, s, Some(NO_STREAM), Some(right as u32), None);
        }
        assert!(!refusal(&odd).is_empty());
        let fixed = lenient(&odd);
        assert!(matches!(fixed, Cow::Owned(_)), "repaired: {}", refusal(&fixed));
        assert_eq!(streams(&fixed), expected);
    }

    #[test]
    fn loops_through_the_root_or_past_the_directory_end_do_not_hang() {
        let original = xls(&EXTRA);
        // the top node's left is the root itself: reached from two places, refused
        let mut odd = original.clone();
        let top = root_child(&odd);
        link(&mut odd, top, Some(0), None, None);
        assert!(!refusal(&odd).is_empty());
        assert!(matches!(lenient(&odd), Cow::Borrowed(_)));
        // a node that is its own left, and a leaf's left past the directory's end: both
        // dropped, every stream kept
        let mut odd = original.clone();
        link(&mut odd, top, Some(top as u32), None, None);
        let entries = directory_entries(&odd).unwrap();
        let leaf = (1..6).find(|&s| s != top && u32at(&odd, entries[s] + 68) == Some(NO_STREAM)).unwrap();
        link(&mut odd, leaf, Some(1_000_000), None, None);
        assert!(!refusal(&odd).is_empty());
        let fixed = lenient(&odd);
        assert!(opens(&fixed), "the loop is dropped: {}", refusal(&fixed));
        assert_eq!(streams(&fixed), streams(&original));
    }

    /// [`xls`] with a storage `Sub` in the root holding streams `a`, `bb` and `ccc`.
    fn with_storage() -> (Vec<u8>, usize) {
        let mut ole = cfb::CompoundFile::open(Cursor::new(xls(&EXTRA))).unwrap();
        ole.create_storage("/Sub").unwrap();
        for name in ["bb", "a", "ccc"] {
            std::io::Write::write_all(&mut ole.create_stream(format!("/Sub/{name}")).unwrap(), name.as_bytes())
                .unwrap();
        }
        ole.flush().unwrap();
        let bytes = ole.into_inner().into_inner();
        let entries = directory_entries(&bytes).unwrap();
        let sub = (1..entries.len()).find(|&s| entry_name(&bytes, entries[s]).as_deref() == Some("Sub")).unwrap();
        (bytes, sub)
    }

    #[test]
    fn a_storage_inside_is_chained_too() {
        let (original, sub) = with_storage();
        let expected = streams(&original);
        assert!(expected.iter().any(|(p, _)| p == "/Sub/ccc"));
        let mut odd = original.clone();
        // Sub's top node (`bb`, with `a` left and `ccc` right) swapped
        let top = u32at(&odd, directory_entries(&odd).unwrap()[sub] + 76).unwrap() as usize;
        let at = directory_entries(&odd).unwrap()[top];
        let (left, right) = (u32at(&odd, at + 68).unwrap(), u32at(&odd, at + 72).unwrap());
        assert!(left != NO_STREAM && right != NO_STREAM);
        link(&mut odd, top, Some(right), Some(left), None);
        assert!(refusal(&odd).contains("name ordering"), "{}", refusal(&odd));
        let fixed = lenient(&odd);
        assert!(matches!(fixed, Cow::Owned(_)), "repaired: {}", refusal(&fixed));
        assert_eq!(streams(&fixed), expected);
    }

    #[test]
    fn a_storage_whose_child_loops_back_is_left_alone() {
        let (original, sub) = with_storage();
        // Sub's child is the root, then one of the root's own siblings: cfb refuses the loop,
        // the repair finds an entry in two trees and gives up
        for child in [0, 1] {
            let mut odd = original.clone();
            link(&mut odd, sub, None, None, Some(child));
            assert!(!refusal(&odd).is_empty());
            assert!(matches!(lenient(&odd), Cow::Borrowed(_)), "child {child}");
        }
    }

    #[test]
    fn two_siblings_of_the_same_name_are_left_alone() {
        // `BOOK` and `Book` compare equal: no order can separate them (cfb writes no such
        // file, so a stream is renamed in the directory)
        let mut odd = xls(&["Bxxx"]);
        let entries = directory_entries(&odd).unwrap();
        let renamed = (1..entries.len()).find(|&s| entry_name(&odd, entries[s]).as_deref() == Some("Bxxx")).unwrap();
        for (i, u) in "BOOK".encode_utf16().enumerate() {
            odd[entries[renamed] + 2 * i..][..2].copy_from_slice(&u.to_le_bytes());
        }
        assert!(refusal(&odd).contains("name ordering"), "{}", refusal(&odd));
        assert!(matches!(lenient(&odd), Cow::Borrowed(_)));
    }

    #[test]
    fn names_are_ordered_as_cfb_orders_them() {
        let key = name_key;
        assert!(key("Book") < key("\u{1}CompObj"), "shorter first");
        assert_eq!(key("book"), key("BOOK"), "case folded");
        assert!(key("Ctls") > key("Book"));
        assert!(key("ab") < key("中文文"), "in UTF-16 units, not bytes");
        assert_eq!(key("中文").0, 2);
    }
}
