//! The CSV format (RFC 4180): a header line, then one line per row; nested values in Cypher
//! notation, null as an empty field.

use std::io::{self, Write};

use crate::result::QueryResult;
use crate::value::Value;

use super::cypher;

pub fn render(result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = result.columns.iter().map(|c| quote(c)).collect();
    write!(out, "{}\r\n", header.join(","))?;
    for row in &result.rows {
        let fields: Vec<String> = row.iter().map(field).collect();
        write!(out, "{}\r\n", fields.join(","))?;
    }
    Ok(())
}

fn field(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        other => quote(&cypher::cell(other)),
    }
}

/// Quotes a field when it holds a comma, quote, line break or surrounding space.
fn quote(s: &str) -> String {
    let needs = s.contains([',', '"', '\n', '\r'])
        || s.starts_with(' ')
        || s.ends_with(' ')
        || s.is_empty();
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let r = QueryResult {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Value::from("x, \"y\""), Value::Null]],
            ..QueryResult::default()
        };
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "a,b\r\n\"x, \"\"y\"\"\",\r\n"
        );
        assert_eq!(quote(""), "\"\"");
    }
}
