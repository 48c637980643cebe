//! Property values a pre-filtered label scan read with the node's record, handed to the
//! expressions above it so that they do not read the record again.
//!
//! `MATCH (c:Company) WHERE c.country = 'JP' RETURN c.id, c.valuation` otherwise reads each
//! kept node three more times after the scan (the filter's re-check of `country`, then `id`
//! and `valuation`), each a catalog lookup, a block-cache lookup under its mutex and a walk of
//! the record (≈ 1.4 µs a row at L). The scan (`scan.rs`, `GraphRead::label_where_piece`)
//! decodes the keys the statement reads of its variable in the same pass over the block as the
//! tested key, and puts the values of the row it returns in [`Carried`], which
//! `EvalCx::node_property` asks first. The key of an exact pre-filter (the filter is that one
//! comparison, which the store decides and the filter does not evaluate again) is carried only
//! when another expression reads it.
//!
//! **Invariant:** only a statement whose plan cannot write carries values (`db.rs` calls
//! [`CarryKeys::of`] where it gives the memo), and no commit lands during a statement (the
//! statement gate), so a carried value is the value the store would return for that node.

use std::rc::Rc;

use crate::ast::ExprKind;
use crate::exec::prefilter::Prefilter;
use crate::hash::FxHashMap;
use crate::model::NodeId;
use crate::plan::{nested, walk, LogicalPlan, PlanOp};
use crate::value::Value;

/// The most keys a scan carries for one variable (a statement reading more of a node pays
/// for the rest as before).
const MAX_KEYS: usize = 8;

/// For each variable name, the property keys the statement reads as `var.key` anywhere in
/// its plan (nested plans included), in first-seen order. A name bound twice gets the keys of
/// both: a key read of the other binding only costs a decode.
#[derive(Default)]
pub(crate) struct CarryKeys {
    by_var: FxHashMap<String, Rc<[String]>>,
}

impl CarryKeys {
    pub(crate) fn of(plan: &LogicalPlan) -> CarryKeys {
        let mut found: FxHashMap<String, Vec<String>> = FxHashMap::default();
        collect(plan, &mut found);
        CarryKeys {
            by_var: found
                .into_iter()
                .map(|(var, keys)| (var, keys.into()))
                .collect(),
        }
    }

    /// Only `keys` for `var` (a parallel worker's, `parallel.rs`: its one scan's variable).
    pub(crate) fn single(var: &str, keys: &[String]) -> CarryKeys {
        let mut by_var = FxHashMap::default();
        by_var.insert(var.to_string(), Rc::from(keys));
        CarryKeys { by_var }
    }

    /// The keys to carry for a scan of `var` (empty: none).
    pub(crate) fn for_var(&self, var: &str) -> Rc<[String]> {
        self.by_var
            .get(var)
            .cloned()
            .unwrap_or_else(|| Rc::from([]))
    }
}

fn collect(plan: &LogicalPlan, found: &mut FxHashMap<String, Vec<String>>) {
    // An exact pre-filter's predicate is decided by the store, never evaluated on a carried
    // row (`prefilter.rs`): its key is carried only when something else reads it.
    let own = match exact_prefilter(plan) {
        true => Vec::new(),
        false => nested::own_exprs(&plan.op),
    };
    for e in own {
        walk::visit(e, &mut |e| {
            if let ExprKind::Property(target, key) = &e.kind {
                if let ExprKind::Variable(v) = &target.kind {
                    let keys = found.entry(v.clone()).or_default();
                    if keys.len() < MAX_KEYS && !keys.contains(key) {
                        keys.push(key.clone());
                    }
                }
            }
            true
        });
    }
    for sub in &plan.nested {
        collect(&sub.plan, found);
    }
    for input in plan.inputs() {
        collect(input, found);
    }
}

/// True when `plan` is a filter over a label scan that the scan applies exactly: the filter
/// keeps the scan's rows without evaluating its predicate (`prefilter.rs`).
fn exact_prefilter(plan: &LogicalPlan) -> bool {
    match &plan.op {
        PlanOp::Filter { input, predicate } => match &input.op {
            PlanOp::LabelScan { var, .. } => Prefilter::of(predicate, var).is_some_and(|p| p.exact),
            _ => false,
        },
        _ => false,
    }
}

/// The carried values of the node whose row a scan returned last.
#[derive(Default)]
pub(crate) struct Carried {
    node: Option<NodeId>,
    keys: Rc<[String]>,
    values: Vec<Value>,
}

impl Carried {
    /// `node`'s values of `keys` are `values` (taken, leaving nulls).
    pub(crate) fn set(&mut self, node: NodeId, keys: &Rc<[String]>, values: &mut [Value]) {
        self.node = Some(node);
        if !Rc::ptr_eq(&self.keys, keys) {
            self.keys = Rc::clone(keys);
        }
        self.values.clear();
        self.values
            .extend(values.iter_mut().map(|v| std::mem::replace(v, Value::Null)));
    }

    /// `node`'s value of `key` (`Value::Null` when the node has none), if carried.
    pub(crate) fn get(&self, node: NodeId, key: &str) -> Option<Value> {
        if self.node != Some(node) {
            return None;
        }
        let i = self.keys.iter().position(|k| k == key)?;
        self.values.get(i).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_only_for_the_last_node_and_its_keys() {
        let keys: Rc<[String]> = Rc::from(vec!["a".to_string(), "b".to_string()]);
        let mut c = Carried::default();
        assert_eq!(c.get(0, "a"), None);
        let mut vals = vec![Value::Int(1), Value::Null];
        c.set(7, &keys, &mut vals);
        assert_eq!(c.get(7, "a"), Some(Value::Int(1)));
        assert_eq!(c.get(7, "b"), Some(Value::Null));
        assert_eq!(c.get(7, "c"), None);
        assert_eq!(c.get(8, "a"), None);
        let mut vals = vec![Value::String("x".into()), Value::Int(2)];
        c.set(8, &keys, &mut vals);
        assert_eq!(c.get(7, "a"), None);
        assert_eq!(c.get(8, "a"), Some(Value::String("x".into())));
        assert_eq!(c.get(8, "b"), Some(Value::Int(2)));
    }
}
