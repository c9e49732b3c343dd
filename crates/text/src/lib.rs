//! Text and numbers as clerks write them, below every stage that reads a cell.
//!
//! In: the text of a cell (or a file's bytes, for [`normalize::decode_text`]). Out: a
//! normalized label to compare ([`normalize`]), an amount, rate, date or quantity
//! ([`values`]). No cells, no forms: the reader, the forms and the rules all parse the same
//! way because they call this one crate.

pub mod names;
pub mod normalize;
pub mod values;
