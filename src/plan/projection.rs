//! Planning WITH and RETURN: projection, aggregation (grouping keys and aggregate
//! extraction), DISTINCT, ORDER BY, SKIP, LIMIT and the WHERE after WITH.

use crate::ast::{Expr, ExprKind, Projection, Span};
use crate::error::{QueryError, Result};
use crate::plan::builder::{var_expr, Builder};
use crate::plan::provenance;
use crate::plan::walk;
use crate::plan::{AggSpec, LogicalPlan, PlanOp};

impl Builder<'_> {
    /// WITH / RETURN: projection, aggregation, DISTINCT, ORDER BY, SKIP, LIMIT, WHERE.
    pub(super) fn projection(
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
        let aggregating = items
            .iter()
            .any(|(_, e, _)| crate::functions::has_aggregate(e));
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
                if crate::functions::has_aggregate(expr) {
                    let mut e = expr.clone();
                    let direct = crate::functions::is_aggregate_call(&e);
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
                if crate::functions::has_aggregate(e) {
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
            plan = crate::plan::pattern::filter(plan, vec![w.clone()]);
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
            if crate::functions::is_aggregate_call(x) {
                let column = match name {
                    Some(n) if found.is_empty() => n.clone(),
                    _ => {
                        counter += 1;
                        format!("  agg_{counter}")
                    }
                };
                if let ExprKind::Function { args, .. } = &x.kind {
                    if args.iter().any(crate::functions::has_aggregate) {
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
