//! Record filters: the REST `filter=` syntax and GraphQL filter objects, and matching.

use serde_json::{Map, Value};

/// A filter over records.
#[derive(Debug, Clone)]
pub(super) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Cmp {
        path: Vec<String>,
        op: String,
        value: Value,
    },
}

impl Filter {
    /// Whether the filter names `deletedAt` (then soft-deleted rows are visible, as on the server).
    pub(super) fn mentions_deleted_at(&self) -> bool {
        match self {
            Filter::And(v) | Filter::Or(v) => v.iter().any(Filter::mentions_deleted_at),
            Filter::Not(f) => f.mentions_deleted_at(),
            Filter::Cmp { path, .. } => path.first().is_some_and(|p| p == "deletedAt"),
        }
    }

    /// Whether `record` matches.
    pub(super) fn matches(&self, record: &Map<String, Value>) -> bool {
        match self {
            Filter::And(v) => v.iter().all(|f| f.matches(record)),
            Filter::Or(v) => v.iter().any(|f| f.matches(record)),
            Filter::Not(f) => !f.matches(record),
            Filter::Cmp { path, op, value } => {
                let mut cur = record.get(path.first().map(String::as_str).unwrap_or(""));
                for p in path.iter().skip(1) {
                    cur = cur.and_then(|c| c.get(p));
                }
                compare(cur.unwrap_or(&Value::Null), op, value)
            }
        }
    }
}

fn like(hay: &str, pat: &str) -> bool {
    fn go(h: &[char], p: &[char]) -> bool {
        match p.first() {
            None => h.is_empty(),
            Some('%') => (0..=h.len()).any(|i| go(&h[i..], &p[1..])),
            Some('_') => !h.is_empty() && go(&h[1..], &p[1..]),
            Some(c) => h.first() == Some(c) && go(&h[1..], &p[1..]),
        }
    }
    let h: Vec<char> = hay.chars().collect();
    let p: Vec<char> = pat.chars().collect();
    go(&h, &p)
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (as_f64(a), as_f64(b)) {
        (Some(x), Some(y)) if !a.is_string() || !b.is_string() => x.partial_cmp(&y),
        _ => Some(a.as_str()?.cmp(b.as_str()?)),
    }
}

fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::String(y)) => x.to_string() == *y,
        _ => match (as_f64(a), as_f64(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn compare(v: &Value, op: &str, want: &Value) -> bool {
    use std::cmp::Ordering::*;
    match op {
        "eq" => loose_eq(v, want),
        "neq" => !loose_eq(v, want),
        "in" => want
            .as_array()
            .is_some_and(|a| a.iter().any(|w| loose_eq(v, w))),
        "gt" => order(v, want) == Some(Greater),
        "gte" => matches!(order(v, want), Some(Greater | Equal)),
        "lt" => order(v, want) == Some(Less),
        "lte" => matches!(order(v, want), Some(Less | Equal)),
        "like" => matches!((v.as_str(), want.as_str()), (Some(h), Some(p)) if like(h, p)),
        "ilike" => matches!((v.as_str(), want.as_str()),
            (Some(h), Some(p)) if like(&h.to_lowercase(), &p.to_lowercase())),
        "startsWith" => {
            matches!((v.as_str(), want.as_str()), (Some(h), Some(p)) if h.starts_with(p))
        }
        "is" => match want.as_str() {
            Some("NULL") => v.is_null(),
            Some("NOT_NULL") => !v.is_null(),
            _ => false,
        },
        _ => false,
    }
}

const OPS: &[&str] = &[
    "eq",
    "neq",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "like",
    "ilike",
    "startsWith",
    "is",
];

/// Convert a GraphQL filter object (`{name:{lastName:{eq:"x"}}}`, `{and:[…]}`).
pub(super) fn from_graphql(v: &Value) -> Result<Filter, String> {
    fn walk(path: &mut Vec<String>, v: &Value, out: &mut Vec<Filter>) -> Result<(), String> {
        let Value::Object(m) = v else {
            return Err("filter must be an object".into());
        };
        for (k, val) in m {
            match k.as_str() {
                "and" | "or" => {
                    let mut subs = Vec::new();
                    for item in val.as_array().into_iter().flatten() {
                        subs.push(from_graphql(item)?);
                    }
                    out.push(if k == "and" {
                        Filter::And(subs)
                    } else {
                        Filter::Or(subs)
                    });
                }
                "not" => out.push(Filter::Not(Box::new(from_graphql(val)?))),
                op if OPS.contains(&op) && !path.is_empty() => out.push(Filter::Cmp {
                    path: path.clone(),
                    op: op.to_string(),
                    value: val.clone(),
                }),
                field => {
                    path.push(field.to_string());
                    walk(path, val, out)?;
                    path.pop();
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(&mut Vec::new(), v, &mut out)?;
    Ok(Filter::And(out))
}

/// Parse the REST `filter` query parameter.
pub(super) fn from_rest(s: &str) -> Result<Filter, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let f = parse_rest(&chars, &mut pos)?;
    if pos != chars.len() {
        return Err(format!("Invalid filter '{s}'"));
    }
    Ok(f)
}

fn parse_rest(c: &[char], pos: &mut usize) -> Result<Filter, String> {
    for (kw, ctor) in [("and(", 0u8), ("or(", 1), ("not(", 2)] {
        let k: Vec<char> = kw.chars().collect();
        if c[*pos..].starts_with(&k) {
            *pos += k.len();
            let mut subs = Vec::new();
            loop {
                subs.push(parse_rest(c, pos)?);
                match c.get(*pos) {
                    Some(',') => *pos += 1,
                    Some(')') => {
                        *pos += 1;
                        break;
                    }
                    _ => return Err("unclosed filter group".into()),
                }
            }
            return Ok(match ctor {
                0 => Filter::And(subs),
                1 => Filter::Or(subs),
                _ => Filter::Not(Box::new(
                    subs.into_iter().next().unwrap_or(Filter::And(vec![])),
                )),
            });
        }
    }
    let start = *pos;
    while *pos < c.len() && c[*pos] != '[' {
        *pos += 1;
    }
    let path: Vec<String> = c[start..*pos]
        .iter()
        .collect::<String>()
        .split('.')
        .map(str::to_string)
        .collect();
    *pos += 1;
    let op_start = *pos;
    while *pos < c.len() && c[*pos] != ']' {
        *pos += 1;
    }
    let op: String = c[op_start..(*pos).min(c.len())].iter().collect();
    if c.get(*pos) != Some(&']') || c.get(*pos + 1) != Some(&':') || !OPS.contains(&op.as_str()) {
        return Err(format!("Invalid filter operator '{op}'"));
    }
    *pos += 2;
    let value = if c.get(*pos) == Some(&'[') {
        let end = c[*pos..]
            .iter()
            .position(|&ch| ch == ']')
            .map(|e| e + *pos)
            .ok_or("unclosed list")?;
        let inner: String = c[*pos + 1..end].iter().collect();
        *pos = end + 1;
        Value::Array(inner.split(',').map(|x| scalar(x.trim())).collect())
    } else {
        let vstart = *pos;
        let mut quoted = false;
        while *pos < c.len() && (quoted || (c[*pos] != ',' && c[*pos] != ')')) {
            if c[*pos] == '"' {
                quoted = !quoted;
            }
            *pos += 1;
        }
        scalar(&c[vstart..*pos].iter().collect::<String>())
    };
    Ok(Filter::Cmp { path, op, value })
}

fn scalar(s: &str) -> Value {
    let t = s.trim_matches('"');
    if s.starts_with('"') {
        return Value::String(t.to_string());
    }
    match t {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => Value::String(t.to_string()),
    }
}
