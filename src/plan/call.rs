//! Planning `CALL procedure(…) YIELD …`: the signature from the catalog, argument checks,
//! and the yielded columns.

use crate::ast::Call;
use crate::error::{QueryError, Result};
use crate::plan::builder::Builder;
use crate::plan::{LogicalPlan, PlanOp};

impl Builder<'_> {
    pub(super) fn call(
        &mut self,
        plan: LogicalPlan,
        c: &Call,
        standalone: bool,
    ) -> Result<LogicalPlan> {
        let sig = (self.catalog.procedure)(&c.procedure).ok_or_else(|| {
            QueryError::new(
                crate::error::ErrorClass::ProcedureError,
                "ProcedureNotFound",
                crate::error::Phase::Compile,
                format!("there is no procedure `{}`", c.procedure),
            )
            .at(c.span)
        })?;
        if let Some(args) = &c.args {
            // Trailing inputs declared Neo4j-style as `name = default` may be omitted.
            let required = sig
                .inputs
                .iter()
                .filter(|(n, _)| !n.contains(" = "))
                .count();
            if args.len() < required || args.len() > sig.inputs.len() {
                return Err(QueryError::syntax(
                    "InvalidNumberOfArguments",
                    format!(
                        "procedure `{}` takes {} argument(s), {} given",
                        sig.name,
                        if required == sig.inputs.len() {
                            required.to_string()
                        } else {
                            format!("{required} to {}", sig.inputs.len())
                        },
                        args.len()
                    ),
                )
                .at(c.span)
                .into());
            }
            for a in args {
                if crate::functions::has_aggregate(a) {
                    return Err(QueryError::syntax(
                        "InvalidAggregation",
                        "aggregation is not allowed in procedure arguments",
                    )
                    .at(a.span)
                    .into());
                }
            }
        } else if !standalone {
            return Err(QueryError::syntax(
                "InvalidArgumentPassingMode",
                "procedure calls inside a query need an argument list in parentheses",
            )
            .at(c.span)
            .into());
        }
        let mut yields = Vec::new();
        let mut columns = plan.columns.clone();
        match &c.yields {
            Some(items) if !c.yield_star => {
                for y in items {
                    let idx = sig
                        .outputs
                        .iter()
                        .position(|(n, _)| *n == y.column)
                        .ok_or_else(|| {
                            QueryError::syntax(
                                "UndefinedVariable",
                                format!("procedure `{}` has no output `{}`", sig.name, y.column),
                            )
                            .at(y.span)
                        })?;
                    let var = y.alias.as_ref().map_or(&y.column, |a| &a.name).clone();
                    if columns.contains(&var) {
                        return Err(QueryError::syntax(
                            "VariableAlreadyBound",
                            format!("variable `{var}` is already defined"),
                        )
                        .at(y.span)
                        .into());
                    }
                    columns.push(var.clone());
                    yields.push((idx, var));
                }
            }
            _ => {
                if !standalone && !sig.outputs.is_empty() && !c.yield_star {
                    return Err(QueryError::syntax(
                        "UndefinedVariable",
                        "procedure calls inside a query must YIELD their outputs",
                    )
                    .at(c.span)
                    .into());
                }
                for (i, (n, _)) in sig.outputs.iter().enumerate() {
                    columns.push(n.clone());
                    yields.push((i, n.clone()));
                }
            }
        }
        let mut plan = LogicalPlan::new(
            PlanOp::Call {
                input: Box::new(plan),
                procedure: sig.name.clone(),
                args: c.args.clone(),
                yields,
                optional: c.optional,
            },
            columns,
        );
        if standalone && sig.outputs.is_empty() {
            // A standalone call of a void procedure returns no rows at all.
            plan = LogicalPlan::new(
                PlanOp::Discard {
                    input: Box::new(plan),
                },
                vec![],
            );
        }
        if let Some(w) = &c.where_ {
            plan = crate::plan::pattern::filter(plan, vec![w.clone()]);
        }
        Ok(plan)
    }
}
