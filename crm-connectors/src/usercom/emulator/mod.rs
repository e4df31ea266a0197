//! An in-process emulator of the User.com REST API (feature `emulators`).
//!
//! [`UsercomEmulator`] binds `127.0.0.1:0` in the current tokio runtime and serves, under
//! `/api/public/`, the sample account of [`super::sample`] (same records and seed as the
//! CSV sample) the way the API documents it: `Authorization: Token <key>` (401 with DRF's
//! `{"detail": ...}` otherwise), `Accept: */*; version=2` (406 otherwise), trailing slashes
//! (404 without), list envelopes `{count, next, previous, results}` with absolute `next`
//! links carrying an opaque cursor, at most 100 results a page. Scripted
//! [`UsercomFault`]s (429 with `Retry-After`, 5xx) and a [`UsercomRequestLog`] let tests
//! exercise retries and count calls.
//!
//! Paths served: `users/`, `users/{id}/events/`, `users/{id}/segments/`, `companies/`,
//! `deals/`, `activities/`, `conversations/`, `conversations/{id}/messages/`, `agents/`,
//! `tags/`, `segments/`, `segments/{id}/users/`, `attributes/`, and for the inventory the
//! UNCONFIRMED `automations/`, `email-templates/`, `campaigns/` (a few seeded items). Those the documentation
//! does not confirm (`activities/`, `agents/`, the messages path) follow the resource
//! naming pattern, as the connector's defaults do.

mod data;
mod server;

#[cfg(test)]
mod tests;

pub use server::{UsercomEmulator, UsercomEmulatorConfig, UsercomFault, UsercomRequestLog};
