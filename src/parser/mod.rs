//! The Cypher front end: `grammar/cypher.pest` → pest pairs → the typed [`crate::ast`].
//!
//! This is the only module that sees pest. [`parse`] takes one statement (an optional trailing
//! `;` is allowed) and returns an `ast::Statement`, or a `QueryError` of class `SyntaxError`
//! (phase Compile) with a span and a sentence a user can act on.

mod clauses;
mod errors;
mod expr;
pub mod keywords;
mod literal;
mod nested;
mod pairs;
mod patterns;
pub(crate) mod show;
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
/// is the caller's (`crate::params`).
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

/// The number or string literal token at the start of `text`: its length in bytes and its
/// value. `None` when no such token starts there or it is malformed (an integer too large, a
/// bad escape). The plan cache fills a statement's shape with it (`plan::autoparam`), so the
/// token's end is found by [`literal::scan`], a hand copy of the grammar's `float`, `integer`
/// and `string` rules; where the scan finds none the grammar is asked ([`literal_token_by_grammar`]),
/// so a disagreement could only cost time, and the tests below hold the two to the same answer.
pub fn literal_token(text: &str) -> Option<(usize, crate::value::Value)> {
    match literal::scan(text) {
        Some((kind, len)) => Some((len, decode_token(kind, text.get(..len)?)?)),
        None => literal_token_by_grammar(text),
    }
}

/// The value of a whole literal token of `kind`, decoded as the parser decodes it.
fn decode_token(kind: literal::TokenKind, token: &str) -> Option<crate::value::Value> {
    use crate::value::Value;
    use literal::TokenKind;
    let span = Span::new(0, token.len());
    Some(match kind {
        TokenKind::Float => Value::Float(literal::float(token, span).ok()?),
        TokenKind::Integer => match literal::integer(token, span).ok()? {
            literal::IntToken::Value(v) => Value::Int(v),
            literal::IntToken::MinMagnitude => return None,
        },
        TokenKind::String => {
            let body = token.get(1..token.len().checked_sub(1)?)?;
            Value::String(literal::string(body, 1).ok()?)
        }
    })
}

/// [`literal_token`] read by pest itself: the `float` and `integer` rules (in the order of the
/// `number` rule) or `string`.
fn literal_token_by_grammar(text: &str) -> Option<(usize, crate::value::Value)> {
    grammar_token(text).and_then(|(kind, len)| Some((len, decode_token(kind, text.get(..len)?)?)))
}

/// The kind and length of the literal token pest's rules match at the start of `text`.
fn grammar_token(text: &str) -> Option<(literal::TokenKind, usize)> {
    use literal::TokenKind;
    let rules: &[(Rule, TokenKind)] = match *text.as_bytes().first()? {
        b'\'' | b'"' => &[(Rule::string, TokenKind::String)],
        b'0'..=b'9' | b'.' => &[
            (Rule::float, TokenKind::Float),
            (Rule::integer, TokenKind::Integer),
        ],
        _ => return None,
    };
    rules.iter().find_map(|&(rule, kind)| {
        let pair = CypherParser::parse(rule, text).ok()?.next()?;
        Some((kind, pair.as_str().len()))
    })
}

#[cfg(test)]
mod tests {
    use super::literal::scan;
    use super::*;

    /// The scanner against pest on one text: the same token kind and end, the same value.
    fn agree(text: &str) {
        assert_eq!(scan(text), grammar_token(text), "token end of {text:?}");
        assert_eq!(
            literal_token(text),
            literal_token_by_grammar(text),
            "value of {text:?}"
        );
    }

    #[test]
    fn the_scanner_ends_tokens_where_the_grammar_does() {
        let cases = [
            "0",
            "17",
            "17)",
            "17 ",
            "17a",
            "1_000",
            "0x1F",
            "0X1f",
            "0o17",
            "0x",
            "0x1G",
            "9223372036854775807",
            "9223372036854775808",
            "99999999999999999999",
            "-1",
            "+1",
            "1.5",
            ".5",
            "5.",
            "5.x",
            "1.5e3",
            "1.5E-3",
            "1.5e+3",
            "1e3",
            "1e",
            "1e+",
            "1.5e",
            "2.5e RETURN",
            "1.5e3x",
            "1.5$",
            "1.5é",
            "1.5\u{301}",
            "1e3_",
            "1.5.5",
            "..5",
            ".",
            "1.5)",
            "1e999",
            "1.5e3.2",
            "٣",
            "1٣",
            "1.5٣",
            "''",
            "'a'",
            "'a''b'",
            "'it\\'s'",
            "'a\\\\'",
            "'a\\'",
            "'\\",
            "'\\u00e9'",
            "'\\U0001F600'",
            "'\\uD800'",
            "'\\q'",
            "'\\u12'",
            "\"a'b\"",
            "'a\"b'",
            "\"\\\"\"",
            "'é😀'",
            "'\\😀'",
            "'unterminated",
            "\"",
            "'\n'",
            "'a' AND",
            "x",
            "",
            " 1",
            "$1",
        ];
        for c in cases {
            agree(c);
        }
    }

    #[test]
    fn the_scanner_agrees_with_the_grammar_on_generated_text() {
        // SplitMix64 over an alphabet of the characters the rules care about.
        let alphabet: Vec<char> = "0123456789.eE+-xXoO_aG'\"\\u$ )\né😀٣\u{301}"
            .chars()
            .collect();
        let starts = ['0', '1', '9', '.', '\'', '"'];
        let mut state = 0x5EED_u64;
        let mut next = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as usize
        };
        let mut text = String::new();
        for _ in 0..100_000 {
            text.clear();
            text.push(starts[next() % starts.len()]);
            for _ in 0..next() % 12 {
                text.push(alphabet[next() % alphabet.len()]);
            }
            agree(&text);
        }
    }
}
