//! ORDER BY: a full sort, or with a LIMIT a top-k that keeps only the best rows seen so far.

use std::cmp::Ordering;

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::limit::eval_count;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::expr::order;
use crate::value::Value;

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

    fn fill(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Vec<Row>> {
        let limit = match self.limit {
            Some(e) => Some(eval_count(ctx, e)? as usize),
            None => None,
        };
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        let mut keyed: Vec<(Vec<Value>, Row)> = Vec::new();
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            let mut k = Vec::with_capacity(self.keys.len());
            for (e, _) in self.keys {
                k.push(ctx.eval(e, self.cols, &row)?);
            }
            keyed.push((k, row));
            if let Some(l) = limit {
                if keyed.len() >= 2 * l.max(512) {
                    keyed.sort_by(|a, b| self.cmp(&a.0, &b.0));
                    keyed.truncate(l);
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
