//! WHERE: keeps the rows for which the predicate is true (null and false drop the row).

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::value::Value;

/// Shared by a pre-filtered scan and the filter above it (`prefilter.rs`): true while the row
/// the scan returned last was kept by an exact pre-filter, so the filter keeps it unevaluated.
/// Defined here, with the filter that reads it, so that the filter needs nothing of the
/// pre-filter (which uses the filter's [`truth`]).
pub type Decided = std::rc::Rc<std::cell::Cell<bool>>;

pub struct Filter<'p> {
    pub input: BoxOp<'p>,
    pub predicate: &'p Expr,
    pub cols: &'p [String],
    /// Set by a pre-filtered scan below whose store test was this whole predicate
    /// (`prefilter.rs`): its row is kept without evaluating the predicate again.
    pub decided: Option<Decided>,
}

impl Operator for Filter<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            if self.decided.as_ref().is_some_and(|d| d.get())
                || truth(ctx.eval(self.predicate, self.cols, &row)?)?
            {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// Whether a predicate's value keeps its row: true does, false and null do not, and anything
/// else is a type error (every operator that applies a WHERE shares this rule).
pub(crate) fn truth(v: Value) -> Result<bool> {
    match v {
        Value::Bool(b) => Ok(b),
        Value::Null => Ok(false),
        other => Err(crate::error::QueryError::type_error(
            "InvalidArgumentType",
            format!("a predicate must be a boolean, got {}", other.type_name()),
        )
        .into()),
    }
}
