//! Small readers over pest pairs that every builder file shares (names, variables, the
//! internal-error constructor); they sit below the builders so that sharing them ties no
//! builder to another.

use pest::iterators::Pair;

use super::literal;
use super::{span_of, Rule};
use crate::ast::{Span, Variable};
use crate::error::QueryError;

/// The error for a pair the builder did not expect: the grammar and the builder disagree.
pub(super) fn unexpected(rule: Rule, span: Span) -> QueryError {
    QueryError::syntax(
        "UnexpectedSyntax",
        format!("internal parser error: unexpected {rule:?}"),
    )
    .at(span)
}

/// The text of a name-bearing pair (`variable`, `schema_name`, `property_key_name`, …),
/// with backticks removed.
pub(super) fn name_of(pair: Pair<'_, Rule>) -> String {
    let text = pair.as_str().trim();
    literal::name(text)
}

pub(super) fn variable(pair: Pair<'_, Rule>) -> Variable {
    Variable {
        span: span_of(&pair),
        name: name_of(pair),
    }
}
