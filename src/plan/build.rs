//! AST → logical plan: clauses in order, each extending the plan of the clauses before it.

use crate::ast::{
    Call, CallSubquery, Clause, Expr, ExprKind, Foreach, PatternPart, Projection, Query,
    SingleQuery, Span, Statement, Variable,
};
use crate::error::{QueryError, Result};
use crate::plan::pattern::PatternPlanner;
use crate::plan::provenance;
use crate::plan::transactions::TxBatches;
use crate::plan::walk;
use crate::plan::{AggSpec, LogicalPlan, PlanOp};
use crate::procedures::ProcedureSignature;
use crate::semantic::BoundStatement;
use crate::store::{IndexDef, IndexKind};

/// What a statement compiled to.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // one per cached statement; boxing buys nothing
pub enum Compiled {
    Query {
        plan: LogicalPlan,
        /// Output column names (the user-visible ones).
        columns: Vec<String>,
        /// Provenance plans: the position of the ` why` column in the plan's rows.
        why: Option<usize>,
        /// The query text the plan's spans refer to.
        source: String,
    },
    CreateIndex(IndexDef, bool),
    DropIndex(crate::ast::SchemaTarget, bool),
    /// A single-property node uniqueness constraint: a unique index.
    CreateConstraint(IndexDef, bool),
    /// Any other constraint: a record in the store's constraint catalog.
    CreateConstraintRecord(crate::store::ConstraintDef, bool),
    DropConstraint(crate::ast::SchemaTarget, bool),
    Begin,
    Commit,
    Rollback,
    Explain(Box<Compiled>),
    Profile(Box<Compiled>),
}

impl Compiled {
    /// True when the statement holds a `CALL { } IN TRANSACTIONS` (it commits as it goes, so
    /// it may only run in an auto-commit transaction).
    pub fn in_transactions(&self) -> bool {
        fn has(p: &LogicalPlan) -> bool {
            matches!(
                p.op,
                PlanOp::Subquery {
                    transactions: Some(_),
                    ..
                }
            ) || p.inputs().into_iter().any(has)
        }
        match self {
            Compiled::Query { plan, .. } => has(plan),
            Compiled::Profile(inner) => inner.in_transactions(),
            _ => false,
        }
    }

    /// The statement with `f` applied to its query plan (under EXPLAIN or PROFILE too): how the
    /// façade runs the plan stages after `build`.
    pub fn map_plan(
        self,
        f: &mut dyn FnMut(LogicalPlan) -> Result<LogicalPlan>,
    ) -> Result<Compiled> {
        Ok(match self {
            Compiled::Query {
                plan,
                columns,
                why,
                source,
            } => Compiled::Query {
                plan: f(plan)?,
                columns,
                why,
                source,
            },
            Compiled::Explain(inner) => Compiled::Explain(Box::new(inner.map_plan(f)?)),
            Compiled::Profile(inner) => Compiled::Profile(Box::new(inner.map_plan(f)?)),
            other => other,
        })
    }

    /// True when running the statement may write (schema changes included).
    pub fn writes(&self) -> bool {
        match self {
            Compiled::Query { plan, .. } => plan.writes(),
            Compiled::CreateIndex(..)
            | Compiled::DropIndex(..)
            | Compiled::CreateConstraint(..)
            | Compiled::CreateConstraintRecord(..)
            | Compiled::DropConstraint(..) => true,
            Compiled::Begin | Compiled::Commit | Compiled::Rollback | Compiled::Explain(_) => false,
            Compiled::Profile(inner) => inner.writes(),
        }
    }
}

/// What the planner needs to know about the database while compiling.
pub struct Catalog<'a> {
    pub indexes: &'a [IndexDef],
    pub procedure: &'a dyn Fn(&str) -> Option<ProcedureSignature>,
    /// The store's counters, asked lazily when a choice depends on them (`None` from the
    /// closure, or no closure: plan without them).
    pub counts: Option<&'a CountFn<'a>>,
}

/// How the planner asks for a counter (`None`: not known).
pub type CountFn<'a> = dyn Fn(Count<'_>) -> Option<u64> + 'a;

/// A counter the planner may weigh access paths with.
#[derive(Clone, Copy, Debug)]
pub enum Count<'s> {
    /// Every node.
    Nodes,
    /// Nodes carrying a label.
    Label(&'s str),
    /// Relationships of a type.
    Type(&'s str),
    /// Every relationship.
    Relationships,
}

/// How to plan a statement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Carry each row's facts in a hidden ` why` column (see `plan::provenance`).
    pub why: bool,
}

/// Compiles a bound statement into a plan (see [`build_with`]).
pub fn build(stmt: &BoundStatement, source: &str, catalog: &Catalog<'_>) -> Result<Compiled> {
    build_with(stmt, source, catalog, PlanOptions::default())
}

/// Compiles a checked statement into a plan, as `opts` asks: the plan as the clauses read,
/// neither optimised nor with its subqueries planned (the façade runs those stages next).
pub fn build_with(
    stmt: &BoundStatement,
    source: &str,
    catalog: &Catalog<'_>,
    opts: PlanOptions,
) -> Result<Compiled> {
    build_statement(stmt.statement(), source, catalog, opts)
}

fn build_statement(
    stmt: &Statement,
    source: &str,
    catalog: &Catalog<'_>,
    opts: PlanOptions,
) -> Result<Compiled> {
    let build = |s: &Statement| build_statement(s, source, catalog, opts);
    Ok(match stmt {
        Statement::Query(q) => {
            let mut b = Builder {
                source,
                catalog,
                fresh: 0,
                why: opts.why,
            };
            // The façade optimises the plan and plans its subqueries next (`db.rs`); the
            // optimiser keeps the root's columns, so they are known here.
            let plan = b.query(q, LogicalPlan::argument(vec![]))?;
            let why = opts
                .why
                .then(|| plan.columns.iter().position(|c| c == provenance::WHY))
                .flatten();
            let columns = plan
                .columns
                .iter()
                .enumerate()
                .filter(|(i, _)| Some(*i) != why)
                .map(|(_, c)| c.clone())
                .collect();
            Compiled::Query {
                plan,
                columns,
                why,
                source: source.to_string(),
            }
        }
        Statement::CreateIndex {
            name,
            label,
            property,
            if_not_exists,
            text,
        } => Compiled::CreateIndex(
            IndexDef {
                name: name
                    .clone()
                    .unwrap_or_else(|| format!("index_{label}_{property}")),
                label: label.clone(),
                property: property.clone(),
                unique: false,
                kind: if *text {
                    IndexKind::Text
                } else {
                    IndexKind::Range
                },
            },
            *if_not_exists,
        ),
        Statement::DropIndex { target, if_exists } => {
            Compiled::DropIndex(target.clone(), *if_exists)
        }
        Statement::CreateUniqueConstraint {
            name,
            label,
            property,
            if_not_exists,
        } => Compiled::CreateConstraint(
            IndexDef {
                name: name
                    .clone()
                    .unwrap_or_else(|| format!("constraint_{label}_{property}")),
                label: label.clone(),
                property: property.clone(),
                unique: true,
                kind: Default::default(),
            },
            *if_not_exists,
        ),
        Statement::CreateConstraint(spec) => Compiled::CreateConstraintRecord(
            crate::plan::constraint::constraint_def(spec)?,
            spec.if_not_exists,
        ),
        Statement::DropConstraint { target, if_exists } => {
            Compiled::DropConstraint(target.clone(), *if_exists)
        }
        Statement::Begin => Compiled::Begin,
        Statement::Commit => Compiled::Commit,
        Statement::Rollback => Compiled::Rollback,
        Statement::Explain(s) => Compiled::Explain(Box::new(build(s)?)),
        Statement::Profile(s) => Compiled::Profile(Box::new(build(s)?)),
    })
}

pub(crate) struct Builder<'a> {
    pub source: &'a str,
    pub catalog: &'a Catalog<'a>,
    pub fresh: usize,
    /// Plan for provenance (`plan::provenance`).
    pub why: bool,
}

/// A variable expression with the given name.
pub(crate) fn var_expr(name: &str, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Variable(name.to_string()),
        span,
    }
}

impl Builder<'_> {
    /// A hidden, unique helper column name.
    pub fn fresh(&mut self, what: &str) -> String {
        self.fresh += 1;
        format!("  {what}_{}", self.fresh)
    }

    /// The source text of a span with whitespace removed, for matching ORDER BY expressions
    /// against projection items.
    fn text(&self, span: Span) -> String {
        self.source
            .get(span.start..span.end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }

    pub fn query(&mut self, q: &Query, input: LogicalPlan) -> Result<LogicalPlan> {
        let mut plan = self.single(&q.first, input.clone())?;
        for (all, sq) in &q.unions {
            let right = in_order(self.single(sq, input.clone())?, &plan.columns);
            if right.columns != plan.columns {
                return Err(QueryError::syntax(
                    "DifferentColumnsInUnion",
                    "all sub queries in a UNION must have the same column names",
                )
                .at(sq.span)
                .into());
            }
            let columns = plan.columns.clone();
            plan = LogicalPlan::new(
                PlanOp::Union {
                    left: Box::new(plan),
                    right: Box::new(right),
                    all: *all || self.why,
                },
                columns,
            );
            if self.why && !*all {
                plan = provenance::distinct(plan);
            }
        }
        Ok(plan)
    }

    pub fn single(&mut self, sq: &SingleQuery, input: LogicalPlan) -> Result<LogicalPlan> {
        let mut plan = input;
        let mut returned = false;
        let n = sq.clauses.len();
        for (i, clause) in sq.clauses.iter().enumerate() {
            plan = match clause {
                Clause::Match(m) => {
                    if m.optional {
                        let arg = LogicalPlan::argument(plan.columns.clone());
                        let inner =
                            PatternPlanner::new(self).plan(arg, &m.pattern, m.where_.as_ref())?;
                        let columns = inner.columns.clone();
                        LogicalPlan::new(
                            PlanOp::Optional {
                                input: Box::new(plan),
                                inner: Box::new(inner),
                            },
                            columns,
                        )
                    } else {
                        PatternPlanner::new(self).plan(plan, &m.pattern, m.where_.as_ref())?
                    }
                }
                Clause::Unwind(u) => {
                    let mut columns = plan.columns.clone();
                    columns.push(u.variable.name.clone());
                    LogicalPlan::new(
                        PlanOp::Unwind {
                            input: Box::new(plan),
                            expr: u.expr.clone(),
                            var: u.variable.name.clone(),
                        },
                        columns,
                    )
                }
                Clause::With(w) => self.projection(plan, &w.projection, w.where_.as_ref())?,
                Clause::Return(r) => {
                    returned = true;
                    self.projection(plan, &r.projection, None)?
                }
                Clause::Create(c) => {
                    let columns = with_pattern_vars(&plan.columns, &c.pattern);
                    LogicalPlan::new(
                        PlanOp::Create {
                            input: Box::new(plan),
                            parts: c.pattern.clone(),
                        },
                        columns,
                    )
                }
                Clause::Merge(m) => {
                    let arg = LogicalPlan::argument(plan.columns.clone());
                    let matcher =
                        PatternPlanner::new(self).plan(arg, std::slice::from_ref(&m.part), None)?;
                    let columns = with_pattern_vars(&plan.columns, std::slice::from_ref(&m.part));
                    LogicalPlan::new(
                        PlanOp::Merge {
                            input: Box::new(plan),
                            part: m.part.clone(),
                            matcher: Box::new(matcher),
                            on_create: m.on_create.clone(),
                            on_match: m.on_match.clone(),
                        },
                        columns,
                    )
                }
                Clause::Set(s) => same_columns(plan, |input| PlanOp::SetProps {
                    input,
                    items: s.items.clone(),
                }),
                Clause::Remove(r) => same_columns(plan, |input| PlanOp::Remove {
                    input,
                    items: r.items.clone(),
                }),
                Clause::Delete(d) => same_columns(plan, |input| PlanOp::Delete {
                    input,
                    exprs: d.exprs.clone(),
                    detach: d.detach,
                }),
                Clause::Call(c) => {
                    let standalone = n == 1;
                    if standalone {
                        returned = true;
                    }
                    self.call(plan, c, standalone)?
                }
                Clause::Foreach(f) => self.foreach(plan, f)?,
                Clause::CallSubquery(c) => self.call_subquery(plan, c, &sq.clauses[i + 1..])?,
                Clause::LoadCsv(l) => {
                    let mut columns = plan.columns.clone();
                    columns.push(l.variable.name.clone());
                    let delimiter = l
                        .terminator
                        .as_deref()
                        .and_then(|t| t.bytes().next())
                        .unwrap_or(b',');
                    LogicalPlan::new(
                        PlanOp::LoadCsv {
                            input: Box::new(plan),
                            source: l.source.clone(),
                            var: l.variable.name.clone(),
                            headers: l.headers,
                            delimiter,
                        },
                        columns,
                    )
                }
            };
        }
        if !returned {
            plan = LogicalPlan::new(
                PlanOp::Discard {
                    input: Box::new(plan),
                },
                vec![],
            );
        }
        Ok(plan)
    }

    /// FOREACH as a unit subquery over every outer column: `UNWIND list AS x` then the
    /// updating clauses, once per input row.
    fn foreach(&mut self, plan: LogicalPlan, f: &Foreach) -> Result<LogicalPlan> {
        let arg = LogicalPlan::argument(plan.columns.clone());
        let mut columns = plan.columns.clone();
        columns.push(f.variable.name.clone());
        let unwind = LogicalPlan::new(
            PlanOp::Unwind {
                input: Box::new(arg),
                expr: f.list.clone(),
                var: f.variable.name.clone(),
            },
            columns,
        );
        let body = SingleQuery {
            clauses: f.clauses.clone(),
            span: f.span,
        };
        let inner = self.single(&body, unwind)?;
        let imports = (0..plan.columns.len()).collect();
        Ok(same_columns(plan, |input| PlanOp::Subquery {
            input,
            inner: Box::new(inner),
            imports,
            unit: true,
            foreach: true,
            optional: false,
            transactions: None,
        }))
    }

    /// `CALL { … }`: the inner query runs on an argument row of the imported columns only, so
    /// an outer variable it does not import is a fresh name inside. `after` are the clauses
    /// that follow it (they decide where `IN TRANSACTIONS` must wait).
    fn call_subquery(
        &mut self,
        plan: LogicalPlan,
        c: &CallSubquery,
        after: &[Clause],
    ) -> Result<LogicalPlan> {
        let imports = c.imports(&plan.columns);
        let positions = imports
            .iter()
            .filter_map(|name| plan.columns.iter().position(|c| c == name))
            .collect();
        let inner = self.query(&c.query, LogicalPlan::argument(imports))?;
        let unit = inner.columns.is_empty();
        let mut columns = plan.columns.clone();
        columns.extend(inner.columns.iter().cloned());
        let transactions = c.in_transactions.as_ref().map(|tx| {
            if let Some(s) = &tx.report {
                columns.push(s.name.clone());
            }
            Box::new(TxBatches::new(tx, &plan, after))
        });
        Ok(LogicalPlan::new(
            PlanOp::Subquery {
                input: Box::new(plan),
                inner: Box::new(inner),
                imports: positions,
                unit,
                foreach: false,
                optional: c.optional,
                transactions,
            },
            columns,
        ))
    }

    fn call(&mut self, plan: LogicalPlan, c: &Call, standalone: bool) -> Result<LogicalPlan> {
        let sig = (self.catalog.procedure)(&c.procedure).ok_or_else(|| {
            QueryError::new(
                crate::error::ErrorClass::ProcedureError,
                "ProcedureNotFound",
                crate::error::Phase::Compile,
                format!("there is no procedure `{}`", c.procedure),
            )
            .at(c.span)
        })?;
        if let Some(args) = &c.args {
            // Trailing inputs declared Neo4j-style as `name = default` may be omitted.
            let required = sig
                .inputs
                .iter()
                .filter(|(n, _)| !n.contains(" = "))
                .count();
            if args.len() < required || args.len() > sig.inputs.len() {
                return Err(QueryError::syntax(
                    "InvalidNumberOfArguments",
                    format!(
                        "procedure `{}` takes {} argument(s), {} given",
                        sig.name,
                        if required == sig.inputs.len() {
                            required.to_string()
                        } else {
                            format!("{required} to {}", sig.inputs.len())
                        },
                        args.len()
                    ),
                )
                .at(c.span)
                .into());
            }
            for a in args {
                if walk::has_aggregate(a) {
                    return Err(QueryError::syntax(
                        "InvalidAggregation",
                        "aggregation is not allowed in procedure arguments",
                    )
                    .at(a.span)
                    .into());
                }
            }
        } else if !standalone {
            return Err(QueryError::syntax(
                "InvalidArgumentPassingMode",
                "procedure calls inside a query need an argument list in parentheses",
            )
            .at(c.span)
            .into());
        }
        let mut yields = Vec::new();
        let mut columns = plan.columns.clone();
        match &c.yields {
            Some(items) if !c.yield_star => {
                for y in items {
                    let idx = sig
                        .outputs
                        .iter()
                        .position(|(n, _)| *n == y.column)
                        .ok_or_else(|| {
                            QueryError::syntax(
                                "UndefinedVariable",
                                format!("procedure `{}` has no output `{}`", sig.name, y.column),
                            )
                            .at(y.span)
                        })?;
                    let var = y.alias.as_ref().map_or(&y.column, |a| &a.name).clone();
                    if columns.contains(&var) {
                        return Err(QueryError::syntax(
                            "VariableAlreadyBound",
                            format!("variable `{var}` is already defined"),
                        )
                        .at(y.span)
                        .into());
                    }
                    columns.push(var.clone());
                    yields.push((idx, var));
                }
            }
            _ => {
                if !standalone && !sig.outputs.is_empty() && !c.yield_star {
                    return Err(QueryError::syntax(
                        "UndefinedVariable",
                        "procedure calls inside a query must YIELD their outputs",
                    )
                    .at(c.span)
                    .into());
                }
                for (i, (n, _)) in sig.outputs.iter().enumerate() {
                    columns.push(n.clone());
                    yields.push((i, n.clone()));
                }
            }
        }
        let mut plan = LogicalPlan::new(
            PlanOp::Call {
                input: Box::new(plan),
                procedure: sig.name.clone(),
                args: c.args.clone(),
                yields,
                optional: c.optional,
            },
            columns,
        );
        if standalone && sig.outputs.is_empty() {
            // A standalone call of a void procedure returns no rows at all.
            plan = LogicalPlan::new(
                PlanOp::Discard {
                    input: Box::new(plan),
                },
                vec![],
            );
        }
        if let Some(w) = &c.where_ {
            let columns = plan.columns.clone();
            plan = LogicalPlan::new(
                PlanOp::Filter {
                    input: Box::new(plan),
                    predicate: w.clone(),
                },
                columns,
            );
        }
        Ok(plan)
    }

    /// WITH / RETURN: projection, aggregation, DISTINCT, ORDER BY, SKIP, LIMIT, WHERE.
    fn projection(
        &mut self,
        plan: LogicalPlan,
        proj: &Projection,
        mut where_: Option<&Expr>,
    ) -> Result<LogicalPlan> {
        // The semantic pass expanded any `*` (`semantic::BoundStatement`).
        if proj.star {
            return Err(QueryError::unsupported(
                "a `*` projection the semantic pass did not expand (internal error)",
            )
            .into());
        }
        let mut items: Vec<(String, Expr, String)> = Vec::new();
        for it in &proj.items {
            let name = it.name().to_string();
            let text = match &it.expr.kind {
                // An item a `*` became has no source text: a variable reads as its name.
                ExprKind::Variable(v) if it.expr.span == Span::default() => v.clone(),
                _ => self.text(it.expr.span),
            };
            items.push((name, it.expr.clone(), text));
        }
        let aggregating = items.iter().any(|(_, e, _)| walk::has_aggregate(e));
        let mut sort_keys: Vec<(Expr, bool)> = proj
            .order_by
            .iter()
            .map(|s| (s.expr.clone(), s.descending))
            .collect();
        let names: Vec<String> = items.iter().map(|(n, _, _)| n.clone()).collect();

        let mut plan = plan;
        let mut keep_input: bool;
        if aggregating {
            let mut keys = Vec::new();
            let mut aggs = Vec::new();
            let mut post = Vec::new();
            let mut needs_post = false;
            for (name, expr, _) in &items {
                if walk::has_aggregate(expr) {
                    let mut e = expr.clone();
                    let direct = walk::is_aggregate_call(&e);
                    self.extract_aggs(&mut e, &mut aggs, if direct { Some(name) } else { None })?;
                    if !direct {
                        needs_post = true;
                        // `p.age - max(f.age)` next to the grouping key `p.age`: what is left
                        // outside the aggregates reads the key's column (the input row is gone).
                        super::grouping::read_keys(&mut e, &items, self.source);
                    }
                    post.push((name.clone(), e));
                } else {
                    keys.push((name.clone(), expr.clone()));
                    post.push((name.clone(), var_expr(name, expr.span)));
                }
            }
            // ORDER BY may name an aggregate that is not projected: compute it too.
            for (e, _) in sort_keys.iter_mut() {
                self.replace_items(e, &items);
                if walk::has_aggregate(e) {
                    self.extract_aggs(e, &mut aggs, None)?;
                    needs_post = true;
                }
            }
            let mut columns: Vec<String> = keys.iter().map(|(n, _)| n.clone()).collect();
            columns.extend(aggs.iter().map(|a| a.column.clone()));
            if columns != names {
                needs_post = true;
            }
            if self.why {
                plan = provenance::lineage(plan);
                aggs.push(provenance::lineage_agg());
                columns.push(provenance::WHY.to_string());
            }
            plan = LogicalPlan::new(
                PlanOp::Aggregate {
                    input: Box::new(plan),
                    keys,
                    aggs,
                },
                columns,
            );
            if needs_post {
                let mut columns = names.clone();
                columns.extend(plan.columns.iter().cloned());
                plan = LogicalPlan::new(
                    PlanOp::Project {
                        input: Box::new(plan),
                        items: post,
                        keep: true,
                    },
                    columns,
                );
            }
            keep_input = needs_post;
            if proj.distinct {
                plan = self.select(plan, names.len());
                plan = self.distinct(plan);
            }
        } else {
            for (e, _) in sort_keys.iter_mut() {
                self.replace_items(e, &items);
            }
            // WITH ... WHERE may still see the variables from before the WITH.
            let where_outer =
                where_.is_some_and(|w| walk::variables(w).iter().any(|v| !names.contains(v)));
            // Sort keys that only use projected columns need nothing else kept.
            let sort_projected = sort_keys
                .iter()
                .all(|(e, _)| walk::variables(e).iter().all(|v| names.contains(v)));
            let p: Vec<(String, Expr)> = items
                .iter()
                .map(|(n, e, _)| (n.clone(), e.clone()))
                .collect();
            if !where_outer && (proj.distinct || sort_projected) {
                plan = if self.why {
                    provenance::project(plan, p)
                } else {
                    LogicalPlan::new(
                        PlanOp::Project {
                            input: Box::new(plan),
                            items: p,
                            keep: false,
                        },
                        names.clone(),
                    )
                };
                if proj.distinct {
                    plan = self.distinct(plan);
                }
                keep_input = false;
            } else {
                // Keep the input variables until ORDER BY / WHERE have used them.
                let mut columns = names.clone();
                columns.extend(plan.columns.iter().cloned());
                plan = LogicalPlan::new(
                    PlanOp::Project {
                        input: Box::new(plan),
                        items: p,
                        keep: true,
                    },
                    columns,
                );
                keep_input = true;
                if proj.distinct {
                    if let Some(w) = where_.take() {
                        plan = crate::plan::pattern::filter(plan, vec![w.clone()]);
                    }
                    plan = self.select(plan, names.len());
                    plan = self.distinct(plan);
                    keep_input = false;
                }
            }
        }

        if !sort_keys.is_empty() {
            let columns = plan.columns.clone();
            match (&proj.limit, &proj.skip) {
                (Some(limit), skip) => {
                    // Top keeps skip + limit rows; Skip/Limit below cut them.
                    let total = match skip {
                        Some(s) => Expr {
                            kind: ExprKind::Binary(
                                crate::ast::BinaryOp::Add,
                                Box::new(limit.clone()),
                                Box::new(s.clone()),
                            ),
                            span: limit.span,
                        },
                        None => limit.clone(),
                    };
                    plan = LogicalPlan::new(
                        PlanOp::Top {
                            input: Box::new(plan),
                            keys: sort_keys,
                            limit: total,
                        },
                        columns,
                    );
                }
                _ => {
                    plan = LogicalPlan::new(
                        PlanOp::Sort {
                            input: Box::new(plan),
                            keys: sort_keys,
                        },
                        columns,
                    );
                }
            }
        }
        if let Some(s) = &proj.skip {
            let columns = plan.columns.clone();
            plan = LogicalPlan::new(
                PlanOp::Skip {
                    input: Box::new(plan),
                    count: s.clone(),
                },
                columns,
            );
        }
        if let Some(l) = &proj.limit {
            let columns = plan.columns.clone();
            plan = LogicalPlan::new(
                PlanOp::Limit {
                    input: Box::new(plan),
                    count: l.clone(),
                },
                columns,
            );
        }
        if keep_input && plan.columns.len() > names.len() {
            if let Some(w) = where_.take() {
                plan = crate::plan::pattern::filter(plan, vec![w.clone()]);
            }
            plan = self.select(plan, names.len());
        }
        if let Some(w) = where_ {
            let columns = plan.columns.clone();
            plan = LogicalPlan::new(
                PlanOp::Filter {
                    input: Box::new(plan),
                    predicate: w.clone(),
                },
                columns,
            );
        }
        Ok(plan)
    }

    fn select(&self, plan: LogicalPlan, count: usize) -> LogicalPlan {
        if self.why {
            return provenance::select(plan, count);
        }
        let columns = plan.columns[..count.min(plan.columns.len())].to_vec();
        LogicalPlan::new(
            PlanOp::Select {
                input: Box::new(plan),
                count,
            },
            columns,
        )
    }

    fn distinct(&self, plan: LogicalPlan) -> LogicalPlan {
        if self.why {
            provenance::distinct(plan)
        } else {
            distinct(plan)
        }
    }

    /// Replaces sub-expressions of an ORDER BY key that are written like a projection item
    /// (or name its alias) with that item's column.
    fn replace_items(&self, e: &mut Expr, items: &[(String, Expr, String)]) {
        let texts: Vec<(String, String)> = items
            .iter()
            .map(|(n, _, t)| (n.clone(), t.clone()))
            .collect();
        let source = self.source;
        walk::rewrite(e, &mut |x| {
            if let ExprKind::Variable(v) = &x.kind {
                if texts.iter().any(|(n, _)| n == v) {
                    return false;
                }
            }
            let t: String = source
                .get(x.span.start..x.span.end)
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            if !t.is_empty() && !matches!(x.kind, ExprKind::Variable(_)) {
                if let Some((n, _)) = texts.iter().find(|(_, it)| *it == t) {
                    *x = var_expr(n, x.span);
                    return false;
                }
            }
            true
        });
    }

    /// Replaces aggregate calls inside `e` with hidden columns and records them.
    fn extract_aggs(
        &mut self,
        e: &mut Expr,
        aggs: &mut Vec<AggSpec>,
        name: Option<&String>,
    ) -> Result<()> {
        let mut err = None;
        let mut found: Vec<(Expr, String)> = Vec::new();
        let mut counter = self.fresh;
        walk::rewrite(e, &mut |x| {
            if walk::is_aggregate_call(x) {
                let column = match name {
                    Some(n) if found.is_empty() => n.clone(),
                    _ => {
                        counter += 1;
                        format!("  agg_{counter}")
                    }
                };
                if let ExprKind::Function { args, .. } = &x.kind {
                    if args.iter().any(walk::has_aggregate) {
                        err = Some(
                            QueryError::syntax(
                                "NestedAggregation",
                                "aggregate functions cannot be nested",
                            )
                            .at(x.span),
                        );
                    }
                }
                let original = x.clone();
                *x = var_expr(&column, x.span);
                found.push((original, column));
                return false;
            }
            true
        });
        self.fresh = counter;
        if let Some(e) = err {
            return Err(e.into());
        }
        for (call, column) in found {
            let spec = match call.kind {
                ExprKind::CountStar => AggSpec {
                    column,
                    name: "count".into(),
                    distinct: false,
                    args: vec![],
                    star: true,
                },
                ExprKind::Function {
                    name,
                    distinct,
                    args,
                } => AggSpec {
                    column,
                    name: name.to_ascii_lowercase(),
                    distinct,
                    args,
                    star: false,
                },
                _ => continue,
            };
            aggs.push(spec);
        }
        Ok(())
    }
}

fn distinct(plan: LogicalPlan) -> LogicalPlan {
    let columns = plan.columns.clone();
    LogicalPlan::new(
        PlanOp::Distinct {
            input: Box::new(plan),
        },
        columns,
    )
}

/// `columns` plus the named variables a CREATE/MERGE pattern introduces.
fn with_pattern_vars(columns: &[String], parts: &[PatternPart]) -> Vec<String> {
    let mut out = columns.to_vec();
    let mut add = |v: &Option<Variable>| {
        if let Some(v) = v {
            if !out.contains(&v.name) {
                out.push(v.name.clone());
            }
        }
    };
    for p in parts {
        add(&p.element.start.variable);
        for (r, n) in &p.element.chain {
            add(&r.variable);
            add(&n.variable);
        }
        add(&p.variable);
    }
    out
}

/// Wraps `plan` in an operator that passes its rows through with the same columns (the
/// updating clauses SET, REMOVE and DELETE).
fn same_columns(plan: LogicalPlan, op: impl FnOnce(Box<LogicalPlan>) -> PlanOp) -> LogicalPlan {
    let columns = plan.columns.clone();
    LogicalPlan::new(op(Box::new(plan)), columns)
}

/// `plan` with its columns in the order of `columns` when they are the same names in another
/// order (a later UNION part, Neo4j 5); otherwise `plan` unchanged.
pub(crate) fn in_order(plan: LogicalPlan, columns: &[String]) -> LogicalPlan {
    let mut a = plan.columns.clone();
    let mut b = columns.to_vec();
    a.sort();
    b.sort();
    if plan.columns == columns || a != b {
        return plan;
    }
    let items = columns
        .iter()
        .map(|c| {
            (
                c.clone(),
                Expr {
                    kind: ExprKind::Variable(c.clone()),
                    span: crate::ast::Span::default(),
                },
            )
        })
        .collect();
    LogicalPlan::new(
        PlanOp::Project {
            input: Box::new(plan),
            items,
            keep: false,
        },
        columns.to_vec(),
    )
}
