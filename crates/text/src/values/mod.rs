//! Parsers for what people type into the forms' cells: numbers, amounts, rates, dates,
//! targets. Pure functions over text; each keeps no state and never panics.

pub mod date;
pub mod number;
pub mod quantity;

pub use date::parse_date;
pub use number::{Num, parse_amount, parse_number, parse_rate};
pub use quantity::{Op, Parsed, Quantity, parse_quantity};
