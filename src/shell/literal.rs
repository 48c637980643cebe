//! A parser for Cypher literals, used for `--param name=value`, `:param name => value` and
//! JSON parameter files: null, booleans, integers, floats, strings, lists, maps and temporal
//! values from ISO text (`date('2026-01-15')`, `datetime('2026-01-15T09:30+08:00')`,
//! `duration('P1DT2H')`, also `localtime`, `time`, `localdatetime`) and points from a map
//! (`point({x: 1, y: 2})`, `point({latitude: 55.6, longitude: 12.9})`, as `point()` reads it).

use std::collections::BTreeMap;

use crate::value::Value;

/// Parses one Cypher literal (the whole input must be consumed).
pub fn parse_literal(text: &str) -> Result<Value, String> {
    let mut p = Parser { s: text, i: 0 };
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(format!(
            "unexpected `{}` after the value at column {}",
            p.rest().chars().next().unwrap_or(' '),
            p.column()
        ));
    }
    Ok(v)
}

/// Converts a JSON document into parameter values (integers stay integers).
pub fn from_json(json: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Value::Int)
            .unwrap_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN))),
        J::String(s) => Value::String(s.clone()),
        J::Array(a) => Value::List(a.iter().map(from_json).collect()),
        J::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()),
    }
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn column(&self) -> usize {
        self.s[..self.i].chars().count() + 1
    }

    fn ws(&mut self) {
        let rest = self.rest();
        self.i += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.ws();
        if self.rest().starts_with(token) {
            self.i += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at column {}", self.column()))
        }
    }

    fn word(&mut self) -> &str {
        let rest = self.rest();
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let start = self.i;
        self.i += len;
        &self.s[start..self.i]
    }

    fn value(&mut self) -> Result<Value, String> {
        self.ws();
        let Some(c) = self.rest().chars().next() else {
            return Err("expected a value".to_string());
        };
        match c {
            '\'' | '"' => self.string().map(Value::String),
            '[' => self.list(),
            '{' => self.map(),
            '-' | '+' | '.' | '0'..='9' => self.number(),
            c if c.is_alphabetic() => {
                let at = self.column();
                let word = self.word().to_string();
                match word.to_ascii_lowercase().as_str() {
                    "null" => Ok(Value::Null),
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "nan" => Ok(Value::Float(f64::NAN)),
                    "infinity" => Ok(Value::Float(f64::INFINITY)),
                    f @ ("date" | "localtime" | "time" | "localdatetime" | "datetime"
                    | "duration") => {
                        self.expect("(")?;
                        self.ws();
                        let s = self.string()?;
                        self.expect(")")?;
                        crate::value::parse_tagged(f, &s)
                            .ok_or_else(|| format!("invalid {f} `{s}` (expected ISO-8601 text)"))
                    }
                    "point" => {
                        self.expect("(")?;
                        let Value::Map(m) = self.value()? else {
                            return Err(format!("`point` at column {at} takes a map"));
                        };
                        self.expect(")")?;
                        match crate::value::Point::from_map(&m)? {
                            Some(p) => Ok(Value::Point(Box::new(p))),
                            None => Ok(Value::Null),
                        }
                    }
                    _ => Err(format!(
                        "`{word}` at column {at} is not a literal (quote strings: '{word}')"
                    )),
                }
            }
            c => Err(format!("unexpected `{c}` at column {}", self.column())),
        }
    }

    fn number(&mut self) -> Result<Value, String> {
        let rest = self.rest();
        let mut len = 0;
        let bytes = rest.as_bytes();
        let mut float = false;
        if matches!(bytes.first(), Some(b'-' | b'+')) {
            len += 1;
        }
        if rest[len..].to_ascii_lowercase().starts_with("infinity") {
            let neg = bytes[0] == b'-';
            self.i += len + "infinity".len();
            return Ok(Value::Float(if neg {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        while len < bytes.len() {
            match bytes[len] {
                b'0'..=b'9' => {}
                b'.' | b'e' | b'E' => float = true,
                b'-' | b'+' if matches!(bytes[len - 1], b'e' | b'E') => {}
                _ => break,
            }
            len += 1;
        }
        let text = rest[..len].to_string();
        let at = self.column();
        self.i += len;
        if float {
            text.parse::<f64>()
                .map(Value::Float)
                .map_err(|_| format!("invalid number `{text}` at column {at}"))
        } else {
            text.parse::<i64>()
                .map(Value::Int)
                .map_err(|_| format!("invalid or out-of-range integer `{text}` at column {at}"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        let at = self.column();
        let mut chars = self.rest().char_indices();
        let Some((_, quote)) = chars.next() else {
            return Err("expected a string".to_string());
        };
        if quote != '\'' && quote != '"' {
            return Err(format!("expected a quoted string at column {at}"));
        }
        let mut out = String::new();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.i += i + c.len_utf8();
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).map(|(_, c)| c).collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| format!("invalid escape \\u{hex}"))?;
                    out.push(ch);
                }
                other => out.push(other),
            }
        }
        Err(format!("unterminated string starting at column {at}"))
    }

    fn list(&mut self) -> Result<Value, String> {
        self.expect("[")?;
        let mut items = Vec::new();
        if self.eat("]") {
            return Ok(Value::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat("]") {
                return Ok(Value::List(items));
            }
            self.expect(",")?;
        }
    }

    fn map(&mut self) -> Result<Value, String> {
        self.expect("{")?;
        let mut map = BTreeMap::new();
        if self.eat("}") {
            return Ok(Value::Map(map));
        }
        loop {
            self.ws();
            let key = match self.rest().chars().next() {
                Some('\'' | '"') => self.string()?,
                Some('`') => {
                    let rest = &self.rest()[1..];
                    let end = rest
                        .find('`')
                        .ok_or_else(|| "unterminated `name`".to_string())?;
                    let key = rest[..end].to_string();
                    self.i += end + 2;
                    key
                }
                _ => {
                    let w = self.word().to_string();
                    if w.is_empty() {
                        return Err(format!("expected a key at column {}", self.column()));
                    }
                    w
                }
            };
            self.expect(":")?;
            map.insert(key, self.value()?);
            if self.eat("}") {
                return Ok(Value::Map(map));
            }
            self.expect(",")?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Date;

    #[test]
    fn literals() {
        assert_eq!(parse_literal("42"), Ok(Value::Int(42)));
        assert_eq!(parse_literal(" -1.5e3 "), Ok(Value::Float(-1500.0)));
        assert_eq!(parse_literal("'智谱'"), Ok(Value::from("智谱")));
        assert_eq!(parse_literal("\"a\\\"b\""), Ok(Value::from("a\"b")));
        assert_eq!(parse_literal("TRUE"), Ok(Value::Bool(true)));
        assert_eq!(
            parse_literal("[1, 'x', null]"),
            Ok(Value::List(vec![
                Value::Int(1),
                Value::from("x"),
                Value::Null
            ]))
        );
        let Ok(Value::Map(m)) = parse_literal("{name: 'A', `two words`: 2, 'q': []}") else {
            panic!("not a map");
        };
        assert_eq!(m.len(), 3);
        assert_eq!(m.get("two words"), Some(&Value::Int(2)));
        assert_eq!(
            parse_literal("date('2026-01-15')"),
            Ok(Value::Date(Date::new(2026, 1, 15).unwrap()))
        );
        let dt = parse_literal("datetime('2026-01-15T09:30+08:00[Asia/Shanghai]')").unwrap();
        assert_eq!(
            dt.temporal_text().as_deref(),
            Some("2026-01-15T09:30+08:00[Asia/Shanghai]")
        );
        let d = parse_literal("duration('P1DT2H')").unwrap();
        assert_eq!(d.temporal_text().as_deref(), Some("P1DT2H"));
        let Ok(Value::Point(p)) = parse_literal("point({latitude: 55.6, longitude: 12.9})") else {
            panic!("not a point");
        };
        assert_eq!(p.to_string(), "point({srid:4326, x:12.9, y:55.6})");
        assert_eq!(parse_literal("point({x: null, y: 1})"), Ok(Value::Null));
        assert!(parse_literal("point({x: 1})").is_err());
        assert!(parse_literal("point(1)").is_err());
    }

    #[test]
    fn errors_are_messages_not_panics() {
        for bad in [
            "",
            "DeepSeek",
            "'open",
            "[1,",
            "{a 1}",
            "1 2",
            "99999999999999999999",
            "date('2026-02-30')",
            "duration('1 day')",
            "time(12)",
            "'\\u12'",
        ] {
            assert!(parse_literal(bad).is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn json_parameters() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"a": 1, "b": 1.0, "c": [true]}"#).unwrap();
        let Value::Map(m) = from_json(&j) else {
            panic!()
        };
        assert_eq!(m["a"], Value::Int(1));
        assert_eq!(m["b"], Value::Float(1.0));
    }
}
