//! What the reader may spend on one file, filled by its caller (the app reads the
//! `[limits]` of the config): the reader itself reads no configuration.

/// What the reader may spend on one workbook: the `[limits]` of the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Cells per sheet, and for all of a workbook's sheets together.
    pub max_cells: u64,
    /// Bytes a zip may unpack to.
    pub max_unpacked_bytes: u64,
    /// Sheets per workbook.
    pub max_sheets: u64,
    /// Bytes of text all of a workbook's cells may hold together.
    pub max_text_bytes: u64,
}

impl ReadLimits {
    /// These cell and unpacking limits, and the default sheet and text limits.
    pub fn new(max_cells: u64, max_unpacked_bytes: u64) -> ReadLimits {
        ReadLimits { max_cells, max_unpacked_bytes, max_sheets: MAX_SHEETS, max_text_bytes: MAX_TEXT_BYTES }
    }
}

/// The text all of a workbook's cells may hold together, unless the config says otherwise
/// (`limits.max_text_mb`). A form workbook holds a few MB.
pub const MAX_TEXT_BYTES: u64 = 128 * 1024 * 1024;

/// No workbook the office receives has more sheets than this; one with 100,000 costs the
/// reader time quadratic in the count. The default of `limits.max_sheets`.
pub const MAX_SHEETS: u64 = 1_000;
