//! Reading into values: properties of nodes, relationships and maps, temporal and point
//! components, list indexing and slicing, dynamic `x['key']` access.

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::model::{NodeId, RelId};
use crate::value::Value;

use super::EvalContext;

fn node_property(ctx: &dyn EvalContext, id: NodeId, key: &str) -> Result<Value> {
    match ctx.node_property(id, key)? {
        Some(v) => Ok(v),
        // A missing property reads as null, unless the node itself is gone.
        None if ctx.graph().node(id)?.is_none() => {
            Err(QueryError::deleted_entity("node", id).into())
        }
        None => Ok(Value::Null),
    }
}

fn relationship_property(ctx: &dyn EvalContext, id: RelId, key: &str) -> Result<Value> {
    match ctx.graph().relationship_property(id, key)? {
        Some(v) => Ok(v),
        None if ctx.graph().relationship(id)?.is_none() => {
            Err(QueryError::deleted_entity("relationship", id).into())
        }
        None => Ok(Value::Null),
    }
}

/// `v.key`: a property of a node, relationship or map, a component of a date; null on null.
pub fn property_of(ctx: &dyn EvalContext, v: &Value, key: &str) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Map(m) => Ok(m.get(key).cloned().unwrap_or(Value::Null)),
        Value::NodeRef(id) => node_property(ctx, *id, key),
        Value::RelRef(id) => relationship_property(ctx, *id, key),
        Value::Node(n) => Ok(n.properties.get(key).cloned().unwrap_or(Value::Null)),
        Value::Relationship(r) => Ok(r.properties.get(key).cloned().unwrap_or(Value::Null)),
        v if v.is_temporal() => super::component::component(v, key),
        // `p.x`, `p.latitude`, `p.crs`, … with Neo4j's message for a missing one.
        Value::Point(p) => p.component(key).map_err(|message| {
            QueryError::new(
                ErrorClass::ArgumentError,
                "InvalidArgumentValue",
                Phase::Runtime,
                message,
            )
            .into()
        }),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!(
                "cannot read property `{key}` of a {} value",
                other.type_name()
            ),
        )
        .into()),
    }
}

fn index_type_error(what: &Value) -> QueryError {
    QueryError::type_error(
        "InvalidArgumentType",
        format!("cannot index a {} value", what.type_name()),
    )
}

/// `base[index]`: list element (negative counts from the end, out of range is null), map entry
/// or entity property by string key.
pub fn index(ctx: &dyn EvalContext, base: &Value, idx: &Value) -> Result<Value> {
    match (base, idx) {
        (Value::Null, _) => Ok(Value::Null),
        (Value::List(items), Value::Int(i)) => {
            Ok(list_get(items, *i).cloned().unwrap_or(Value::Null))
        }
        (Value::List(_), Value::Null) => Ok(Value::Null),
        (Value::List(_), other) => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!("a list index must be an INTEGER, got {}", other.type_name()),
        )
        .into()),
        (
            Value::Map(_)
            | Value::Node(_)
            | Value::NodeRef(_)
            | Value::Relationship(_)
            | Value::RelRef(_),
            Value::String(k),
        ) => property_of(ctx, base, k),
        (
            Value::Map(_)
            | Value::Node(_)
            | Value::NodeRef(_)
            | Value::Relationship(_)
            | Value::RelRef(_),
            Value::Null,
        ) => Ok(Value::Null),
        (
            Value::Map(_)
            | Value::Node(_)
            | Value::NodeRef(_)
            | Value::Relationship(_)
            | Value::RelRef(_),
            other,
        ) => Err(QueryError::type_error(
            "MapElementAccessByNonString",
            format!("a map key must be a STRING, got {}", other.type_name()),
        )
        .into()),
        (other, _) => Err(index_type_error(other).into()),
    }
}

fn list_get(items: &[Value], i: i64) -> Option<&Value> {
    let len = items.len() as i64;
    let pos = if i < 0 { len.checked_add(i)? } else { i };
    if pos < 0 || pos >= len {
        None
    } else {
        items.get(pos as usize)
    }
}

/// `list[from..to]`: bounds clamp to the list, negative bounds count from the end, a null
/// bound gives null.
pub fn slice(list: &Value, from: Option<&Value>, to: Option<&Value>) -> Result<Value> {
    let items = match list {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => return Err(index_type_error(other).into()),
    };
    let len = items.len() as i64;
    let bound = |b: Option<&Value>, default: i64| -> Result<Option<i64>> {
        match b {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => {
                let i = if *i < 0 { len.saturating_add(*i) } else { *i };
                Ok(Some(i.clamp(0, len)))
            }
            Some(other) => Err(QueryError::type_error(
                "InvalidArgumentType",
                format!(
                    "a slice bound must be an INTEGER, got {}",
                    other.type_name()
                ),
            )
            .into()),
        }
    };
    let (Some(start), Some(end)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if start >= end {
        return Ok(Value::List(Vec::new()));
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}
