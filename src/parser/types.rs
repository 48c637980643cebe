//! Type predicates (`x IS :: INTEGER NOT NULL`, `x :: LIST<STRING>`, `x IS NOT TYPED …`): the
//! `op_is_typed` pair into a negation flag and an [`ast::CypherType`](crate::ast::CypherType).

use pest::iterators::Pair;

use super::pairs::unexpected;
use super::{span_of, PResult, Rule};
use crate::ast::{BaseType, CypherType, TypeAlt};

/// `IS [NOT] :: type`, `IS [NOT] TYPED type` or `:: type`.
pub(super) fn type_predicate(op: Pair<'_, Rule>) -> PResult<(CypherType, bool)> {
    let span = span_of(&op);
    let mut negated = false;
    let mut ty = None;
    for q in op.into_inner() {
        match q.as_rule() {
            Rule::NOT => negated = true,
            Rule::cypher_type => ty = Some(cypher_type(q)?),
            _ => {}
        }
    }
    let ty = ty.ok_or_else(|| unexpected(Rule::op_is_typed, span))?;
    Ok((ty, negated))
}

/// The type of a `constraint_typed` pair (`IS :: T`, `IS TYPED T`).
pub(super) fn constraint_type(p: Pair<'_, Rule>) -> PResult<CypherType> {
    let span = span_of(&p);
    let ty = p
        .into_inner()
        .find(|q| q.as_rule() == Rule::cypher_type)
        .ok_or_else(|| unexpected(Rule::constraint_typed, span))?;
    cypher_type(ty)
}

fn cypher_type(p: Pair<'_, Rule>) -> PResult<CypherType> {
    let mut alts = Vec::new();
    for q in p.into_inner().filter(|q| q.as_rule() == Rule::type_alt) {
        alts.extend(type_alt(q)?);
    }
    Ok(CypherType { alts })
}

/// One member; `ANY<A | B> NOT NULL` flattens into `A NOT NULL | B NOT NULL`.
fn type_alt(p: Pair<'_, Rule>) -> PResult<Vec<TypeAlt>> {
    let span = span_of(&p);
    let mut not_null = false;
    let mut base = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::type_not_null => not_null = true,
            Rule::type_base => base = q.into_inner().next(),
            _ => {}
        }
    }
    let base = base.ok_or_else(|| unexpected(Rule::type_alt, span))?;
    let bases = match base.as_rule() {
        Rule::type_list => {
            let inner = base
                .into_inner()
                .find(|q| q.as_rule() == Rule::cypher_type)
                .ok_or_else(|| unexpected(Rule::type_list, span))?;
            vec![TypeAlt {
                base: BaseType::List(Box::new(cypher_type(inner)?)),
                not_null: false,
            }]
        }
        Rule::type_any_of => {
            let inner = base
                .into_inner()
                .find(|q| q.as_rule() == Rule::cypher_type)
                .ok_or_else(|| unexpected(Rule::type_any_of, span))?;
            cypher_type(inner)?.alts
        }
        _ => vec![TypeAlt {
            base: type_name(base.as_str()),
            not_null: false,
        }],
    };
    Ok(bases
        .into_iter()
        .map(|mut a| {
            a.not_null |= not_null;
            a
        })
        .collect())
}

/// A type name by its words (the grammar only lets valid spellings through).
fn type_name(text: &str) -> BaseType {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["NOTHING"] => BaseType::Nothing,
        ["NULL"] => BaseType::Null,
        ["BOOL" | "BOOLEAN"] => BaseType::Bool,
        ["STRING" | "VARCHAR"] => BaseType::String,
        ["SIGNED", _] => BaseType::Int,
        [w] if w.starts_with("INT") => BaseType::Int,
        [w] if w.starts_with("FLOAT") => BaseType::Float,
        ["DATE"] => BaseType::Date,
        ["LOCAL", "TIME"] | ["TIME", "WITHOUT", ..] => BaseType::LocalTime,
        ["ZONED", "TIME"] | ["TIME", "WITH", ..] => BaseType::ZonedTime,
        ["LOCAL", "DATETIME"] | ["TIMESTAMP", "WITHOUT", ..] => BaseType::LocalDateTime,
        ["ZONED", "DATETIME"] | ["TIMESTAMP", "WITH", ..] => BaseType::ZonedDateTime,
        ["DURATION"] => BaseType::Duration,
        ["POINT"] => BaseType::Point,
        [.., "NODE" | "VERTEX"] => BaseType::Node,
        [.., "RELATIONSHIP" | "EDGE"] => BaseType::Relationship,
        [.., "MAP"] => BaseType::Map,
        [.., "PATH"] => BaseType::Path,
        [.., "PROPERTY", "VALUE"] => BaseType::PropertyValue,
        _ => BaseType::Any,
    }
}
