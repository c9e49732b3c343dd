//! A file's container, opened once.
//!
//! Identification parses a zip archive's central directory or walks an OLE file's
//! directory; the pre-checks, the merged regions, the `.ods` extras, the `.xls` percent
//! formats and the Word reader then read their parts from that same opening instead of
//! parsing the container again each. calamine opens the container once more for the cells
//! (its readers own their archive). Every opening is counted per thread ([`openings`]), so
//! that a test can hold the reader to it.

use std::cell::Cell;
use std::io::{Cursor, Read};

/// A zip archive over a file's bytes.
pub type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;
/// An OLE compound file over a file's bytes.
pub type Ole<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

/// A file's container as identification left it, for the reads after it.
pub enum Opened<'a> {
    Zip(Zip<'a>),
    /// An OLE compound file, and its workbook stream once something has read it whole.
    Ole(Ole<'a>, Option<Vec<u8>>),
    /// Neither: a file told by its magic bytes alone.
    Plain,
}

impl<'a> Opened<'a> {
    /// The zip archive, when the file is one.
    pub fn zip(&mut self) -> Option<&mut Zip<'a>> {
        match self {
            Opened::Zip(z) => Some(z),
            _ => None,
        }
    }

    /// The whole `Workbook` (or BIFF5 `Book`) stream of an OLE file, read once and kept;
    /// `None` when there is none or it cannot be read.
    pub fn workbook_stream(&mut self) -> Option<&[u8]> {
        let Opened::Ole(cfb, stream) = self else { return None };
        if stream.is_none() {
            let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|s| cfb.exists(s))?;
            let mut data = Vec::new();
            cfb.open_stream(name).and_then(|mut s| s.read_to_end(&mut data)).ok()?;
            *stream = Some(data);
        }
        stream.as_deref()
    }
}

thread_local! {
    static OPENINGS: Cell<usize> = const { Cell::new(0) };
}

/// How many times a container has been opened on this thread so far, by this crate or by
/// calamine. Reading a workbook adds two (identification with the side reads, and
/// calamine's), a Word report one; the formula check of a sheet with blank number cells
/// (`read::formula_cells`) one more.
pub fn openings() -> usize {
    OPENINGS.with(Cell::get)
}

fn counted() {
    OPENINGS.with(|n| n.set(n.get() + 1));
}

/// Parses a zip archive's central directory.
#[allow(clippy::disallowed_methods)] // the one place that opens a zip
pub fn open_zip(bytes: &[u8]) -> zip::result::ZipResult<Zip<'_>> {
    counted();
    zip::ZipArchive::new(Cursor::new(bytes))
}

/// Walks an OLE compound file's header and directory.
#[allow(clippy::disallowed_methods)] // the one place that opens an OLE file
pub(crate) fn open_ole(bytes: &[u8]) -> std::io::Result<Ole<'_>> {
    counted();
    cfb::CompoundFile::open(Cursor::new(bytes))
}

/// Opens the bytes with one of calamine's readers.
#[allow(clippy::disallowed_methods)] // the one place calamine opens a file
pub(crate) fn calamine_open<'a, R>(bytes: &'a [u8]) -> Result<R, R::Error>
where
    R: calamine::Reader<Cursor<&'a [u8]>>,
{
    counted();
    R::new(Cursor::new(bytes))
}
