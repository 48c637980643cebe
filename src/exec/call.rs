//! CALL: runs a procedure for every input row and binds the yielded columns.

use crate::ast::Expr;
use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::procedures::{coerce_argument, ProcedureContext};
use crate::value::Value;

pub struct CallOp<'p> {
    pub input: BoxOp<'p>,
    pub procedure: &'p str,
    pub args: Option<&'p [Expr]>,
    pub yields: &'p [(usize, String)],
    pub optional: bool,
    pub cols: &'p [String],
    pub current: Option<Row>,
    pub rows: std::vec::IntoIter<Vec<Value>>,
}

impl Operator for CallOp<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if let Some(out) = self.rows.next() {
                    let mut r = row.clone();
                    for (i, _) in self.yields {
                        r.push(out.get(*i).cloned().unwrap_or(Value::Null));
                    }
                    return Ok(Some(r));
                }
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            ctx.tick()?;
            let proc = ctx.procedures.get(self.procedure).cloned().ok_or_else(|| {
                QueryError::new(
                    ErrorClass::ProcedureError,
                    "ProcedureNotFound",
                    Phase::Runtime,
                    format!("there is no procedure `{}`", self.procedure),
                )
            })?;
            let sig = proc.signature().clone();
            let mut args = Vec::with_capacity(sig.inputs.len());
            match self.args {
                Some(exprs) => {
                    for (e, input) in exprs.iter().zip(&sig.inputs) {
                        let v = ctx.eval(e, self.cols, &row)?;
                        args.push(coerce_argument(&sig.name, input, v)?);
                    }
                }
                None => {
                    for input in &sig.inputs {
                        // An optional input (`name = default`) is taken from `$name` if given.
                        if let Some((name, _)) = input.0.split_once(" = ") {
                            match ctx.params.get(name) {
                                Some(v) => args.push(coerce_argument(&sig.name, input, v.clone())?),
                                None => break,
                            }
                            continue;
                        }
                        let v = ctx.params.get(&input.0).cloned().ok_or_else(|| {
                            QueryError::new(
                                ErrorClass::ParameterMissing,
                                "MissingParameter",
                                // Raised before the procedure runs or anything is written.
                                Phase::Compile,
                                format!(
                                    "expected parameter `${}` for procedure `{}`",
                                    input.0, sig.name
                                ),
                            )
                        })?;
                        args.push(coerce_argument(&sig.name, input, v)?);
                    }
                }
            }
            let pctx = ProcedureContext::new(ctx.read(), ctx.generation, ctx.procedures);
            let rows = proc.call(&pctx, &args)?;
            if sig.outputs.is_empty() || (self.optional && rows.is_empty()) {
                // A void procedure leaves its input row as it was; OPTIONAL CALL pads a
                // call that yields nothing with nulls.
                self.rows = vec![Vec::new()].into_iter();
            } else {
                self.rows = rows.into_iter();
            }
            self.current = Some(row);
        }
    }
}
