//! The table format: aligned columns with a header, `N rows (T ms)` footer, write counters,
//! and cells truncated so a row fits the terminal.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::result::QueryResult;
use crate::value::Value;

use super::{cypher, plural, stats_summary, RenderOptions};

/// The narrowest a column is squeezed to when the terminal is too narrow.
const MIN_COLUMN: usize = 6;

pub fn render(result: &QueryResult, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    if let Some(plan) = &result.plan {
        writeln!(out, "{}", plan.trim_end())?;
    }
    let elapsed = opts
        .elapsed
        .map(|d| format!(" ({} ms)", d.as_millis()))
        .unwrap_or_default();
    let summary = stats_summary(&result.stats);
    if result.columns.is_empty() {
        if summary.is_empty() {
            if result.plan.is_none() {
                writeln!(out, "(no changes, no records){elapsed}")?;
            }
        } else {
            writeln!(out, "{summary}{elapsed}")?;
        }
        return Ok(());
    }

    let header: Vec<String> = result.columns.iter().map(|c| one_line(c)).collect();
    let cells: Vec<Vec<String>> = result
        .rows
        .iter()
        .map(|row| row.iter().map(|v| one_line(&cypher::cell(v))).collect())
        .collect();
    let numeric: Vec<bool> = (0..header.len())
        .map(|i| {
            result.rows.iter().any(|r| r.get(i).is_some_and(is_number))
                && result
                    .rows
                    .iter()
                    .all(|r| r.get(i).is_none_or(|v| is_number(v) || v.is_null()))
        })
        .collect();

    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    if let Some(max) = opts.max_width {
        fit(&mut widths, max);
    }

    let rule = rule(&widths);
    writeln!(out, "{rule}")?;
    write_row(out, &header, &widths, &vec![false; widths.len()])?;
    writeln!(out, "{rule}")?;
    for row in &cells {
        write_row(out, row, &widths, &numeric)?;
    }
    if !cells.is_empty() {
        writeln!(out, "{rule}")?;
    }
    let n = result.rows.len() as u64;
    writeln!(out, "{n} {}{elapsed}", plural(n, "row"))?;
    if !summary.is_empty() {
        writeln!(out, "{summary}")?;
    }
    Ok(())
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// Shrinks the widest columns until a row (borders included) fits `max` columns.
fn fit(widths: &mut [usize], max: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + 3 * w.len() + 1;
    while total(widths) > max {
        let Some((i, &w)) = widths.iter().enumerate().max_by_key(|(_, w)| **w) else {
            return;
        };
        if w <= MIN_COLUMN {
            return;
        }
        widths[i] = w - 1;
    }
}

fn rule(widths: &[usize]) -> String {
    let mut s = String::from("+");
    for w in widths {
        s.push_str(&"-".repeat(w + 2));
        s.push('+');
    }
    s
}

fn write_row(
    out: &mut dyn Write,
    cells: &[String],
    widths: &[usize],
    right: &[bool],
) -> io::Result<()> {
    let mut line = String::from("|");
    for ((cell, &w), &right) in cells.iter().zip(widths).zip(right) {
        let text = truncate(cell, w);
        let pad = " ".repeat(w.saturating_sub(text.width()));
        line.push(' ');
        if right {
            line.push_str(&pad);
            line.push_str(&text);
        } else {
            line.push_str(&text);
            line.push_str(&pad);
        }
        line.push_str(" |");
    }
    writeln!(out, "{line}")
}

/// Cuts `s` to at most `width` terminal columns, marking the cut with `…`.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    out
}

/// Control characters would break the alignment; show them escaped.
fn one_line(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::WriteStats;

    fn result(columns: &[&str], rows: Vec<Vec<Value>>) -> QueryResult {
        QueryResult {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
            ..QueryResult::default()
        }
    }

    fn text(r: &QueryResult, opts: &RenderOptions) -> String {
        let mut out = Vec::new();
        render(r, opts, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn aligned_with_header_and_footer() {
        let r = result(
            &["name", "n"],
            vec![
                vec![Value::from("智谱"), Value::Int(12)],
                vec![Value::from("DeepSeek"), Value::Null],
            ],
        );
        let t = text(&r, &RenderOptions::default());
        assert_eq!(
            t,
            "+----------+------+\n\
             | name     | n    |\n\
             +----------+------+\n\
             | 智谱     |   12 |\n\
             | DeepSeek | null |\n\
             +----------+------+\n\
             2 rows\n"
        );
    }

    #[test]
    fn wide_cells_are_truncated_to_fit() {
        let long = "x".repeat(100);
        let r = result(&["a"], vec![vec![Value::from(long.as_str())]]);
        let opts = RenderOptions {
            max_width: Some(40),
            elapsed: Some(std::time::Duration::from_millis(3)),
        };
        let t = text(&r, &opts);
        for line in t.lines() {
            assert!(line.width() <= 40, "{line:?}");
        }
        assert!(t.contains('…'));
        assert!(t.ends_with("1 row (3 ms)\n"));
    }

    #[test]
    fn writes_report_counters() {
        let mut r = result(&[], vec![]);
        r.stats = WriteStats {
            nodes_created: 1,
            ..WriteStats::default()
        };
        assert_eq!(text(&r, &RenderOptions::default()), "1 node created\n");
    }
}
