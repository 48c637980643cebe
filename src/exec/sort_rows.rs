//! Sorting rows stably by ORDER BY keys, all of them or the best `limit`: the code the serial
//! `Sort` (`sort.rs`) and the parallel top-k (`parallel::top`) share. It lives apart from both
//! so that `sort.rs`, which calls `parallel::top`, and `parallel.rs` do not import each other.
//! Stable: among rows with equal keys the one that came first comes first.

use std::cmp::Ordering;

use crate::ast::{Expr, ExprKind};
use crate::error::Result;
use crate::exec::{ExecCtx, Operator, Row};
use crate::value::{order, Value};

/// (column slot, descending) of each sort key when every key is a plain column of `cols`.
pub fn column_slots(keys: &[(Expr, bool)], cols: &[String]) -> Option<Vec<(usize, bool)>> {
    keys.iter()
        .map(|(e, desc)| match &e.kind {
            ExprKind::Variable(v) => cols.iter().position(|c| c == v).map(|s| (s, *desc)),
            _ => None,
        })
        .collect()
}

/// The row slots of `keys` when every key is a plain column of `cols` (then rows are compared
/// in place, without evaluating or copying keys).
pub(crate) fn key_slots(keys: &[(Expr, bool)], cols: &[String]) -> Option<Vec<usize>> {
    column_slots(keys, cols).map(|s| s.into_iter().map(|(slot, _)| slot).collect())
}

/// A row with the values of its sort keys.
pub(crate) type Keyed = (Vec<Value>, Row);

/// The order of two rows' key values under `keys` (ascending or descending per key).
pub(crate) fn cmp_keys(keys: &[(Expr, bool)], a: &[Value], b: &[Value]) -> Ordering {
    for (i, (_, desc)) in keys.iter().enumerate() {
        let o = order(&a[i], &b[i]);
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// The order of two rows under `keys` whose values are at `slots` of the rows.
pub(crate) fn cmp_slots(
    keys: &[(Expr, bool)],
    slots: &[usize],
    a: &[Value],
    b: &[Value],
) -> Ordering {
    for (&s, (_, desc)) in slots.iter().zip(keys) {
        let o = order(&a[s], &b[s]);
        let o = if *desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// The rows of `input` sorted stably by `keys`, whose values are at `slots` of each row, the
/// best `limit` of them when there is a limit.
pub(crate) fn sorted_by_slots(
    input: &mut dyn Operator,
    keys: &[(Expr, bool)],
    slots: &[usize],
    limit: Option<usize>,
    ctx: &mut ExecCtx<'_>,
) -> Result<Vec<Row>> {
    let mut rows: Vec<Row> = Vec::new();
    // With a limit: the last kept row after the latest cut. A later row that does not sort
    // strictly before it can never be kept (the sort is stable).
    let mut worst: Option<Row> = None;
    while let Some(row) = input.next(ctx)? {
        ctx.tick()?;
        if worst
            .as_ref()
            .is_some_and(|w| cmp_slots(keys, slots, &row, w) != Ordering::Less)
        {
            continue;
        }
        rows.push(row);
        if let Some(l) = limit {
            if rows.len() >= 2 * l.max(512) {
                rows.sort_by(|a, b| cmp_slots(keys, slots, a, b));
                rows.truncate(l);
                worst = rows.last().cloned();
            }
        }
    }
    rows.sort_by(|a, b| cmp_slots(keys, slots, a, b));
    if let Some(l) = limit {
        rows.truncate(l);
    }
    Ok(rows)
}

/// The rows of `input` with their values of `keys` (evaluated over `cols`), sorted stably,
/// the best `limit` of them when there is a limit.
pub(crate) fn sorted_keyed(
    input: &mut dyn Operator,
    keys: &[(Expr, bool)],
    limit: Option<usize>,
    cols: &[String],
    ctx: &mut ExecCtx<'_>,
) -> Result<Vec<Keyed>> {
    let mut keyed: Vec<Keyed> = Vec::new();
    // With a limit: the key of the last kept row after the latest cut (as above).
    let mut worst: Option<Vec<Value>> = None;
    let mut k = Vec::with_capacity(keys.len());
    while let Some(row) = input.next(ctx)? {
        ctx.tick()?;
        k.clear();
        for (e, _) in keys {
            k.push(ctx.eval(e, cols, &row)?);
        }
        if worst
            .as_ref()
            .is_some_and(|w| cmp_keys(keys, &k, w) != Ordering::Less)
        {
            continue;
        }
        let key = std::mem::replace(&mut k, Vec::with_capacity(keys.len()));
        keyed.push((key, row));
        if let Some(l) = limit {
            if keyed.len() >= 2 * l.max(512) {
                keyed.sort_by(|a, b| cmp_keys(keys, &a.0, &b.0));
                keyed.truncate(l);
                worst = keyed.last().map(|(k, _)| k.clone());
            }
        }
    }
    keyed.sort_by(|a, b| cmp_keys(keys, &a.0, &b.0));
    if let Some(l) = limit {
        keyed.truncate(l);
    }
    Ok(keyed)
}
