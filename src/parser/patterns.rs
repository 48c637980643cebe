//! Graph patterns: `p = (a:L {k: v})-[r:T*1..3]->(b)`, shortestPath, label lists.

use pest::iterators::Pair;

use super::expr::{map_literal, name_of, unexpected, variable};
use super::literal;
use super::{span_of, PResult, Rule};
use crate::ast::*;

/// Comma-separated pattern parts.
pub fn pattern(p: Pair<'_, Rule>) -> PResult<Pattern> {
    p.into_inner()
        .filter(|q| q.as_rule() == Rule::pattern_part)
        .map(pattern_part)
        .collect()
}

pub fn pattern_part(p: Pair<'_, Rule>) -> PResult<PatternPart> {
    let span = span_of(&p);
    let mut var = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => var = Some(variable(q)),
            Rule::pattern_element => {
                return Ok(PatternPart {
                    variable: var,
                    kind: PathKind::Normal,
                    element: pattern_element(q)?,
                    span,
                })
            }
            Rule::shortest_path => {
                let mut kind = PathKind::Shortest;
                let mut element = None;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::ALLSHORTESTPATHS => kind = PathKind::AllShortest,
                        Rule::pattern_element => element = Some(pattern_element(r)?),
                        _ => {}
                    }
                }
                let element = element.ok_or_else(|| unexpected(Rule::shortest_path, span))?;
                return Ok(PatternPart {
                    variable: var,
                    kind,
                    element,
                    span,
                });
            }
            _ => {}
        }
    }
    Err(unexpected(Rule::pattern_part, span))
}

/// A node then relationship–node steps; parentheses around a whole element are dropped.
pub fn pattern_element(p: Pair<'_, Rule>) -> PResult<PatternElement> {
    let span = span_of(&p);
    let mut start = None;
    let mut chain = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::pattern_element => return pattern_element(q),
            Rule::node_pattern => start = Some(node_pattern(q)?),
            Rule::pattern_chain => chain.push(pattern_chain(q)?),
            _ => {}
        }
    }
    let start = start.ok_or_else(|| unexpected(Rule::pattern_element, span))?;
    Ok(PatternElement { start, chain, span })
}

/// `(a)-->(b)…` with at least one relationship (pattern predicates and comprehensions).
pub fn relationships_pattern(p: Pair<'_, Rule>) -> PResult<PatternElement> {
    pattern_element(p)
}

fn pattern_chain(p: Pair<'_, Rule>) -> PResult<(RelPattern, NodePattern)> {
    let span = span_of(&p);
    let mut rel = None;
    let mut node = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::relationship_pattern => rel = Some(relationship_pattern(q)?),
            Rule::node_pattern => node = Some(node_pattern(q)?),
            _ => {}
        }
    }
    match (rel, node) {
        (Some(r), Some(n)) => Ok((r, n)),
        _ => Err(unexpected(Rule::pattern_chain, span)),
    }
}

fn node_pattern(p: Pair<'_, Rule>) -> PResult<NodePattern> {
    let span = span_of(&p);
    let mut node = NodePattern {
        variable: None,
        labels: Vec::new(),
        properties: None,
        span,
    };
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => node.variable = Some(variable(q)),
            Rule::node_labels => node.labels = node_labels(q),
            Rule::map_literal | Rule::parameter => node.properties = Some(properties(q)?),
            _ => {}
        }
    }
    Ok(node)
}

fn properties(q: Pair<'_, Rule>) -> PResult<Expr> {
    let span = span_of(&q);
    let kind = if q.as_rule() == Rule::parameter {
        ExprKind::Parameter(literal::name(&q.as_str()[1..]))
    } else {
        map_literal(q)?
    };
    Ok(Expr { kind, span })
}

/// `:A:B` → `["A", "B"]`.
pub fn node_labels(p: Pair<'_, Rule>) -> Vec<String> {
    p.into_inner()
        .filter(|q| q.as_rule() == Rule::label_name)
        .map(name_of)
        .collect()
}

fn relationship_pattern(p: Pair<'_, Rule>) -> PResult<RelPattern> {
    let span = span_of(&p);
    let mut left = false;
    let mut right = false;
    let mut rel = RelPattern {
        variable: None,
        types: Vec::new(),
        direction: RelDirection::Undirected,
        length: None,
        properties: None,
        span,
    };
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::left_arrow => left = true,
            Rule::right_arrow => right = true,
            Rule::relationship_detail => {
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::variable => rel.variable = Some(variable(r)),
                        Rule::relationship_types => {
                            rel.types = r
                                .into_inner()
                                .filter(|t| t.as_rule() == Rule::rel_type_name)
                                .map(name_of)
                                .collect()
                        }
                        Rule::range_literal => rel.length = Some(range(r)?),
                        Rule::map_literal | Rule::parameter => {
                            rel.properties = Some(properties(r)?)
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    rel.direction = match (left, right) {
        (true, false) => RelDirection::RightToLeft,
        (false, true) => RelDirection::LeftToRight,
        _ => RelDirection::Undirected,
    };
    Ok(rel)
}

/// `*`, `*2`, `*1..3`, `*..5`, `*2..`.
fn range(p: Pair<'_, Rule>) -> PResult<LengthRange> {
    let mut before = None;
    let mut after = None;
    let mut dots = false;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::range_dots => dots = true,
            Rule::range_int => {
                let span = span_of(&q);
                let v: u64 = q
                    .as_str()
                    .parse()
                    .map_err(|_| literal::overflow(q.as_str(), span))?;
                if dots {
                    after = Some(v);
                } else {
                    before = Some(v);
                }
            }
            _ => {}
        }
    }
    Ok(if dots {
        LengthRange {
            min: before,
            max: after,
        }
    } else {
        LengthRange {
            min: before,
            max: before,
        }
    })
}
