//! Reference implementations that are always compiled: [`MemorySource`] and [`MemorySink`].
//!
//! Docs, engine tests and the conformance suite's self-test run against them first. The
//! sink can be told to fail in scripted ways ([`Fault`]) so the engine's recovery can be
//! proven without a network.

mod sink;
mod source;

pub use sink::{Fault, MemorySink};
pub use source::MemorySource;
