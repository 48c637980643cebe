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
    // As Neo4j: a stored list holds no nulls and one type of value (integers and floats
    // count as one, numbers), and a list of points keeps one coordinate system.
    if let Value::List(items) = v {
        if items.iter().any(Value::is_null) {
            return Err(QueryError::type_error(
                "InvalidPropertyType",
                "Collections containing null values can not be stored in properties.",
            )
            .into());
        }
        let kind = |i: &Value| match i {
            Value::Int(_) | Value::Float(_) => "NUMBER",
            other => other.type_name(),
        };
        if let Some(first) = items.first() {
            if items.iter().any(|i| kind(i) != kind(first)) {
                return Err(QueryError::type_error(
                    "InvalidPropertyType",
                    "Collections containing mixed types can not be stored in properties.",
                )
                .into());
            }
        }
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

/// The labels a created node gets: its static labels, then those its dynamic labels
/// (`:$(expr)`, the only label expression CREATE and MERGE accept) evaluate to.
fn node_labels(
    ctx: &ExecCtx<'_>,
    n: &crate::ast::NodePattern,
    b: &Bindings<'_>,
) -> Result<Vec<String>> {
    let mut labels = n.labels.clone();
    let Some(test) = &n.label_expr else {
        return Ok(labels);
    };
    let Some(dynamic) = test.dynamic_conjuncts() else {
        // The semantic pass refuses any other label expression here.
        return Err(QueryError::syntax(
            "InvalidLabelExpression",
            "CREATE and MERGE need plain labels (`:A:B`, `:A&B` or `:$(expr)`)",
        )
        .at(n.span)
        .into());
    };
    for d in dynamic {
        let v = crate::expr::eval(&d.expr, b, &crate::exec::EvalCx { ctx })?;
        let names = crate::expr::dynamic::label_names(&v).map_err(|e| at(e, d.expr.span))?;
        for l in names {
            if !labels.contains(&l) {
                labels.push(l);
            }
        }
    }
    Ok(labels)
}

/// The one type a created relationship gets, static or dynamic (`[:$(expr)]` must give
/// exactly one name).
fn rel_type(ctx: &ExecCtx<'_>, r: &crate::ast::RelPattern, b: &Bindings<'_>) -> Result<String> {
    let single = || {
        QueryError::syntax(
            "NoSingleRelationshipType",
            "a relationship must have exactly one type to be created",
        )
        .at(r.span)
    };
    match (r.types.as_slice(), r.dynamic_types.as_slice()) {
        ([t], []) => Ok(t.clone()),
        ([], [d]) => {
            let v = crate::expr::eval(&d.expr, b, &crate::exec::EvalCx { ctx })?;
            let mut names =
                crate::expr::dynamic::label_names(&v).map_err(|e| at(e, d.expr.span))?;
            match names.len() {
                1 => Ok(names.remove(0)),
                n => Err(QueryError::type_error(
                    "NoSingleRelationshipType",
                    format!(
                        "a relationship must have exactly one type to be created; `$(…)` gave {n}"
                    ),
                )
                .at(d.span)
                .into()),
            }
        }
        _ => Err(single().into()),
    }
}

/// Gives a spanless query error the span of the construct that raised it.
fn at(e: crate::error::Error, span: crate::ast::Span) -> crate::error::Error {
    match e {
        crate::error::Error::Query(q) if q.span.is_none() => q.at(span).into(),
        other => other,
    }
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
        let labels = node_labels(ctx, n, b)?;
        let props = eval_props(ctx, n.properties.as_ref(), b)?;
        let np = props.len() as u64;
        let id = ctx.write()?.create_node(&labels, props)?;
        ctx.stats.nodes_created += 1;
        ctx.stats.properties_set += np;
        ctx.stats.labels_added += labels.len() as u64;
        if let Some(v) = &n.variable {
            b.new.push((v.name.clone(), Value::NodeRef(id)));
        }
        Ok(id)
    };
    let mut prev = node_of(ctx, b, &el.start)?;
    nodes.push(prev);
    for (r, n) in &el.chain {
        let next = node_of(ctx, b, n)?;
        let rel_type = rel_type(ctx, r, b)?;
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
        let id = ctx.write()?.create_relationship(&rel_type, s, e, props)?;
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
