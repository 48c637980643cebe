//! Graph patterns: `p = (a:L {k: v})-[r:T*1..3]->(b)`, shortestPath, label lists.

use pest::iterators::Pair;

use super::expr::{map_literal, name_of, sub_expression, unexpected, variable};
use super::literal;
use super::{span_of, PResult, Rule};
use crate::ast::*;
use crate::error::QueryError;

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
        label_expr: None,
        properties: None,
        where_: None,
        span,
    };
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => node.variable = Some(variable(q)),
            Rule::label_expression => {
                let (labels, rest) = label_expression(q)?;
                node.labels = labels;
                node.label_expr = rest;
            }
            Rule::map_literal | Rule::parameter => node.properties = Some(properties(q)?),
            Rule::pattern_where => node.where_ = Some(Box::new(sub_expression(q)?)),
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
/// A node pattern's label expression, split into the plain labels every match must carry
/// (what the planner can scan for) and the remaining condition, if any.
fn label_expression(p: Pair<'_, Rule>) -> PResult<(Vec<String>, Option<LabelExpr>)> {
    let span = span_of(&p);
    let parts = p
        .into_inner()
        .filter(|q| q.as_rule() == Rule::label_or)
        .map(label_or)
        .collect::<PResult<Vec<_>>>()?;
    if parts.len() > 1 && parts.iter().any(|e| !matches!(e, LabelExpr::Label(_))) {
        // As in Neo4j 5: `:A:B` and the operators do not mix in one expression.
        return Err(QueryError::syntax(
            "InvalidLabelExpression",
            "`:A:B` cannot be mixed with `|`, `&`, `!` or `%` in one label expression; write the conjunction as `:A&B`",
        )
        .at(span));
    }
    let mut conj = Vec::new();
    for e in parts {
        match e {
            LabelExpr::And(es) => conj.extend(es),
            e => conj.push(e),
        }
    }
    let mut labels = Vec::new();
    let mut rest = Vec::new();
    for e in conj {
        match e {
            LabelExpr::Label(l) => {
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
            e => rest.push(e),
        }
    }
    let rest = match rest.len() {
        0 => None,
        1 => rest.pop(),
        _ => Some(LabelExpr::And(rest)),
    };
    Ok((labels, rest))
}

fn label_or(p: Pair<'_, Rule>) -> PResult<LabelExpr> {
    let span = span_of(&p);
    let rule = p.as_rule();
    let mut parts = Vec::new();
    let mut negations = 0;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::label_and | Rule::label_not | Rule::label_atom | Rule::label_or => {
                parts.push(label_or(q)?)
            }
            Rule::label_name => parts.push(LabelExpr::Label(name_of(q))),
            Rule::percent => parts.push(LabelExpr::Any),
            Rule::bang => negations += 1,
            _ => {}
        }
    }
    let mut e = match rule {
        Rule::label_or if parts.len() > 1 => LabelExpr::Or(parts),
        Rule::label_and if parts.len() > 1 => LabelExpr::And(parts),
        _ => parts
            .pop()
            .ok_or_else(|| unexpected(Rule::label_expression, span))?,
    };
    for _ in 0..negations {
        e = LabelExpr::Not(Box::new(e));
    }
    Ok(e)
}

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
        where_: None,
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
                        Rule::pattern_where => {
                            if rel.length.is_some() {
                                return Err(QueryError::syntax(
                                    "InvalidPatternPredicate",
                                    "a relationship pattern with a length (`*`) cannot have a WHERE",
                                )
                                .at(span_of(&r)));
                            }
                            rel.where_ = Some(Box::new(sub_expression(r)?))
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

/// Takes Neo4j 5's pattern predicates (`(n WHERE …)`, `-[r WHERE …]->`) out of `pattern` and
/// returns their conjunction, in pattern order. The places that allow them (MATCH, pattern
/// comprehensions, EXISTS / COUNT / COLLECT patterns) add it to their WHERE; a predicate left
/// in a pattern is reported by the semantic pass.
pub fn hoist_predicates(pattern: &mut [PatternPart]) -> Option<Expr> {
    let mut found = None;
    for part in pattern {
        found = conjoin(found, hoist_element(&mut part.element));
    }
    found
}

/// Like [`hoist_predicates`] for one element.
pub fn hoist_element(el: &mut PatternElement) -> Option<Expr> {
    let mut found = el.start.where_.take().map(|b| *b);
    for (r, n) in &mut el.chain {
        found = conjoin(found, r.where_.take().map(|b| *b));
        found = conjoin(found, n.where_.take().map(|b| *b));
    }
    found
}

/// `a AND b`, either side optional.
pub fn conjoin(a: Option<Expr>, b: Option<Expr>) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => {
            let span = Span::new(a.span.start.min(b.span.start), a.span.end.max(b.span.end));
            Some(Expr {
                kind: ExprKind::Binary(BinaryOp::And, Box::new(a), Box::new(b)),
                span,
            })
        }
        (a, b) => a.or(b),
    }
}
