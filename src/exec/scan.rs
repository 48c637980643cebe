//! Node sources: all nodes, by label, by id, and by property index: equality, or a range or
//! string test over its ordered pages (falling back to a scan when the store has no index for
//! the key; a range's predicates stay in a filter above).

use std::rc::Rc;

use crate::error::Result;
use crate::exec::filter::Decided;
use crate::exec::prefilter::Prefilter;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::model::NodeId;
use crate::plan::{LogicalPlan, PlanOp, RangeSeek};
use crate::store::{IndexScan, WherePiece};
use crate::value::Value;

pub struct NodeScan<'p> {
    plan: &'p LogicalPlan,
    input: BoxOp<'p>,
    current: Option<Row>,
    ids: Vec<NodeId>,
    pos: usize,
    /// The filter directly above a label scan, when the store can drop some of its rows
    /// (`prefilter.rs`).
    prefilter: Option<Prefilter<'p>>,
    /// A pre-filtered scan in progress, read a piece at a time.
    pieces: Option<Pieces>,
    /// Told, per returned row, whether an exact pre-filter kept it (`filter::Decided`).
    decided: Option<Decided>,
}

/// The state of a pre-filtered label scan between its pieces (`GraphRead::label_where_piece`).
struct Pieces {
    /// The pre-filter's constant, evaluated once per input row.
    constant: Value,
    /// The keys whose values the store returns with each node (`carry.rs`); may be empty.
    carry: Rc<[String]>,
    /// The piece being returned; its ids are moved to `NodeScan::ids`.
    piece: WherePiece,
    /// Where the next piece starts; `None` after the last.
    next: Option<NodeId>,
    /// Where the scan ends: a parallel worker's morsel ends before the next one's first node.
    until: NodeId,
}

impl<'p> NodeScan<'p> {
    pub fn new(plan: &'p LogicalPlan, input: BoxOp<'p>) -> Self {
        NodeScan {
            plan,
            input,
            current: None,
            ids: Vec::new(),
            pos: 0,
            prefilter: None,
            pieces: None,
            decided: None,
        }
    }

    /// A label scan whose store reads drop the nodes `prefilter` rejects; the filter it was
    /// taken from stays above and decides, except on the rows `decided` says an exact
    /// pre-filter kept (the filter holds the same cell).
    pub fn with_prefilter(
        plan: &'p LogicalPlan,
        input: BoxOp<'p>,
        prefilter: Prefilter<'p>,
        decided: Decided,
    ) -> Self {
        NodeScan {
            prefilter: Some(prefilter),
            decided: Some(decided),
            ..NodeScan::new(plan, input)
        }
    }

    /// Reads the next piece of the pre-filtered scan into `ids`; false when there is none.
    fn next_piece(&mut self, ctx: &ExecCtx<'_>) -> Result<bool> {
        let (Some(p), Some(pieces), PlanOp::LabelScan { label, .. }) =
            (&self.prefilter, &mut self.pieces, &self.plan.op)
        else {
            return Ok(false);
        };
        let Some(from) = pieces.next else {
            return Ok(false);
        };
        let c = &pieces.constant;
        pieces.next = ctx.read().label_where_piece(
            label,
            p.key,
            &pieces.carry,
            from..pieces.until,
            &mut |v| p.keeps(v, c),
            &mut pieces.piece,
        )?;
        std::mem::swap(&mut self.ids, &mut pieces.piece.ids);
        self.pos = 0;
        Ok(true)
    }

    /// Starts the pre-filtered scan of the nodes in `span` when this is a label scan with a
    /// pre-filter whose constant evaluates (`next` then reads the pieces); false otherwise.
    /// A constant that fails to evaluate (a missing parameter) is the filter's to report, on
    /// the first row, as it would without the pre-filter.
    fn start_pieces(
        &mut self,
        ctx: &ExecCtx<'_>,
        row: &Row,
        span: std::ops::Range<NodeId>,
    ) -> bool {
        let (Some(p), PlanOp::LabelScan { .. }) = (&self.prefilter, &self.plan.op) else {
            return false;
        };
        let in_cols = &self.plan.columns[..self.plan.columns.len() - 1];
        let Ok(constant) = ctx.eval(p.constant, in_cols, row) else {
            return false;
        };
        let carry = match &ctx.carry {
            Some(keys) => keys.for_var(p.var),
            None => Rc::from([]),
        };
        self.pieces = Some(Pieces {
            constant,
            carry,
            piece: WherePiece::default(),
            next: Some(span.start),
            until: span.end,
        });
        true
    }

    fn fetch(&mut self, ctx: &ExecCtx<'_>, row: &Row) -> Result<Vec<NodeId>> {
        let g = ctx.read();
        let in_cols = &self.plan.columns[..self.plan.columns.len() - 1];
        Ok(match &self.plan.op {
            PlanOp::AllNodesScan { .. } => g.node_ids()?.collect::<Result<Vec<_>>>()?,
            PlanOp::LabelScan { label, .. } => {
                if self.start_pieces(ctx, row, 0..NodeId::MAX) {
                    // `next` reads the pieces.
                    Vec::new()
                } else {
                    g.nodes_with_label(label)?.collect::<Result<Vec<_>>>()?
                }
            }
            PlanOp::DynamicLabelScan { label, .. } => {
                let v = ctx.eval(&label.expr, in_cols, row)?;
                let names = crate::expr::dynamic::label_names(&v).map_err(|e| match e {
                    crate::error::Error::Query(q) if q.span.is_none() => {
                        q.at(label.expr.span).into()
                    }
                    other => other,
                })?;
                match (label.any, names.split_first()) {
                    // `$([])` asks for no label: every node.
                    (false, None) => g.node_ids()?.collect::<Result<Vec<_>>>()?,
                    (false, Some((first, _))) => {
                        g.nodes_with_label(first)?.collect::<Result<Vec<_>>>()?
                    }
                    (true, _) => {
                        let mut ids = Vec::new();
                        for l in &names {
                            for id in g.nodes_with_label(l)? {
                                ids.push(id?);
                            }
                        }
                        ids.sort_unstable();
                        ids.dedup();
                        ids
                    }
                }
            }
            PlanOp::NodeById {
                ids, list, element, ..
            } => {
                let v = ctx.eval(ids, in_cols, row)?;
                let mut out = Vec::new();
                for id in crate::exec::rel_seek::seek_ids(v, *list, *element)? {
                    if g.node(id)?.is_some() {
                        out.push(id);
                    }
                }
                out
            }
            PlanOp::IndexSeek {
                label,
                property,
                value,
                list,
                ..
            } => {
                let v = ctx.eval(value, in_cols, row)?;
                let values = match (v, list) {
                    (Value::Null, _) => return Ok(Vec::new()),
                    (Value::List(items), true) => items,
                    (other, true) => {
                        // What the IN this seek replaced would have raised.
                        return Err(crate::error::QueryError::type_error(
                            "InvalidArgumentType",
                            format!("IN expects a LIST on its right, got {}", other.type_name()),
                        )
                        .into());
                    }
                    (v, false) => vec![v],
                };
                let mut out = Vec::new();
                for v in values.iter().filter(|v| !v.is_null()) {
                    match g.index_lookup(label, property, v)? {
                        Some(ids) => out.extend(ids),
                        None => {
                            // The index is gone (dropped after planning): scan and compare.
                            let ids = if label.is_empty() {
                                g.node_ids()?.collect::<Result<Vec<_>>>()?
                            } else {
                                g.nodes_with_label(label)?.collect::<Result<Vec<_>>>()?
                            };
                            for id in ids {
                                let p = g.node_property(id, property)?.unwrap_or(Value::Null);
                                if crate::value::equals(&p, v) == Some(true) {
                                    out.push(id);
                                }
                            }
                        }
                    }
                }
                if values.len() > 1 {
                    // Two items can find one node (`[1, 1.0]`, repeats); each is one match.
                    out.sort_unstable();
                    out.dedup();
                }
                out
            }
            PlanOp::IndexRangeSeek {
                label,
                property,
                seek,
                ..
            } => {
                let Some(scan) = index_scan_for(ctx, seek, in_cols, row)? else {
                    // A null bound, or a string test of a non-string: no value satisfies it.
                    return Ok(Vec::new());
                };
                match g.index_scan(label, property, &scan)? {
                    Some(ids) => ids,
                    // No index any more, or bounds it cannot order (lists, NaN): every node
                    // it would cover; the predicates above decide.
                    None if label.is_empty() => g.node_ids()?.collect::<Result<Vec<_>>>()?,
                    None => g.nodes_with_label(label)?.collect::<Result<Vec<_>>>()?,
                }
            }
            _ => Vec::new(),
        })
    }
}

/// The store's scan for `seek` with its expressions evaluated against `row`; `None` when no
/// value can satisfy it (a null bound; STARTS WITH, CONTAINS or ENDS WITH with a non-string).
fn index_scan_for(
    ctx: &ExecCtx<'_>,
    seek: &RangeSeek,
    cols: &[String],
    row: &Row,
) -> Result<Option<IndexScan>> {
    let bound = |e: &Option<crate::ast::Expr>| -> Result<Option<Option<Value>>> {
        match e {
            None => Ok(Some(None)),
            Some(e) => match ctx.eval(e, cols, row)? {
                Value::Null => Ok(None),
                v => Ok(Some(Some(v))),
            },
        }
    };
    let text = |e: &crate::ast::Expr| -> Result<Option<String>> {
        match ctx.eval(e, cols, row)? {
            Value::String(s) => Ok(Some(s)),
            _ => Ok(None),
        }
    };
    Ok(match seek {
        RangeSeek::Range { lower, upper } => match (bound(lower)?, bound(upper)?) {
            (Some(lower), Some(upper)) => Some(IndexScan::Range { lower, upper }),
            _ => None,
        },
        RangeSeek::Prefix(e) => text(e)?.map(IndexScan::Prefix),
        RangeSeek::Contains(e) => text(e)?.map(IndexScan::Contains),
        RangeSeek::Suffix(e) => text(e)?.map(IndexScan::Suffix),
    })
}

impl Operator for NodeScan<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if self.pos < self.ids.len() {
                    let id = self.ids[self.pos];
                    if let Some(d) = &self.decided {
                        // Pieces exist only where the store applied the test (a constant
                        // that failed to evaluate left the scan unfiltered).
                        let exact = self.prefilter.as_ref().is_some_and(|p| p.exact);
                        d.set(exact && self.pieces.is_some());
                    }
                    if let Some(p) = &mut self.pieces {
                        let w = p.carry.len();
                        if w > 0 {
                            let values = &mut p.piece.values[self.pos * w..(self.pos + 1) * w];
                            ctx.carried.set(id, &p.carry, values);
                        }
                    }
                    self.pos += 1;
                    ctx.tick()?;
                    let mut r = Vec::with_capacity(row.len() + 1);
                    r.extend_from_slice(row);
                    r.push(Value::NodeRef(id));
                    return Ok(Some(r));
                }
                if self.next_piece(ctx)? {
                    continue;
                }
            }
            self.pieces = None;
            match self.input.next(ctx)? {
                None => return Ok(None),
                Some(row) => {
                    // A parallel worker's scan reads its morsel only (`parallel.rs`): a
                    // pre-filtered one the span of node ids the morsel covers.
                    let morsel = ctx.morsel.as_ref().and_then(|m| m.span_for(self.plan));
                    self.ids = match morsel {
                        Some((ids, span)) => {
                            match (self.start_pieces(ctx, &row, span.clone()), ids) {
                                (true, _) => Vec::new(),
                                (false, Some(ids)) => ids.to_vec(),
                                // An all-nodes scan's morsel: the nodes of its span.
                                (false, None) => ctx.read().node_ids_in(span)?,
                            }
                        }
                        None => self.fetch(ctx, &row)?,
                    };
                    self.pos = 0;
                    self.current = Some(row);
                }
            }
        }
    }
}
