//! The relationship type scan (`PlanOp::RelationshipTypeScan`): binds a single-hop pattern's
//! start, relationship and end from the store's pass over the relationships of its types
//! (`GraphRead::relationship_type_piece`), a piece at a time, per input row.
//!
//! A filter directly above whose first conjunct compares the relationship's property with a
//! constant (`WHERE r.year = 2000 AND …`) is applied by the store on the record it already
//! holds (`prefilter.rs`'s rule: only rows on which that conjunct is `false` go, or, when it
//! is the whole predicate, only rows on which it is not `true`); the filter stays above and
//! decides. Rows come in relationship id order; an undirected step gives each relationship
//! from its start, then from its end (a self-loop once), as `Expand` with `Direction::Both`
//! and `RelationshipById` do.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::exec::expand::{props_match, rel_props, rel_used};
use crate::exec::prefilter::Prefilter;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::model::{Direction, RelId};
use crate::plan::ExpandSpec;
use crate::store::RelPiece;
use crate::value::Value;

pub struct RelTypeScan<'p> {
    spec: &'p ExpandSpec,
    /// The input's columns.
    cols: &'p [String],
    /// Slots of the relationship variables this match has bound before (uniqueness).
    unique: Vec<usize>,
    types: Vec<&'p str>,
    input: BoxOp<'p>,
    prefilter: Option<Prefilter<'p>>,
    /// The input row being expanded, its property map and the pre-filter's constant
    /// (`None`: no pre-filter, or its constant failed to evaluate, which the filter reports).
    current: Option<Current>,
    piece: RelPiece,
    pos: usize,
    /// Where the next piece starts; `None` after the last.
    next: Option<RelId>,
    /// The second row of an undirected relationship, handed out next.
    pending: Option<Row>,
}

struct Current {
    row: Row,
    props: Option<BTreeMap<String, Value>>,
    constant: Option<Value>,
}

impl<'p> RelTypeScan<'p> {
    pub fn new(
        spec: &'p ExpandSpec,
        cols: &'p [String],
        input: BoxOp<'p>,
        prefilter: Option<Prefilter<'p>>,
    ) -> Self {
        RelTypeScan {
            spec,
            cols,
            unique: spec.unique_columns(cols),
            types: spec.types.iter().map(String::as_str).collect(),
            input,
            prefilter,
            current: None,
            piece: RelPiece::default(),
            pos: 0,
            next: None,
            pending: None,
        }
    }

    /// Reads the next piece of the scan for the current row; false when there is none.
    fn next_piece(&mut self, ctx: &mut ExecCtx<'_>) -> Result<bool> {
        let (Some(from), Some(cur)) = (self.next, &self.current) else {
            return Ok(false);
        };
        ctx.tick()?;
        let g = ctx.read();
        let mut keep;
        let test = match (&self.prefilter, &cur.constant) {
            (Some(p), Some(c)) => {
                keep = |v: &Value| p.keeps(v, c);
                Some((p.key, &mut keep as &mut dyn FnMut(&Value) -> Result<bool>))
            }
            _ => None,
        };
        self.next = g.relationship_type_piece(&self.types, from, None, test, &mut self.piece)?;
        self.pos = 0;
        Ok(true)
    }

    fn start(&mut self, ctx: &ExecCtx<'_>, row: Row) -> Result<()> {
        let props = rel_props(ctx, &self.spec.properties, self.cols, &row)?;
        // A constant that fails to evaluate (a missing parameter) is the filter's to report.
        let constant = self
            .prefilter
            .as_ref()
            .and_then(|p| ctx.eval(p.constant, self.cols, &row).ok());
        self.current = Some(Current {
            row,
            props,
            constant,
        });
        self.piece.rels.clear();
        self.pos = 0;
        self.next = Some(0);
        Ok(())
    }

    fn row(&self, base: &Row, from: u64, rel: RelId, to: u64) -> Row {
        let mut built = Vec::with_capacity(base.len() + 3);
        built.extend_from_slice(base);
        built.push(Value::NodeRef(from));
        built.push(Value::RelRef(rel));
        if self.spec.from != self.spec.to {
            built.push(Value::NodeRef(to));
        }
        built
    }
}

impl Operator for RelTypeScan<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = self.pending.take() {
                return Ok(Some(row));
            }
            let Some(cur) = &self.current else {
                let Some(row) = self.input.next(ctx)? else {
                    return Ok(None);
                };
                self.start(ctx, row)?;
                continue;
            };
            let Some(&(rel, start, end)) = self.piece.rels.get(self.pos) else {
                if !self.next_piece(ctx)? {
                    self.current = None;
                }
                continue;
            };
            self.pos += 1;
            if rel_used(&self.unique, &cur.row, rel) || !props_match(ctx.read(), rel, &cur.props)? {
                continue;
            }
            let same_var = self.spec.from == self.spec.to;
            let (from, to) = match self.spec.direction {
                Direction::Incoming => (end, start),
                _ => (start, end),
            };
            if same_var && from != to {
                continue;
            }
            if self.spec.direction == Direction::Both && start != end {
                self.pending = Some(self.row(&cur.row, end, rel, start));
            }
            ctx.tick()?;
            return Ok(Some(self.row(&cur.row, from, rel, to)));
        }
    }
}
