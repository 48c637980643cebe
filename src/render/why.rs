//! Provenance for people: a result table extended by the documents each row rests on, and one
//! row's facts grouped by document (`:why N`, `kg query --why`), in the table style.

use std::io::{self, Write};

use crate::result::QueryResult;
use crate::result::RowWhy;
use crate::value::Value;

use super::{plural, table, RenderOptions};

/// The name of the column (table formats) and of the field (json, jsonl, protocols) that
/// carries a row's provenance.
pub const WHY_FIELD: &str = "why";

/// `result` with a last column `sources`: the documents each row rests on.
pub fn with_sources(result: &QueryResult) -> QueryResult {
    let mut r = QueryResult {
        columns: result.columns.clone(),
        rows: result.rows.clone(),
        ..QueryResult::default()
    };
    r.stats = result.stats;
    let Some(whys) = &result.why else {
        return r;
    };
    r.columns.push("sources".into());
    for (row, why) in r.rows.iter_mut().zip(whys) {
        let mut names: Vec<&str> = why.sources.iter().map(|s| s.name.as_str()).collect();
        if !why.unsourced.is_empty() {
            names.push("(unsourced)");
        }
        let mut text = names.join(", ");
        if why.truncated {
            text.push_str(", …");
        }
        row.push(Value::String(text));
    }
    r
}

/// Row `n` (1-based) of a result: its facts grouped by the document they cite, then what
/// each document is.
pub fn render_row(
    n: usize,
    why: &RowWhy,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let docs = why.sources.len();
    writeln!(
        out,
        "row {n} rests on {} {} from {} {}{}",
        why.facts.len(),
        plural(why.facts.len() as u64, "fact"),
        docs,
        plural(docs as u64, "document"),
        if why.truncated {
            " (and more, left out past the limit)"
        } else {
            ""
        }
    )?;
    if why.facts.is_empty() {
        return Ok(());
    }
    let mut table = QueryResult {
        columns: vec!["document".into(), "fact".into(), "as_of".into()],
        ..QueryResult::default()
    };
    let groups = why
        .sources
        .iter()
        .map(|s| (s.name.as_str(), &s.facts))
        .chain((!why.unsourced.is_empty()).then_some(("(no source)", &why.unsourced)));
    for (name, facts) in groups {
        for (k, &i) in facts.iter().enumerate() {
            let f = &why.facts[i];
            table.rows.push(vec![
                Value::from(if k == 0 { name } else { "" }),
                Value::from(f.text.as_str()),
                f.as_of.clone().unwrap_or(Value::Null),
            ]);
        }
    }
    // The table's own footer counts rows, which here are (fact, document) pairs: drop it.
    let mut buf = Vec::new();
    let opts = RenderOptions {
        elapsed: None,
        ..opts.clone()
    };
    table::render(&table, &opts, &mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let body = text.trim_end_matches('\n');
    let body = body.rsplit_once('\n').map_or(body, |(b, _)| b);
    writeln!(out, "{body}")?;
    for s in &why.sources {
        let mut about = Vec::new();
        if let Some(p) = &s.publisher {
            about.push(p.clone());
        }
        if let Some(d) = &s.date {
            about.push(super::cypher::display_cell(d));
        }
        let title = s
            .title
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default();
        if about.is_empty() && title.is_empty() {
            continue;
        }
        writeln!(out, "  {} — {}{title}", s.name, about.join(", "))?;
    }
    Ok(())
}

/// Every row's block, one after another (`kg query --why` in a table format).
pub fn render_rows(
    result: &QueryResult,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    for (i, why) in result.why.iter().flatten().enumerate() {
        writeln!(out)?;
        render_row(i + 1, why, opts, out)?;
    }
    Ok(())
}
