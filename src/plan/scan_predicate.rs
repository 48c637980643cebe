//! The test a label scan can apply inside the store: the first conjunct of the filter above
//! it when that compares the scanned node's property with a literal or a parameter. The
//! executor's pre-filter (`exec/prefilter.rs`) applies it; the planner asks whether a filter
//! would have one before it prefers a label scan to a scan of a whole index (`pattern.rs`).

use crate::ast::{BinaryOp, Expr, ExprKind};

/// `var.key op constant` (or `constant op var.key`, `flipped`).
pub struct ScanTest<'p> {
    pub key: &'p str,
    pub op: BinaryOp,
    /// A literal or a parameter: evaluated once per scan.
    pub constant: &'p Expr,
    pub flipped: bool,
}

/// The test a scan of `var` can apply of `predicate`: its first conjunct (the one the evaluator
/// reads first and stops at when it is false), if that has the shape.
pub fn of<'p>(predicate: &'p Expr, var: &str) -> Option<ScanTest<'p>> {
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
    Some(ScanTest {
        key,
        op: *op,
        constant,
        flipped,
    })
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
