//! MERGE: for every input row, the matches of the pattern (then ON MATCH SET), or, when there
//! are none, the pattern created (then ON CREATE SET). Later rows see earlier rows' creations.

use crate::ast::{PatternPart, SetItem};
use crate::error::{ErrorClass, Result};
use crate::exec::create::{create_part, Bindings};
use crate::exec::set::apply_set;
use crate::exec::{run_all, runtime, BoxOp, ExecCtx, Operator, Row, RowScope};
use crate::plan::LogicalPlan;
use crate::value::Value;

pub struct Merge<'p> {
    pub input: BoxOp<'p>,
    pub part: &'p PatternPart,
    pub matcher: &'p LogicalPlan,
    pub on_create: &'p [SetItem],
    pub on_match: &'p [SetItem],
    pub in_cols: &'p [String],
    pub out_cols: &'p [String],
    pub out: Option<std::vec::IntoIter<Row>>,
    pub profile: bool,
}

/// MERGE cannot match or create a property equal to null.
fn check_null_props(ctx: &ExecCtx<'_>, part: &PatternPart, b: &Bindings<'_>) -> Result<()> {
    let el = &part.element;
    let mut maps = vec![el.start.properties.as_ref()];
    for (r, n) in &el.chain {
        maps.push(r.properties.as_ref());
        maps.push(n.properties.as_ref());
    }
    for m in maps.into_iter().flatten() {
        if let Value::Map(vals) = crate::expr::eval(m, b, &crate::exec::EvalCx { ctx })? {
            if let Some((k, _)) = vals.iter().find(|(_, v)| v.is_null()) {
                return Err(runtime(
                    ErrorClass::SemanticError,
                    "MergeReadOwnWrites",
                    format!(
                        "cannot merge a node or relationship using a null property value for `{k}`"
                    ),
                ));
            }
        }
    }
    Ok(())
}

impl Operator for Merge<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let mut rows = Vec::new();
            while let Some(r) = self.input.next(ctx)? {
                rows.push(r);
            }
            let mut out = Vec::new();
            for row in rows {
                ctx.tick()?;
                let matches = {
                    let mut child = ctx.child();
                    run_all(self.matcher, &mut child, &row)?
                };
                if matches.is_empty() {
                    let mut b = Bindings {
                        cols: self.in_cols,
                        row: &row,
                        new: Vec::new(),
                    };
                    check_null_props(ctx, self.part, &b)?;
                    create_part(ctx, self.part, &mut b)?;
                    let r = b.out_row(self.out_cols);
                    for it in self.on_create {
                        apply_set(
                            ctx,
                            it,
                            &RowScope {
                                cols: self.out_cols,
                                row: &r,
                            },
                        )?;
                    }
                    out.push(r);
                } else {
                    for m in matches {
                        let mut r = Vec::with_capacity(self.out_cols.len());
                        for c in self.out_cols {
                            let i = self.matcher.columns.iter().position(|x| x == c);
                            r.push(i.map_or(Value::Null, |i| m[i].clone()));
                        }
                        for it in self.on_match {
                            apply_set(
                                ctx,
                                it,
                                &RowScope {
                                    cols: self.out_cols,
                                    row: &r,
                                },
                            )?;
                        }
                        out.push(r);
                    }
                }
            }
            let _ = self.profile;
            self.out = Some(out.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
