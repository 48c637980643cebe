//! Expression evaluation: Cypher value semantics over rows (scopes) and a graph (context).
//!
//! `eval` is on every row's hot path; comparison and ordering rules live in `compare`,
//! arithmetic in `arith`, property/index access on values and entities in `access`.

pub(crate) mod access;
mod arith;
pub mod compare;
mod component;
mod constant;
pub(crate) mod csv_position;
pub mod dynamic;
mod eval;
mod regex_cache;
mod text;
pub mod types;

use std::collections::{BTreeMap, HashMap};

use crate::ast::Expr;
use crate::error::Result;
use crate::store::GraphRead;
use crate::value::Value;

pub use access::{entity_labels, entity_properties, property_of};
pub(crate) use arith::check_len;
pub use compare::{compare, compare_op, equals, order, GroupKey, Ordered};
pub use constant::{eval_constant, is_constant, EmptyGraph};
pub(crate) use eval::{compare_like, with_span};
pub use eval::{eval, eval_predicate};
pub(crate) use text::normalize;

/// Variable bindings visible to an expression (a row, plus any comprehension variables).
pub trait Scope {
    fn get(&self, name: &str) -> Option<&Value>;
}

/// What expression evaluation needs from the engine around it.
pub trait EvalContext {
    fn graph(&self) -> &dyn GraphRead;
    fn parameter(&self, name: &str) -> Option<&Value>;
    /// Evaluates a PatternPredicate / PatternComprehension / Subquery expression under
    /// the current bindings (implemented by exec).
    fn subquery(&self, expr: &Expr, scope: &dyn Scope) -> Result<Value>;
    /// A node's property (`None`: missing); exec answers from its memo when it keeps one.
    fn node_property(&self, id: crate::model::NodeId, key: &str) -> Result<Option<Value>> {
        self.graph().node_property(id, key)
    }
    /// A relationship deleted earlier in this statement, when the engine kept a copy: openCypher
    /// still lets `type(r)` read a deleted relationship's type (TCK Return2, scenario 14), while its
    /// properties raise DeletedEntityAccess. Default: nothing kept.
    fn deleted_relationship(&self, _id: crate::model::RelId) -> Option<crate::model::Relationship> {
        None
    }
    /// The statement's clock (nanoseconds since the Unix epoch), read once when it starts, so
    /// that `date()` and `datetime()` agree within a statement. Default: none, use the wall
    /// clock.
    fn statement_time(&self) -> Option<i128> {
        None
    }
    /// `linenumber()` and `file()`: the number of the record the most recent LOAD CSV returned
    /// and its file's absolute path. Default (outside LOAD CSV): none, so both are null.
    fn load_csv_position(&self) -> Option<(i64, std::sync::Arc<str>)> {
        None
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

/// The EntityNotFound / DeletedEntityAccess error for a node or relationship deleted earlier in
/// the statement (used by functions reading entities).
pub fn access_deleted(what: &str, id: u64) -> crate::error::Error {
    access::deleted(what, id).into()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod tests_text;
