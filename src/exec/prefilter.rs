//! The part of a filter over a label scan that the store can apply while it reads the records:
//! the predicate's first conjunct when it compares the scanned node's property with a constant.
//!
//! `MATCH (c:Company) WHERE c.country = 'JP'` otherwise reads every `Company` node's property
//! through the executor, one lookup and one evaluation per node; the store's walk over the
//! node blocks (`GraphRead::label_where_piece`) decodes only that property. The filter
//! stays above the scan and evaluates the whole predicate on the rows that remain, so the
//! pre-filter only has to never drop a row the filter would keep, and must drop no row whose
//! evaluation would have raised an error. Both hold for the *first* conjunct of an `AND`
//! chain: the evaluator reads it first and stops at `false` without reading the rest, and the
//! pre-filter drops exactly the rows where it is `false` (a `null` keeps the row: the rest of
//! the chain is then evaluated, and may raise). The comparisons taken never raise; their
//! shape is recognised by `plan::scan_predicate`, which the planner asks too.
//!
//! When the predicate is that one comparison and nothing else (`exact`), the store keeps only
//! the rows on which it is true, which is the filter's own rule, and the filter passes the
//! scan's rows without evaluating it again (`filter::Decided`): at L, A4's re-check of
//! `c.country = 'JP'` on each of 161k kept rows was a tenth of the statement.

use crate::ast::{BinaryOp, Expr, ExprKind};
use crate::error::Result;
use crate::plan::scan_predicate;
use crate::value::Value;

/// `var.key op constant` (or `constant op var.key`, `flipped`).
pub struct Prefilter<'p> {
    /// The scanned variable.
    pub var: &'p str,
    pub key: &'p str,
    op: BinaryOp,
    /// A literal or a parameter: evaluated once per scan.
    pub constant: &'p Expr,
    flipped: bool,
    /// The predicate is the comparison alone (no `AND` chain): the store keeps exactly the
    /// rows the filter would.
    pub exact: bool,
}

impl<'p> Prefilter<'p> {
    /// The pre-filter `predicate` allows for a scan of `var`, if any (`plan::scan_predicate`).
    pub fn of(predicate: &'p Expr, var: &'p str) -> Option<Prefilter<'p>> {
        let t = scan_predicate::of(predicate, var)?;
        Some(Prefilter {
            var,
            key: t.key,
            op: t.op,
            constant: t.constant,
            flipped: t.flipped,
            exact: !matches!(predicate.kind, ExprKind::Binary(BinaryOp::And, ..)),
        })
    }

    /// Whether the row of a node whose property is `value` may pass the filter (`constant`:
    /// the constant's value): false only where the conjunct is false; when `exact`, true
    /// only where it is true (the filter's rule: null drops the row).
    pub fn keeps(&self, value: &Value, constant: &Value) -> Result<bool> {
        let (a, b) = match self.flipped {
            false => (value, constant),
            true => (constant, value),
        };
        let v = crate::expr::compare_like(self.op, a, b)?;
        match self.exact {
            true => super::filter::truth(v),
            false => Ok(!matches!(v, Value::Bool(false))),
        }
    }
}
