//! Graph patterns: `p = (a:L {k: v})-[r:T*1..3]->(b)`, shortestPath, label lists.

use pest::iterators::Pair;

use super::expr::{map_literal, sub_expression};
use super::literal;
use super::pairs::{name_of, unexpected, variable};
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
    let mut kind = PathKind::Normal;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => var = Some(variable(q)),
            Rule::path_selector => kind = path_selector(q)?,
            Rule::pattern_element => {
                let (element, subpath, where_) = parenthesized(q)?;
                if let Some(sub) = subpath {
                    // Neo4j 5: a subpath variable needs a selective selector.
                    if !matches!(kind, PathKind::Selector(_)) {
                        return Err(QueryError::syntax(
                            "InvalidSubpathVariable",
                            "a path variable inside parentheses needs a selective path selector such as `SHORTEST 1`",
                        )
                        .at(sub.span));
                    }
                    if var.is_some() {
                        return Err(QueryError::unsupported(
                            "a path variable both before a selector and inside its parentheses",
                        )
                        .at(sub.span));
                    }
                    var = Some(sub);
                }
                return Ok(PatternPart {
                    variable: var,
                    kind,
                    element,
                    where_: where_.map(Box::new),
                    span,
                });
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
                if element.chain.len() != 1 {
                    return Err(QueryError::unsupported(
                        "a shortest-path selector over more than one relationship pattern",
                    )
                    .at(element.span));
                }
                if let Some((r, _)) = element.chain.iter().find(|(r, _)| r.quantified.is_some()) {
                    // Neo4j 5: the functions take a variable-length relationship only.
                    return Err(QueryError::syntax(
                        "InvalidShortestPath",
                        "shortestPath() and allShortestPaths() take a variable-length relationship (`-[*]->`), not a quantified path pattern; use `SHORTEST 1` or `ALL SHORTEST`",
                    )
                    .at(r.span));
                }
                return Ok(PatternPart {
                    variable: var,
                    kind,
                    element,
                    where_: None,
                    span,
                });
            }
            _ => {}
        }
    }
    Err(unexpected(Rule::pattern_part, span))
}

/// A pattern element with what its outer parentheses may add: `(p = … WHERE pred)`.
fn parenthesized(p: Pair<'_, Rule>) -> PResult<(PatternElement, Option<Variable>, Option<Expr>)> {
    let span = span_of(&p);
    for q in p.clone().into_inner() {
        match q.as_rule() {
            Rule::pattern_element => return parenthesized(q),
            Rule::parenthesized_path => {
                let mut var = None;
                let mut element = None;
                let mut where_ = None;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::variable => var = Some(variable(r)),
                        Rule::pattern_element => {
                            let (el, inner_var, inner_where) = parenthesized(r)?;
                            if let Some(v) = inner_var {
                                return Err(QueryError::unsupported(
                                    "a path variable inside nested parentheses",
                                )
                                .at(v.span));
                            }
                            where_ = conjoin(where_, inner_where);
                            element = Some(el);
                        }
                        Rule::pattern_where => {
                            where_ = conjoin(where_, Some(sub_expression(r)?));
                        }
                        _ => {}
                    }
                }
                let element = element.ok_or_else(|| unexpected(Rule::pattern_element, span))?;
                return Ok((element, var, where_));
            }
            _ => {}
        }
    }
    Ok((pattern_element(p)?, None, None))
}

/// A node then relationship–node steps; parentheses around a whole element are dropped. A
/// leading quantified path pattern gets an anonymous start node.
pub fn pattern_element(p: Pair<'_, Rule>) -> PResult<PatternElement> {
    let span = span_of(&p);
    let mut start = None;
    let mut chain = Vec::new();
    let mut pending: Option<RelPattern> = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::pattern_element => return pattern_element(q),
            // Plain parentheses around an element (no path variable, no WHERE) are dropped.
            Rule::parenthesized_path if plain_parentheses(&q) => {
                if let Some(inner) = q.into_inner().find(|r| r.as_rule() == Rule::pattern_element) {
                    return pattern_element(inner);
                }
                return Err(unexpected(Rule::pattern_element, span));
            }
            Rule::parenthesized_path => {
                return Err(QueryError::unsupported(
                    "a parenthesized path pattern with a WHERE or a path variable here; it is allowed directly in MATCH",
                )
                .at(span_of(&q)))
            }
            Rule::node_pattern => {
                let node = node_pattern(q)?;
                match pending.take() {
                    Some(rel) => chain.push((rel, node)),
                    None => start = Some(node),
                }
            }
            Rule::quantified_path => {
                start = Some(anonymous_node(span_of(&q)));
                pending = Some(quantified_path(q)?);
            }
            Rule::pattern_chain => chain.push(pattern_chain(q)?),
            _ => {}
        }
    }
    if let Some(rel) = pending {
        let end = anonymous_node(Span::new(span.end, span.end));
        chain.push((rel, end));
    }
    let start = start.ok_or_else(|| unexpected(Rule::pattern_element, span))?;
    // Neo4j 5: a path pattern needs at least one element, so a lone quantified path pattern
    // may not allow zero iterations.
    if let [(r, end)] = chain.as_slice() {
        let lone = start.span == r.span && end.span.start == end.span.end;
        if lone
            && r.quantified
                .as_ref()
                .is_some_and(|q| q.range.min == Some(0))
        {
            return Err(QueryError::syntax(
                "InvalidQuantifier",
                "a path pattern that is only a quantified path pattern needs a lower bound of at least 1",
            )
            .at(r.span));
        }
    }
    Ok(PatternElement { start, chain, span })
}

/// Whether a `parenthesized_path` only groups: no path variable and no WHERE of its own.
fn plain_parentheses(p: &Pair<'_, Rule>) -> bool {
    p.clone()
        .into_inner()
        .all(|r| !matches!(r.as_rule(), Rule::variable | Rule::pattern_where))
}

fn anonymous_node(span: Span) -> NodePattern {
    NodePattern {
        variable: None,
        labels: Vec::new(),
        label_expr: None,
        properties: None,
        where_: None,
        span,
    }
}

/// A GQL path selector as the `PathKind` it means (see the grammar).
fn path_selector(p: Pair<'_, Rule>) -> PResult<PathKind> {
    let span = span_of(&p);
    let mut all = false;
    let mut shortest = false;
    let mut groups = false;
    let mut count = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::ALL => all = true,
            Rule::SHORTEST => shortest = true,
            Rule::GROUPS | Rule::GROUP_KW => groups = true,
            Rule::selector_count => {
                count = Some(
                    q.as_str()
                        .parse::<u64>()
                        .map_err(|_| literal::overflow(q.as_str(), span_of(&q)))?,
                )
            }
            _ => {}
        }
    }
    if count == Some(0) {
        return Err(QueryError::syntax(
            "InvalidArgumentValue",
            "a path selector needs a count of at least 1",
        )
        .at(span));
    }
    let k = count.unwrap_or(1);
    Ok(match (all, shortest, groups) {
        (true, true, _) => PathKind::Selector(PathSelector::ShortestGroups(1)),
        (true, false, _) => PathKind::Normal,
        (false, true, true) => PathKind::Selector(PathSelector::ShortestGroups(k)),
        (false, true, false) => PathKind::Selector(PathSelector::Shortest(k)),
        (false, false, _) => PathKind::Selector(PathSelector::Any(k)),
    })
}

/// `+`, `*`, `{n}`, `{n,m}`, `{,m}`, `{n,}` as a length range (GQL: `*` is 0 or more).
fn gql_quantifier(p: Pair<'_, Rule>) -> PResult<LengthRange> {
    let span = span_of(&p);
    let mut bounds: Vec<Option<u64>> = vec![None];
    let mut comma = false;
    let mut kind = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::plus_sign => kind = Some((1, None)),
            Rule::star => kind = Some((0, None)),
            Rule::comma => {
                comma = true;
                bounds.push(None);
            }
            Rule::range_int => {
                let v: u64 = q
                    .as_str()
                    .parse()
                    .map_err(|_| literal::overflow(q.as_str(), span_of(&q)))?;
                if let Some(last) = bounds.last_mut() {
                    *last = Some(v);
                }
            }
            _ => {}
        }
    }
    let (min, max) = match kind {
        Some((min, max)) => (min, max),
        None if comma => (
            bounds.first().copied().flatten().unwrap_or(0),
            bounds.get(1).copied().flatten(),
        ),
        None => {
            let n = bounds.first().copied().flatten().unwrap_or(1);
            (n, Some(n))
        }
    };
    if max.is_some_and(|m| m < min) {
        return Err(QueryError::syntax(
            "InvalidQuantifier",
            format!("a quantifier's upper bound cannot be below its lower bound ({min})"),
        )
        .at(span));
    }
    Ok(LengthRange {
        min: Some(min),
        max,
    })
}

/// `((a)-[r:R]->(b) WHERE …){1,3}`: one plain relationship between plain anonymous nodes is the
/// variable-length relationship `-[r:R*1..3]->` (its variable a list, as a group variable is);
/// anything else is kept as a [`QuantifiedPath`] in a relationship's place.
fn quantified_path(p: Pair<'_, Rule>) -> PResult<RelPattern> {
    let span = span_of(&p);
    let mut start = None;
    let mut chain = Vec::new();
    let mut range = None;
    let mut where_ = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::node_pattern => start = Some(node_pattern(q)?),
            Rule::pattern_chain => chain.push(pattern_chain(q)?),
            Rule::pattern_where => where_ = Some(Box::new(sub_expression(q)?)),
            Rule::gql_quantifier => range = Some(gql_quantifier(q)?),
            _ => {}
        }
    }
    let start = start.ok_or_else(|| unexpected(Rule::quantified_path, span))?;
    let range = range.ok_or_else(|| unexpected(Rule::quantified_path, span))?;
    if let Some((r, _)) = chain
        .iter()
        .find(|(r, _)| r.length.is_some() || r.quantified.is_some())
    {
        // Neo4j 5: quantified path patterns do not nest.
        return Err(QueryError::syntax(
            "InvalidQuantifier",
            "quantified path patterns cannot be nested: a quantified path pattern may not contain a quantified or variable-length relationship",
        )
        .at(r.span));
    }
    let plain = |n: &NodePattern| {
        n.variable.is_none()
            && n.labels.is_empty()
            && n.label_expr.is_none()
            && n.properties.is_none()
            && n.where_.is_none()
    };
    if let [(rel, end)] = chain.as_slice() {
        if where_.is_none() && plain(&start) && plain(end) && rel.where_.is_none() {
            let mut rel = rel.clone();
            rel.length = Some(range);
            rel.span = span;
            return Ok(rel);
        }
    }
    Ok(quantified_rel(
        QuantifiedPath {
            element: PatternElement { start, chain, span },
            where_,
            range,
            span,
        },
        span,
    ))
}

/// An empty relationship pattern carrying a quantified path pattern.
fn quantified_rel(q: QuantifiedPath, span: Span) -> RelPattern {
    RelPattern {
        variable: None,
        types: Vec::new(),
        dynamic_types: Vec::new(),
        type_expr: None,
        direction: RelDirection::LeftToRight,
        length: None,
        properties: None,
        where_: None,
        quantified: Some(Box::new(q)),
        span,
    }
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
            Rule::quantified_path => rel = Some(quantified_path(q)?),
            Rule::gql_quantifier => {
                let qspan = span_of(&q);
                let range = gql_quantifier(q)?;
                if let Some(r) = rel.as_mut() {
                    if r.length.is_some() || r.quantified.is_some() {
                        return Err(QueryError::syntax(
                            "InvalidQuantifier",
                            "a quantified relationship cannot also have a `*` length",
                        )
                        .at(qspan));
                    }
                    if r.where_.is_some() {
                        // `-[r WHERE …]->+` is `(()-[r WHERE …]->())+`.
                        let span = Span::new(r.span.start, qspan.end);
                        let body = PatternElement {
                            start: anonymous_node(Span::new(r.span.start, r.span.start)),
                            chain: vec![(
                                r.clone(),
                                anonymous_node(Span::new(r.span.end, r.span.end)),
                            )],
                            span,
                        };
                        *r = quantified_rel(
                            QuantifiedPath {
                                element: body,
                                where_: None,
                                range,
                                span,
                            },
                            span,
                        );
                    } else {
                        r.length = Some(range);
                    }
                }
            }
            Rule::node_pattern => node = Some(node_pattern(q)?),
            _ => {}
        }
    }
    // A quantified path pattern at the end of the element gets an anonymous end node.
    if node.is_none() && rel.is_some() {
        node = Some(anonymous_node(Span::new(span.end, span.end)));
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
pub(super) fn label_expression(p: Pair<'_, Rule>) -> PResult<(Vec<String>, Option<LabelExpr>)> {
    let span = span_of(&p);
    let parts = p
        .into_inner()
        .filter(|q| matches!(q.as_rule(), Rule::label_or | Rule::where_label_or))
        .map(label_or)
        .collect::<PResult<Vec<_>>>()?;
    let plain = |e: &LabelExpr| matches!(e, LabelExpr::Label(_) | LabelExpr::Dynamic(_));
    if parts.len() > 1 && !parts.iter().all(plain) {
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
            Rule::label_and
            | Rule::label_not
            | Rule::label_atom
            | Rule::label_or
            | Rule::where_label_or => parts.push(label_or(q)?),
            Rule::label_name => parts.push(LabelExpr::Label(name_of(q))),
            Rule::dynamic_label => parts.push(LabelExpr::Dynamic(Box::new(dynamic_label(q)?))),
            Rule::percent => parts.push(LabelExpr::Any),
            Rule::bang => negations += 1,
            _ => {}
        }
    }
    let mut e = match rule {
        Rule::label_or | Rule::where_label_or if parts.len() > 1 => LabelExpr::Or(parts),
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

/// `:A:$(x):B` → (`["A", "B"]`, the dynamic labels).
pub fn node_labels(p: Pair<'_, Rule>) -> PResult<(Vec<String>, Vec<DynamicLabel>)> {
    let mut labels = Vec::new();
    let mut dynamic = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::label_name => labels.push(name_of(q)),
            Rule::dynamic_label => dynamic.push(dynamic_label(q)?),
            _ => {}
        }
    }
    Ok((labels, dynamic))
}

/// `$(expr)`, `$all(expr)`, `$any(expr)`.
pub fn dynamic_label(p: Pair<'_, Rule>) -> PResult<DynamicLabel> {
    let span = span_of(&p);
    let head = p.as_str()[1..].trim_start();
    let any = head.len() >= 3 && head[..3].eq_ignore_ascii_case("any");
    let expr = sub_expression(p)?;
    Ok(DynamicLabel { expr, any, span })
}

/// A relationship pattern's type expression: a disjunction of names and dynamic types
/// (`:A|B`, `:A|:B`, `:A|$(t)`) goes to `types` and `dynamic_types` as before, anything else
/// (`!`, `&`, `%`, parentheses) to `type_expr`.
fn relationship_types(e: LabelExpr, rel: &mut RelPattern) {
    let alternatives = match e {
        LabelExpr::Or(es) => es,
        e => vec![e],
    };
    let plain = |e: &LabelExpr| matches!(e, LabelExpr::Label(_) | LabelExpr::Dynamic(_));
    if !alternatives.iter().all(plain) {
        rel.type_expr = Some(match alternatives.len() {
            1 => alternatives.into_iter().next().unwrap_or(LabelExpr::Any),
            _ => LabelExpr::Or(alternatives),
        });
        return;
    }
    for e in alternatives {
        match e {
            LabelExpr::Label(l) => rel.types.push(l),
            LabelExpr::Dynamic(d) => rel.dynamic_types.push(*d),
            _ => {}
        }
    }
}

fn relationship_pattern(p: Pair<'_, Rule>) -> PResult<RelPattern> {
    let span = span_of(&p);
    let mut left = false;
    let mut right = false;
    let mut rel = RelPattern {
        variable: None,
        types: Vec::new(),
        dynamic_types: Vec::new(),
        type_expr: None,
        direction: RelDirection::Undirected,
        length: None,
        properties: None,
        where_: None,
        quantified: None,
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
                            for t in r.into_inner() {
                                if t.as_rule() == Rule::label_or {
                                    relationship_types(label_or(t)?, &mut rel);
                                }
                            }
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
        // A selective selector applies its pattern's predicates before selecting: the planner
        // keeps them with the search.
        if matches!(part.kind, PathKind::Selector(_)) {
            continue;
        }
        found = conjoin(found, part.where_.take().map(|b| *b));
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
