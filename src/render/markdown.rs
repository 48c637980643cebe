//! The Markdown format: a GitHub-flavoured table per result (`|` escaped inside cells,
//! line breaks as `<br>`), each followed by a blank line.

use std::io::{self, Write};

use crate::result::QueryResult;

use super::{cypher, stats_summary};

pub fn render(result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    if result.columns.is_empty() {
        let summary = stats_summary(&result.stats);
        if !summary.is_empty() {
            writeln!(out, "_{summary}_\n")?;
        }
        return Ok(());
    }
    let header: Vec<String> = result.columns.iter().map(|c| escape(c)).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    let rule: Vec<&str> = result.columns.iter().map(|_| "---").collect();
    writeln!(out, "| {} |", rule.join(" | "))?;
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(|v| escape(&cypher::cell(v))).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    // A blank line ends the table, so consecutive results stay separate tables.
    writeln!(out)
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace('\n', "<br>")
        .replace('\t', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn table_with_escaped_pipe() {
        let r = QueryResult {
            columns: vec!["a".into()],
            rows: vec![vec![Value::from("x|y")]],
            ..QueryResult::default()
        };
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| a |\n| --- |\n| x\\|y |\n\n"
        );
    }
}
