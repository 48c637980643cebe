//! ORDER BY: a full sort, or with a LIMIT a top-k that keeps only the best rows seen so far.
//! The sort is stable: among rows with equal keys the one that came first comes first, which
//! the parallel top-k (`parallel::top`) relies on to give the serial answer.

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::limit::eval_count;
use crate::exec::sort_rows::{key_slots, sorted_by_slots, sorted_keyed};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::plan::LogicalPlan;

pub struct Sort<'p> {
    input: BoxOp<'p>,
    keys: &'p [(Expr, bool)],
    limit: Option<&'p Expr>,
    cols: &'p [String],
    /// With a limit: the Top's plan node, its input's and the row its `Argument` leaves
    /// produce, for the parallel path (`parallel::top`).
    parallel: Option<(&'p LogicalPlan, &'p LogicalPlan, Row)>,
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
            parallel: None,
            out: None,
        }
    }

    /// Lets the top-k run on several threads when its input qualifies (`parallel::top`):
    /// `plan` is the Top, `input` its input and `arg` the row its `Argument` leaves produce.
    pub fn parallel(mut self, plan: &'p LogicalPlan, input: &'p LogicalPlan, arg: &Row) -> Self {
        self.parallel = Some((plan, input, arg.clone()));
        self
    }

    fn fill(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Vec<Row>> {
        let limit = match self.limit {
            Some(e) => Some(eval_count(ctx, e)? as usize),
            None => None,
        };
        if limit == Some(0) {
            return Ok(Vec::new());
        }
        if let (Some(l), Some((plan, input, arg))) = (limit, &self.parallel) {
            if ctx.threads > 1 {
                let par = crate::exec::parallel::top(plan, input, self.keys, l, arg, ctx)?;
                if let Some(rows) = par {
                    return Ok(rows);
                }
            }
        }
        if let Some(slots) = key_slots(self.keys, self.cols) {
            return sorted_by_slots(&mut *self.input, self.keys, &slots, limit, ctx);
        }
        let keyed = sorted_keyed(&mut *self.input, self.keys, limit, self.cols, ctx)?;
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
