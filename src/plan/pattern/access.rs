//! How the pattern planner finds a node it is about to bind: the cheapest access path from
//! the node's labels and the WHERE conjuncts (id seek > unique, then other, index seek on one
//! of its labels > any-label index seek > index range seek > label scan > dynamic label scan >
//! all nodes), its score for choosing where a pattern starts, and the plan operator for it.
//! `whole_index.rs` may then trade a whole-index scan for the label's scan.

use super::{PatternPlanner, SCORE_ALL_NODES, SCORE_LABEL_SCAN};
use crate::ast::{BinaryOp, Expr, ExprKind};
use crate::plan::walk;
use crate::plan::{LogicalPlan, PlanOp, RangeSeek};

impl PatternPlanner<'_, '_> {
    /// Binds `var` with the cheapest access path available.
    pub(in crate::plan) fn scan(&mut self, plan: LogicalPlan, var: &str) -> LogicalPlan {
        let mut columns = plan.columns.clone();
        columns.push(var.to_string());
        let input = Box::new(plan);
        let var_s = var.to_string();
        let access = self.best_access(var, &columns);
        match self.whole_index_or_label(var, &columns, access) {
            Access::Id(ids, list, element) => LogicalPlan::new(
                PlanOp::NodeById {
                    input,
                    var: var_s,
                    ids,
                    list,
                    element,
                },
                columns,
            ),
            Access::Index(label, property, value, pred, list) => {
                // The index answers the equality or membership (and the label) exactly.
                self.preds.remove(pred);
                if let Some((_, ls)) = self.labels.iter_mut().find(|(v, _)| v == var) {
                    ls.retain(|l| *l != label);
                }
                LogicalPlan::new(
                    PlanOp::IndexSeek {
                        input,
                        var: var_s,
                        label,
                        property,
                        value,
                        list,
                    },
                    columns,
                )
            }
            Access::Range(label, property, seek) => {
                // The index holds only nodes with the label; the predicates stay, re-checked.
                if let Some((_, ls)) = self.labels.iter_mut().find(|(v, _)| v == var) {
                    ls.retain(|l| *l != label);
                }
                LogicalPlan::new(
                    PlanOp::IndexRangeSeek {
                        input,
                        var: var_s,
                        label,
                        property,
                        seek,
                    },
                    columns,
                )
            }
            Access::Label(label) => {
                // The scanned label needs no further check.
                if let Some((_, ls)) = self.labels.iter_mut().find(|(v, _)| v == var) {
                    ls.retain(|l| *l != label);
                }
                LogicalPlan::new(
                    PlanOp::LabelScan {
                        input,
                        var: var_s,
                        label,
                    },
                    columns,
                )
            }
            Access::Dynamic(label) => LogicalPlan::new(
                PlanOp::DynamicLabelScan {
                    input,
                    var: var_s,
                    label,
                },
                columns,
            ),
            Access::All => LogicalPlan::new(PlanOp::AllNodesScan { input, var: var_s }, columns),
        }
    }

    /// The variables an expression may use for a seek on `var`: bound ones only.
    fn independent(&self, e: &Expr, bound: &[String], var: &str) -> bool {
        walk::variables(e)
            .iter()
            .all(|v| v != var && (bound.contains(v) || !self.pattern_vars.contains(v)))
    }

    /// A relationship of this pattern part to find by its id (`id(r) = x`, `id(r) IN list`,
    /// `elementId(r) = x`): (its step, the ids, whether a list, whether element ids). Only for
    /// a single-hop step whose relationship is not bound yet, when no node of the part is
    /// bound either (an expansion from a bound node reads only that node's relationships)
    /// nor found by its own id.
    pub(in crate::plan) fn relationship_seek(
        &self,
        nodes: &[super::NodeStep],
        rels: &[super::RelStep],
        bound: &[String],
    ) -> Option<(usize, Expr, bool, bool)> {
        if nodes.iter().any(|n| self.score(&n.var, bound) <= 1) {
            return None;
        }
        for (i, r) in rels.iter().enumerate() {
            if r.length.is_some() || r.qpp.is_some() || bound.contains(&r.var) {
                continue;
            }
            if let Some((ids, list, element)) = self.id_lookup(&r.var, bound) {
                return Some((i, ids, list, element));
            }
        }
        None
    }

    /// The first predicate naming `var` by its id (`id(var) = x`, `x = id(var)`,
    /// `id(var) IN list`, or the same with `elementId`) whose other side reads only what is
    /// bound: (the ids, whether a list, whether element ids).
    fn id_lookup(&self, var: &str, bound: &[String]) -> Option<(Expr, bool, bool)> {
        self.preds.iter().find_map(|p| {
            lookups(&p.expr).into_iter().find_map(|(a, b, list)| {
                let element = id_function_of(a, var)?;
                self.independent(b, bound, var)
                    .then(|| (b.clone(), list, element))
            })
        })
    }

    /// Binds `(from)-[r]-(to)` by the relationship's id (`relationship_seek`).
    #[allow(clippy::too_many_arguments)]
    pub(in crate::plan) fn seek_relationship(
        &mut self,
        plan: LogicalPlan,
        from: &str,
        r: &super::RelStep,
        to: &str,
        ids: Expr,
        list: bool,
        element: bool,
    ) -> LogicalPlan {
        let (spec, columns) = self.whole_relationship(&plan, from, r, to);
        let plan = LogicalPlan::new(
            PlanOp::RelationshipById {
                input: Box::new(plan),
                spec,
                ids,
                list,
                element,
            },
            columns,
        );
        self.apply_ready(plan)
    }

    fn best_access(&self, var: &str, columns_after: &[String]) -> Access {
        let bound: Vec<String> = columns_after[..columns_after.len() - 1].to_vec();
        let labels: Vec<String> = self
            .labels
            .iter()
            .find(|(v, _)| v == var)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        if let Some((ids, list, element)) = self.id_lookup(var, &bound) {
            return Access::Id(ids, list, element);
        }
        let mut index: Option<(u8, Access)> = None;
        for (pi, p) in self.preds.iter().enumerate() {
            for (a, b, list) in lookups(&p.expr) {
                if !self.independent(b, &bound, var) {
                    continue;
                }
                if let ExprKind::Property(t, key) = &a.kind {
                    if !matches!(&t.kind, ExprKind::Variable(v) if v == var) {
                        continue;
                    }
                    for def in self.b.catalog.indexes {
                        if def.property != *key {
                            continue;
                        }
                        let rank = if def.label.is_empty() {
                            2
                        } else if labels.contains(&def.label) {
                            if def.unique {
                                0
                            } else {
                                1
                            }
                        } else {
                            continue;
                        };
                        if index.as_ref().is_none_or(|(r, _)| rank < *r) {
                            index = Some((
                                rank,
                                Access::Index(def.label.clone(), key.clone(), b.clone(), pi, list),
                            ));
                        }
                    }
                }
            }
        }
        if let Some((_, a)) = index {
            return a;
        }
        if let Some(a) = self.range_access(var, &bound, &labels) {
            return a;
        }
        if let Some(l) = labels.first() {
            return Access::Label(l.clone());
        }
        // A dynamic label whose expression is known before this node (a parameter, a literal,
        // an earlier variable) narrows the scan at run time.
        match self
            .dynamic
            .iter()
            .find(|(v, d)| v == var && self.independent(&d.expr, &bound, var))
        {
            Some((_, d)) => Access::Dynamic(d.clone()),
            None => Access::All,
        }
    }

    pub(in crate::plan) fn score(&self, var: &str, bound: &[String]) -> u8 {
        if bound.iter().any(|c| c == var) {
            return 0;
        }
        let mut cols = bound.to_vec();
        cols.push(var.to_string());
        match self.best_access(var, &cols) {
            Access::Id(..) => 1,
            Access::Index(label, ..) if !label.is_empty() => 2,
            Access::Index(..) => 3,
            Access::Range(..) => 4,
            Access::Label(_) => SCORE_LABEL_SCAN,
            Access::Dynamic(_) => 6,
            Access::All => SCORE_ALL_NODES,
        }
    }

    /// An ordered-index scan for `var` from the WHERE conjuncts on one indexed property:
    /// comparisons (both bounds combined when given), else STARTS WITH, else CONTAINS or ENDS
    /// WITH. Indexes on one of `var`'s labels come before the any-label index.
    fn range_access(&self, var: &str, bound: &[String], labels: &[String]) -> Option<Access> {
        let mut best: Option<(u8, Access)> = None;
        for def in self.b.catalog.indexes {
            let label_rank = if def.label.is_empty() {
                1
            } else if labels.contains(&def.label) {
                0
            } else {
                continue;
            };
            let (mut lower, mut upper, mut text) = (None, None, None);
            for p in &self.preds {
                let ExprKind::Binary(op, l, r) = &p.expr.kind else {
                    continue;
                };
                let on_var = |e: &Expr| {
                    matches!(&e.kind, ExprKind::Property(t, key)
                        if key == &def.property
                            && matches!(&t.kind, ExprKind::Variable(v) if v == var))
                };
                // Normalise to `n.p op other`.
                let (op, other) = if on_var(l) && self.independent(r, bound, var) {
                    (*op, r)
                } else if on_var(r) && self.independent(l, bound, var) {
                    match op {
                        BinaryOp::Lt => (BinaryOp::Gt, l),
                        BinaryOp::Le => (BinaryOp::Ge, l),
                        BinaryOp::Gt => (BinaryOp::Lt, l),
                        BinaryOp::Ge => (BinaryOp::Le, l),
                        _ => continue,
                    }
                } else {
                    continue;
                };
                let other = (**other).clone();
                match op {
                    BinaryOp::Gt | BinaryOp::Ge if lower.is_none() => lower = Some(other),
                    BinaryOp::Lt | BinaryOp::Le if upper.is_none() => upper = Some(other),
                    BinaryOp::StartsWith => text = Some(RangeSeek::Prefix(other)),
                    BinaryOp::Contains if !matches!(text, Some(RangeSeek::Prefix(_))) => {
                        text = Some(RangeSeek::Contains(other))
                    }
                    BinaryOp::EndsWith if text.is_none() => text = Some(RangeSeek::Suffix(other)),
                    _ => {}
                }
            }
            // Two bounds beat a prefix, which beats one bound, which beats a substring test.
            let (rank, seek) = match (lower, upper, text) {
                (Some(lo), Some(hi), _) => (
                    0,
                    RangeSeek::Range {
                        lower: Some(lo),
                        upper: Some(hi),
                    },
                ),
                (_, _, Some(p @ RangeSeek::Prefix(_))) => (1, p),
                (lo @ Some(_), None, _) => (
                    2,
                    RangeSeek::Range {
                        lower: lo,
                        upper: None,
                    },
                ),
                (None, hi @ Some(_), _) => (
                    2,
                    RangeSeek::Range {
                        lower: None,
                        upper: hi,
                    },
                ),
                (None, None, Some(t)) => (3, t),
                (None, None, None) => continue,
            };
            let rank = rank * 2 + label_rank;
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((
                    rank,
                    Access::Range(def.label.clone(), def.property.clone(), seek),
                ));
            }
        }
        best.map(|(_, a)| a)
    }
}

/// The way to find a node, best first.
pub(super) enum Access {
    /// (the ids, whether they are an IN list, whether they are element ids)
    Id(Expr, bool, bool),
    /// (label, property, value, the predicate it answers, whether the value is an IN list)
    Index(String, String, Expr, usize, bool),
    /// (label, property, what to look for); the predicates stay.
    Range(String, String, RangeSeek),
    Label(String),
    Dynamic(crate::ast::DynamicLabel),
    All,
}

/// The readings of a predicate as a lookup: `x = y` either way round, `x IN list` with the
/// element as the subject: (subject, what it equals or is in, whether that is a list).
fn lookups(e: &Expr) -> Vec<(&Expr, &Expr, bool)> {
    match &e.kind {
        ExprKind::Binary(BinaryOp::Eq, l, r) => vec![(&**l, &**r, false), (&**r, &**l, false)],
        ExprKind::Binary(BinaryOp::In, l, r) => vec![(&**l, &**r, true)],
        _ => Vec::new(),
    }
}

/// `Some(false)` when `e` is `id(var)`, `Some(true)` when it is `elementId(var)`.
pub(in crate::plan) fn id_function_of(e: &Expr, var: &str) -> Option<bool> {
    let ExprKind::Function { name, args, .. } = &e.kind else {
        return None;
    };
    let [arg] = args.as_slice() else { return None };
    if !matches!(&arg.kind, ExprKind::Variable(v) if v == var) {
        return None;
    }
    if name.eq_ignore_ascii_case("id") {
        Some(false)
    } else if name.eq_ignore_ascii_case("elementId") {
        Some(true)
    } else {
        None
    }
}
