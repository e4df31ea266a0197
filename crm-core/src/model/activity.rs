//! [`Activity`]: calls, emails, meetings, tasks, notes, chats and custom events.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fields as f;
use super::{Fields, Record, Ref, SourceKey, Value};

/// What kind of activity it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    /// A phone call.
    Call,
    /// An email.
    Email,
    /// A meeting.
    Meeting,
    /// A to-do.
    #[default]
    Task,
    /// A note.
    Note,
    /// A chat conversation.
    Chat,
    /// A custom event with JSON properties.
    Event,
}

impl ActivityKind {
    /// The canonical object an activity of this kind is loaded as: notes are `note`,
    /// everything else is a `task` with its kind kept in the `kind` field.
    pub fn object(self) -> &'static str {
        match self {
            ActivityKind::Note => f::NOTE,
            _ => f::TASK,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Call => "call",
            ActivityKind::Email => "email",
            ActivityKind::Meeting => "meeting",
            ActivityKind::Task => "task",
            ActivityKind::Note => "note",
            ActivityKind::Chat => "chat",
            ActivityKind::Event => "event",
        }
    }
}

impl fmt::Display for ActivityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An activity linked to any number of people, companies and opportunities.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Activity {
    /// Identity in the source.
    pub key: Option<SourceKey>,
    /// Kind.
    pub kind: ActivityKind,
    /// Created in the source.
    pub created_at: Option<DateTime<Utc>>,
    /// Last changed in the source.
    pub updated_at: Option<DateTime<Utc>>,
    /// Subject.
    pub title: Option<String>,
    /// Body as markdown (a chat's transcript, a note's text).
    pub body: Option<String>,
    /// When it happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// When it is due (tasks).
    pub due_at: Option<DateTime<Utc>>,
    /// Status (tasks).
    pub status: Option<String>,
    /// Duration in seconds (calls, meetings).
    pub duration_secs: Option<i64>,
    /// Outcome / disposition (calls).
    pub outcome: Option<String>,
    /// The user it is assigned to.
    pub assignee: Option<Ref>,
    /// The records it is about: polymorphic links are first class.
    pub targets: Vec<Ref>,
    /// Properties of a custom event.
    pub properties: Option<serde_json::Value>,
    /// Custom fields.
    pub custom: Fields,
}

impl Activity {
    /// An activity of `kind` with a source key.
    pub fn new(kind: ActivityKind, key: SourceKey) -> Self {
        Self {
            key: Some(key),
            kind,
            ..Self::default()
        }
    }
}

impl From<Activity> for Record {
    fn from(a: Activity) -> Record {
        let object = a.kind.object();
        let key = a
            .key
            .unwrap_or_else(|| SourceKey::new("unknown", object, ""));
        let mut r = Record::new(object, key);
        r.created_at = a.created_at;
        r.updated_at = a.updated_at;
        r.fields = a.custom;
        let opt = |v: Option<String>| v.map(Value::Text).unwrap_or(Value::Null);
        r.set(f::TITLE, opt(a.title));
        r.set(f::BODY, opt(a.body));
        if object == f::TASK {
            r.set(f::KIND, Value::Choice(a.kind.as_str().to_string()));
            r.set(
                f::DUE_AT,
                a.due_at.map(Value::DateTime).unwrap_or(Value::Null),
            );
            r.set(
                f::STATUS,
                a.status.map(Value::Choice).unwrap_or(Value::Null),
            );
            r.set(
                f::ASSIGNEE,
                a.assignee.map(Value::Ref).unwrap_or(Value::Null),
            );
            r.set(
                f::DURATION_SECS,
                a.duration_secs.map(Value::Int).unwrap_or(Value::Null),
            );
            r.set(f::OUTCOME, opt(a.outcome));
        }
        r.set(
            f::OCCURRED_AT,
            a.occurred_at.map(Value::DateTime).unwrap_or(Value::Null),
        );
        r.set(f::TARGETS, Value::Refs(a.targets));
        r.set(
            f::PROPERTIES,
            a.properties.map(Value::Json).unwrap_or(Value::Null),
        );
        r
    }
}
