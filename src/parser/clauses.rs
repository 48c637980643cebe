//! Statements and clauses: queries, UNION, MATCH … RETURN, updating clauses, CALL, schema
//! and transaction commands.

use pest::iterators::Pair;

use super::expr::{expression, lookup, sub_expression};
use super::pairs::{name_of, unexpected, variable};
use super::patterns::{node_labels, pattern, pattern_part};
use super::{span_of, PResult, Rule};
use crate::ast::*;
use crate::error::QueryError;

pub fn statement(p: Pair<'_, Rule>) -> PResult<Statement> {
    let span = span_of(&p);
    let Some(inner) = p.into_inner().next() else {
        return Err(unexpected(Rule::statement, span));
    };
    let inner_span = span_of(&inner);
    match inner.as_rule() {
        Rule::explain | Rule::profile => {
            let rule = inner.as_rule();
            let sub = inner
                .into_inner()
                .find(|q| q.as_rule() == Rule::statement)
                .ok_or_else(|| unexpected(rule, inner_span))?;
            let sub = Box::new(statement(sub)?);
            Ok(if rule == Rule::explain {
                Statement::Explain(sub)
            } else {
                Statement::Profile(sub)
            })
        }
        Rule::tx_command => match inner.into_inner().next().map(|k| k.as_rule()) {
            Some(Rule::BEGIN) => Ok(Statement::Begin),
            Some(Rule::COMMIT) => Ok(Statement::Commit),
            _ => Ok(Statement::Rollback),
        },
        Rule::create_index | Rule::drop_index | Rule::create_constraint | Rule::drop_constraint => {
            schema(inner)
        }
        Rule::query => Ok(Statement::Query(query(inner)?)),
        Rule::schema_unsupported => {
            let text = inner.as_str().to_ascii_lowercase();
            let what = if text.contains("constraint") {
                "this form of constraint (see docs/query-language.md for the ones kgstore has)"
            } else {
                "this kind of index (kgstore has single-property range indexes)"
            };
            Err(QueryError::unsupported(what).at(inner_span))
        }
        Rule::show_query => Ok(Statement::Query(super::show::show_query(inner)?)),
        r => Err(unexpected(r, inner_span)),
    }
}

/// Index and constraint commands. Labels and properties come from the pair's children in
/// order; the variable names are only checked to be consistent.
fn schema(p: Pair<'_, Rule>) -> PResult<Statement> {
    let rule = p.as_rule();
    let span = span_of(&p);
    let mut name = None;
    let mut label = None;
    let mut properties = Vec::new();
    let mut if_not_exists = false;
    let mut if_exists = false;
    let mut on_relationships = false;
    let mut requirement = None;
    let mut text = false;
    let mut vars: Vec<Variable> = Vec::new();
    let mut pairs: Vec<Pair<'_, Rule>> = p.into_inner().collect();
    // The relationship form's variable and type are inside `constraint_rel`.
    if let Some(i) = pairs
        .iter()
        .position(|q| q.as_rule() == Rule::constraint_rel)
    {
        on_relationships = true;
        let rel = pairs.remove(i);
        pairs.splice(i..i, rel.into_inner());
    }
    for q in pairs {
        match q.as_rule() {
            Rule::schema_object_name => name = Some(name_of(q)),
            Rule::index_type => text = q.as_str().eq_ignore_ascii_case("text"),
            Rule::label_name | Rule::rel_type_name => label = Some(name_of(q)),
            Rule::property_key_name => properties.push(name_of(q)),
            Rule::if_not_exists => if_not_exists = true,
            Rule::if_exists => if_exists = true,
            Rule::variable => vars.push(variable(q)),
            Rule::constraint_kind => requirement = Some(constraint_requirement(q)?),
            _ => {}
        }
    }
    let property = properties.first().cloned();
    for b in vars.iter().skip(1) {
        let a = &vars[0];
        if a.name != b.name {
            return Err(QueryError::syntax(
                "UndefinedVariable",
                format!(
                    "variable `{}` is not defined (did you mean `{}`?)",
                    b.name, a.name
                ),
            )
            .at(b.span));
        }
    }
    let target = match (&name, &label, &property) {
        (_, Some(l), Some(p)) => SchemaTarget::LabelProperty {
            label: l.clone(),
            property: p.clone(),
        },
        (Some(n), _, _) => SchemaTarget::Name(n.clone()),
        _ => SchemaTarget::Name(String::new()),
    };
    Ok(match rule {
        Rule::create_index => Statement::CreateIndex {
            name,
            label: label.unwrap_or_default(),
            property: property.unwrap_or_default(),
            if_not_exists,
            text,
        },
        Rule::create_constraint => match requirement {
            Some(ConstraintRequirement::Unique) if !on_relationships && properties.len() == 1 => {
                Statement::CreateUniqueConstraint {
                    name,
                    label: label.unwrap_or_default(),
                    property: property.unwrap_or_default(),
                    if_not_exists,
                }
            }
            requirement => Statement::CreateConstraint(ConstraintSpec {
                name,
                if_not_exists,
                on_relationships,
                label: label.unwrap_or_default(),
                properties,
                requirement: requirement.unwrap_or(ConstraintRequirement::Unique),
                span,
            }),
        },
        Rule::drop_index => Statement::DropIndex { target, if_exists },
        _ => Statement::DropConstraint { target, if_exists },
    })
}

/// `IS UNIQUE`, `IS NODE KEY`, `IS NOT NULL`, `IS :: type`.
fn constraint_requirement(p: Pair<'_, Rule>) -> PResult<ConstraintRequirement> {
    let span = span_of(&p);
    let inner = p
        .into_inner()
        .next()
        .ok_or_else(|| unexpected(Rule::constraint_kind, span))?;
    Ok(match inner.as_rule() {
        Rule::constraint_unique => ConstraintRequirement::Unique,
        Rule::constraint_key => ConstraintRequirement::Key,
        Rule::constraint_not_null => ConstraintRequirement::NotNull,
        _ => ConstraintRequirement::Typed(super::types::constraint_type(inner)?),
    })
}

pub(super) fn query(p: Pair<'_, Rule>) -> PResult<Query> {
    let span = span_of(&p);
    let mut first = None;
    let mut unions = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::single_query => first = Some(single_query(q)?),
            Rule::union => {
                let mut all = false;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::ALL => all = true,
                        Rule::single_query => unions.push((all, single_query(r)?)),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let first = first.ok_or_else(|| unexpected(Rule::query, span))?;
    Ok(Query {
        first,
        unions,
        span,
    })
}

pub fn single_query(p: Pair<'_, Rule>) -> PResult<SingleQuery> {
    let span = span_of(&p);
    let clauses = p.into_inner().map(clause).collect::<PResult<Vec<_>>>()?;
    Ok(SingleQuery { clauses, span })
}

pub(super) fn clause(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    super::count_clause(span)?;
    match p.as_rule() {
        Rule::match_clause => {
            let mut m = Match {
                optional: false,
                pattern: Vec::new(),
                where_: None,
                span,
            };
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::OPTIONAL => m.optional = true,
                    Rule::match_mode
                        if q.as_str()
                            .trim_start()
                            .to_ascii_lowercase()
                            .starts_with("repeatable") =>
                    {
                        return Err(
                            QueryError::unsupported("MATCH REPEATABLE ELEMENTS").at(span_of(&q))
                        );
                    }
                    Rule::pattern => m.pattern = pattern(q)?,
                    Rule::where_clause => m.where_ = Some(sub_expression(q)?),
                    _ => {}
                }
            }
            // `(n WHERE …)` and `-[r WHERE …]->` become part of the MATCH's WHERE.
            let hoisted = super::patterns::hoist_predicates(&mut m.pattern);
            m.where_ = super::patterns::conjoin(hoisted, m.where_.take());
            Ok(Clause::Match(m))
        }
        Rule::unwind_clause => {
            let mut expr = None;
            let mut var = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::expression => expr = Some(expression(q)?),
                    Rule::variable => var = Some(variable(q)),
                    _ => {}
                }
            }
            match (expr, var) {
                (Some(expr), Some(variable)) => Ok(Clause::Unwind(Unwind {
                    expr,
                    variable,
                    span,
                })),
                _ => Err(unexpected(Rule::unwind_clause, span)),
            }
        }
        Rule::with_clause => {
            let mut projection = None;
            let mut where_ = None;
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::projection_body => projection = Some(projection_body(q)?),
                    Rule::where_clause => where_ = Some(sub_expression(q)?),
                    _ => {}
                }
            }
            let projection = projection.ok_or_else(|| unexpected(Rule::with_clause, span))?;
            Ok(Clause::With(With {
                projection,
                where_,
                span,
            }))
        }
        Rule::return_clause => {
            let body = p
                .into_inner()
                .find(|q| q.as_rule() == Rule::projection_body)
                .ok_or_else(|| unexpected(Rule::return_clause, span))?;
            Ok(Clause::Return(Return {
                projection: projection_body(body)?,
                span,
            }))
        }
        Rule::create_clause => {
            let pat = p
                .into_inner()
                .find(|q| q.as_rule() == Rule::pattern)
                .ok_or_else(|| unexpected(Rule::create_clause, span))?;
            Ok(Clause::Create(Create {
                pattern: pattern(pat)?,
                span,
            }))
        }
        Rule::merge_clause => merge(p),
        Rule::set_clause => Ok(Clause::Set(Set {
            items: set_items(p)?,
            span,
        })),
        Rule::remove_clause => Ok(Clause::Remove(Remove {
            items: remove_items(p)?,
            span,
        })),
        Rule::delete_clause => {
            let mut detach = false;
            let mut exprs = Vec::new();
            for q in p.into_inner() {
                match q.as_rule() {
                    Rule::DETACH => detach = true,
                    Rule::expression => exprs.push(expression(q)?),
                    _ => {}
                }
            }
            Ok(Clause::Delete(Delete {
                detach,
                exprs,
                span,
            }))
        }
        Rule::call_clause => call(p),
        Rule::finish_clause => Ok(Clause::Finish(span)),
        Rule::order_skip_limit => {
            // Neo4j 5's standalone ORDER BY / SKIP / LIMIT: a `WITH *` that only sorts and
            // pages.
            let mut projection = projection_body(p)?;
            projection.star = true;
            Ok(Clause::With(With {
                projection,
                where_: None,
                span,
            }))
        }
        Rule::foreach_clause => super::nested::foreach(p),
        Rule::load_csv_clause => super::nested::load_csv(p),
        Rule::call_subquery => super::nested::call_subquery(p),
        Rule::unsupported_clause => {
            if let Some(admin) = super::errors::administration_command(p.as_str()) {
                return Err(QueryError::unsupported(admin).at(span));
            }
            let feature = p
                .into_inner()
                .find(|q| q.as_rule() == Rule::unsupported_feature)
                .ok_or_else(|| unexpected(Rule::unsupported_clause, span))?;
            let fspan = span_of(&feature);
            let name = match feature.into_inner().next().map(|k| k.as_rule()) {
                Some(Rule::USE) => "USE",
                _ => "SHOW",
            };
            Err(QueryError::unsupported(name).at(fspan))
        }
        r => Err(unexpected(r, span)),
    }
}

pub(super) fn projection_body(p: Pair<'_, Rule>) -> PResult<Projection> {
    let mut proj = Projection {
        distinct: false,
        star: false,
        items: Vec::new(),
        order_by: Vec::new(),
        skip: None,
        limit: None,
    };
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::DISTINCT => proj.distinct = true,
            Rule::projection_items => {
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::star => proj.star = true,
                        Rule::projection_item => proj.items.push(projection_item(r)?),
                        _ => {}
                    }
                }
            }
            Rule::order_by => {
                for r in q.into_inner().filter(|r| r.as_rule() == Rule::sort_item) {
                    let mut expr = None;
                    let mut descending = false;
                    for s in r.into_inner() {
                        match s.as_rule() {
                            Rule::expression => expr = Some(expression(s)?),
                            Rule::descending => descending = true,
                            _ => {}
                        }
                    }
                    if let Some(expr) = expr {
                        proj.order_by.push(SortItem { expr, descending });
                    }
                }
            }
            Rule::skip => proj.skip = Some(sub_expression(q)?),
            Rule::limit => proj.limit = Some(sub_expression(q)?),
            _ => {}
        }
    }
    Ok(proj)
}

fn projection_item(p: Pair<'_, Rule>) -> PResult<ProjectionItem> {
    let span = span_of(&p);
    let mut expr = None;
    let mut text = String::new();
    let mut alias = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::expression => {
                text = q.as_str().trim_end().to_string();
                expr = Some(expression(q)?);
            }
            Rule::variable => alias = Some(variable(q)),
            _ => {}
        }
    }
    let expr = expr.ok_or_else(|| unexpected(Rule::projection_item, span))?;
    // Neo4j 5 names the column of an unaliased map projection `p {.name}` after its variable.
    if let ExprKind::MapProjection { variable, .. } = &expr.kind {
        text = variable.name.clone();
    }
    Ok(ProjectionItem { expr, alias, text })
}

fn merge(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let mut part = None;
    let mut on_create = Vec::new();
    let mut on_match = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::pattern_part => part = Some(pattern_part(q)?),
            Rule::merge_action => {
                let mut create = false;
                let mut items = Vec::new();
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::on_create => create = true,
                        Rule::set_clause => items = set_items(r)?,
                        _ => {}
                    }
                }
                if create {
                    on_create.extend(items);
                } else {
                    on_match.extend(items);
                }
            }
            _ => {}
        }
    }
    let part = part.ok_or_else(|| unexpected(Rule::merge_clause, span))?;
    Ok(Clause::Merge(Merge {
        part,
        on_create,
        on_match,
        span,
    }))
}

/// `atom.a.b` → (`atom.a`, `b`, None): the target and the key written last; `atom[k]` →
/// (`atom`, "", `k`): Neo4j 5's dynamic key.
fn property_target(p: Pair<'_, Rule>) -> PResult<(Expr, String, Option<Box<Expr>>)> {
    let span = span_of(&p);
    let mut inner = p.into_inner();
    let first = inner
        .next()
        .ok_or_else(|| unexpected(Rule::property_expression, span))?;
    let mut target = match first.as_rule() {
        Rule::variable => Expr {
            span: span_of(&first),
            kind: ExprKind::Variable(name_of(first)),
        },
        Rule::parenthesized => sub_expression(first)?,
        _ => {
            return Err(QueryError::syntax(
                "UnexpectedSyntax",
                "expected a variable or a parenthesised expression before `.property`",
            )
            .at(span_of(&first)))
        }
    };
    let lookups: Vec<_> = inner.collect();
    let Some((last, init)) = lookups.split_last() else {
        return Err(QueryError::syntax("UnexpectedSyntax", "expected `.property`").at(span));
    };
    for l in init {
        let s = Span::new(target.span.start, l.as_span().end());
        target = Expr {
            kind: lookup(target, l.clone())?,
            span: s,
        };
    }
    if last.as_rule() == Rule::index_or_slice {
        let key = match lookup(target.clone(), last.clone())? {
            ExprKind::Index(_, key) => key,
            _ => {
                return Err(QueryError::syntax(
                    "UnexpectedSyntax",
                    "expected `[key]` (a slice names no property to set or remove)",
                )
                .at(span_of(last)))
            }
        };
        return Ok((target, String::new(), Some(key)));
    }
    if last.as_rule() != Rule::property_lookup {
        return Err(QueryError::syntax(
            "UnexpectedSyntax",
            "expected `.property` to set or remove",
        )
        .at(span_of(last)));
    }
    let key = last
        .clone()
        .into_inner()
        .find(|q| q.as_rule() == Rule::property_key_name)
        .map(name_of)
        .unwrap_or_default();
    Ok((target, key, None))
}

/// `n:A:$(expr)` in SET or REMOVE: the variable, static labels and dynamic label expressions
/// (`$any(…)` names no definite labels, so it is refused here as in Neo4j).
fn labels_item(p: Pair<'_, Rule>) -> PResult<(Variable, Vec<String>, Vec<Expr>)> {
    let span = span_of(&p);
    let mut var = None;
    let mut labels = Vec::new();
    let mut dynamic = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => var = Some(variable(q)),
            Rule::node_labels => {
                let (l, d) = node_labels(q)?;
                labels = l;
                for d in d {
                    if d.any {
                        return Err(QueryError::syntax(
                            "InvalidDynamicLabel",
                            "`$any(…)` is only allowed in MATCH; SET and REMOVE take `$(…)`",
                        )
                        .at(d.span));
                    }
                    dynamic.push(d.expr);
                }
            }
            _ => {}
        }
    }
    let var = var.ok_or_else(|| unexpected(Rule::set_labels, span))?;
    Ok((var, labels, dynamic))
}

fn set_items(p: Pair<'_, Rule>) -> PResult<Vec<SetItem>> {
    let mut items = Vec::new();
    for q in p.into_inner() {
        let span = span_of(&q);
        match q.as_rule() {
            Rule::set_property => {
                let mut target = None;
                let mut value = None;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::property_expression => target = Some(property_target(r)?),
                        Rule::expression => value = Some(expression(r)?),
                        _ => {}
                    }
                }
                if let (Some((target, key, dynamic_key)), Some(value)) = (target, value) {
                    items.push(SetItem::Property {
                        target,
                        key,
                        dynamic_key,
                        value,
                        span,
                    });
                }
            }
            Rule::set_variable => {
                let mut var = None;
                let mut value = None;
                let mut merge = false;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::variable => var = Some(variable(r)),
                        Rule::plus_eq => merge = true,
                        Rule::expression => value = Some(expression(r)?),
                        _ => {}
                    }
                }
                if let (Some(variable), Some(value)) = (var, value) {
                    items.push(SetItem::Properties {
                        variable,
                        value,
                        merge,
                        span,
                    });
                }
            }
            Rule::set_labels => {
                let (variable, labels, dynamic) = labels_item(q)?;
                items.push(SetItem::Labels {
                    variable,
                    labels,
                    dynamic,
                    span,
                });
            }
            _ => {}
        }
    }
    Ok(items)
}

fn remove_items(p: Pair<'_, Rule>) -> PResult<Vec<RemoveItem>> {
    let mut items = Vec::new();
    for q in p.into_inner() {
        let span = span_of(&q);
        match q.as_rule() {
            Rule::set_labels => {
                let (variable, labels, dynamic) = labels_item(q)?;
                items.push(RemoveItem::Labels {
                    variable,
                    labels,
                    dynamic,
                    span,
                });
            }
            Rule::property_expression => {
                let (target, key, dynamic_key) = property_target(q)?;
                items.push(RemoveItem::Property {
                    target,
                    key,
                    dynamic_key,
                    span,
                });
            }
            _ => {}
        }
    }
    Ok(items)
}

fn call(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let mut c = Call {
        optional: false,
        procedure: String::new(),
        args: None,
        yields: None,
        yield_star: false,
        where_: None,
        span,
    };
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::OPTIONAL => c.optional = true,
            Rule::procedure_name => {
                c.procedure = q.into_inner().map(name_of).collect::<Vec<_>>().join(".")
            }
            Rule::call_arguments => {
                c.args = Some(
                    q.into_inner()
                        .filter(|r| r.as_rule() == Rule::expression)
                        .map(expression)
                        .collect::<PResult<Vec<_>>>()?,
                )
            }
            Rule::yield_clause => yield_clause(q, &mut c)?,
            _ => {}
        }
    }
    Ok(Clause::Call(c))
}

/// `YIELD *` or `YIELD a, b AS c [WHERE …]` into `c`.
pub(super) fn yield_clause(q: Pair<'_, Rule>, c: &mut Call) -> PResult<()> {
    let mut items = Vec::new();
    for r in q.into_inner() {
        match r.as_rule() {
            Rule::star => c.yield_star = true,
            Rule::yield_item => {
                let span = span_of(&r);
                let mut column = String::new();
                let mut alias = None;
                for s in r.into_inner() {
                    match s.as_rule() {
                        Rule::symbolic_name => column = name_of(s),
                        Rule::variable => alias = Some(variable(s)),
                        _ => {}
                    }
                }
                items.push(YieldItem {
                    column,
                    alias,
                    span,
                });
            }
            Rule::where_clause => c.where_ = Some(sub_expression(r)?),
            _ => {}
        }
    }
    if !c.yield_star {
        c.yields = Some(items);
    }
    Ok(())
}
