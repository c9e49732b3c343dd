//! The report: findings in, tables out.
//!
//! In: a run's [`batch::Batch`] (every file's log line, forms and findings, the versions
//! chosen) and the report [`settings::Settings`]. Out: the Parquet dataset ([`dataset`]),
//! `summary.xlsx` ([`summary`]), one feedback workbook per department ([`feedback`]) and the
//! 通报 draft ([`summary::circular`]). 系统 ([`systems`]) and the roster ([`roster`]) are
//! here because every sheet groups and counts by them.

pub mod batch;
pub mod dataset;
pub mod feedback;
pub mod roster;
pub mod run_report;
pub mod settings;
pub mod summary;
pub mod systems;
