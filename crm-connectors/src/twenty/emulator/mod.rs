//! An in-process emulator of the Twenty servers recorded in `reference/twenty-v2-live/` (v2.21,
//! the default [`Profile::V2`]) and `reference/twenty-live/` (v1.4-era, [`Profile::V1`]).
//!
//! [`TwentyEmulator`] binds `127.0.0.1:0` in the current tokio runtime and serves the subset of
//! Twenty's API a migration uses: the REST data API (`/rest/{plural}`, `/rest/batch/{plural}`),
//! GraphQL (`/graphql`), and the metadata API (`/rest/metadata/...`, `/metadata`). State lives
//! in memory; ids and timestamps come from a seeded generator and a logical clock, so a run is
//! reproducible. Scripted [`Fault`]s and an optional rate limit let tests exercise retries.
//!
//! Where the recorded server and the documentation disagree, the emulator follows the recording
//! (see `tests.rs` for the replay of every recorded exchange, and the list of deliberate gaps).

mod errors;
mod faults;
mod filter;
mod gql_parse;
mod graphql;
mod metadata;
mod model;
mod render;
mod rest;
mod server;
mod store;
mod values;

#[cfg(test)]
mod replay;
#[cfg(test)]
mod replay_v2;
#[cfg(test)]
mod tests;

pub use faults::{Fault, RequestLog};
pub use server::{CapturedRequest, EmulatorConfig, Profile, TwentyEmulator};
