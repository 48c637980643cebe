//! WHERE: keeps the rows for which the predicate is true (null and false drop the row).

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::value::Value;

pub struct Filter<'p> {
    pub input: BoxOp<'p>,
    pub predicate: &'p Expr,
    pub cols: &'p [String],
}

impl Operator for Filter<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            match ctx.eval(self.predicate, self.cols, &row)? {
                Value::Bool(true) => return Ok(Some(row)),
                Value::Bool(false) | Value::Null => {}
                other => {
                    return Err(crate::error::QueryError::type_error(
                        "InvalidArgumentType",
                        format!("a predicate must be a boolean, got {}", other.type_name()),
                    )
                    .into())
                }
            }
        }
        Ok(None)
    }
}
