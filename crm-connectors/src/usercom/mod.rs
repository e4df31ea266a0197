//! User.com: the source of the first real migration (User.com → Twenty).
//!
//! Two ways in, one set of objects: [`UsercomCsvSource`] reads a directory of the UI's CSV
//! exports (through the generic [`crate::csv::CsvSource`]), [`UsercomApiSource`] reads the
//! REST API at `https://<app>.user.com/api/public/`. [`sample::generate`] writes a realistic
//! export, and the emulator (feature `emulators`) serves the same records over HTTP.
//!
//! Files: `config.rs` (both configs, endpoints, defaults), `csv.rs` (the export source),
//! `client.rs` (Token auth, version header, retries), `decode.rs` (list envelope, cells
//! holding sub-records), `source.rs` (the API source), `dataset.rs` + `rows.rs` + `rows_crm.rs` (the
//! deterministic sample account), `sample.rs` (the CSV writer), `emulator/`, `tests.rs`.
//!
#![doc = include_str!("docs.md")]

pub mod attributes;
pub mod audit;
mod client;
pub mod columns;
mod config;
mod csv;
mod dataset;
mod decode;
pub mod inventory;
pub mod mapping;
pub mod propose;
mod rows;
mod rows_crm;
pub mod sample;
pub mod segments;
mod source;
pub mod unseen;

#[cfg(feature = "emulators")]
pub mod emulator;
#[cfg(test)]
mod tests;

pub use client::{parse_error, UsercomClient};
pub use config::{
    CellFormat, Subrecords, UsercomApiConfig, UsercomCsvConfig, UsercomDefaults, UsercomEndpoint,
    API_KEY_ENV, EXPORT_OBJECTS, USERCOM_SCHEME,
};
pub use csv::UsercomCsvSource;
pub use sample::{generate, SampleSummary};
pub use source::UsercomApiSource;
