//! The error shapes the recorded server answers with, for REST and for GraphQL.

use serde_json::{json, Value};

/// The Postgres schema name the recorded server put into its raw enum errors.
pub(super) const WORKSPACE_SCHEMA: &str = "workspace_cbjfv1vnhy4ejjzgft471st7d";

/// One API error, rendered as REST (`statusCode/error/messages`) or GraphQL (`errors[]`).
#[derive(Debug, Clone)]
pub(super) struct ApiError {
    /// HTTP status on REST.
    pub(super) status: u16,
    /// The REST `error` field (exception class name).
    pub(super) error: String,
    /// The message, identical on both APIs.
    pub(super) message: String,
    /// GraphQL `extensions.code`.
    pub(super) code: &'static str,
    /// GraphQL `extensions.subCode`, when recorded.
    pub(super) sub_code: Option<&'static str>,
    /// GraphQL `extensions.userFriendlyMessage`.
    pub(super) friendly: String,
}

impl ApiError {
    fn new(status: u16, error: &str, message: String, code: &'static str) -> Self {
        ApiError {
            status,
            error: error.to_string(),
            message,
            code,
            sub_code: None,
            friendly: "An error occurred.".to_string(),
        }
    }

    /// A unique value that is already taken (probe 05).
    pub(super) fn duplicate(label: &str, value: &str) -> Self {
        let mut e = Self::new(
            400,
            "UserInputError",
            format!("Duplicate {label} with value {value}. Please set a unique one."),
            "BAD_USER_INPUT",
        );
        e.friendly = format!(
            "This {} with value {value} is already taken. Please choose a different value.",
            label.to_lowercase()
        );
        e
    }

    /// A top-level field the object does not have (probe 11).
    pub(super) fn unknown_field(field: &str, object: &str) -> Self {
        Self::new(
            400,
            "Error",
            format!("Field metadata for field \"{field}\" is missing in object metadata {object}"),
            "BAD_USER_INPUT",
        )
    }

    /// A SELECT value outside the field's options: the raw Postgres enum error (probe 11/14).
    pub(super) fn invalid_enum(object: &str, field: &str, value: &str) -> Self {
        let type_name = format!("{object}_{field}_enum");
        let quoted = if type_name.chars().any(|c| c.is_ascii_uppercase()) {
            format!("\"{type_name}\"")
        } else {
            type_name
        };
        Self::new(
            400,
            "BadRequestException",
            format!("invalid input value for enum {WORKSPACE_SCHEMA}.{quoted}: \"{value}\""),
            "BAD_USER_INPUT",
        )
    }

    /// A join column pointing nowhere: the raw foreign-key error, HTTP 500 (probe 11).
    pub(super) fn foreign_key(table: &str, constraint: &str) -> Self {
        Self::new(
            500,
            "InternalServerErrorException",
            format!(
                "insert or update on table \"{table}\" violates foreign key constraint \"{constraint}\""
            ),
            "INTERNAL_SERVER_ERROR",
        )
    }

    /// `GET /rest/{plural}/{id}` of a missing or soft-deleted record (probe 10).
    pub(super) fn record_not_found() -> Self {
        let mut e = Self::new(
            400,
            "BadRequestException",
            "Record not found".into(),
            "NOT_FOUND",
        );
        e.sub_code = Some("RECORD_NOT_FOUND");
        e
    }

    /// PATCH/DELETE of a missing or soft-deleted record (probe 10).
    pub(super) fn entity_not_found(object: &str, id: &str) -> Self {
        Self::new(
            400,
            "EntityNotFoundError",
            format!(
                "Could not find any entity of type \"{object}\" matching: {{\n    \"select\": {{\n        \"id\": true\n    }},\n    \"where\": {{\n        \"id\": \"{id}\"\n    }}\n}}"
            ),
            "NOT_FOUND",
        )
    }

    /// A malformed id in the path (probe 11).
    pub(super) fn invalid_uuid(id: &str) -> Self {
        Self::new(
            400,
            "BadRequestException",
            format!("'{id}' is not a valid UUID"),
            "BAD_USER_INPUT",
        )
    }

    /// An unknown object in the REST path (probe 11).
    pub(super) fn unknown_object(name: &str) -> Self {
        Self::new(
            400,
            "BadRequestException",
            format!("object '{name}' not found. eg: companies"),
            "BAD_USER_INPUT",
        )
    }

    /// A generic 400 with the given class name and message.
    pub(super) fn bad_request(error: &str, message: impl Into<String>) -> Self {
        Self::new(400, error, message.into(), "BAD_USER_INPUT")
    }

    /// A generic 500 with the given message.
    pub(super) fn internal(message: impl Into<String>) -> Self {
        Self::new(
            500,
            "InternalServerErrorException",
            message.into(),
            "INTERNAL_SERVER_ERROR",
        )
    }

    /// `bodyV2` without `markdown` (probe 08).
    pub(super) fn markdown_required() -> Self {
        Self::bad_request(
            "ZodError",
            "[\n  {\n    \"code\": \"invalid_type\",\n    \"expected\": \"string\",\n    \"received\": \"undefined\",\n    \"path\": [\n      \"markdown\"\n    ],\n    \"message\": \"Required\"\n  }\n]",
        )
    }

    /// Restoring a record whose unique value is now held by another (probe 10).
    pub(super) fn raw_unique_violation() -> Self {
        Self::internal(
            "duplicate key value violates unique constraint \"IDX_UNIQUE_87914cd3ce963115f8cb943e2ac\"",
        )
    }

    /// v2.21: a unique value already taken, by any row, soft-deleted ones included (probes
    /// 03, 10, 11: the message names neither field nor value).
    pub(super) fn duplicate_v2() -> Self {
        let mut e = Self::bad_request("BadRequestException", "A duplicate entry was detected");
        e.friendly = "A duplicate entry was detected".into();
        e
    }

    /// v2.21: a field the object does not have (probe 05, data-arg-processor.service.ts).
    pub(super) fn unknown_field_v2(field: &str, object: &str) -> Self {
        Self::bad_request(
            "BadRequestException",
            format!("Object {object} doesn't have any \"{field}\" field."),
        )
    }

    /// v2.21: a value the args validators refuse (probe 05: emails, composite sub-fields;
    /// probe 11: select values), code INVALID_ARGS_DATA.
    pub(super) fn invalid_args(message: String) -> Self {
        let mut e = Self::bad_request("BadRequestException", message);
        e.sub_code = Some("INVALID_ARGS_DATA");
        e
    }

    /// v2.21: a missing or soft-deleted record by id (probe 10: 404, also on DELETE).
    pub(super) fn not_found_v2() -> Self {
        let mut e = Self::new(
            404,
            "NotFoundException",
            "Record not found".into(),
            "NOT_FOUND",
        );
        e.sub_code = Some("RECORD_NOT_FOUND");
        e
    }

    /// The REST body.
    pub(super) fn rest_body(&self) -> Value {
        json!({"statusCode": self.status, "error": self.error, "messages": [self.message]})
    }

    /// One entry of a GraphQL `errors` array.
    pub(super) fn graphql_error(&self) -> Value {
        let mut ext = serde_json::Map::new();
        if let Some(sub) = self.sub_code {
            ext.insert("subCode".into(), json!(sub));
        }
        ext.insert("userFriendlyMessage".into(), json!(self.friendly));
        ext.insert("code".into(), json!(self.code));
        json!({"message": self.message, "extensions": ext})
    }
}
