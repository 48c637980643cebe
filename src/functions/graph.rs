//! Graph functions: id, labels, type, keys, properties, startNode, endNode, nodes,
//! relationships, length, exists.

use std::collections::BTreeMap;

use crate::error::{QueryError, Result};
use crate::value::Value;

use super::{bad_arg, FunctionContext};

fn relationship_ends(ctx: &dyn FunctionContext, v: &Value) -> Result<Option<(u64, u64)>> {
    match v {
        Value::Null => Ok(None),
        Value::Relationship(r) => Ok(Some((r.start, r.end))),
        Value::RelRef(id) => match ctx.graph().relationship(*id)? {
            Some(r) => Ok(Some((r.start, r.end))),
            None => Err(QueryError::deleted_entity("relationship", *id).into()),
        },
        other => Err(bad_arg("startNode/endNode", other)),
    }
}

/// The graph functions; `None` when `name` is not one of them.
pub(super) fn call(
    name: &str,
    args: &mut [Value],
    ctx: &dyn FunctionContext,
) -> Option<Result<Value>> {
    let a = args.first().unwrap_or(&Value::Null);
    Some(match name {
        "id" | "elementId" => {
            let id = match a {
                Value::Null => return Some(Ok(Value::Null)),
                Value::Node(n) => n.id,
                Value::NodeRef(id) | Value::RelRef(id) => *id,
                Value::Relationship(r) => r.id,
                other => return Some(Err(bad_arg(name, other))),
            };
            if name == "id" {
                Ok(Value::Int(id as i64))
            } else {
                Ok(Value::String(id.to_string()))
            }
        }
        "labels" => entity_labels(ctx, a).map(|l| {
            l.map_or(Value::Null, |l| {
                Value::List(l.into_iter().map(Value::String).collect())
            })
        }),
        "type" => match a {
            Value::Null => Ok(Value::Null),
            Value::Relationship(r) => Ok(Value::String(r.rel_type.clone())),
            Value::RelRef(id) => match ctx.graph().relationship(*id) {
                Ok(Some(r)) => Ok(Value::String(r.rel_type)),
                Ok(None) => match ctx.deleted_relationship(*id) {
                    Some(r) => Ok(Value::String(r.rel_type)),
                    None => Err(QueryError::deleted_entity("relationship", *id).into()),
                },
                Err(e) => Err(e),
            },
            other => Err(bad_arg(name, other)),
        },
        "keys" => match a {
            Value::Null => Ok(Value::Null),
            Value::Map(m) => Ok(Value::List(m.keys().cloned().map(Value::String).collect())),
            Value::Node(_) | Value::NodeRef(_) | Value::Relationship(_) | Value::RelRef(_) => {
                entity_properties(ctx, a).map(|p| {
                    Value::List(
                        p.unwrap_or_default()
                            .into_keys()
                            .map(Value::String)
                            .collect(),
                    )
                })
            }
            other => Err(bad_arg(name, other)),
        },
        "properties" => match a {
            Value::Null => Ok(Value::Null),
            Value::Map(_) => Ok(super::take(&mut args[0])),
            Value::Node(_) | Value::NodeRef(_) | Value::Relationship(_) | Value::RelRef(_) => {
                entity_properties(ctx, a).map(|p| Value::Map(p.unwrap_or_else(BTreeMap::new)))
            }
            other => Err(bad_arg(name, other)),
        },
        "startNode" | "endNode" => relationship_ends(ctx, a).map(|ends| {
            ends.map_or(Value::Null, |(s, e)| {
                Value::NodeRef(if name == "startNode" { s } else { e })
            })
        }),
        "nodes" => match a {
            Value::Null => Ok(Value::Null),
            Value::PathRef(p) => Ok(Value::List(
                p.nodes.iter().map(|&n| Value::NodeRef(n)).collect(),
            )),
            Value::Path(p) => Ok(Value::List(
                p.nodes
                    .iter()
                    .map(|n| Value::Node(Box::new(n.clone())))
                    .collect(),
            )),
            other => Err(bad_arg(name, other)),
        },
        "relationships" => match a {
            Value::Null => Ok(Value::Null),
            Value::PathRef(p) => Ok(Value::List(
                p.rels.iter().map(|&r| Value::RelRef(r)).collect(),
            )),
            Value::Path(p) => Ok(Value::List(
                p.relationships
                    .iter()
                    .map(|r| Value::Relationship(Box::new(r.clone())))
                    .collect(),
            )),
            other => Err(bad_arg(name, other)),
        },
        "length" => match a {
            Value::Null => Ok(Value::Null),
            Value::PathRef(p) => Ok(Value::Int(p.rels.len() as i64)),
            Value::Path(p) => Ok(Value::Int(p.relationships.len() as i64)),
            // Older Cypher allowed length() on strings and lists; keep accepting them.
            Value::String(s) => Ok(Value::Int(s.chars().count() as i64)),
            Value::List(l) => Ok(Value::Int(l.len() as i64)),
            other => Err(bad_arg(name, other)),
        },
        "exists" => Ok(Value::Bool(!a.is_null())),
        _ => return None,
    })
}

/// All properties of a node, relationship or map (`properties(x)`, `x {.*}`, `keys(x)`).
pub(crate) fn entity_properties(
    ctx: &dyn FunctionContext,
    v: &Value,
) -> Result<Option<BTreeMap<String, Value>>> {
    Ok(Some(match v {
        Value::Null => return Ok(None),
        Value::Map(m) => m.clone(),
        Value::Node(n) => n.properties.clone(),
        Value::Relationship(r) => r.properties.clone(),
        Value::NodeRef(id) => match ctx.graph().node(*id)? {
            Some(n) => n.properties,
            None => return Err(QueryError::deleted_entity("node", *id).into()),
        },
        Value::RelRef(id) => match ctx.graph().relationship(*id)? {
            Some(r) => r.properties,
            None => return Err(QueryError::deleted_entity("relationship", *id).into()),
        },
        other => {
            return Err(QueryError::type_error(
                "InvalidArgumentValue",
                format!(
                    "expected a node, relationship or map, got {}",
                    other.type_name()
                ),
            )
            .into())
        }
    }))
}

/// The labels of a node value (`None` for null); a TypeError for anything else.
fn entity_labels(ctx: &dyn FunctionContext, v: &Value) -> Result<Option<Vec<String>>> {
    match v {
        Value::Null => Ok(None),
        Value::Node(n) => Ok(Some(n.labels.clone())),
        Value::NodeRef(id) => match ctx.graph().node(*id)? {
            Some(n) => Ok(Some(n.labels)),
            None => Err(QueryError::deleted_entity("node", *id).into()),
        },
        other => Err(QueryError::type_error(
            "InvalidArgumentValue",
            format!("expected a node, got {}", other.type_name()),
        )
        .into()),
    }
}
