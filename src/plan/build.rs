//! AST → logical plan: the statement's kind, then its clauses in order, each extending the
//! plan of the clauses before it (FOREACH and CALL subqueries included, which plan a query of
//! their own). Projections are in `projection.rs`, procedure calls in `call.rs`.

use crate::ast::{
    CallSubquery, Clause, Foreach, PatternPart, Projection, Query, SingleQuery, Statement, Variable,
};
use crate::error::{QueryError, Result};
use crate::plan::builder::{Builder, Catalog};
use crate::plan::pattern::PatternPlanner;
use crate::plan::projection::in_order;
use crate::plan::provenance;
use crate::plan::transactions::TxBatches;
use crate::plan::{LogicalPlan, PlanOp};
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
                aggregated: false,
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

impl Builder<'_> {
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
                        self.aggregated = match sq.clauses.get(i + 1) {
                            Some(Clause::With(w)) => aggregates(&w.projection),
                            Some(Clause::Return(r)) => aggregates(&r.projection),
                            _ => false,
                        };
                        let planned =
                            PatternPlanner::new(self).plan(plan, &m.pattern, m.where_.as_ref());
                        self.aggregated = false;
                        planned?
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
                // Nothing to do: without a RETURN the rows end in the Discard below.
                Clause::Finish(_) => plan,
                Clause::CallSubquery(c) => self.call_subquery(plan, c, &sq.clauses[i + 1..])?,
                Clause::LoadCsv(l) => {
                    let mut columns = plan.columns.clone();
                    columns.push(l.variable.name.clone());
                    // The record's `linenumber()` and `file()` travel with the row (writes
                    // read their input whole before evaluating); a later LOAD CSV overwrites.
                    let position = crate::expr::csv_position::POSITION;
                    if !columns.iter().any(|c| c == position) {
                        columns.push(position.to_string());
                    }
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

/// Whether a WITH or RETURN aggregates (an aggregate in any of its items).
fn aggregates(p: &Projection) -> bool {
    p.items
        .iter()
        .any(|it| crate::functions::has_aggregate(&it.expr))
}
