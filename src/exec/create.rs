//! CREATE: makes the nodes and relationships of a pattern for every input row, reusing the
//! variables that are already bound.

use crate::ast::{Expr, PatternPart, RelDirection};
use crate::error::{ErrorClass, QueryError, Result};
use crate::exec::{node_id, runtime, BoxOp, ExecCtx, Operator, Row};
use crate::expr::Scope;
use crate::model::{NodeId, Properties, RelId};
use crate::value::{PathRef, Value};

/// A row plus the variables bound so far by the clause being executed.
pub(crate) struct Bindings<'r> {
    pub cols: &'r [String],
    pub row: &'r [Value],
    pub new: Vec<(String, Value)>,
}

impl Scope for Bindings<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        self.new
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .or_else(|| {
                self.cols
                    .iter()
                    .position(|c| c == name)
                    .and_then(|i| self.row.get(i))
            })
    }
}

impl Bindings<'_> {
    pub fn out_row(&self, out_cols: &[String]) -> Row {
        let mut r = self.row.to_vec();
        for c in &out_cols[self.row.len().min(out_cols.len())..] {
            r.push(self.get(c).cloned().unwrap_or(Value::Null));
        }
        r
    }
}

/// Evaluates a pattern property map into storable properties (null values dropped).
pub(crate) fn eval_props(
    ctx: &ExecCtx<'_>,
    e: Option<&Expr>,
    scope: &Bindings<'_>,
) -> Result<Properties> {
    let Some(e) = e else {
        return Ok(Properties::new());
    };
    let v = crate::expr::eval(e, scope, &crate::exec::EvalCx { ctx })?;
    let map = match v {
        Value::Map(m) => m,
        Value::Null => return Ok(Properties::new()),
        other => {
            return Err(QueryError::type_error(
                "InvalidArgumentType",
                format!("properties must be a map, got {}", other.type_name()),
            )
            .into())
        }
    };
    let mut out = Properties::new();
    for (k, v) in map {
        if v.is_null() {
            continue;
        }
        check_storable(&v)?;
        out.insert(k, v);
    }
    Ok(out)
}

pub(crate) fn check_storable(v: &Value) -> Result<()> {
    if !v.is_storable() {
        return Err(QueryError::type_error(
            "InvalidPropertyType",
            format!("a {} cannot be stored as a property", v.type_name()),
        )
        .into());
    }
    // As Neo4j: a stored list of points keeps one coordinate system.
    if let Value::List(items) = v {
        let mut systems = items.iter().filter_map(|i| match i {
            Value::Point(p) => Some(p.crs()),
            _ => None,
        });
        if let Some(first) = systems.next() {
            if systems.any(|c| c != first) {
                return Err(QueryError::type_error(
                    "InvalidPropertyType",
                    "Collections containing point values with different CRS can not be stored \
                     in properties.",
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Creates the unbound parts of `part`, recording new variables in `b`.
pub(crate) fn create_part(
    ctx: &mut ExecCtx<'_>,
    part: &PatternPart,
    b: &mut Bindings<'_>,
) -> Result<()> {
    let el = &part.element;
    let mut nodes: Vec<NodeId> = Vec::new();
    let mut rels: Vec<RelId> = Vec::new();
    let node_of = |ctx: &mut ExecCtx<'_>,
                   b: &mut Bindings<'_>,
                   n: &crate::ast::NodePattern|
     -> Result<NodeId> {
        if let Some(v) = &n.variable {
            if let Some(val) = b.get(&v.name) {
                return match node_id(val)? {
                    Some(id) => Ok(id),
                    None => Err(runtime(
                        ErrorClass::SemanticError,
                        "CreatingVarLength",
                        format!("cannot create a relationship to a null node `{}`", v.name),
                    )),
                };
            }
        }
        let props = eval_props(ctx, n.properties.as_ref(), b)?;
        let np = props.len() as u64;
        let id = ctx.write()?.create_node(&n.labels, props)?;
        ctx.stats.nodes_created += 1;
        ctx.stats.properties_set += np;
        ctx.stats.labels_added += n.labels.len() as u64;
        if let Some(v) = &n.variable {
            b.new.push((v.name.clone(), Value::NodeRef(id)));
        }
        Ok(id)
    };
    let mut prev = node_of(ctx, b, &el.start)?;
    nodes.push(prev);
    for (r, n) in &el.chain {
        let next = node_of(ctx, b, n)?;
        if r.types.len() != 1 {
            return Err(QueryError::syntax(
                "NoSingleRelationshipType",
                "a relationship must have exactly one type to be created",
            )
            .at(r.span)
            .into());
        }
        if r.length.is_some() {
            return Err(QueryError::syntax(
                "CreatingVarLength",
                "variable-length relationships cannot be created",
            )
            .at(r.span)
            .into());
        }
        let (s, e) = match r.direction {
            RelDirection::RightToLeft => (next, prev),
            _ => (prev, next),
        };
        let props = eval_props(ctx, r.properties.as_ref(), b)?;
        let np = props.len() as u64;
        let id = ctx.write()?.create_relationship(&r.types[0], s, e, props)?;
        ctx.stats.relationships_created += 1;
        ctx.stats.properties_set += np;
        if let Some(v) = &r.variable {
            b.new.push((v.name.clone(), Value::RelRef(id)));
        }
        rels.push(id);
        nodes.push(next);
        prev = next;
    }
    if let Some(p) = &part.variable {
        b.new.push((
            p.name.clone(),
            Value::PathRef(Box::new(PathRef { nodes, rels })),
        ));
    }
    Ok(())
}

pub struct Create<'p> {
    pub input: BoxOp<'p>,
    pub parts: &'p [PatternPart],
    pub in_cols: &'p [String],
    pub out_cols: &'p [String],
    pub out: Option<std::vec::IntoIter<Row>>,
}

impl Operator for Create<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            // Eager: every input row is read before the first write.
            let mut rows = Vec::new();
            while let Some(r) = self.input.next(ctx)? {
                rows.push(r);
            }
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                ctx.tick()?;
                let mut b = Bindings {
                    cols: self.in_cols,
                    row: &row,
                    new: Vec::new(),
                };
                for part in self.parts {
                    create_part(ctx, part, &mut b)?;
                }
                out.push(b.out_row(self.out_cols));
            }
            self.out = Some(out.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
