//! crm-migrate
