//! SET and REMOVE: properties (`n.k = v`, `n = map`, `n += map`), labels; setting a property
//! to null removes it.

use crate::ast::{RemoveItem, SetItem};
use crate::error::{QueryError, Result};
use crate::exec::create::check_storable;
use crate::exec::{BoxOp, ExecCtx, Operator, Row, RowScope};
use crate::expr::Scope;
use crate::model::Properties;
use crate::value::Value;

pub enum Items<'p> {
    Set(&'p [SetItem]),
    Remove(&'p [RemoveItem]),
}

pub struct SetOp<'p> {
    pub input: BoxOp<'p>,
    pub items: Items<'p>,
    pub cols: &'p [String],
    pub out: Option<std::vec::IntoIter<Row>>,
}

enum Entity {
    Node(u64),
    Rel(u64),
}

fn entity(v: &Value) -> Result<Option<Entity>> {
    Ok(match v {
        Value::NodeRef(id) => Some(Entity::Node(*id)),
        Value::Node(n) => Some(Entity::Node(n.id)),
        Value::RelRef(id) => Some(Entity::Rel(*id)),
        Value::Relationship(r) => Some(Entity::Rel(r.id)),
        Value::Null => None,
        other => {
            return Err(QueryError::type_error(
                "InvalidArgumentType",
                format!("expected a node or relationship, got {}", other.type_name()),
            )
            .into())
        }
    })
}

fn set_prop(ctx: &mut ExecCtx<'_>, e: &Entity, key: &str, v: Value) -> Result<()> {
    if !v.is_null() {
        check_storable(&v)?;
    }
    let changed = match e {
        Entity::Node(id) => ctx.write()?.set_node_property(*id, key, v)?,
        Entity::Rel(id) => ctx.write()?.set_relationship_property(*id, key, v)?,
    };
    if changed {
        ctx.stats.properties_set += 1;
    }
    Ok(())
}

fn deleted(e: &Entity) -> crate::error::Error {
    match e {
        Entity::Node(id) => QueryError::deleted_entity("node", *id).into(),
        Entity::Rel(id) => QueryError::deleted_entity("relationship", *id).into(),
    }
}

/// The key of `n.key` or, for Neo4j 5's `n[expr]`, the string `expr` gives.
fn prop_key(
    ctx: &ExecCtx<'_>,
    key: &str,
    dynamic: Option<&crate::ast::Expr>,
    scope: &dyn Scope,
) -> Result<String> {
    let Some(k) = dynamic else {
        return Ok(key.to_string());
    };
    let v = crate::expr::eval(k, scope, &crate::exec::EvalCx { ctx })?;
    crate::expr::dynamic::property_key(&v).map_err(|e| spanned(e, k.span))
}

/// Static labels, then the names each dynamic `$(expr)` gives (checked even when the node is
/// null, so a bad label is an error on every row).
fn all_labels(
    ctx: &ExecCtx<'_>,
    labels: &[String],
    dynamic: &[crate::ast::Expr],
    scope: &dyn Scope,
) -> Result<Vec<String>> {
    let mut out = labels.to_vec();
    for d in dynamic {
        let v = crate::expr::eval(d, scope, &crate::exec::EvalCx { ctx })?;
        for l in crate::expr::dynamic::label_names(&v).map_err(|e| spanned(e, d.span))? {
            if !out.contains(&l) {
                out.push(l);
            }
        }
    }
    Ok(out)
}

fn spanned(e: crate::error::Error, span: crate::ast::Span) -> crate::error::Error {
    match e {
        crate::error::Error::Query(q) if q.span.is_none() => q.at(span).into(),
        other => other,
    }
}

/// Applies one SET item to the row bound in `scope`.
pub(crate) fn apply_set(ctx: &mut ExecCtx<'_>, item: &SetItem, scope: &dyn Scope) -> Result<()> {
    let ev = |ctx: &ExecCtx<'_>, e: &crate::ast::Expr| {
        crate::expr::eval(e, scope, &crate::exec::EvalCx { ctx })
    };
    match item {
        SetItem::Property {
            target,
            key,
            dynamic_key,
            value,
            ..
        } => {
            let t = ev(ctx, target)?;
            let key = prop_key(ctx, key, dynamic_key.as_deref(), scope)?;
            let v = ev(ctx, value)?;
            if let Some(e) = entity(&t)? {
                set_prop(ctx, &e, &key, v)?;
            }
        }
        SetItem::Properties {
            variable,
            value,
            merge,
            ..
        } => {
            let t = scope.get(&variable.name).cloned().unwrap_or(Value::Null);
            let Some(e) = entity(&t)? else { return Ok(()) };
            let v = ev(ctx, value)?;
            let map: Properties = match v {
                Value::Map(m) => m,
                Value::Null => Properties::new(),
                other => match entity(&other)? {
                    Some(Entity::Node(id)) => {
                        ctx.read()
                            .node(id)?
                            .ok_or_else(|| deleted(&Entity::Node(id)))?
                            .properties
                    }
                    Some(Entity::Rel(id)) => {
                        ctx.read()
                            .relationship(id)?
                            .ok_or_else(|| deleted(&Entity::Rel(id)))?
                            .properties
                    }
                    None => Properties::new(),
                },
            };
            if *merge {
                for (k, v) in map {
                    set_prop(ctx, &e, &k, v)?;
                }
            } else {
                let mut clean = Properties::new();
                for (k, v) in map {
                    if !v.is_null() {
                        check_storable(&v)?;
                        clean.insert(k, v);
                    }
                }
                let n = clean.len() as u64;
                match e {
                    Entity::Node(id) => ctx.write()?.replace_node_properties(id, clean)?,
                    Entity::Rel(id) => ctx.write()?.replace_relationship_properties(id, clean)?,
                }
                ctx.stats.properties_set += n;
            }
        }
        SetItem::Labels {
            variable,
            labels,
            dynamic,
            ..
        } => {
            let t = scope.get(&variable.name).cloned().unwrap_or(Value::Null);
            let labels = all_labels(ctx, labels, dynamic, scope)?;
            match entity(&t)? {
                Some(Entity::Node(id)) => {
                    for l in &labels {
                        if ctx.write()?.add_label(id, l)? {
                            ctx.stats.labels_added += 1;
                        }
                    }
                }
                Some(Entity::Rel(_)) => {
                    return Err(QueryError::type_error(
                        "InvalidArgumentType",
                        "labels can only be set on nodes",
                    )
                    .into())
                }
                None => {}
            }
        }
    }
    Ok(())
}

fn apply_remove(ctx: &mut ExecCtx<'_>, item: &RemoveItem, scope: &dyn Scope) -> Result<()> {
    match item {
        RemoveItem::Property {
            target,
            key,
            dynamic_key,
            ..
        } => {
            let t = crate::expr::eval(target, scope, &crate::exec::EvalCx { ctx })?;
            let key = prop_key(ctx, key, dynamic_key.as_deref(), scope)?;
            if let Some(e) = entity(&t)? {
                set_prop(ctx, &e, &key, Value::Null)?;
            }
        }
        RemoveItem::Labels {
            variable,
            labels,
            dynamic,
            ..
        } => {
            let t = scope.get(&variable.name).cloned().unwrap_or(Value::Null);
            let labels = all_labels(ctx, labels, dynamic, scope)?;
            if let Some(Entity::Node(id)) = entity(&t)? {
                for l in &labels {
                    if ctx.write()?.remove_label(id, l)? {
                        ctx.stats.labels_removed += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

impl Operator for SetOp<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let mut rows = Vec::new();
            while let Some(r) = self.input.next(ctx)? {
                rows.push(r);
            }
            for row in &rows {
                ctx.tick()?;
                let scope = RowScope {
                    cols: self.cols,
                    row,
                };
                match &self.items {
                    Items::Set(items) => {
                        for it in *items {
                            apply_set(ctx, it, &scope)?;
                        }
                    }
                    Items::Remove(items) => {
                        for it in *items {
                            apply_remove(ctx, it, &scope)?;
                        }
                    }
                }
            }
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
