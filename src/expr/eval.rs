//! The expression evaluator: walks an `ast::Expr` under a scope and a context.
//!
//! Null propagation and three-valued logic follow openCypher; errors are attached to the span
//! of the innermost expression that raised them.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::ast::{BinaryOp, Expr, ExprKind, MapProjectionItem, Quantifier, UnaryOp};
use crate::error::{Error, ErrorClass, Phase, QueryError, Result};
use crate::functions;
use crate::value::{compare_op, equals, Value};

use super::access::{self, property_of};
use super::{arith, regex_cache, Bound, EvalContext, Scope};

/// Evaluates `expr` under `scope` (the row's variables) and `ctx` (graph, parameters).
pub fn eval(expr: &Expr, scope: &dyn Scope, ctx: &dyn EvalContext) -> Result<Value> {
    eval_cow(expr, scope, ctx).map(Cow::into_owned)
}

/// Evaluates a predicate (WHERE): true only for `true`; null and false both reject the row.
/// A non-boolean result is a TypeError.
pub fn eval_predicate(expr: &Expr, scope: &dyn Scope, ctx: &dyn EvalContext) -> Result<bool> {
    let v = eval_cow(expr, scope, ctx)?;
    Ok(truth(&v).map_err(|e| with_span(e, expr))? == Some(true))
}

pub(crate) fn with_span(e: Error, expr: &Expr) -> Error {
    match e {
        Error::Query(q) if q.span.is_none() => Error::Query(q.at(expr.span)),
        other => other,
    }
}

/// A boolean operand: `Some(b)`, `None` for null, TypeError otherwise.
fn truth(v: &Value) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!("expected a BOOLEAN, got {}", other.type_name()),
        )
        .into()),
    }
}

fn ternary(b: Option<bool>) -> Value {
    b.map_or(Value::Null, Value::Bool)
}

/// Evaluates without cloning when the expression is a plain variable (the common case for
/// property access and function arguments).
fn eval_cow<'s>(
    expr: &Expr,
    scope: &'s dyn Scope,
    ctx: &dyn EvalContext,
) -> Result<Cow<'s, Value>> {
    match &expr.kind {
        ExprKind::Variable(name) => match scope.get(name) {
            Some(v) => Ok(Cow::Borrowed(v)),
            None => Err(QueryError::new(
                ErrorClass::SyntaxError,
                "UndefinedVariable",
                Phase::Runtime,
                format!("variable `{name}` is not defined"),
            )
            .at(expr.span)
            .into()),
        },
        _ => eval_owned(expr, scope, ctx)
            .map(Cow::Owned)
            .map_err(|e| with_span(e, expr)),
    }
}

fn eval_owned(expr: &Expr, scope: &dyn Scope, ctx: &dyn EvalContext) -> Result<Value> {
    Ok(match &expr.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::String(s) => Value::String(s.clone()),
        ExprKind::Parameter(name) => match ctx.parameter(name) {
            Some(v) => v.clone(),
            None => {
                return Err(QueryError::new(
                    ErrorClass::ParameterMissing,
                    "MissingParameter",
                    Phase::Runtime,
                    format!("expected a parameter named `{name}`"),
                )
                .into())
            }
        },
        ExprKind::Variable(_) => eval_cow(expr, scope, ctx)?.into_owned(),
        ExprKind::List(items) => Value::List(
            items
                .iter()
                .map(|e| eval(e, scope, ctx))
                .collect::<Result<_>>()?,
        ),
        ExprKind::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, e) in entries {
                m.insert(k.clone(), eval(e, scope, ctx)?);
            }
            Value::Map(m)
        }
        ExprKind::Property(base, key) => {
            let b = eval_cow(base, scope, ctx)?;
            property_of(ctx, &b, key)?
        }
        ExprKind::Index(base, idx) => {
            let b = eval_cow(base, scope, ctx)?;
            let i = eval_cow(idx, scope, ctx)?;
            access::index(ctx, &b, &i)?
        }
        ExprKind::Slice(base, from, to) => {
            let b = eval_cow(base, scope, ctx)?;
            let from = from.as_ref().map(|e| eval(e, scope, ctx)).transpose()?;
            let to = to.as_ref().map(|e| eval(e, scope, ctx)).transpose()?;
            access::slice(&b, from.as_ref(), to.as_ref())?
        }
        ExprKind::Unary(op, operand) => {
            let v = eval(operand, scope, ctx)?;
            match op {
                UnaryOp::Not => ternary(truth(&v)?.map(|b| !b)),
                UnaryOp::Neg => arith::negate(v)?,
                UnaryOp::Pos => arith::plus(v)?,
            }
        }
        ExprKind::Binary(op, l, r) => binary(*op, l, r, scope, ctx)?,
        ExprKind::IsNull { expr: e, negated } => {
            let v = eval_cow(e, scope, ctx)?;
            Value::Bool(v.is_null() != *negated)
        }
        ExprKind::TypeTest {
            expr: e,
            ty,
            negated,
        } => {
            let v = eval_cow(e, scope, ctx)?;
            Value::Bool(super::types::is_of_type(&v, ty) != *negated)
        }
        ExprKind::Normalized {
            expr: e,
            form,
            negated,
        } => match &*eval_cow(e, scope, ctx)? {
            Value::String(s) => Value::Bool(functions::is_normalized(s, *form) != *negated),
            _ => Value::Null,
        },
        ExprKind::HasLabels(e, labels) => {
            let v = eval_cow(e, scope, ctx)?;
            has_labels(ctx, &v, labels)?
        }
        ExprKind::LabelTest(e, test) => {
            // A relationship's "labels" are its type (`[r:$any(types)]`, `r:A|B`).
            let labels = match &*eval_cow(e, scope, ctx)? {
                Value::Null => return Ok(Value::Null),
                Value::NodeRef(id) => match ctx.graph().node(*id)? {
                    Some(node) => node.labels,
                    None => return Err(QueryError::deleted_entity("node", *id).into()),
                },
                Value::Node(n) => n.labels.clone(),
                Value::RelRef(id) => match ctx.graph().relationship(*id)? {
                    Some(r) => vec![r.rel_type],
                    None => return Err(QueryError::deleted_entity("relationship", *id).into()),
                },
                Value::Relationship(r) => vec![r.rel_type.clone()],
                other => {
                    return Err(QueryError::type_error(
                        "InvalidArgumentType",
                        format!("a label expression needs a NODE, got {}", other.type_name()),
                    )
                    .into())
                }
            };
            let mut names = |d: &crate::ast::DynamicLabel| -> Result<Vec<String>> {
                let v = eval_cow(&d.expr, scope, ctx)?;
                super::dynamic::label_names(&v).map_err(|e| with_span(e, &d.expr))
            };
            Value::Bool(test.matches(&labels, &mut names)?)
        }
        ExprKind::Function {
            name,
            distinct: _,
            args,
        } => call_function(name, args, scope, ctx)?,
        ExprKind::CountStar => {
            return Err(QueryError::new(
                ErrorClass::SyntaxError,
                "InvalidAggregation",
                Phase::Runtime,
                "count(*) can only be used in WITH or RETURN",
            )
            .into())
        }
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => case(operand.as_deref(), whens, else_.as_deref(), scope, ctx)?,
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => {
            let items = list_operand(eval(list, scope, ctx)?);
            let Some(items) = items else {
                return Ok(Value::Null);
            };
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                ctx.tick()?;
                let inner = Bound {
                    parent: scope,
                    name: &variable.name,
                    value: item,
                };
                if let Some(p) = predicate {
                    if truth(&*eval_cow(p, &inner, ctx)?)? != Some(true) {
                        continue;
                    }
                }
                out.push(match projection {
                    Some(proj) => eval(proj, &inner, ctx)?,
                    None => inner.value,
                });
            }
            Value::List(out)
        }
        ExprKind::Quantifier {
            kind,
            variable,
            list,
            predicate,
        } => {
            let Some(items) = list_operand(eval(list, scope, ctx)?) else {
                return Ok(Value::Null);
            };
            quantifier(
                *kind,
                &variable.name,
                items,
                predicate.as_deref(),
                scope,
                ctx,
            )?
        }
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr: body,
        } => {
            let mut acc = eval(init, scope, ctx)?;
            let Some(items) = list_operand(eval(list, scope, ctx)?) else {
                return Ok(Value::Null);
            };
            for item in items {
                ctx.tick()?;
                let with_acc = Bound {
                    parent: scope,
                    name: &accumulator.name,
                    value: acc,
                };
                let with_item = Bound {
                    parent: &with_acc,
                    name: &variable.name,
                    value: item,
                };
                acc = eval(body, &with_item, ctx)?;
            }
            acc
        }
        ExprKind::MapProjection { variable, items } => {
            let base = eval_cow(
                &Expr {
                    kind: ExprKind::Variable(variable.name.clone()),
                    span: variable.span,
                },
                scope,
                ctx,
            )?;
            map_projection(&base, items, scope, ctx)?
        }
        ExprKind::PatternPredicate(_)
        | ExprKind::PatternComprehension { .. }
        | ExprKind::Subquery(..) => ctx.subquery(expr, scope)?,
    })
}

/// A list operand of a comprehension/quantifier/reduce: `None` for null; any other value
/// that is not a list is a list of itself, as Neo4j iterates it (`any(x IN n.tags WHERE …)`
/// over a property that holds one string). A literal that is not a list is refused at compile
/// time (`semantic`), as in Neo4j.
fn list_operand(v: Value) -> Option<Vec<Value>> {
    match v {
        Value::Null => None,
        Value::List(items) => Some(items),
        other => Some(vec![other]),
    }
}

fn binary(
    op: BinaryOp,
    l: &Expr,
    r: &Expr,
    scope: &dyn Scope,
    ctx: &dyn EvalContext,
) -> Result<Value> {
    match op {
        BinaryOp::And | BinaryOp::Or => {
            let a = truth(&*eval_cow(l, scope, ctx)?).map_err(|e| with_span(e, l))?;
            // Short-circuit: the right side cannot change a decided result.
            let decided = if op == BinaryOp::And {
                Some(false)
            } else {
                Some(true)
            };
            if a == decided {
                return Ok(ternary(a));
            }
            let b = truth(&*eval_cow(r, scope, ctx)?).map_err(|e| with_span(e, r))?;
            if b == decided {
                return Ok(ternary(b));
            }
            Ok(match (a, b) {
                (Some(x), Some(y)) => {
                    Value::Bool(if op == BinaryOp::And { x && y } else { x || y })
                }
                _ => Value::Null,
            })
        }
        BinaryOp::Xor => {
            let a = truth(&*eval_cow(l, scope, ctx)?).map_err(|e| with_span(e, l))?;
            let b = truth(&*eval_cow(r, scope, ctx)?).map_err(|e| with_span(e, r))?;
            Ok(match (a, b) {
                (Some(x), Some(y)) => Value::Bool(x != y),
                _ => Value::Null,
            })
        }
        BinaryOp::Add
        | BinaryOp::Sub
        | BinaryOp::Mul
        | BinaryOp::Div
        | BinaryOp::Mod
        | BinaryOp::Pow => arith::binary(op, eval(l, scope, ctx)?, eval(r, scope, ctx)?),
        BinaryOp::Concat => concat(eval(l, scope, ctx)?, eval(r, scope, ctx)?),
        _ => {
            let a = eval_cow(l, scope, ctx)?;
            let b = eval_cow(r, scope, ctx)?;
            compare_like(op, &a, &b)
        }
    }
}

/// Comparison, membership and string-matching operators on evaluated operands.
pub(crate) fn compare_like(op: BinaryOp, a: &Value, b: &Value) -> Result<Value> {
    Ok(match op {
        BinaryOp::Eq => ternary(equals(a, b)),
        BinaryOp::Ne => ternary(equals(a, b).map(|x| !x)),
        BinaryOp::Lt => ternary(compare_op(a, b, Ordering::is_lt)),
        BinaryOp::Le => ternary(compare_op(a, b, Ordering::is_le)),
        BinaryOp::Gt => ternary(compare_op(a, b, Ordering::is_gt)),
        BinaryOp::Ge => ternary(compare_op(a, b, Ordering::is_ge)),
        BinaryOp::In => match b {
            Value::Null => Value::Null,
            Value::List(items) => {
                let mut unknown = false;
                for item in items {
                    match equals(a, item) {
                        Some(true) => return Ok(Value::Bool(true)),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
                if unknown {
                    Value::Null
                } else {
                    Value::Bool(false)
                }
            }
            other => {
                return Err(QueryError::type_error(
                    "InvalidArgumentType",
                    format!("IN expects a LIST on its right, got {}", other.type_name()),
                )
                .into())
            }
        },
        BinaryOp::StartsWith | BinaryOp::EndsWith | BinaryOp::Contains => match (a, b) {
            (Value::String(s), Value::String(t)) => Value::Bool(match op {
                BinaryOp::StartsWith => s.starts_with(t.as_str()),
                BinaryOp::EndsWith => s.ends_with(t.as_str()),
                _ => s.contains(t.as_str()),
            }),
            _ => Value::Null,
        },
        BinaryOp::Regex => match (a, b) {
            (Value::String(s), Value::String(p)) => Value::Bool(regex_cache::full_match(s, p)?),
            _ => Value::Null,
        },
        // Arithmetic and boolean operators are handled by the caller.
        _ => Value::Null,
    })
}

fn has_labels(ctx: &dyn EvalContext, v: &Value, labels: &[String]) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::NodeRef(id) => {
            // Label by label through the store's label test (bitmaps, no record decode); a
            // node that has them all exists, otherwise make sure it was not deleted.
            let g = ctx.graph();
            let mut all = true;
            for l in labels {
                if !g.node_has_label(*id, l)? {
                    all = false;
                    break;
                }
            }
            if (!all || labels.is_empty()) && !g.node_exists(*id)? {
                return Err(QueryError::deleted_entity("node", *id).into());
            }
            Ok(Value::Bool(all))
        }
        Value::Node(n) => Ok(Value::Bool(labels.iter().all(|l| n.labels.contains(l)))),
        // `r:T` on a relationship tests its type.
        Value::RelRef(id) => {
            let Some(rel) = ctx.graph().relationship(*id)? else {
                return Err(QueryError::deleted_entity("relationship", *id).into());
            };
            Ok(Value::Bool(labels.iter().all(|l| *l == rel.rel_type)))
        }
        Value::Relationship(r) => Ok(Value::Bool(labels.iter().all(|l| *l == r.rel_type))),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!("a label predicate needs a NODE, got {}", other.type_name()),
        )
        .into()),
    }
}

fn case(
    operand: Option<&Expr>,
    whens: &[(Expr, Expr)],
    else_: Option<&Expr>,
    scope: &dyn Scope,
    ctx: &dyn EvalContext,
) -> Result<Value> {
    let subject = operand.map(|e| eval(e, scope, ctx)).transpose()?;
    for (when, then) in whens {
        let w = eval_cow(when, scope, ctx)?;
        let hit = match &subject {
            Some(s) => equals(s, &w) == Some(true),
            None => matches!(*w, Value::Bool(true)),
        };
        if hit {
            return eval(then, scope, ctx);
        }
    }
    match else_ {
        Some(e) => eval(e, scope, ctx),
        None => Ok(Value::Null),
    }
}

/// all / any / none / single with three-valued logic: a null predicate result makes the
/// answer null unless a definite result is already decided by the non-null ones.
fn quantifier(
    kind: Quantifier,
    variable: &str,
    items: Vec<Value>,
    predicate: Option<&Expr>,
    scope: &dyn Scope,
    ctx: &dyn EvalContext,
) -> Result<Value> {
    let (mut trues, mut falses, mut nulls) = (0usize, 0usize, 0usize);
    for item in items {
        ctx.tick()?;
        let r = match predicate {
            Some(p) => {
                let inner = Bound {
                    parent: scope,
                    name: variable,
                    value: item,
                };
                let v = eval_cow(p, &inner, ctx)?;
                truth(&v).map_err(|e| with_span(e, p))?
            }
            // Without WHERE the element itself is the predicate.
            None => truth(&item)?,
        };
        match r {
            Some(true) => trues += 1,
            Some(false) => falses += 1,
            None => nulls += 1,
        }
        // Stop early once the answer cannot change.
        let decided = match kind {
            Quantifier::All => falses > 0,
            Quantifier::Any | Quantifier::None => trues > 0,
            Quantifier::Single => trues > 1,
        };
        if decided {
            break;
        }
    }
    let unknown = nulls > 0;
    Ok(match kind {
        Quantifier::All if falses > 0 => Value::Bool(false),
        Quantifier::Any if trues > 0 => Value::Bool(true),
        Quantifier::None if trues > 0 => Value::Bool(false),
        Quantifier::Single if trues > 1 => Value::Bool(false),
        _ if unknown => Value::Null,
        Quantifier::All => Value::Bool(true),
        Quantifier::Any => Value::Bool(false),
        Quantifier::None => Value::Bool(true),
        Quantifier::Single => Value::Bool(trues == 1),
    })
}

fn map_projection(
    base: &Value,
    items: &[MapProjectionItem],
    scope: &dyn Scope,
    ctx: &dyn EvalContext,
) -> Result<Value> {
    if base.is_null() {
        return Ok(Value::Null);
    }
    let mut out = BTreeMap::new();
    for item in items {
        match item {
            MapProjectionItem::Property(key) => {
                out.insert(key.clone(), property_of(ctx, base, key)?);
            }
            MapProjectionItem::AllProperties => {
                if let Some(props) = functions::entity_properties(ctx, base)? {
                    out.extend(props);
                }
            }
            MapProjectionItem::Literal(key, e) => {
                out.insert(key.clone(), eval(e, scope, ctx)?);
            }
            MapProjectionItem::Variable(v) => {
                let value = scope.get(&v.name).cloned().ok_or_else(|| {
                    QueryError::new(
                        ErrorClass::SyntaxError,
                        "UndefinedVariable",
                        Phase::Runtime,
                        format!("variable `{}` is not defined", v.name),
                    )
                    .at(v.span)
                })?;
                out.insert(v.name.clone(), value);
            }
        }
    }
    Ok(Value::Map(out))
}

/// Function calls. `exists` and `coalesce` look at their arguments lazily; aggregates are
/// computed by the executor and must not reach here.
fn call_function(
    name: &str,
    args: &[Expr],
    scope: &dyn Scope,
    ctx: &dyn EvalContext,
) -> Result<Value> {
    let mut buf = [0u8; 32];
    let lower = functions::lowercase_name(name, &mut buf);
    match lower {
        "exists" if args.len() == 1 => {
            let arg = &args[0];
            return match arg.kind {
                ExprKind::PatternPredicate(_) | ExprKind::Subquery(..) => ctx.subquery(arg, scope),
                _ => Ok(Value::Bool(!eval_cow(arg, scope, ctx)?.is_null())),
            };
        }
        // LOAD CSV's position: the row's own (its hidden column), else the context's.
        "linenumber" | "file" if args.is_empty() => {
            use super::csv_position::{position_of, POSITION};
            let here = position_of(scope.get(POSITION));
            if let Some((line, file)) = here {
                return Ok(if lower == "file" {
                    file
                } else {
                    Value::Int(line)
                });
            }
        }
        "coalesce" => {
            for arg in args {
                let v = eval(arg, scope, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            return Ok(Value::Null);
        }
        _ => {}
    }
    let info = functions::lookup(name).ok_or_else(|| {
        QueryError::new(
            ErrorClass::SyntaxError,
            "UnknownFunction",
            Phase::Runtime,
            format!("unknown function `{name}`"),
        )
    })?;
    if info.name == "temporal function" {
        return Err(QueryError::unsupported(format!("temporal function {name}")).into());
    }
    if info.aggregate {
        return Err(QueryError::new(
            ErrorClass::SyntaxError,
            "InvalidAggregation",
            Phase::Runtime,
            format!("the aggregate `{name}` can only be used in WITH or RETURN"),
        )
        .into());
    }
    let values = args
        .iter()
        .map(|a| eval(a, scope, ctx))
        .collect::<Result<Vec<_>>>()?;
    functions::call_function(&info, values, ctx)
}

/// `a || b`: two strings or two lists joined; null if either is null (Neo4j 5).
fn concat(a: Value, b: Value) -> Result<Value> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::String(mut x), Value::String(y)) => {
            functions::check_len("string", x.len().saturating_add(y.len()))?;
            x.push_str(&y);
            Ok(Value::String(x))
        }
        (Value::List(mut x), Value::List(y)) => {
            functions::check_len("list", x.len().saturating_add(y.len()))?;
            x.extend(y);
            Ok(Value::List(x))
        }
        (x, y) => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!(
                "`||` joins two strings or two lists, got {} and {}",
                x.type_name(),
                y.type_name()
            ),
        )
        .into()),
    }
}
