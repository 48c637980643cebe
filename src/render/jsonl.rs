//! The JSON Lines format: one object per row, keys are the column names in order; a statement
//! without rows (e.g. a write) prints nothing. With `--why`, each object ends with `why`, the
//! row's provenance.

use std::io::{self, Write};

use serde_json::{Map, Value as Json};

use crate::result::QueryResult;

use super::json::to_json;

pub fn render(result: &QueryResult, out: &mut dyn Write) -> io::Result<()> {
    for (i, row) in result.rows.iter().enumerate() {
        let mut obj: Map<String, Json> = result
            .columns
            .iter()
            .zip(row)
            .map(|(c, v)| (c.clone(), to_json(v)))
            .collect();
        // Provenance (`--why`) goes last, under `why` (the shell refuses a query that has a
        // column of that name, so the key never hides one).
        if let Some(w) = result.why.as_ref().and_then(|w| w.get(i)) {
            obj.insert(super::why::WHY_FIELD.into(), to_json(&w.to_value()));
        }
        serde_json::to_writer(&mut *out, &Json::Object(obj)).map_err(io::Error::from)?;
        writeln!(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn keys_in_column_order() {
        let r = QueryResult {
            columns: vec!["z".into(), "a".into()],
            rows: vec![vec![Value::Int(1), Value::Float(0.5)]],
            ..QueryResult::default()
        };
        let mut out = Vec::new();
        render(&r, &mut out).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"z\":1,\"a\":0.5}\n");
    }
}
