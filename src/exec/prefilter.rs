//! The part of a filter over a label scan that the store can apply while it reads the records:
//! the predicate's first conjunct when it compares the scanned node's property with a constant.
//!
//! `MATCH (c:Company) WHERE c.country = 'JP'` otherwise reads every `Company` node's property
//! through the executor, one lookup and one evaluation per node; the store's walk over the
//! node blocks (`GraphRead::nodes_with_label_where`) decodes only that property. The filter
//! stays above the scan and evaluates the whole predicate on the rows that remain, so the
//! pre-filter only has to never drop a row the filter would keep, and must drop no row whose
//! evaluation would have raised an error. Both hold for the *first* conjunct of an `AND`
//! chain: the evaluator reads it first and stops at `false` without reading the rest, and the
//! pre-filter drops exactly the rows where it is `false` (a `null` keeps the row: the rest of
//! the chain is then evaluated, and may raise). The comparisons taken never raise.

use crate::ast::{BinaryOp, Expr, ExprKind};
use crate::error::Result;
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
}

impl<'p> Prefilter<'p> {
    /// The pre-filter `predicate` allows for a scan of `var`, if any.
    pub fn of(predicate: &'p Expr, var: &'p str) -> Option<Prefilter<'p>> {
        let mut first = predicate;
        while let ExprKind::Binary(BinaryOp::And, l, _) = &first.kind {
            first = l;
        }
        let ExprKind::Binary(op, l, r) = &first.kind else {
            return None;
        };
        // Comparisons and string tests: on any two values they yield true, false or null.
        if !matches!(
            op,
            BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge
                | BinaryOp::StartsWith
                | BinaryOp::EndsWith
                | BinaryOp::Contains
        ) {
            return None;
        }
        let (key, constant, flipped) = match (property_of(l, var), property_of(r, var)) {
            (Some(key), None) if is_constant(r) => (key, &**r, false),
            (None, Some(key)) if is_constant(l) => (key, &**l, true),
            _ => return None,
        };
        Some(Prefilter {
            var,
            key,
            op: *op,
            constant,
            flipped,
        })
    }

    /// Whether the row of a node whose property is `value` may pass the filter (`constant`:
    /// the constant's value): false only where the conjunct is false.
    pub fn keeps(&self, value: &Value, constant: &Value) -> Result<bool> {
        let (a, b) = match self.flipped {
            false => (value, constant),
            true => (constant, value),
        };
        Ok(!matches!(
            crate::expr::compare_like(self.op, a, b)?,
            Value::Bool(false)
        ))
    }
}

/// `key` when `e` is `var.key`.
fn property_of<'p>(e: &'p Expr, var: &str) -> Option<&'p str> {
    match &e.kind {
        ExprKind::Property(target, key) => match &target.kind {
            ExprKind::Variable(v) if v == var => Some(key),
            _ => None,
        },
        _ => None,
    }
}

/// A value the scan can evaluate once: a scalar literal or a parameter.
fn is_constant(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Null
            | ExprKind::Bool(_)
            | ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::String(_)
            | ExprKind::Parameter(_)
    )
}
