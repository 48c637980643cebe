//! Parameter values from text, for `--param name=value`, `:param name => value` and JSON
//! parameter files.
//!
//! A value is a Cypher expression, parsed by the statement grammar (`parser::parse_value`) and
//! evaluated by the engine's own evaluator as a constant (`expr::constant`): no graph, no
//! variables, no parameters, only deterministic functions. So everything a query could write as
//! a literal works — null, booleans, numbers, strings, lists, maps, `date('2026-01-15')` and the
//! other temporal constructors, `duration('P1DT2H')`, `point({x: 1, y: 2})`, and arithmetic
//! like `-1.5e3` or `2 * 60` — with the values a query would get. Two additions for parameters:
//! map keys may be quoted (`{"a": 1}`), and the words `NaN` and `Infinity` (any case, also
//! negated) stand for those floats.
//!
//! A value that is pure JSON (a large list pasted or read from a file, say) is read by
//! serde_json first: the grammar reads about 0.3 MB/s, serde_json hundreds (docs/performance.md).

use std::collections::BTreeMap;

use crate::ast::walk;
use crate::ast::{Expr, ExprKind, Span};
use crate::error::QueryError;
use crate::value::Value;

/// Parses one parameter value (the whole input must be consumed). Errors name a column.
pub fn parse_literal(text: &str) -> Result<Value, String> {
    match json_value(text) {
        Some(v) => Ok(v),
        None => by_grammar(text),
    }
}

/// [`parse_literal`] without the JSON fast path.
fn by_grammar(text: &str) -> Result<Value, String> {
    let mut expr = crate::parser::parse_value(text).map_err(|e| message(text, &e))?;
    walk::rewrite(&mut expr, &mut |e: &mut Expr| {
        if let ExprKind::Variable(name) = &e.kind {
            if name.eq_ignore_ascii_case("nan") {
                e.kind = ExprKind::Float(f64::NAN);
            } else if name.eq_ignore_ascii_case("infinity") {
                e.kind = ExprKind::Float(f64::INFINITY);
            }
        }
        true
    });
    if let Some((span, variable)) = first_non_constant(&expr) {
        let word = text.get(span.start..span.end).unwrap_or("");
        let hint = if variable {
            format!(" (quote strings: '{word}')")
        } else {
            String::new()
        };
        return Err(format!(
            "`{word}` at column {} is not a literal or constant{hint}",
            column(text, span.start)
        ));
    }
    let no_params = BTreeMap::new();
    match crate::expr::eval_constant(&expr, &no_params) {
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(format!(
            "{} (the value at column {})",
            e,
            column(text, failing_call(&expr).unwrap_or(expr.span.start))
        )),
        None => Err(format!(
            "the value at column {} is not a constant",
            column(text, expr.span.start)
        )),
    }
}

/// The value of `text` when it is a JSON document whose numbers Cypher reads the same way:
/// integers that fit in 64 bits stay integers, and an integral float as large as 2^63 is left
/// to the grammar (JSON cannot tell `1e19` from a too-large integer, which Cypher refuses).
fn json_value(text: &str) -> Option<Value> {
    let first = text.trim_start().as_bytes().first()?;
    if !matches!(first, b'[' | b'{' | b'"' | b'-' | b'0'..=b'9') {
        return None;
    }
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    fn fits(j: &serde_json::Value) -> bool {
        use serde_json::Value as J;
        match j {
            J::Number(n) => {
                n.is_i64()
                    || n.as_f64()
                        .is_some_and(|f| f.fract() != 0.0 || f.abs() < 9.2e18)
            }
            J::Array(a) => a.iter().all(fits),
            J::Object(o) => o.values().all(fits),
            _ => true,
        }
    }
    fits(&json).then(|| from_json(&json))
}

/// Where the first part of `e` (pre-order) that is not a constant is, and whether it is a
/// variable: a variable, a parameter, a graph access or a function that is not deterministic.
fn first_non_constant(e: &Expr) -> Option<(Span, bool)> {
    let mut found = None;
    walk::visit(e, &mut |x: &Expr| {
        if found.is_some() {
            return false;
        }
        if crate::expr::is_constant(x, false) {
            return false;
        }
        // Report the innermost culprit: descend while a child is the non-constant part.
        let culprit = walk::children(x)
            .into_iter()
            .all(|c| crate::expr::is_constant(c, false));
        if culprit {
            found = Some((x.span, matches!(x.kind, ExprKind::Variable(_))));
            return false;
        }
        true
    });
    found
}

/// The start of the innermost function call whose evaluation fails, for an error's column.
fn failing_call(e: &Expr) -> Option<usize> {
    let no_params = BTreeMap::new();
    let mut at = None;
    walk::visit(e, &mut |x: &Expr| {
        if let ExprKind::Function { .. } = x.kind {
            if let Some(Err(_)) = crate::expr::eval_constant(x, &no_params) {
                at = Some(x.span.start);
            }
        }
        true
    });
    at
}

/// The 1-based column (in characters) of byte `at` of `text`.
fn column(text: &str, at: usize) -> usize {
    text.get(..at).map_or(at, |t| t.chars().count()) + 1
}

fn message(text: &str, e: &QueryError) -> String {
    match e.span {
        Some(s) => format!("{} at column {}", e.message, column(text, s.start)),
        None => e.message.clone(),
    }
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

#[cfg(test)]
#[path = "params_tests.rs"]
mod tests;
