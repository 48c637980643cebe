//! Grouping and aggregation: rows are grouped by the values of the key expressions (with
//! Cypher equivalence, so null groups with null and 1 with 1.0), one aggregator per call.

use std::collections::HashMap;

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::lineage::{Facts, LineageUnion};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::expr::GroupKey;
use crate::functions::{new_aggregator, Aggregator};
use crate::plan::AggSpec;
use crate::value::Value;

/// One group: its key values and an aggregator per aggregate expression.
type Group = (Vec<Value>, Vec<Box<dyn Aggregator>>);

/// `count(*)`: counts rows, nulls included.
struct CountStar(i64);

impl Aggregator for CountStar {
    fn update(&mut self, _args: &[Value]) -> Result<()> {
        self.0 += 1;
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        Ok(Value::Int(self.0))
    }
}

pub struct Aggregate<'p> {
    input: BoxOp<'p>,
    keys: &'p [(String, Expr)],
    aggs: &'p [AggSpec],
    cols: &'p [String],
    out: Option<std::vec::IntoIter<Row>>,
}

impl<'p> Aggregate<'p> {
    pub fn new(
        input: BoxOp<'p>,
        keys: &'p [(String, Expr)],
        aggs: &'p [AggSpec],
        cols: &'p [String],
    ) -> Self {
        Aggregate {
            input,
            keys,
            aggs,
            cols,
            out: None,
        }
    }

    fn aggregators(&self, why_limit: usize) -> Result<Vec<Box<dyn Aggregator>>> {
        self.aggs
            .iter()
            .map(|a| -> Result<Box<dyn Aggregator>> {
                if a.star {
                    Ok(Box::new(CountStar(0)))
                } else if a.name == crate::plan::provenance::LINEAGE_AGG {
                    Ok(Box::new(LineageUnion(Facts::new(why_limit))))
                } else {
                    new_aggregator(&a.name, a.distinct)
                }
            })
            .collect()
    }

    fn fill(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Vec<Row>> {
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<GroupKey, usize> = HashMap::new();
        let mut args: Vec<Value> = Vec::new();
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            let g = if self.keys.is_empty() {
                if groups.is_empty() {
                    groups.push((Vec::new(), self.aggregators(ctx.why_limit)?));
                }
                0
            } else {
                let mut kv = Vec::with_capacity(self.keys.len());
                for (_, e) in self.keys {
                    kv.push(ctx.eval(e, self.cols, &row)?);
                }
                let key = crate::exec::project::row_key(&kv);
                match index.get(&key) {
                    Some(&i) => i,
                    None => {
                        groups.push((kv, self.aggregators(ctx.why_limit)?));
                        index.insert(key, groups.len() - 1);
                        groups.len() - 1
                    }
                }
            };
            for (i, a) in self.aggs.iter().enumerate() {
                args.clear();
                for e in &a.args {
                    args.push(ctx.eval(e, self.cols, &row)?);
                }
                groups[g].1[i].update(&args)?;
            }
        }
        if groups.is_empty() && self.keys.is_empty() {
            groups.push((Vec::new(), self.aggregators(ctx.why_limit)?));
        }
        let mut out = Vec::with_capacity(groups.len());
        for (mut kv, mut aggs) in groups {
            for a in aggs.iter_mut() {
                kv.push(a.finish()?);
            }
            out.push(kv);
        }
        Ok(out)
    }
}

impl Operator for Aggregate<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let rows = self.fill(ctx)?;
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
