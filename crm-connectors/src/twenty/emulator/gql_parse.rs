//! A small GraphQL document parser: operations, fields, aliases, arguments, variables.
//! Enough for the operations a migration client sends; fragments are not supported.

use serde_json::{json, Map, Value};

/// A (line, column) position, 1-based.
pub(super) type Pos = (usize, usize);

/// An argument value as written.
#[derive(Debug, Clone)]
pub(super) enum GValue {
    Var(String),
    Scalar(Value),
    Enum(String),
    List(Vec<GValue>),
    Object(Vec<(String, GValue, Pos)>),
}

/// One selected field.
#[derive(Debug, Clone)]
pub(super) struct Field {
    pub(super) alias: Option<String>,
    pub(super) name: String,
    pub(super) args: Vec<(String, GValue)>,
    pub(super) selection: Vec<Field>,
    pub(super) pos: Pos,
}

impl Field {
    /// The argument named `name`.
    pub(super) fn arg(&self, name: &str) -> Option<&GValue> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

/// A parsed operation.
#[derive(Debug, Clone)]
pub(super) struct Operation {
    pub(super) selection: Vec<Field>,
    pub(super) defaults: Map<String, Value>,
}

impl GValue {
    /// Resolve to JSON with the request's variables.
    pub(super) fn resolve(&self, vars: &Map<String, Value>) -> Value {
        match self {
            GValue::Var(n) => vars.get(n).cloned().unwrap_or(Value::Null),
            GValue::Scalar(v) => v.clone(),
            GValue::Enum(e) => json!(e),
            GValue::List(l) => Value::Array(l.iter().map(|x| x.resolve(vars)).collect()),
            GValue::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v, _)| (k.clone(), v.resolve(vars)))
                    .collect(),
            ),
        }
    }
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

type R<T> = Result<T, (String, Pos)>;

impl P<'_> {
    fn pos(&self) -> Pos {
        let before = &self.s[..self.i.min(self.s.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = self.i
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|p| p + 1)
                .unwrap_or(0)
            + 1;
        (line, col)
    }
    fn err<T>(&self, msg: &str) -> R<T> {
        Err((msg.to_string(), self.pos()))
    }
    fn ws(&mut self) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b' ' | b'\t' | b'\n' | b'\r' | b',' => self.i += 1,
                b'#' => {
                    while self.i < self.s.len() && self.s[self.i] != b'\n' {
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> R<()> {
        if self.eat(c) {
            Ok(())
        } else {
            self.err(&format!("Syntax Error: Expected \"{}\".", c as char))
        }
    }
    fn name(&mut self) -> R<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        if start == self.i {
            return self.err("Syntax Error: Expected Name.");
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
    fn skip_type(&mut self) -> R<()> {
        if self.eat(b'[') {
            self.skip_type()?;
            self.expect(b']')?;
        } else {
            self.name()?;
        }
        self.eat(b'!');
        Ok(())
    }
    fn string(&mut self) -> R<String> {
        self.i += 1;
        let mut out = Vec::new();
        while self.i < self.s.len() {
            let b = self.s[self.i];
            self.i += 1;
            match b {
                b'"' => return Ok(String::from_utf8_lossy(&out).into_owned()),
                b'\\' => {
                    let e = self.s.get(self.i).copied().unwrap_or(b'\\');
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'u' => {
                            let hex = self.s.get(self.i..self.i + 4).unwrap_or(b"0000");
                            let code = u32::from_str_radix(&String::from_utf8_lossy(hex), 16)
                                .unwrap_or(0xfffd);
                            self.i += 4;
                            let ch = char::from_u32(code).unwrap_or('\u{fffd}');
                            out.extend(ch.to_string().bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
        self.err("Syntax Error: Unterminated string.")
    }
    fn value(&mut self) -> R<GValue> {
        match self.peek() {
            Some(b'$') => {
                self.i += 1;
                Ok(GValue::Var(self.name()?))
            }
            Some(b'"') => Ok(GValue::Scalar(json!(self.string()?))),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                while !self.eat(b']') {
                    if self.peek().is_none() {
                        return self.err("Syntax Error: Expected \"]\".");
                    }
                    items.push(self.value()?);
                }
                Ok(GValue::List(items))
            }
            Some(b'{') => {
                self.i += 1;
                let mut items = Vec::new();
                while !self.eat(b'}') {
                    self.ws();
                    let pos = self.pos();
                    let k = self.name()?;
                    self.expect(b':')?;
                    items.push((k, self.value()?, pos));
                }
                Ok(GValue::Object(items))
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while self.i < self.s.len()
                    && matches!(
                        self.s[self.i],
                        b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-'
                    )
                {
                    self.i += 1;
                }
                let text = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                let v: Value = serde_json::from_str(&text)
                    .map_err(|_| ("Syntax Error: bad number.".to_string(), self.pos()))?;
                Ok(GValue::Scalar(v))
            }
            Some(_) => {
                let n = self.name()?;
                Ok(match n.as_str() {
                    "true" => GValue::Scalar(json!(true)),
                    "false" => GValue::Scalar(json!(false)),
                    "null" => GValue::Scalar(Value::Null),
                    _ => GValue::Enum(n),
                })
            }
            None => self.err("Syntax Error: Unexpected <EOF>."),
        }
    }
    fn selection(&mut self) -> R<Vec<Field>> {
        self.expect(b'{')?;
        let mut out = Vec::new();
        while !self.eat(b'}') {
            if self.peek() == Some(b'.') {
                return self.err("Fragments are not supported by the emulator.");
            }
            self.ws();
            let pos = self.pos();
            let first = self.name()?;
            let (alias, name) = if self.eat(b':') {
                (Some(first), self.name()?)
            } else {
                (None, first)
            };
            let mut args = Vec::new();
            if self.eat(b'(') {
                while !self.eat(b')') {
                    let n = self.name()?;
                    self.expect(b':')?;
                    args.push((n, self.value()?));
                }
            }
            let selection = if self.peek() == Some(b'{') {
                self.selection()?
            } else {
                Vec::new()
            };
            out.push(Field {
                alias,
                name,
                args,
                selection,
                pos,
            });
        }
        Ok(out)
    }
}

/// Parse the first operation of a document. Errors carry the GraphQL message and position.
pub(super) fn parse(doc: &str) -> Result<Operation, (String, Pos)> {
    let mut p = P {
        s: doc.as_bytes(),
        i: 0,
    };
    let mut mutation = false;
    let mut defaults = Map::new();
    if p.peek() != Some(b'{') {
        let kw = p.name()?;
        mutation = kw == "mutation";
        if kw != "query" && kw != "mutation" {
            return p.err(&format!("Syntax Error: Unexpected Name \"{kw}\"."));
        }
        if p.peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        {
            p.name()?;
        }
        if p.eat(b'(') {
            while !p.eat(b')') {
                p.expect(b'$')?;
                let n = p.name()?;
                p.expect(b':')?;
                p.skip_type()?;
                if p.eat(b'=') {
                    let v = p.value()?;
                    defaults.insert(n, v.resolve(&Map::new()));
                }
            }
        }
    }
    let selection = p.selection()?;
    let _ = mutation;
    Ok(Operation {
        selection,
        defaults,
    })
}
