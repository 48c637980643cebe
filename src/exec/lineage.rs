//! The facts a row rests on, for provenance plans (`plan::provenance`): the `Lineage`
//! operator, which prepends them to each row, and the aggregate that unions them per group.
//!
//! A row's facts travel as one value: a list of `NodeRef`/`RelRef` in id order (nodes first),
//! ended by the marker map `{` truncated`: true}` when the row had more facts than
//! `ExecCtx::why_limit` and some were left out. Reading facts out of a row walks every cell,
//! so the ` why` of earlier projections, paths, lists and maps of entities all count.

use crate::error::Result;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::functions::Aggregator;
use crate::hash::FxHashSet;
use crate::value::Value;

/// The key of the marker map that says facts were left out.
const TRUNCATED: &str = " truncated";

/// The most facts kept per row unless the caller says otherwise.
pub const DEFAULT_WHY_LIMIT: usize = 1000;

/// A set of facts being gathered, capped at `limit`.
#[derive(Debug)]
pub struct Facts {
    /// (is a relationship, id).
    set: FxHashSet<(bool, u64)>,
    limit: usize,
    truncated: bool,
}

impl Facts {
    pub fn new(limit: usize) -> Facts {
        Facts {
            set: FxHashSet::default(),
            limit,
            truncated: false,
        }
    }

    fn add(&mut self, rel: bool, id: u64) {
        if self.set.len() < self.limit {
            self.set.insert((rel, id));
        } else if !self.set.contains(&(rel, id)) {
            self.truncated = true;
        }
    }

    /// Adds every fact found in `v`, however deeply nested.
    pub fn gather(&mut self, v: &Value) {
        match v {
            Value::NodeRef(id) => self.add(false, *id),
            Value::Node(n) => self.add(false, n.id),
            Value::RelRef(id) => self.add(true, *id),
            Value::Relationship(r) => self.add(true, r.id),
            Value::PathRef(p) => {
                p.nodes.iter().for_each(|id| self.add(false, *id));
                p.rels.iter().for_each(|id| self.add(true, *id));
            }
            Value::Path(p) => {
                p.nodes.iter().for_each(|n| self.add(false, n.id));
                p.relationships.iter().for_each(|r| self.add(true, r.id));
            }
            Value::List(items) => items.iter().for_each(|x| self.gather(x)),
            Value::Map(m) => {
                if m.len() == 1 && matches!(m.get(TRUNCATED), Some(Value::Bool(true))) {
                    self.truncated = true;
                } else {
                    m.values().for_each(|x| self.gather(x));
                }
            }
            _ => {}
        }
    }

    /// The facts as the value a row carries.
    pub fn to_value(&self) -> Value {
        let mut ids: Vec<(bool, u64)> = self.set.iter().copied().collect();
        ids.sort_unstable();
        let mut out: Vec<Value> = ids
            .into_iter()
            .map(|(rel, id)| {
                if rel {
                    Value::RelRef(id)
                } else {
                    Value::NodeRef(id)
                }
            })
            .collect();
        if self.truncated {
            out.push(truncated_marker());
        }
        Value::List(out)
    }
}

fn truncated_marker() -> Value {
    Value::Map([(TRUNCATED.to_string(), Value::Bool(true))].into())
}

/// What a row's ` why` value holds: node ids, relationship ids (both in id order), and whether
/// facts were left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FactIds {
    pub nodes: Vec<u64>,
    pub relationships: Vec<u64>,
    pub truncated: bool,
}

/// Reads the facts out of any values (a ` why` column and the cells returned beside it).
pub fn fact_ids<'v>(values: impl IntoIterator<Item = &'v Value>, limit: usize) -> FactIds {
    let mut facts = Facts::new(limit);
    for v in values {
        facts.gather(v);
    }
    let mut ids = FactIds {
        truncated: facts.truncated,
        ..FactIds::default()
    };
    for (rel, id) in facts.set {
        if rel {
            ids.relationships.push(id);
        } else {
            ids.nodes.push(id);
        }
    }
    ids.nodes.sort_unstable();
    ids.relationships.sort_unstable();
    ids
}

/// Prepends the facts of each input row (see `PlanOp::Lineage`).
pub struct Lineage<'p> {
    pub input: BoxOp<'p>,
}

impl Operator for Lineage<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next(ctx)? else {
            return Ok(None);
        };
        let mut facts = Facts::new(ctx.why_limit);
        row.iter().for_each(|v| facts.gather(v));
        row.insert(0, facts.to_value());
        Ok(Some(row))
    }
}

/// Unions the ` why` of a group's rows (`plan::provenance::LINEAGE_AGG`).
pub struct LineageUnion(pub Facts);

impl Aggregator for LineageUnion {
    fn update(&mut self, args: &[Value]) -> Result<()> {
        args.iter().for_each(|v| self.0.gather(v));
        Ok(())
    }

    fn finish(&mut self) -> Result<Value> {
        Ok(self.0.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers_nested_facts_once_and_in_order() {
        let row = [
            Value::List(vec![Value::RelRef(7), Value::NodeRef(3)]),
            Value::Map([("a".to_string(), Value::NodeRef(1))].into()),
            Value::NodeRef(3),
            Value::Int(3),
        ];
        let ids = fact_ids(row.iter(), 10);
        assert_eq!(ids.nodes, vec![1, 3]);
        assert_eq!(ids.relationships, vec![7]);
        assert!(!ids.truncated);
    }

    #[test]
    fn the_cap_keeps_the_first_facts_and_says_so_downstream() {
        let mut f = Facts::new(2);
        for id in 0..5 {
            f.gather(&Value::NodeRef(id));
        }
        let v = f.to_value();
        // The marker survives the next projection's gathering.
        let ids = fact_ids([&v], 100);
        assert_eq!(ids.nodes.len(), 2);
        assert!(ids.truncated);
        // A user map that only looks similar is data, not the marker.
        let user = Value::Map([(TRUNCATED.to_string(), Value::Int(1))].into());
        assert!(!fact_ids([&user], 100).truncated);
    }
}
