//! Twenty CRM (<https://twenty.com>) as a destination.
//!
//! For now this holds only Twenty's standard data model as a static descriptor
//! ([`twenty_standard_model`]), which has no HTTP dependencies and is always compiled so the
//! sandbox can enforce Twenty's rules offline. The HTTP sink, which reads the live model
//! from the server's metadata, comes later behind its own feature.

mod descriptor;

pub use descriptor::{
    twenty_field_name, twenty_standard_model, IDEAL_CUSTOMER_PROFILE, OPPORTUNITY_STAGES,
    TASK_STATUSES, TWENTY_FIELD_NAMES, TWENTY_OBJECT_NAMES, X_LINK,
};
