//! The user's schema in an export: `CREATE INDEX` / `CREATE CONSTRAINT` statements for the
//! Cypher script, and the note the formats without a schema print about what they leave out.

use crate::error::Result;
use crate::store::{GraphRead, IndexDef, IndexKind};

use super::ident::ident;

/// The schema of `graph` as Neo4j 5 statements our parser accepts, each with `IF NOT EXISTS`
/// and its name (so `SHOW INDEXES` / `SHOW CONSTRAINTS` after a load list the same names):
/// the property indexes a user declared (not those a constraint owns: the constraint's
/// statement makes them), then the constraints. Also the names of indexes no Cypher
/// statement can declare (over every node, without a label, which only `kg import` makes).
pub struct Schema {
    pub indexes: Vec<String>,
    pub constraints: Vec<String>,
    /// The names of what the statements above declare, and of the inexpressible indexes.
    names: Vec<String>,
    pub inexpressible: Vec<String>,
}

impl Schema {
    pub fn of(graph: &dyn GraphRead) -> Result<Schema> {
        let constraints = graph.constraints()?;
        let owned = |ix: &IndexDef| {
            ix.unique
                || constraints
                    .iter()
                    .any(|c| c.owned_index.as_deref() == Some(ix.name.as_str()))
        };
        let mut schema = Schema {
            indexes: Vec::new(),
            constraints: constraints.iter().map(|c| c.create_statement()).collect(),
            names: Vec::new(),
            inexpressible: Vec::new(),
        };
        for ix in graph.indexes()?.iter().filter(|ix| !owned(ix)) {
            schema.names.push(ix.name.clone());
            if ix.label.is_empty() {
                schema.inexpressible.push(ix.name.clone());
                continue;
            }
            let kind = match ix.kind {
                IndexKind::Range => "",
                IndexKind::Text => "TEXT ",
            };
            schema.indexes.push(format!(
                "CREATE {kind}INDEX {} IF NOT EXISTS FOR (n:{}) ON (n.{})",
                ident(&ix.name),
                ident(&ix.label),
                ident(&ix.property)
            ));
        }
        schema.names.extend(constraints.into_iter().map(|c| c.name));
        Ok(schema)
    }
}

/// The warning of an export in `format`, which carries no schema, of a graph that has one:
/// what it leaves out and how to keep it. `None` when there is nothing to leave out. The
/// index `kg import` of these formats makes by itself is not left out when the import of
/// this export will make it again: otherwise a round trip would warn about it every time.
pub fn left_out(graph: &dyn GraphRead, format: &str) -> Result<Option<String>> {
    let mut schema = Schema::of(graph)?;
    let made = crate::import::name_index();
    if graph.indexes()?.contains(&made) && has_property(graph, &made.property)? {
        schema.names.retain(|n| *n != made.name);
        schema.inexpressible.retain(|n| *n != made.name);
    }
    if schema.names.is_empty() {
        return Ok(None);
    }
    let indexes = schema.indexes.len() + schema.inexpressible.len();
    let constraints = schema.constraints.len();
    Ok(Some(format!(
        "{format} carries no schema: {indexes} {} and {constraints} {} ({}) were not \
         exported; export with --format cypher to keep them, or create them again after the \
         import (SHOW INDEXES and SHOW CONSTRAINTS list them)",
        plural(indexes, "index", "indexes"),
        plural(constraints, "constraint", "constraints"),
        schema.names.join(", ")
    )))
}

/// Whether a node or relationship of `graph` has a `key` property, which an import of the
/// export then finds; stops at the first (in a graph indexed on `name`, most often the
/// first node).
fn has_property(graph: &dyn GraphRead, key: &str) -> Result<bool> {
    for id in graph.node_ids()? {
        if graph.node_property(id?, key)?.is_some() {
            return Ok(true);
        }
    }
    for id in graph.relationship_ids()? {
        if graph.relationship_property(id?, key)?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}
