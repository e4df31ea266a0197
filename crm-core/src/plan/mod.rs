//! The planner: load order from the object-dependency graph of a [`DataModel`].
//!
//! Each reference field `A.f → B` is an edge `B → A`: B must be loaded before A. The load
//! order is a topological order of that graph (ties broken by the conventional order
//! owners, companies, people, opportunities, activities, then by name, so plans are
//! stable). A cycle is broken by *deferring* an optional reference inside it: records are
//! created without that field and the link is patched once everything is loaded. A cycle
//! with no optional edge cannot be loaded and is an error naming its members.

mod graph;

pub use graph::{plan, DeferredField, Phase, Plan};
