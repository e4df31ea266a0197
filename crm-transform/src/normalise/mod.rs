//! Normalisers: pure functions that turn the values CRM exports hold into canonical ones.
//!
//! Every function here is pure and never panics, whatever its input. Those that can refuse
//! a value return `Result<_, NormaliseError>`; the error quotes the value and says what was
//! expected (see [`crate::error`]). The text helpers cannot fail and return plain values.
//!
//! | module | reads | gives |
//! | --- | --- | --- |
//! | [`boolean`] | `t`/`f`, `true`/`false`, `yes`/`no`, `y`/`n`, `1`/`0`, `on`/`off` | `bool` |
//! | [`datetime`] | ISO 8601 (`T` or space, fractions, `Z`/`+00`/`+0100`/`-05:30`), date-only, Unix s/ms, `DD/MM/YYYY`, `MM/DD/YYYY`, `DD.MM.YYYY` | `DateTime<Utc>`, `NaiveDate`; date-order sniffing |
//! | [`choice`] | PostgreSQL arrays `{a,"b, c",NULL}`, JSON arrays, `\|`/`;`-separated lists | `Vec<String>`, one choice |
//! | [`json`] | a JSON document in a cell | `serde_json::Value`; readable text |
//! | [`email`] | addresses, `mailto:`, `Name <addr>`, several in a cell | normalised address; dedupe key |
//! | [`phone`] | national and international numbers, extensions | [`crm_core::Phone`] (E.164 where possible) |
//! | [`url`] | web addresses and bare domains | `https://…` URL; domain |
//! | [`money`] | `1,234.50`, `1 234,50`, `€12.50`, `12.50 EUR`, `USD 12` | micros (`i64`) and currency |
//! | [`text`] | any text | length-limited, cleaned text |
//! | [`encoding`] | a CSV file's bytes (UTF-8 ± BOM, UTF-16, Windows-125x, ISO-8859-2) | `String` and the encoding used |
//!
//! The most used functions are re-exported here.

pub mod boolean;
pub mod choice;
pub mod datetime;
pub mod email;
pub mod encoding;
pub mod json;
pub mod money;
pub mod phone;
pub mod text;
pub mod url;

pub use boolean::{parse_bool, parse_bool_opt};
pub use choice::{encode_pg_array, parse_choices, parse_pg_array, parse_single_choice, ListFormat};
pub use datetime::{
    parse_date, parse_datetime, sniff_date_order, DateOrder, DateOrderGuess, DateTimeOptions,
};
pub use email::{email_key, normalise_email, normalise_emails};
pub use encoding::{decode_csv, decode_csv_as, decode_csv_with_tld, Decoded, EncodingSource};
pub use json::{cell_to_text, json_to_text, looks_like_json, parse_json_cell};
pub use money::{
    micros_to_decimal, money_value, parse_decimal_micros, parse_money, validate_currency, Money,
    MoneyOptions,
};
pub use phone::{normalise_phone, normalise_phones, parse_phone, ParsedPhone};
pub use text::{clean_text, collapse_whitespace, limit, strip_controls, TextOptions};
pub use url::{domain_of, normalise_url};

pub use crate::error::NormaliseError;
