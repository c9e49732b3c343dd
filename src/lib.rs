//! jixiao: reads folders of budget-performance self-evaluation workbooks (绩效自评表),
//! extracts the forms, checks them against a rule catalog, and writes a Parquet dataset
//! plus one summary workbook.
//!
//! This crate is the app: the command line ([`cli`]), the configuration file
//! ([`config`], which composes each stage's settings), the walk over the input folder
//! ([`discover`]), the parallel run with its worker processes and cache ([`pipeline`]),
//! `jixiao explain` ([`explain`]) and the Chinese the user reads ([`i18n`]). The stages
//! are crates below it, none of which knows the ones above it:
//! `jixiao-text` → `jixiao-reader` → `jixiao-forms` → `jixiao-rules` → `jixiao-report`
//! (see `ARCHITECTURE.md`).

pub mod cli;
pub mod config;
pub mod discover;
pub mod explain;
pub mod i18n;
pub mod pipeline;
