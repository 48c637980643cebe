//! Seeks by id: the ids an `id(x) = …` / `id(x) IN …` / `elementId(x) = …` predicate names,
//! and the relationship seek (`PlanOp::RelationshipById`) that binds a single-hop pattern's
//! relationship and both its ends from them.
//!
//! Both seeks give a superset of the rows their predicate keeps (it stays in a filter above),
//! so an id here only has to be one the predicate *could* accept: an integer (or a float with
//! an integral value, which `=` also equals) for `id`, the id's decimal string for `elementId`.

use std::collections::HashSet;

use crate::error::Result;
use crate::exec::expand::{props_match, rel_props, rel_used};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::model::Direction;
use crate::plan::ExpandSpec;
use crate::value::Value;

/// The distinct ids, in the order given, that the seek's value can name: `value` itself, or
/// each item of it when the predicate was `IN` (`list`). Nothing that no id could equal;
/// for `IN` over something other than a list or null, the error the `IN` would raise.
pub(crate) fn seek_ids(value: Value, list: bool, element: bool) -> Result<Vec<u64>> {
    let items = match (value, list) {
        (Value::List(items), true) => items,
        (Value::Null, true) => Vec::new(),
        (other, true) => {
            return Err(crate::error::QueryError::type_error(
                "InvalidArgumentType",
                format!("IN expects a LIST on its right, got {}", other.type_name()),
            )
            .into())
        }
        (v, false) => vec![v],
    };
    let mut seen = HashSet::new();
    Ok(items
        .iter()
        .filter_map(|v| id_named_by(v, element))
        .filter(|id| seen.insert(*id))
        .collect())
}

fn id_named_by(v: &Value, element: bool) -> Option<u64> {
    match (v, element) {
        (Value::Int(i), false) => u64::try_from(*i).ok(),
        (Value::Float(f), false) if f.fract() == 0.0 && *f >= 0.0 && *f < u64::MAX as f64 => {
            Some(*f as u64)
        }
        // `elementId` gives the decimal digits of the id: `'012'` names no element.
        (Value::String(s), true) => s.parse::<u64>().ok().filter(|id| id.to_string() == *s),
        _ => None,
    }
}

/// Binds `(from)-[rel]->(to)` from relationships found by id, per input row.
pub struct RelationshipById<'p> {
    spec: &'p ExpandSpec,
    ids: &'p crate::ast::Expr,
    list: bool,
    element: bool,
    cols: &'p [String],
    /// Slots of the relationship variables this match has bound before (uniqueness).
    unique: Vec<usize>,
    input: BoxOp<'p>,
    /// The rows built for the current input row, handed out in order.
    pending: std::vec::IntoIter<Row>,
}

impl<'p> RelationshipById<'p> {
    pub fn new(
        spec: &'p ExpandSpec,
        ids: &'p crate::ast::Expr,
        list: bool,
        element: bool,
        cols: &'p [String],
        input: BoxOp<'p>,
    ) -> Self {
        RelationshipById {
            spec,
            ids,
            list,
            element,
            cols,
            unique: spec.unique_columns(cols),
            input,
            pending: Vec::new().into_iter(),
        }
    }

    fn rows_for(&self, ctx: &mut ExecCtx<'_>, row: &Row) -> Result<Vec<Row>> {
        let value = ctx.eval(self.ids, self.cols, row)?;
        let ids = seek_ids(value, self.list, self.element)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let props = rel_props(ctx, &self.spec.properties, self.cols, row)?;
        let same_var = self.spec.from == self.spec.to;
        let mut out = Vec::new();
        for id in ids {
            ctx.tick()?;
            let g = ctx.read();
            let Some(r) = g.relationship(id)? else {
                continue;
            };
            if !self.spec.types.is_empty() && !self.spec.types.contains(&r.rel_type) {
                continue;
            }
            if rel_used(&self.unique, row, r.id) || !props_match(g, r.id, &props)? {
                continue;
            }
            let ends: &[(u64, u64)] = match self.spec.direction {
                Direction::Outgoing => &[(r.start, r.end)],
                Direction::Incoming => &[(r.end, r.start)],
                // A self-loop matches an undirected step once.
                Direction::Both if r.start == r.end => &[(r.start, r.end)],
                Direction::Both => &[(r.start, r.end), (r.end, r.start)],
            };
            for &(from, to) in ends {
                if same_var && from != to {
                    continue;
                }
                let mut built = Vec::with_capacity(row.len() + 3);
                built.extend_from_slice(row);
                built.push(Value::NodeRef(from));
                built.push(Value::RelRef(r.id));
                if !same_var {
                    built.push(Value::NodeRef(to));
                }
                out.push(built);
            }
        }
        Ok(out)
    }
}

impl Operator for RelationshipById<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = self.pending.next() {
                return Ok(Some(row));
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            self.pending = self.rows_for(ctx, &row)?.into_iter();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seek_ids_are_what_the_predicate_could_equal() {
        let ints = |v: Vec<Value>| Value::List(v);
        let seek_ids = |v, l, e| seek_ids(v, l, e).unwrap_or_default();
        assert_eq!(seek_ids(Value::Int(7), false, false), vec![7]);
        assert_eq!(seek_ids(Value::Float(7.0), false, false), vec![7]);
        assert!(seek_ids(Value::Float(7.5), false, false).is_empty());
        assert!(seek_ids(Value::Int(-1), false, false).is_empty());
        assert!(seek_ids(Value::String("7".into()), false, false).is_empty());
        assert!(seek_ids(Value::Null, false, false).is_empty());
        assert_eq!(
            seek_ids(
                ints(vec![
                    Value::Int(3),
                    Value::Int(1),
                    Value::Int(3),
                    Value::Null
                ]),
                true,
                false
            ),
            vec![3, 1]
        );
        assert!(seek_ids(Value::Null, true, false).is_empty());
        assert!(super::seek_ids(Value::Int(3), true, false).is_err());
        assert_eq!(seek_ids(Value::String("12".into()), false, true), vec![12]);
        assert!(seek_ids(Value::String("012".into()), false, true).is_empty());
        assert!(seek_ids(Value::String("+12".into()), false, true).is_empty());
        assert!(seek_ids(Value::Int(12), false, true).is_empty());
    }
}
