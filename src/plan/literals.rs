//! Auto-parameterisation for the plan cache: `MATCH (a:Person {id: 17})-->(b) RETURN ...`
//! and `... {id: 18} ...` share one plan when their literals become parameters. Only simple
//! literals in the MATCH/WHERE part (before any projection or update clause) are lifted, and
//! only where they stand alone between `:`/comparison and `,`/`}`/`)`/AND/OR — so column
//! names (taken from RETURN text) and variable-length bounds (`*1..3`) are never touched.

use crate::value::Value;

/// Clause keywords after which nothing is lifted.
const STOP: &[&str] = &[
    "RETURN", "WITH", "UNWIND", "CREATE", "MERGE", "SET", "DELETE", "DETACH", "REMOVE", "CALL",
    "UNION", "FOREACH", "ORDER", "SKIP", "LIMIT", "LOAD",
];

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(String),
    Punct(String),
    Other,
}

/// Prefix of generated parameter names (not a name a user would pick).
pub const PREFIX: &str = "__kg_lit";

/// The query with its liftable literals replaced by `$__kg_litN`, and their values; `None`
/// when there is nothing to lift or the text is not a plain MATCH query.
pub fn lift(query: &str) -> Option<(String, Vec<(String, Value)>)> {
    let b = query.as_bytes();
    // (start, end, token)
    let mut toks: Vec<(usize, usize, Tok)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == b'\'' || c == b'"' {
            i += 1;
            let mut escaped = false;
            while i < b.len() && b[i] != c {
                if b[i] == b'\\' {
                    escaped = true;
                    i += 1;
                }
                i += 1;
            }
            if i >= b.len() {
                return None;
            }
            i += 1;
            let tok = if escaped {
                Tok::Other
            } else {
                Tok::Str(query.get(start + 1..i - 1)?.to_string())
            };
            toks.push((start, i, tok));
            continue;
        }
        if c == b'`' {
            i += 1;
            while i < b.len() && b[i] != b'`' {
                i += 1;
            }
            i += 1;
            toks.push((start, i.min(b.len()), Tok::Other));
            continue;
        }
        if c.is_ascii_digit() {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            // A fraction, but not the `..` of a range.
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            toks.push((start, i, Tok::Num(query.get(start..i)?.to_string())));
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push((
                start,
                i,
                Tok::Word(query.get(start..i)?.to_ascii_uppercase()),
            ));
            continue;
        }
        if !c.is_ascii() {
            return None;
        }
        let two = query.get(i..i + 2).unwrap_or("");
        if matches!(two, "<=" | ">=" | "<>" | "..") {
            i += 2;
        } else {
            i += 1;
        }
        toks.push((start, i, Tok::Punct(query.get(start..i)?.to_string())));
    }
    match toks.first() {
        Some((_, _, Tok::Word(w))) if w == "MATCH" || w == "OPTIONAL" => {}
        _ => return None,
    }
    let mut lifted: Vec<(usize, usize, Value)> = Vec::new();
    for k in 1..toks.len() {
        if let Tok::Word(w) = &toks[k].2 {
            if STOP.contains(&w.as_str()) {
                break;
            }
        }
        let value = match &toks[k].2 {
            Tok::Str(s) => Value::String(s.clone()),
            Tok::Num(n) => {
                if let Ok(i) = n.parse::<i64>() {
                    Value::Int(i)
                } else if n.contains('.') && !n.contains(['x', 'X', 'o', 'O']) {
                    match n.parse::<f64>() {
                        Ok(f) if f.is_finite() => Value::Float(f),
                        _ => continue,
                    }
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let before_ok = matches!(&toks[k - 1].2, Tok::Punct(p) if matches!(p.as_str(), ":" | "=" | "<" | ">" | "<=" | ">=" | "<>"));
        let after_ok = match toks.get(k + 1).map(|t| &t.2) {
            None => true,
            Some(Tok::Punct(p)) => matches!(p.as_str(), "," | "}" | ")" | ";"),
            Some(Tok::Word(w)) => {
                matches!(w.as_str(), "AND" | "OR" | "XOR") || STOP.contains(&w.as_str())
            }
            _ => false,
        };
        // `{k: 1}` inside a map, or `x = 1` in WHERE; never after a label colon (a word follows
        // those) and never inside `[...]` ranges (preceded by `*` or `..`).
        if before_ok && after_ok {
            lifted.push((toks[k].0, toks[k].1, value));
        }
    }
    if lifted.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(query.len() + lifted.len() * 8);
    let mut params = Vec::with_capacity(lifted.len());
    let mut pos = 0;
    for (n, (s, e, v)) in lifted.into_iter().enumerate() {
        out.push_str(&query[pos..s]);
        let name = format!("{PREFIX}{n}");
        out.push('$');
        out.push_str(&name);
        params.push((name, v));
        pos = e;
    }
    out.push_str(&query[pos..]);
    Some((out, params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifts_map_values_and_comparisons_only() {
        let (q, p) = lift(
            "MATCH (a:Person {id: 17, name: 'x'})-[*1..3]->(b) WHERE b.v = 2.5 RETURN b.v = 3, 'k'",
        )
        .unwrap();
        assert_eq!(
            q,
            "MATCH (a:Person {id: $__kg_lit0, name: $__kg_lit1})-[*1..3]->(b) WHERE b.v = $__kg_lit2 RETURN b.v = 3, 'k'"
        );
        assert_eq!(
            p,
            vec![
                ("__kg_lit0".into(), Value::Int(17)),
                ("__kg_lit1".into(), Value::String("x".into())),
                ("__kg_lit2".into(), Value::Float(2.5)),
            ]
        );
    }

    #[test]
    fn leaves_other_statements_and_expressions_alone() {
        assert_eq!(lift("CREATE (:A {id: 1})"), None);
        assert_eq!(lift("MATCH (a) WHERE a.x = 1 + 2 RETURN a"), None);
        assert_eq!(lift("MATCH (a {s: 'it\\'s'}) RETURN a"), None);
        assert_eq!(lift("MATCH (a) RETURN a LIMIT 1"), None);
    }
}
