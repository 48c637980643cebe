//! The Cypher front end: `grammar/cypher.pest` → pest pairs → the typed [`crate::ast`].
//!
//! This is the only module that sees pest. [`parse`] takes one statement (an optional trailing
//! `;` is allowed) and returns an `ast::Statement`, or a `QueryError` of class `SyntaxError`
//! (phase Compile) with a span and a sentence a user can act on.

mod clauses;
mod errors;
mod expr;
mod literal;
mod nested;
mod patterns;
mod types;

use std::num::NonZeroUsize;
use std::sync::Once;

use pest::iterators::Pair;
use pest::Parser;

use crate::ast::{Span, Statement};
use crate::error::{Error, QueryError};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/cypher.pest"]
struct CypherParser;

type PResult<T> = Result<T, QueryError>;

/// Deeper bracket nesting than this is rejected before parsing, so the recursive builders
/// cannot exhaust the stack (test threads have 2 MiB).
pub const MAX_NESTING: usize = 128;

/// Deeper expressions than this (operators, property lookups and indexes inside one another,
/// e.g. a chain of 20,000 `+`) are refused with a clear error. Every later stage walks
/// expressions recursively; `Session::run` gives them a stack sized to the query (see
/// `db::STACK_PER_QUERY_BYTE`), and this bound keeps that stack finite.
pub const MAX_EXPR_DEPTH: usize = 20_000;

/// More clauses in one statement than this (counting every UNION part and subquery) are refused:
/// the plan is a chain of operators that later stages walk recursively.
pub const MAX_CLAUSES: usize = 10_000;

thread_local! {
    /// Clauses seen by the statement being parsed on this thread.
    static CLAUSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts one clause of the statement being parsed, refusing more than [`MAX_CLAUSES`].
fn count_clause(span: Span) -> PResult<()> {
    let n = CLAUSES.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    if n > MAX_CLAUSES {
        return Err(QueryError::syntax(
            "QueryTooLong",
            format!(
                "statement has more than {MAX_CLAUSES} clauses; split it into several statements"
            ),
        )
        .at(span));
    }
    Ok(())
}

/// Bounds pest's work per parse so pathological input fails instead of hanging.
const CALL_LIMIT: usize = 50_000_000;

/// Parses one statement.
pub fn parse(query: &str) -> Result<Statement, Error> {
    parse_statement(query).map_err(Error::from)
}

/// Like [`parse`] but with the query error unwrapped. Runs where the stack is deep enough for
/// `query` (see [`crate::stack`]), so any thread can parse any input.
pub fn parse_statement(query: &str) -> Result<Statement, QueryError> {
    // Half of what a whole statement is given: parsing is one of its stages, and inside
    // `Session::run` this finds the stack already grown.
    let need = crate::stack::needed(query) / 2;
    stacker::maybe_grow(need, need, || parse_on_stack(query))
}

fn parse_on_stack(query: &str) -> Result<Statement, QueryError> {
    static LIMIT: Once = Once::new();
    LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
    check_nesting(query)?;
    CLAUSES.with(|c| c.set(0));
    let mut pairs =
        CypherParser::parse(Rule::query_input, query).map_err(|e| errors::from_pest(query, e))?;
    let input = pairs
        .next()
        .ok_or_else(|| QueryError::syntax("UnexpectedSyntax", "expected a statement"))?;
    let stmt = input
        .into_inner()
        .find(|p| p.as_rule() == Rule::statement)
        .ok_or_else(|| QueryError::syntax("UnexpectedSyntax", "expected a statement"))?;
    clauses::statement(stmt)
}

/// Parses a parameter value (`--param name=value`, `:param name => value`): one expression,
/// whose map keys may also be quoted strings. Checking that it is constant and evaluating it
/// is the caller's (`shell::literal`).
pub fn parse_value(text: &str) -> Result<crate::ast::Expr, QueryError> {
    let need = crate::stack::needed(text) / 2;
    stacker::maybe_grow(need, need, || {
        static LIMIT: Once = Once::new();
        LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
        check_nesting(text)?;
        CLAUSES.with(|c| c.set(0));
        let mut pairs =
            CypherParser::parse(Rule::value_input, text).map_err(|e| errors::from_pest(text, e))?;
        let input = pairs
            .next()
            .ok_or_else(|| QueryError::syntax("UnexpectedSyntax", "expected a value"))?;
        let expr = input
            .into_inner()
            .find(|p| p.as_rule() == Rule::expression)
            .ok_or_else(|| QueryError::syntax("UnexpectedSyntax", "expected a value"))?;
        expr::expression(expr)
    })
}

/// The pair's span without the trailing whitespace pest may have consumed looking for more.
fn span_of(p: &Pair<'_, Rule>) -> Span {
    let s = p.as_span();
    let len = p.as_str().trim_end().len();
    Span::new(s.start(), s.start() + len)
}

/// Rejects bracket nesting deeper than [`MAX_NESTING`] (outside strings, names and comments).
fn check_nesting(query: &str) -> PResult<()> {
    let mut depth = 0usize;
    for (i, b) in Brackets::new(query, query.len()) {
        if matches!(b, b'(' | b'[' | b'{') {
            depth += 1;
            if depth > MAX_NESTING {
                return Err(QueryError::syntax(
                    "UnexpectedSyntax",
                    format!("brackets nested more than {MAX_NESTING} deep"),
                )
                .at(Span::new(i, i + 1)));
            }
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    Ok(())
}

/// The brackets `()[]{}` of a query before byte `end`, with their offsets, skipping strings,
/// backtick names and comments (shared by the nesting guard and the "unclosed" messages).
pub(crate) struct Brackets<'a> {
    bytes: &'a [u8],
    i: usize,
    end: usize,
}

impl<'a> Brackets<'a> {
    pub(crate) fn new(src: &'a str, end: usize) -> Self {
        Brackets {
            bytes: src.as_bytes(),
            i: 0,
            end: end.min(src.len()),
        }
    }
}

impl Iterator for Brackets<'_> {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        let bytes = self.bytes;
        while self.i < self.end {
            let mut i = self.i;
            let found = match bytes[i] {
                q @ (b'\'' | b'"' | b'`') => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != q {
                        if bytes[i] == b'\\' && q != b'`' {
                            i += 1;
                        }
                        i += 1;
                    }
                    None
                }
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    while i < bytes.len() && bytes[i] != b'\n' {
                        i += 1;
                    }
                    None
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    i += 2;
                    while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                        i += 1;
                    }
                    i += 1;
                    None
                }
                b @ (b'(' | b'[' | b'{' | b')' | b']' | b'}') => Some((i, b)),
                _ => None,
            };
            self.i = i + 1;
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// The number or string literal token at the start of `text`, read by the grammar's own
/// `float`, `integer` and `string` rules: its length in bytes and its value. `None` when no
/// such token starts there or it is malformed (an integer too large, a bad escape). The plan
/// cache fills a statement's shape with it (`plan::autoparam`).
pub fn literal_token(text: &str) -> Option<(usize, crate::value::Value)> {
    use crate::value::Value;
    let first = *text.as_bytes().first()?;
    let rules: &[Rule] = match first {
        b'\'' | b'"' => &[Rule::string],
        b'0'..=b'9' | b'.' => &[Rule::float, Rule::integer],
        _ => return None,
    };
    for &rule in rules {
        let Ok(mut pairs) = CypherParser::parse(rule, text) else {
            continue;
        };
        let pair = pairs.next()?;
        let span = span_of(&pair);
        let len = pair.as_str().len();
        let value = match rule {
            Rule::float => Value::Float(literal::float(pair.as_str(), span).ok()?),
            Rule::integer => match literal::integer(pair.as_str(), span).ok()? {
                literal::IntToken::Value(v) => Value::Int(v),
                literal::IntToken::MinMagnitude => return None,
            },
            _ => {
                let body = pair.into_inner().next();
                let (body, start) = body
                    .map(|b| (b.as_str(), b.as_span().start()))
                    .unwrap_or(("", span.start));
                Value::String(literal::string(body, start).ok()?)
            }
        };
        return Some((len, value));
    }
    None
}
