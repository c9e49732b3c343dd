//! The forms: grids in, records out.
//!
//! In: the grids of one file (from `jixiao-reader`) and the label synonyms of
//! `config/labels.toml` ([`labels::Labels`]). Out: plain records ([`model::Evaluation`] for
//! forms B and C, [`model::BasicForm`] for form A), each value with the cell it came from
//! and what was odd about it. Forms are found by their labels, never by fixed addresses
//! ([`locate`]); each part of a form has its extractor ([`extract`]).

pub mod extract;
pub mod labels;
pub mod layout;
pub mod locate;
pub mod model;
