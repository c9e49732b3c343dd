//! Looking at a file's container before handing it to the spreadsheet reader, so that a
//! bad file gets a reason a person understands instead of a parser's error:
//! encrypted (an OOXML file inside an OLE container with an `EncryptionInfo` stream, or
//! an `.xls` with a FILEPASS record), a Word document renamed `.xlsx`, an archive that
//! would unpack to more than the configured limit, a truncated archive.

use std::io::{Cursor, Read};

use crate::read::ReadError;

/// The spreadsheet format inside the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Xlsx,
    Ods,
    Xls,
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Checks the container and says which reader to use.
pub fn inspect(bytes: &[u8], max_unpacked_bytes: u64) -> Result<Container, ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return inspect_zip(bytes, max_unpacked_bytes);
    }
    if bytes.starts_with(&OLE_MAGIC) {
        return inspect_ole(bytes);
    }
    Err(ReadError::NotSpreadsheet(describe_magic(bytes)))
}

/// What a file that is not a spreadsheet looks like, for the error message.
fn describe_magic(bytes: &[u8]) -> String {
    let kind = if bytes.starts_with(b"%PDF") {
        "a PDF document"
    } else if bytes.starts_with(b"{\\rtf") {
        "an RTF document"
    } else if bytes.starts_with(b"<") || !bytes.iter().take(512).any(|b| *b == 0 || (*b < 0x09)) {
        // no control bytes: text in any encoding (UTF-8, GBK…)
        "text (HTML, CSV or plain text)"
    } else if bytes.starts_with(&[0x1F, 0x8B]) {
        "a gzip archive"
    } else if bytes.starts_with(b"Rar!") {
        "a RAR archive"
    } else if bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(b"\x89PNG") {
        "an image"
    } else {
        "an unknown format"
    };
    let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
    format!("{kind}; it starts with {}", head.join(" "))
}

fn inspect_zip(bytes: &[u8], max_unpacked_bytes: u64) -> Result<Container, ReadError> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ReadError::Corrupt(format!("truncated or damaged zip archive ({e})")))?;
    let mut declared: u64 = 0;
    let (mut xlsx, mut ods, mut word, mut slides) = (false, false, false, false);
    for name in archive.file_names_raw() {
        xlsx |= name == b"xl/workbook.xml";
        ods |= name == b"content.xml";
        word |= name == b"word/document.xml";
        slides |= name == b"ppt/presentation.xml";
    }
    let mut archive = archive;
    for i in 0..archive.len() {
        // the sizes the archive declares: checked before anything is unpacked
        if let Ok(entry) = archive.by_index_raw(i) {
            declared = declared.saturating_add(entry.size());
        }
    }
    if declared > max_unpacked_bytes {
        return Err(ReadError::TooLarge {
            declared_mb: declared / 1_048_576,
            limit_mb: max_unpacked_bytes / 1_048_576,
        });
    }
    if xlsx {
        Ok(Container::Xlsx)
    } else if ods {
        Ok(Container::Ods)
    } else if word {
        Err(ReadError::NotSpreadsheet("a Word document (.docx) with a spreadsheet's name".into()))
    } else if slides {
        Err(ReadError::NotSpreadsheet("a PowerPoint presentation (.pptx)".into()))
    } else {
        Err(ReadError::NotSpreadsheet("a zip archive without a workbook inside".into()))
    }
}

fn inspect_ole(bytes: &[u8]) -> Result<Container, ReadError> {
    let mut cfb = cfb::CompoundFile::open(Cursor::new(bytes))
        .map_err(|e| ReadError::Corrupt(format!("damaged OLE compound file ({e})")))?;
    if cfb.exists("/EncryptionInfo") || cfb.exists("/EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    let stream = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|s| cfb.exists(s));
    let Some(stream) = stream else {
        let what = if cfb.exists("/WordDocument") {
            "a Word 97-2003 document (.doc)"
        } else {
            "an OLE file without a workbook"
        };
        return Err(ReadError::NotSpreadsheet(what.into()));
    };
    let mut head = Vec::new();
    cfb.open_stream(stream)
        .and_then(|s| s.take(256 * 1024).read_to_end(&mut head))
        .map_err(|e| ReadError::Corrupt(format!("damaged workbook stream ({e})")))?;
    if biff_has_filepass(&head) {
        return Err(ReadError::Encrypted);
    }
    Ok(Container::Xls)
}

/// Walks the BIFF records of the workbook globals: a FILEPASS record (0x002F) before the
/// globals' EOF (0x000A) means the workbook is password-protected.
fn biff_has_filepass(stream: &[u8]) -> bool {
    let mut pos = 0;
    while pos + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[pos], stream[pos + 1]]);
        let len = u16::from_le_bytes([stream[pos + 2], stream[pos + 3]]) as usize;
        match kind {
            0x002F => return true,
            0x000A => return false,
            _ => pos += 4 + len,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_what_is_not_a_spreadsheet() {
        assert!(matches!(inspect(b"", 1 << 30), Err(ReadError::Empty)));
        let e = inspect(b"%PDF-1.7 ...", 1 << 30).unwrap_err();
        assert!(e.to_string().contains("PDF"), "{e}");
        let e = inspect(b"hello, world\n", 1 << 30).unwrap_err();
        assert!(e.to_string().contains("text"), "{e}");
        let e = inspect(b"PK\x03\x04\x14\x00truncated", 1 << 30).unwrap_err();
        assert!(matches!(e, ReadError::Corrupt(_)), "{e}");
    }

    #[test]
    fn filepass_before_eof_means_encrypted() {
        let rec = |kind: u16, data: &[u8]| {
            let mut v = kind.to_le_bytes().to_vec();
            v.extend((data.len() as u16).to_le_bytes());
            v.extend(data);
            v
        };
        let mut plain = rec(0x0809, &[0; 16]);
        plain.extend(rec(0x0042, &[0xA8, 0x03]));
        plain.extend(rec(0x000A, &[]));
        plain.extend(rec(0x002F, &[1, 0]));
        assert!(!biff_has_filepass(&plain), "FILEPASS after the globals' EOF does not count");
        let mut locked = rec(0x0809, &[0; 16]);
        locked.extend(rec(0x002F, &[1, 0, 1, 0]));
        assert!(biff_has_filepass(&locked));
    }
}
