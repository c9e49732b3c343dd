//! Looking at a file's container before handing it to the spreadsheet reader, so that a
//! bad file gets a reason a person understands instead of a parser's error:
//! encrypted (an OOXML file inside an OLE container with an `EncryptionInfo` stream, or
//! an `.xls` with a FILEPASS record), a Word document renamed `.xlsx`, an archive that
//! would unpack to more than the configured limit, a truncated archive.
//!
//! [`identify`] says what any file handed in is, by its bytes: a workbook, a Word report
//! (`.docx`), or one of the formats the tool does not read by design ([`NotRead`]), so
//! that every file gets a row and the office learns what to ask the department for.

mod biff;
pub mod ole;
mod ptg;
pub mod refs;

use std::io::Read;

use crate::error::ReadError;
use crate::opened::{Ole, Opened, Zip, open_ole, open_zip};

/// The spreadsheet format inside the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Xlsx,
    /// Excel's binary workbook (`xl/workbook.bin` in the zip).
    Xlsb,
    Ods,
    /// BIFF in an OLE file: `.xls`, and WPS's `.et`, which is the same format.
    Xls,
}

/// What a file is, told by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Workbook(Container),
    /// A Word report: `word/document.xml` in a zip.
    Docx,
    /// A format the tool does not read by design.
    NotRead(NotRead),
}

/// Formats that are listed but not read, each with what to ask the department for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotRead {
    /// Word 97-2003 (OLE with a `WordDocument` stream); WPS 文字's `.wps` is the same format.
    Doc,
    /// An OpenDocument text (`.odt`).
    Odt,
    Pdf,
    Rtf,
    /// PowerPoint, old or new.
    Slides,
    Image,
    Archive,
    /// Text: CSV, HTML, plain text (a "workbook" saved as a web page, too).
    Text,
    /// An OLE file holding neither a workbook nor a Word document.
    OtherOle,
    Unknown,
}

impl NotRead {
    /// The reason for the file list, in plain Chinese, naming what the file really is when
    /// its extension says otherwise and what to ask the department for.
    pub fn chinese(self, ext: &str) -> String {
        let ext = ext.to_ascii_lowercase();
        let wps = ext == "wps";
        let what = match self {
            NotRead::Doc if wps => "WPS 文字格式（.wps）".to_string(),
            NotRead::Doc => "Word 97-2003 格式（.doc）".to_string(),
            NotRead::Odt => "OpenDocument 文本格式（.odt）".to_string(),
            NotRead::Pdf => "PDF 文件".to_string(),
            NotRead::Rtf => "RTF 文档".to_string(),
            NotRead::Slides => "演示文稿（PowerPoint）".to_string(),
            NotRead::Image => "图片文件".to_string(),
            NotRead::Archive => "压缩包".to_string(),
            NotRead::Text => "文本文件（CSV、网页或纯文本）".to_string(),
            NotRead::OtherOle => "无法识别的 Office 文件".to_string(),
            NotRead::Unknown => "无法识别的文件格式".to_string(),
        };
        let named = match (self, ext.as_str()) {
            (NotRead::Doc, "doc" | "wps") | (NotRead::Pdf, "pdf") | (NotRead::Rtf, "rtf") | (NotRead::Odt, "odt") => {
                String::new()
            }
            (_, "") => String::new(),
            (NotRead::Image, "jpg" | "jpeg" | "png" | "gif" | "bmp" | "tif" | "tiff") => String::new(),
            (NotRead::Archive, "zip" | "rar" | "7z" | "gz" | "tar") => String::new(),
            (NotRead::Slides, "ppt" | "pptx" | "dps") => String::new(),
            (NotRead::Text, "csv" | "txt" | "htm" | "html" | "json" | "xml" | "md") => String::new(),
            (_, e) => format!("，扩展名却是 .{e}"),
        };
        let ask = match self {
            NotRead::Doc | NotRead::Odt | NotRead::Rtf => "请另存为 .docx 或 .xlsx 后重新提交",
            NotRead::Pdf => "无法读取表格，请提交 Excel 或 Word 原件",
            NotRead::Image => "无法读取表格，请提交 Excel 或 Word 原件",
            NotRead::Archive => "请解压后提交其中的 Excel 或 Word 文件",
            NotRead::Text => "请提交 Excel 工作簿（.xlsx）或 Word 文档（.docx）",
            NotRead::Slides | NotRead::OtherOle | NotRead::Unknown => {
                "不是自评表文件，如需评价请提交 Excel 或 Word 原件"
            }
        };
        if matches!(self, NotRead::Pdf | NotRead::Image) && named.is_empty() {
            format!("{what}{ask}")
        } else {
            format!("{what}{named}，{ask}")
        }
    }
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Checks the container and says which spreadsheet reader to use.
pub fn inspect(bytes: &[u8], max_unpacked_bytes: u64) -> Result<Container, ReadError> {
    match identify(bytes, max_unpacked_bytes)? {
        Kind::Workbook(c) => Ok(c),
        other => Err(not_a_workbook(other, bytes)),
    }
}

/// Why a file of this kind is not read as a workbook, for a file that was named one.
pub fn not_a_workbook(kind: Kind, bytes: &[u8]) -> ReadError {
    match kind {
        Kind::Workbook(_) => ReadError::NotSpreadsheet("a workbook".into()),
        Kind::Docx => ReadError::NotSpreadsheet("a Word document (.docx) with a spreadsheet's name".into()),
        Kind::NotRead(NotRead::Doc) => ReadError::NotSpreadsheet("a Word 97-2003 document (.doc)".into()),
        Kind::NotRead(NotRead::OtherOle) => ReadError::NotSpreadsheet("an OLE file without a workbook".into()),
        Kind::NotRead(NotRead::Slides) if bytes.starts_with(b"PK") => {
            ReadError::NotSpreadsheet("a PowerPoint presentation (.pptx)".into())
        }
        Kind::NotRead(NotRead::Archive) if bytes.starts_with(b"PK") => {
            ReadError::NotSpreadsheet("a zip archive without a workbook inside".into())
        }
        Kind::NotRead(_) => ReadError::NotSpreadsheet(describe_magic(bytes)),
    }
}

/// Says what a file is by its bytes, after the container checks (encryption, declared
/// unpacked size, damage) that apply to every Office format.
pub fn identify(bytes: &[u8], max_unpacked_bytes: u64) -> Result<Kind, ReadError> {
    opened(bytes, max_unpacked_bytes, |_, kind, _| Ok(kind))
}

/// Identifies `bytes` and hands them to `then` with their container open. An OLE file whose
/// directory only the strict `cfb` crate refuses is handed over as a repaired copy
/// ([`ole::repair`]), which every later stage reads.
pub(crate) fn opened<T>(
    bytes: &[u8],
    max_unpacked_bytes: u64,
    then: impl FnOnce(&[u8], Kind, Opened<'_>) -> Result<T, ReadError>,
) -> Result<T, ReadError> {
    match open(bytes, max_unpacked_bytes) {
        Ok((kind, o)) => then(bytes, kind, o),
        Err(ReadError::Corrupt(why)) if bytes.starts_with(&OLE_MAGIC) => match ole::repair(bytes) {
            Some(fixed) => {
                let (kind, o) = open(&fixed, max_unpacked_bytes)?;
                then(&fixed, kind, o)
            }
            None => Err(ReadError::Corrupt(why)),
        },
        Err(e) => Err(e),
    }
}

/// Opens the container once and tells what it holds.
fn open(bytes: &[u8], max_unpacked_bytes: u64) -> Result<(Kind, Opened<'_>), ReadError> {
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let mut zip =
            open_zip(bytes).map_err(|e| ReadError::Corrupt(format!("truncated or damaged zip archive ({e})")))?;
        let kind = inspect_zip(&mut zip, max_unpacked_bytes)?;
        return Ok((kind, Opened::Zip(zip)));
    }
    if bytes.starts_with(&OLE_MAGIC) {
        let mut cfb = open_ole(bytes).map_err(|e| ReadError::Corrupt(format!("damaged OLE compound file ({e})")))?;
        let kind = inspect_ole(&mut cfb)?;
        return Ok((kind, Opened::Ole(cfb, None)));
    }
    Ok((Kind::NotRead(not_read_by_magic(bytes)), Opened::Plain))
}

/// The kind of a file that is neither zip nor OLE.
fn not_read_by_magic(bytes: &[u8]) -> NotRead {
    if bytes.starts_with(b"%PDF") {
        NotRead::Pdf
    } else if bytes.starts_with(b"{\\rtf") {
        NotRead::Rtf
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(b"GIF8")
        || bytes.starts_with(b"BM")
        || bytes.starts_with(b"II*\0")
        || bytes.starts_with(b"MM\0*")
    {
        NotRead::Image
    } else if bytes.starts_with(b"Rar!") || bytes.starts_with(b"7z\xBC\xAF\x27\x1C") || bytes.starts_with(&[0x1F, 0x8B])
    {
        NotRead::Archive
    } else if bytes.starts_with(b"<") || !bytes.iter().take(512).any(|b| *b == 0 || (*b < 0x09)) {
        NotRead::Text
    } else {
        NotRead::Unknown
    }
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
    } else if bytes.starts_with(b"7z\xBC\xAF") {
        "a 7-Zip archive"
    } else if bytes.starts_with(&[0xFF, 0xD8]) || bytes.starts_with(b"\x89PNG") {
        "an image"
    } else {
        "an unknown format"
    };
    let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
    format!("{kind}; it starts with {}", head.join(" "))
}

/// A zip entry's name as the readers look it up: `/` separators (some Chinese office
/// software writes `xl\\worksheets\\sheet1.xml`), no leading `/`.
fn entry_name(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let raw = raw.strip_prefix(b"/").unwrap_or(raw);
    if raw.contains(&b'\\') {
        std::borrow::Cow::Owned(raw.iter().map(|&b| if b == b'\\' { b'/' } else { b }).collect())
    } else {
        std::borrow::Cow::Borrowed(raw)
    }
}

fn inspect_zip(archive: &mut Zip<'_>, max_unpacked_bytes: u64) -> Result<Kind, ReadError> {
    let mut declared: u64 = 0;
    let (mut xlsx, mut xlsb, mut ods, mut word, mut slides, mut rels) = (false, false, false, false, false, false);
    for raw in archive.file_names_raw() {
        let name = entry_name(raw);
        let name = name.as_ref();
        xlsx |= name.eq_ignore_ascii_case(b"xl/workbook.xml");
        xlsb |= name.eq_ignore_ascii_case(b"xl/workbook.bin");
        ods |= name == b"content.xml";
        word |= name.eq_ignore_ascii_case(b"word/document.xml");
        slides |= name.eq_ignore_ascii_case(b"ppt/presentation.xml");
        rels |= name.eq_ignore_ascii_case(b"_rels/.rels");
    }
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
    if !(xlsx || xlsb || word || ods || slides) && rels {
        // the main part elsewhere than Excel puts it: `_rels/.rels` names it, as readers follow
        match office_document(archive).as_deref() {
            Some(t) if t.ends_with(".bin") => xlsb = true,
            Some(t) if t.ends_with("document.xml") => word = true,
            Some(t) if t.ends_with("presentation.xml") => slides = true,
            Some(t) if t.ends_with(".xml") => xlsx = true,
            _ => {}
        }
    }
    Ok(if xlsx {
        Kind::Workbook(Container::Xlsx)
    } else if xlsb {
        Kind::Workbook(Container::Xlsb)
    } else if word {
        Kind::Docx
    } else if ods {
        // an OpenDocument spreadsheet or text: its `mimetype` entry says which
        let mut mime = Vec::new();
        if let Ok(entry) = archive.by_name("mimetype") {
            let _ = entry.take(100).read_to_end(&mut mime);
        }
        if mime.ends_with(b"opendocument.text") {
            Kind::NotRead(NotRead::Odt)
        } else if ods_encrypted(archive) {
            return Err(ReadError::Encrypted);
        } else {
            Kind::Workbook(Container::Ods)
        }
    } else if slides {
        Kind::NotRead(NotRead::Slides)
    } else {
        Kind::NotRead(NotRead::Archive)
    })
}

/// The first `limit` unpacked bytes of the entry whose name (see [`entry_name`]) is `name`,
/// any case.
pub(crate) fn zip_head(zip: &mut Zip<'_>, name: &str, limit: u64) -> Option<Vec<u8>> {
    let i = zip.file_names_raw().position(|n| entry_name(n).eq_ignore_ascii_case(name.as_bytes()))?;
    let mut out = Vec::new();
    zip.by_index(i).ok()?.take(limit).read_to_end(&mut out).ok()?;
    Some(out)
}

/// The target of the `officeDocument` relationship in `_rels/.rels`, lower case, without
/// a leading `/`.
pub(crate) fn office_document(zip: &mut Zip<'_>) -> Option<String> {
    let xml = zip_head(zip, "_rels/.rels", 256 * 1024)?;
    let text = String::from_utf8_lossy(&xml);
    text.split("<").filter(|e| e.contains("/officeDocument\"")).find_map(|e| {
        let at = e.find("Target=")? + "Target=".len();
        let quote = e[at..].chars().next()?;
        let rest = &e[at + 1..];
        let end = rest.find(quote)?;
        Some(rest[..end].trim_start_matches('/').replace('\\', "/").to_ascii_lowercase())
    })
}

/// An OpenDocument file with a password: its manifest gives the parts' encryption data.
fn ods_encrypted(zip: &mut Zip<'_>) -> bool {
    zip_head(zip, "META-INF/manifest.xml", 4 << 20)
        .is_some_and(|m| memchr::memmem::find(&m, b"encryption-data").is_some())
}

/// The shortest `<sheet name="a" sheetId="1" r:id="rId1"/>` a workbook part can list.
const MIN_SHEET_BYTES: u64 = 40;

/// Checks the counts and sizes a workbook declares against the limits before the reader
/// allocates for them: calamine reserves what the file claims (a shared-strings table's
/// `uniqueCount`, an `.xls` sheet's DIMENSIONS) and builds every `.xls` sheet as a dense
/// range when it opens the file, so a file of kilobytes could make it ask for gigabytes and
/// abort the process. Only what truly exceeds a limit, or what no valid file declares, is
/// refused, and the reason says which.
pub(crate) fn precheck(
    opened: &mut Opened<'_>,
    container: Container,
    limits: &crate::limits::ReadLimits,
) -> Result<(), ReadError> {
    match (container, opened) {
        (Container::Xlsx, Opened::Zip(zip)) => precheck_xlsx(zip, limits.max_sheets),
        (Container::Xls, ole @ Opened::Ole(..)) => match ole.workbook_stream() {
            Some(stream) => biff::precheck_xls(stream, limits.max_cells, limits.max_sheets),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The shortest shared string an `.xlsx` can hold, `<si><t/></si>`: a table that declares
/// more strings than its part has room for at this size is not a valid file.
const MIN_SHARED_STRING_BYTES: u64 = 13;
/// And never more than this many (calamine reserves 24 bytes for each).
const MAX_SHARED_STRINGS: u64 = 16_000_000;

fn precheck_xlsx(zip: &mut Zip<'_>, max_sheets: u64) -> Result<(), ReadError> {
    // the workbook part's sheet list: counted, not parsed, and only when the part is large
    // enough to list more sheets than the limit (each `<sheet …/>` takes 40 bytes or more),
    // so that an ordinary workbook is not inflated twice
    let workbook_index = zip.file_names_raw().position(|n| entry_name(n).eq_ignore_ascii_case(b"xl/workbook.xml"));
    let workbook_size = workbook_index.and_then(|i| zip.by_index_raw(i).ok().map(|e| e.size()));
    let may_list_too_many = workbook_size.is_none_or(|size| size / MIN_SHEET_BYTES > max_sheets);
    if may_list_too_many && let Some(wb) = zip_head(zip, "xl/workbook.xml", 64 << 20) {
        let sheets =
            memchr::memmem::find_iter(&wb, b"<sheet ").count() + memchr::memmem::find_iter(&wb, b":sheet ").count();
        if sheets as u64 > max_sheets {
            return Err(ReadError::TooManySheets { sheets: sheets as u64, limit: max_sheets });
        }
    }
    let Some(i) = zip.file_names_raw().position(|n| {
        let n = entry_name(n);
        n.len() >= 17 && n[n.len() - 17..].eq_ignore_ascii_case(b"sharedStrings.xml")
    }) else {
        return Ok(());
    };
    let Ok(entry) = zip.by_index(i) else { return Ok(()) };
    let size = entry.size();
    let mut head = Vec::new();
    if entry.take(4096).read_to_end(&mut head).is_err() {
        return Ok(());
    }
    let Some(declared) = xml_attr_number(&head, b"uniqueCount=") else { return Ok(()) };
    let room = size / MIN_SHARED_STRING_BYTES + 1;
    if declared > room.min(MAX_SHARED_STRINGS) {
        return Err(ReadError::DeclaredTooMany {
            what: "shared strings (uniqueCount)".into(),
            declared,
            limit: room.min(MAX_SHARED_STRINGS),
        });
    }
    Ok(())
}

/// The number in the first `name="123"` of `xml`; a value too long for a u64 reads as
/// `u64::MAX`.
fn xml_attr_number(xml: &[u8], name: &[u8]) -> Option<u64> {
    let at = memchr::memmem::find(xml, name)? + name.len();
    let rest = xml.get(at + 1..)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    Some(std::str::from_utf8(&rest[..digits]).ok()?.parse().unwrap_or(u64::MAX))
}

fn inspect_ole(cfb: &mut Ole<'_>) -> Result<Kind, ReadError> {
    if cfb.exists("/EncryptionInfo") || cfb.exists("/EncryptedPackage") {
        return Err(ReadError::Encrypted);
    }
    let stream = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|s| cfb.exists(s));
    let Some(stream) = stream else {
        // WPS 文字 (.wps) writes the same WordDocument stream as Word 97-2003
        return Ok(Kind::NotRead(if cfb.exists("/WordDocument") {
            NotRead::Doc
        } else if cfb.exists("/PowerPoint Document") {
            NotRead::Slides
        } else {
            NotRead::OtherOle
        }));
    };
    let mut head = Vec::new();
    cfb.open_stream(stream)
        .and_then(|s| s.take(256 * 1024).read_to_end(&mut head))
        .map_err(|e| ReadError::Corrupt(format!("damaged workbook stream ({e})")))?;
    if biff_has_filepass(&head) {
        return Err(ReadError::Encrypted);
    }
    Ok(Kind::Workbook(Container::Xls))
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
