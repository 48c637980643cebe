//! ORDER BY: a full sort, or with a LIMIT a top-k that keeps only the best rows seen so far.

use std::cmp::Ordering;

use crate::ast::{Expr, ExprKind};
use crate::error::Result;
use crate::exec::limit::eval_count;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
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

pub struct Sort<'p> {
    input: BoxOp<'p>,
    keys: &'p [(Expr, bool)],
    limit: Option<&'p Expr>,
    cols: &'p [String],
    out: Option<std::vec::IntoIter<Row>>,
}

impl<'p> Sort<'p> {
    pub fn new(
        input: BoxOp<'p>,
        keys: &'p [(Expr, bool)],
        limit: Option<&'p Expr>,
        cols: &'p [String],
    ) -> Self {
        Sort {
            input,
            keys,
            limit,
            cols,
            out: None,
        }
    }

    fn cmp(&self, a: &[Value], b: &[Value]) -> Ordering {
        for (i, (_, desc)) in self.keys.iter().enumerate() {
            let o = order(&a[i], &b[i]);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }

    /// The row slots of the keys when every key is a plain column (then rows are compared in
    /// place, without evaluating or copying keys).
    fn key_slots(&self) -> Option<Vec<usize>> {
        column_slots(self.keys, self.cols).map(|s| s.into_iter().map(|(slot, _)| slot).collect())
    }

    fn cmp_rows(&self, slots: &[usize], a: &[Value], b: &[Value]) -> Ordering {
        for (&s, (_, desc)) in slots.iter().zip(self.keys) {
            let o = order(&a[s], &b[s]);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }

    /// `fill` for column keys: the same cuts and rejection, comparing rows in place.
    fn fill_by_slots(
        &mut self,
        ctx: &mut ExecCtx<'_>,
        slots: &[usize],
        limit: Option<usize>,
    ) -> Result<Vec<Row>> {
        let mut rows: Vec<Row> = Vec::new();
        let mut worst: Option<Row> = None;
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            if worst
                .as_ref()
                .is_some_and(|w| self.cmp_rows(slots, &row, w) != Ordering::Less)
            {
                continue;
            }
            rows.push(row);
            if let Some(l) = limit {
                if rows.len() >= 2 * l.max(512) {
                    rows.sort_by(|a, b| self.cmp_rows(slots, a, b));
                    rows.truncate(l);
                    worst = rows.last().cloned();
                }
            }
        }
        rows.sort_by(|a, b| self.cmp_rows(slots, a, b));
        if let Some(l) = limit {
            rows.truncate(l);
        }
        Ok(rows)
    }

    fn fill(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Vec<Row>> {
        let limit = match self.limit {
            Some(e) => Some(eval_count(ctx, e)? as usize),
            None => None,
        };
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        if let Some(slots) = self.key_slots() {
            return self.fill_by_slots(ctx, &slots, limit);
        }
        let mut keyed: Vec<(Vec<Value>, Row)> = Vec::new();
        // With a limit: the key of the last kept row after the latest cut. A later row that
        // does not sort strictly before it can never be kept (the sort is stable).
        let mut worst: Option<Vec<Value>> = None;
        let mut k = Vec::with_capacity(self.keys.len());
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            k.clear();
            for (e, _) in self.keys {
                k.push(ctx.eval(e, self.cols, &row)?);
            }
            if worst
                .as_ref()
                .is_some_and(|w| self.cmp(&k, w) != Ordering::Less)
            {
                continue;
            }
            let key = std::mem::replace(&mut k, Vec::with_capacity(self.keys.len()));
            keyed.push((key, row));
            if let Some(l) = limit {
                if keyed.len() >= 2 * l.max(512) {
                    keyed.sort_by(|a, b| self.cmp(&a.0, &b.0));
                    keyed.truncate(l);
                    worst = keyed.last().map(|(k, _)| k.clone());
                }
            }
        }
        keyed.sort_by(|a, b| self.cmp(&a.0, &b.0));
        if let Some(l) = limit {
            keyed.truncate(l);
        }
        Ok(keyed.into_iter().map(|(_, r)| r).collect())
    }
}

impl Operator for Sort<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let rows = self.fill(ctx)?;
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
