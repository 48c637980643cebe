//! Planning `CALL { } IN TRANSACTIONS`: the batching a `Subquery` node carries, and where it
//! must wait (an eager barrier) so that its commits never change what other clauses read.

use crate::ast::{Clause, Expr, ExprKind, InTransactions, OnError, Projection, Span};
use crate::plan::walk;
use crate::plan::{LogicalPlan, PlanOp};

/// How a `CALL { } IN TRANSACTIONS` groups its invocations into transactions of their own.
#[derive(Clone, Debug)]
pub struct TxBatches {
    /// `OF n ROWS`, evaluated once; `None`: 1000.
    pub batch_size: Option<Expr>,
    /// `IN n CONCURRENT`: checked, then the batches run one after the other.
    pub concurrency: Option<Expr>,
    pub on_error: OnError,
    /// `REPORT STATUS AS s`: the node's last column is the status map.
    pub report: bool,
    /// The input reads the graph: it is read in full before the first batch commits, so no
    /// commit changes what it sees (a label scan never meets the nodes the batches create).
    pub eager_input: bool,
    /// A later clause reads or writes the graph: every batch commits before the first row
    /// goes on, as for a writing `CALL { }`. Otherwise each batch's rows go on once it has
    /// committed, so memory stays bounded by the batch.
    pub eager_output: bool,
    pub span: Span,
}

impl TxBatches {
    /// The batching of `tx` over `input`, followed in its query by the clauses `after`.
    pub fn new(tx: &InTransactions, input: &LogicalPlan, after: &[Clause]) -> TxBatches {
        TxBatches {
            batch_size: tx.batch_size.clone(),
            concurrency: tx.concurrency.clone().flatten(),
            on_error: tx.on_error,
            report: tx.report.is_some(),
            eager_input: reads_graph(input),
            eager_output: after.iter().any(touches_graph),
            span: tx.span,
        }
    }

    /// The EXPLAIN name of a node with this batching.
    pub fn describe(&self, unit: bool) -> String {
        let op = if unit {
            "TransactionForeach"
        } else {
            "TransactionApply"
        };
        let mode = match self.on_error {
            OnError::Fail => "FAIL",
            OnError::Continue => "CONTINUE",
            OnError::Break => "BREAK",
        };
        format!("{op}(ON ERROR {mode})")
    }
}

/// True unless `plan` is built only from operators that never look at the graph (UNWIND,
/// LOAD CSV, projections and filters over values) and expressions without patterns.
fn reads_graph(plan: &LogicalPlan) -> bool {
    let exprs: Vec<&Expr> = match &plan.op {
        PlanOp::Argument | PlanOp::Select { .. } | PlanOp::Distinct { .. } => vec![],
        PlanOp::Unwind { expr, .. } => vec![expr],
        PlanOp::LoadCsv { source, .. } => vec![source],
        PlanOp::Filter { predicate, .. } => vec![predicate],
        PlanOp::Project { items, .. } => items.iter().map(|(_, e)| e).collect(),
        PlanOp::Skip { count, .. } | PlanOp::Limit { count, .. } => vec![count],
        _ => return true,
    };
    exprs.into_iter().any(has_pattern) || plan.inputs().into_iter().any(reads_graph)
}

/// True when a clause after the subquery could read what a later batch writes, or writes.
fn touches_graph(c: &Clause) -> bool {
    let projection = |p: &Projection| {
        p.items.iter().map(|i| &i.expr).any(has_pattern)
            || p.order_by.iter().any(|s| has_pattern(&s.expr))
    };
    match c {
        Clause::Return(r) => projection(&r.projection),
        Clause::With(w) => projection(&w.projection) || w.where_.as_ref().is_some_and(has_pattern),
        Clause::Unwind(u) => has_pattern(&u.expr),
        Clause::LoadCsv(l) => has_pattern(&l.source),
        Clause::Finish(_) => false,
        _ => true,
    }
}

/// The expression holds a pattern or subquery (it reads the graph by itself).
fn has_pattern(e: &Expr) -> bool {
    let mut found = false;
    walk::visit(e, &mut |x| {
        if matches!(
            x.kind,
            ExprKind::PatternPredicate(_)
                | ExprKind::PatternComprehension { .. }
                | ExprKind::Subquery(..)
        ) {
            found = true;
        }
        !found
    });
    found
}
