//! The reader: bytes in, grids out.
//!
//! A file's bytes are identified by their magic (xlsx/xlsm, xls, ods, .docx; never by the
//! extension: departments rename files), pre-checked for what would make a reader library
//! hang or exhaust memory ([`inspect`]), then read into one [`grid::Grid`] per sheet (or
//! per Word table) with merged regions filled, percent formats and formulas without a
//! cached value marked ([`read`], [`merges`]). It knows nothing of forms, rules or the
//! configuration file: what it may spend is a [`ReadLimits`] its caller fills.

pub mod error;
pub mod grid;
pub mod inspect;
pub mod limits;
pub mod merges;
pub mod opened;
pub mod read;

pub use error::ReadError;
pub use limits::ReadLimits;
