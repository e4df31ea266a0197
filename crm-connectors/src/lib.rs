//! # crm-connectors
//!
//! The platforms crm-migrate reads from and writes to, one folder per platform, each behind
//! a cargo feature so a build carries only the connectors it needs.
//!
//! - [`twenty`]: Twenty CRM. Its standard data model ([`twenty::twenty_standard_model`]) is a
//!   static descriptor in canonical terms, always compiled; the HTTP sink comes later.
//! - `sandbox` (feature `sandbox`, on by default): a SQLite destination that enforces a
//!   destination's [`crm_core::DataModel`] (required, unique, options, lengths, references,
//!   unknown fields), so a dry run fails the way the real destination would.
//!
//! - `canonical` (feature `canonical`, on by default): canonical JSON Lines staging files —
//!   any extract written in the canonical model — and the bundled sample generator.
//! - `csv` (feature `csv`, on by default): a generic source over a directory of
//!   `<object>.csv` exports — encoding detection, delimiter sniffing, ragged rows, paging.
//! - [`usercom`] (feature `usercom`): User.com, from its CSV export or its REST API.
//!
//! Every connector implements the object-safe traits of [`crm_core`]
//! ([`crm_core::Sink`], [`crm_core::Source`]); nothing here is needed to write a new one.
#![deny(missing_docs)]
#![warn(unreachable_pub)]

#[cfg(feature = "canonical")]
pub mod canonical;
#[cfg(feature = "csv")]
pub mod csv;
#[cfg(feature = "http")]
pub mod http;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod twenty;
#[cfg(feature = "usercom")]
pub mod usercom;
