//! Single-hop expansion along adjacency (`(a)-[r:T]->(b)`), its "into" form when both ends
//! are bound, and the degree shortcut for `count(b)`.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::exec::rel_prefilter::RelPrefilter;
use crate::exec::{node_id, slot, BoxOp, ExecCtx, Operator, Row};
use crate::model::{Direction, RelId};
use crate::plan::ExpandSpec;
use crate::store::{Edge, GraphRead};
use crate::value::{equals, Value};

/// Slots and settings shared by the expansion operators.
pub(crate) struct Step<'p> {
    pub spec: &'p ExpandSpec,
    pub cols: &'p [String],
    pub from: usize,
    /// Slot of `to` when already bound.
    pub to: Option<usize>,
    /// Slot of the relationship variable when already bound (the step checks it).
    pub rel: Option<usize>,
    pub unique: Vec<usize>,
    pub types: Vec<&'p str>,
    /// The types the current input row may follow when the pattern names some dynamically
    /// (`spec.dynamic_types`); see [`Step::resolve_types`].
    row_types: RowTypes,
}

/// What a step with dynamic types may follow for the current input row.
#[derive(Clone, Debug, PartialEq)]
enum RowTypes {
    /// The pattern's static types (`Step::types`; empty: every type).
    Static,
    /// Every type (`$all([])`: a relationship has all of no types).
    Any,
    /// These types only; none at all when empty (`$all(['A', 'B'])`: a relationship has one
    /// type, never two).
    Only(Vec<String>),
}

impl<'p> Step<'p> {
    pub fn new(spec: &'p ExpandSpec, cols: &'p [String]) -> Result<Self> {
        Ok(Step {
            spec,
            cols,
            from: slot(cols, &spec.from)?,
            to: if spec.into {
                Some(slot(cols, &spec.to)?)
            } else {
                None
            },
            rel: cols.iter().position(|c| *c == spec.rel),
            unique: spec.unique_columns(cols),
            types: spec.types.iter().map(String::as_str).collect(),
            row_types: RowTypes::Static,
        })
    }

    /// Resolves the pattern's dynamic types (if any) for one input row: a walk follows the same
    /// types at every hop, so the names are evaluated once here, not per relationship.
    pub fn resolve_types(&mut self, ctx: &ExecCtx<'_>, row: &Row) -> Result<()> {
        if let Some(test) = &self.spec.type_expr {
            // The graph's types the expression admits (a relationship has exactly one).
            let mut names = Vec::new();
            for ty in ctx.read().relationship_types()? {
                let one = [ty];
                let admitted = test.matches(&one, &mut |d| {
                    ctx.eval(&d.expr, self.cols, row)
                        .and_then(|v| crate::expr::dynamic::label_names(&v))
                        .map_err(|e| crate::expr::with_span(e, &d.expr))
                })?;
                if admitted {
                    let [ty] = one;
                    names.push(ty);
                }
            }
            self.row_types = RowTypes::Only(names);
            return Ok(());
        }
        if self.spec.dynamic_types.is_empty() {
            return Ok(());
        }
        let mut names = self.spec.types.clone();
        for d in &self.spec.dynamic_types {
            let admitted = ctx
                .eval(&d.expr, self.cols, row)
                .and_then(|v| admitted_types(d, &v))
                .map_err(|e| crate::expr::with_span(e, &d.expr))?;
            match admitted {
                None => {
                    self.row_types = RowTypes::Any;
                    return Ok(());
                }
                Some(more) => names.extend(more),
            }
        }
        names.sort();
        names.dedup();
        self.row_types = RowTypes::Only(names);
        Ok(())
    }

    /// Calls `f` with the types to follow from the current row (empty: every type), or returns
    /// `none` when the row may follow no relationship at all.
    pub fn with_types<R>(&self, none: R, f: impl FnOnce(&[&str]) -> Result<R>) -> Result<R> {
        match &self.row_types {
            RowTypes::Static => f(&self.types),
            RowTypes::Any => f(&[]),
            RowTypes::Only(names) if names.is_empty() => Ok(none),
            RowTypes::Only(names) => {
                let refs: Vec<&str> = names.iter().map(String::as_str).collect();
                f(&refs)
            }
        }
    }

    /// The relationship property constraints, evaluated for one input row.
    pub fn props(&self, ctx: &ExecCtx<'_>, row: &Row) -> Result<Option<BTreeMap<String, Value>>> {
        rel_props(ctx, &self.spec.properties, self.cols, row)
    }

    /// True when `rel` is already used by another relationship of the same match.
    pub fn used(&self, row: &Row, rel: RelId) -> bool {
        rel_used(&self.unique, row, rel)
    }
}

/// True when `rel` is bound in one of the `unique` slots of `row` (a relationship, or a
/// variable-length step's list of them): openCypher uses a relationship once per match.
pub(crate) fn rel_used(unique: &[usize], row: &Row, rel: RelId) -> bool {
    unique.iter().any(|&s| match &row[s] {
        Value::RelRef(r) => *r == rel,
        Value::List(items) => items
            .iter()
            .any(|v| matches!(v, Value::RelRef(r) if *r == rel)),
        _ => false,
    })
}

/// The relationship types a dynamic type admits (`None`: every type). `$(…)`/`$all(…)` need
/// the relationship to have all the names, so they admit the one name they give, none when they
/// give two different names, and every type when they give none; `$any(…)` admits each name.
fn admitted_types(d: &crate::ast::DynamicLabel, value: &Value) -> Result<Option<Vec<String>>> {
    let mut names = crate::expr::dynamic::label_names(value)?;
    names.sort();
    names.dedup();
    Ok(match (d.any, names.len()) {
        (true, _) | (false, 1) => Some(names),
        (false, 0) => None,
        (false, _) => Some(Vec::new()),
    })
}

/// A relationship pattern's property map (`-[r {since: 2010}]->`), evaluated for one row.
pub(crate) fn rel_props(
    ctx: &ExecCtx<'_>,
    properties: &Option<crate::ast::Expr>,
    cols: &[String],
    row: &Row,
) -> Result<Option<BTreeMap<String, Value>>> {
    match properties {
        None => Ok(None),
        Some(e) => match ctx.eval(e, cols, row)? {
            Value::Map(m) => Ok(Some(m)),
            Value::Null => Ok(Some(BTreeMap::new())),
            other => Err(crate::error::QueryError::type_error(
                "InvalidArgumentType",
                format!(
                    "relationship properties must be a map, got {}",
                    other.type_name()
                ),
            )
            .into()),
        },
    }
}

/// True when relationship `rel` carries every property in `props` with an equal value.
pub(crate) fn props_match(
    g: &dyn GraphRead,
    rel: RelId,
    props: &Option<BTreeMap<String, Value>>,
) -> Result<bool> {
    let Some(props) = props else { return Ok(true) };
    for (k, v) in props {
        let actual = g.relationship_property(rel, k)?.unwrap_or(Value::Null);
        if equals(&actual, v) != Some(true) {
            return Ok(false);
        }
    }
    Ok(true)
}

pub struct Expand<'p> {
    step: Step<'p>,
    input: BoxOp<'p>,
    current: Option<Row>,
    edges: Vec<Edge>,
    pos: usize,
    /// The first conjunct of the filter directly above, when it tests the relationship this
    /// step binds (`rel_prefilter.rs`), with its constant once evaluated.
    prefilter: Option<RelPrefilter<'p>>,
}

impl<'p> Expand<'p> {
    pub fn new(spec: &'p ExpandSpec, cols: &'p [String], input: BoxOp<'p>) -> Result<Self> {
        Ok(Expand {
            step: Step::new(spec, cols)?,
            input,
            current: None,
            edges: Vec::new(),
            pos: 0,
            prefilter: None,
        })
    }

    /// An expansion that drops the relationships on which `prefilter` is false before it
    /// builds their rows; the filter it was taken from stays above and decides.
    pub fn with_prefilter(
        spec: &'p ExpandSpec,
        cols: &'p [String],
        input: BoxOp<'p>,
        prefilter: RelPrefilter<'p>,
    ) -> Result<Self> {
        Ok(Expand {
            prefilter: Some(prefilter),
            ..Expand::new(spec, cols, input)?
        })
    }
}

impl Operator for Expand<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                while self.pos < self.edges.len() {
                    let e = self.edges[self.pos];
                    self.pos += 1;
                    ctx.tick()?;
                    if self.step.used(row, e.rel) {
                        continue;
                    }
                    if let Some(rs) = self.step.rel {
                        if !matches!(row[rs], Value::RelRef(r) if r == e.rel) {
                            continue;
                        }
                    }
                    if let Some(ts) = self.step.to {
                        if node_id(&row[ts])? != Some(e.other) {
                            continue;
                        }
                    }
                    let mut r = Vec::with_capacity(row.len() + 2);
                    r.extend_from_slice(row);
                    if self.step.rel.is_none() {
                        r.push(Value::RelRef(e.rel));
                    }
                    if self.step.to.is_none() {
                        r.push(Value::NodeRef(e.other));
                    }
                    return Ok(Some(r));
                }
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            self.pos = 0;
            self.edges.clear();
            if let Some(from) = node_id(&row[self.step.from])? {
                let g = ctx.read();
                let mut edges = g.edges(from, self.step.spec.direction, &self.step.types)?;
                let props = self.step.props(ctx, &row)?;
                if props.is_some() {
                    let mut kept = Vec::with_capacity(edges.len());
                    for e in edges {
                        if props_match(g, e.rel, &props)? {
                            kept.push(e);
                        }
                    }
                    edges = kept;
                }
                if let Some(p) = &mut self.prefilter {
                    p.retain(ctx, self.step.cols, &row, &mut edges)?;
                }
                self.edges = edges;
            }
            self.current = Some(row);
        }
    }
}

/// Appends the degree of a bound node (`count(b)` over `(a)-->(b)` without reading edges).
pub struct DegreeCount<'p> {
    pub input: BoxOp<'p>,
    pub node: usize,
    pub types: Vec<&'p str>,
    pub direction: Direction,
}

impl Operator for DegreeCount<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next(ctx)? else {
            return Ok(None);
        };
        let d = match node_id(&row[self.node])? {
            Some(id) => ctx.read().degree(id, self.direction, &self.types)? as i64,
            None => 0,
        };
        row.push(Value::Int(d));
        Ok(Some(row))
    }
}
