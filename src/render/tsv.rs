//! The TSV format: a header line, then one line per row, fields separated by tabs; tabs,
//! line breaks and backslashes inside a field are escaped (`\t`, `\n`, `\\`), null is empty.

use std::io::{self, Write};

use crate::result::QueryResult;
use crate::value::Value;

use super::cypher;

pub fn render(result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = result.columns.iter().map(|c| escape(c)).collect();
    writeln!(out, "{}", header.join("\t"))?;
    for row in &result.rows {
        let fields: Vec<String> = row
            .iter()
            .map(|v| match v {
                Value::Null => String::new(),
                other => escape(&cypher::cell(other)),
            })
            .collect();
        writeln!(out, "{}", fields.join("\t"))?;
    }
    Ok(())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_separators() {
        assert_eq!(escape("a\tb\nc\\"), "a\\tb\\nc\\\\");
    }
}
