//! The part of a filter over a single-hop expansion that the expansion can apply before it
//! builds rows: the predicate's first conjunct when it compares the relationship it binds
//! with a constant (`MATCH ()-[r:T]->() WHERE r.year = 2000 AND …`).
//!
//! Without it every relationship of the pattern becomes a row and the filter reads its
//! property through the evaluator, one record lookup and one evaluation per relationship. Here
//! the expansion reads the property of each input node's relationships in one batch
//! (`GraphRead::relationship_properties`: neighbouring relationships share a block lookup) and
//! keeps only those on which the conjunct is not `false`. The filter stays above and decides,
//! so the rule is the node pre-filter's (`prefilter.rs`): the first conjunct of an `AND` chain
//! is evaluated first and a `false` stops the chain, so dropping exactly those rows neither
//! changes an answer nor hides an error. The rows that remain come in the same order.

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::prefilter::Prefilter;
use crate::exec::{ExecCtx, Row};
use crate::model::RelId;
use crate::plan::ExpandSpec;
use crate::store::Edge;
use crate::value::Value;

pub struct RelPrefilter<'p> {
    test: Prefilter<'p>,
    /// The constant's value, evaluated on the first input row (`Some(None)`: it failed to
    /// evaluate, a missing parameter, which the filter reports; nothing is dropped then).
    constant: Option<Option<Value>>,
    /// Scratch space reused across input rows.
    ids: Vec<RelId>,
    values: Vec<Option<Value>>,
}

impl<'p> RelPrefilter<'p> {
    /// The pre-filter `predicate` allows for the expansion `spec` over rows of `in_cols`: only
    /// a single hop that binds its relationship variable itself.
    pub fn of(predicate: &'p Expr, spec: &'p ExpandSpec, in_cols: &[String]) -> Option<Self> {
        if spec.hops.is_some() || in_cols.contains(&spec.rel) {
            return None;
        }
        Some(RelPrefilter {
            test: Prefilter::of(predicate, &spec.rel)?,
            constant: None,
            ids: Vec::new(),
            values: Vec::new(),
        })
    }

    /// Drops from `edges` (those of input row `row`, laid out as `cols`) the relationships on
    /// which the conjunct is false, keeping the others in order.
    pub fn retain(
        &mut self,
        ctx: &ExecCtx<'_>,
        cols: &[String],
        row: &Row,
        edges: &mut Vec<Edge>,
    ) -> Result<()> {
        if edges.is_empty() {
            return Ok(());
        }
        let constant = self
            .constant
            .get_or_insert_with(|| ctx.eval(self.test.constant, cols, row).ok());
        let Some(constant) = constant else {
            return Ok(());
        };
        self.ids.clear();
        self.ids.extend(edges.iter().map(|e| e.rel));
        self.values.clear();
        ctx.read()
            .relationship_properties(&self.ids, self.test.key, &mut self.values)?;
        let mut keep = Vec::with_capacity(edges.len());
        for (e, v) in edges.iter().zip(&self.values) {
            if self
                .test
                .keeps(v.as_ref().unwrap_or(&Value::Null), constant)?
            {
                keep.push(*e);
            }
        }
        *edges = keep;
        Ok(())
    }
}
