//! The data model's names: nodes, relationships, paths and their identifiers.
//!
//! They are defined with the values they hold (`value::graph`), because a node's properties
//! are values and a value can be a node; this module keeps the names where the rest of the
//! crate has always found them.

pub use crate::value::{Direction, Node, NodeId, Path, Properties, RelId, Relationship};
