//! Expression evaluation: Cypher value semantics over rows (scopes) and a graph (context).
//!
//! `eval` is on every row's hot path; arithmetic lives in `arith`, property/index access on
//! values and entities in `access`. Cypher's equality, comparability and ordering of values
//! are `value`'s; function calls go to `functions`, which never calls back into this module.

mod access;
mod arith;
mod component;
mod constant;
pub(crate) mod csv_position;
pub mod dynamic;
mod eval;
mod regex_cache;
pub mod types;

use std::collections::{BTreeMap, HashMap};

use crate::ast::Expr;
use crate::error::Result;
use crate::functions::FunctionContext;
use crate::value::Value;

pub use access::property_of;
pub use constant::{eval_constant, is_constant, EmptyGraph};
pub(crate) use eval::{compare_like, with_span};
pub use eval::{eval, eval_predicate};

/// Variable bindings visible to an expression (a row, plus any comprehension variables).
pub trait Scope {
    fn get(&self, name: &str) -> Option<&Value>;
}

/// What expression evaluation needs from the engine around it: what a function call needs
/// (the graph, the clock, the LOAD CSV position), and the parameters, subqueries, property
/// reads and time checks of the evaluator itself.
pub trait EvalContext: FunctionContext {
    fn parameter(&self, name: &str) -> Option<&Value>;
    /// Evaluates a PatternPredicate / PatternComprehension / Subquery expression under
    /// the current bindings (implemented by exec).
    fn subquery(&self, expr: &Expr, scope: &dyn Scope) -> Result<Value>;
    /// A node's property (`None`: missing); exec answers from its memo when it keeps one.
    fn node_property(&self, id: crate::model::NodeId, key: &str) -> Result<Option<Value>> {
        self.graph().node_property(id, key)
    }
    /// Called once per element by comprehensions, quantifiers and `reduce`, so a long
    /// expression stops at the statement's time limit or cancellation (exec checks on every
    /// call: one clock read per element when a time limit is set; an element can be costly,
    /// as a doubling `reduce` shows). Default: never stops.
    fn tick(&self) -> Result<()> {
        Ok(())
    }
}

/// A scope with no variables.
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn get(&self, _name: &str) -> Option<&Value> {
        None
    }
}

/// One variable bound on top of an outer scope (comprehensions, quantifiers, reduce).
pub struct Bound<'a> {
    pub parent: &'a dyn Scope,
    pub name: &'a str,
    pub value: Value,
}

impl Scope for Bound<'_> {
    fn get(&self, name: &str) -> Option<&Value> {
        if name == self.name {
            Some(&self.value)
        } else {
            self.parent.get(name)
        }
    }
}

impl Scope for HashMap<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        HashMap::get(self, name)
    }
}

impl Scope for BTreeMap<String, Value> {
    fn get(&self, name: &str) -> Option<&Value> {
        BTreeMap::get(self, name)
    }
}

impl Scope for [(String, Value)] {
    fn get(&self, name: &str) -> Option<&Value> {
        self.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }
}

impl Scope for Vec<(String, Value)> {
    fn get(&self, name: &str) -> Option<&Value> {
        Scope::get(self.as_slice(), name)
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_text;
