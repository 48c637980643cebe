//! SKIP and LIMIT (LIMIT stops pulling from upstream once reached), and the sink that drains
//! write-only queries.

use crate::ast::Expr;
use crate::error::{ErrorClass, Result};
use crate::exec::{runtime, BoxOp, ExecCtx, Operator, Row};
use crate::value::Value;

/// Evaluates a SKIP/LIMIT count: a non-negative integer.
pub(crate) fn eval_count(ctx: &ExecCtx<'_>, e: &Expr) -> Result<u64> {
    match ctx.eval_const(e)? {
        Value::Int(i) if i >= 0 => Ok(i as u64),
        Value::Int(_) => Err(runtime(
            ErrorClass::SyntaxError,
            "NegativeIntegerArgument",
            "SKIP and LIMIT need a non-negative integer",
        )),
        Value::Float(f) if f.fract() == 0.0 && f >= 0.0 => Err(runtime(
            ErrorClass::SyntaxError,
            "InvalidArgumentType",
            "SKIP and LIMIT need an integer",
        )),
        other => Err(runtime(
            ErrorClass::SyntaxError,
            "InvalidArgumentType",
            format!("SKIP and LIMIT need an integer, got {}", other.type_name()),
        )),
    }
}

pub struct Skip<'p> {
    pub input: BoxOp<'p>,
    pub count: &'p Expr,
    pub remaining: Option<u64>,
}

impl Operator for Skip<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.remaining.is_none() {
            self.remaining = Some(eval_count(ctx, self.count)?);
        }
        while self.remaining.unwrap_or(0) > 0 {
            if self.input.next(ctx)?.is_none() {
                return Ok(None);
            }
            self.remaining = self.remaining.map(|r| r - 1);
        }
        self.input.next(ctx)
    }
}

pub struct Limit<'p> {
    pub input: BoxOp<'p>,
    pub count: &'p Expr,
    pub remaining: Option<u64>,
    /// The input writes: its updates happen even for rows the limit cuts off.
    pub drain: bool,
}

impl Operator for Limit<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.remaining.is_none() {
            self.remaining = Some(eval_count(ctx, self.count)?);
        }
        match self.remaining {
            Some(0) | None => {
                if self.drain {
                    self.drain = false;
                    while self.input.next(ctx)?.is_some() {
                        ctx.tick()?;
                    }
                }
                Ok(None)
            }
            Some(n) => {
                let r = self.input.next(ctx)?;
                self.remaining = Some(if r.is_some() { n - 1 } else { 0 });
                Ok(r)
            }
        }
    }
}

/// Consumes every input row and produces none (a query ending in an update clause).
pub struct Discard<'p> {
    pub input: BoxOp<'p>,
}

impl Operator for Discard<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        while self.input.next(ctx)?.is_some() {
            ctx.tick()?;
        }
        Ok(None)
    }
}
