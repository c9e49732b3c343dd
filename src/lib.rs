//! jixiao: reads folders of budget-performance self-evaluation workbooks (绩效自评表),
//! extracts the forms, checks them against a rule catalog, and writes a Parquet dataset
//! plus one summary workbook.
//!
//! The pipeline, one module per stage:
//! [`discover`] → [`read`] → [`locate`] → [`extract`] → [`rules`] → [`dataset`] / [`summary`],
//! driven by [`pipeline`], which walks the files in parallel. Everything below the
//! pipeline is plain functions over plain data ([`model`]).

#[cfg(feature = "output")]
pub mod batch;
#[cfg(feature = "output")]
pub mod cli;
pub mod config;
#[cfg(feature = "output")]
pub mod dataset;
pub mod discover;
pub mod explain;
pub mod extract;
#[cfg(feature = "output")]
pub mod feedback;
#[cfg(feature = "output")]
pub mod fixtures;
pub mod grid;
#[cfg(feature = "output")]
pub mod i18n;
pub mod inspect;
pub mod labels;
pub mod locate;
pub mod merges;
pub mod model;
pub mod normalize;
#[cfg(feature = "output")]
pub mod pipeline;
pub mod read;
pub mod roster;
pub mod rules;
#[cfg(feature = "output")]
pub mod run_report;
#[cfg(feature = "output")]
pub mod summary;
pub mod systems;
pub mod values;
pub mod versions;
