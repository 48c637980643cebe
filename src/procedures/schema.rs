//! Neo4j's schema procedures, computed from the data (kgstore has no declared schema):
//! `db.schema.nodeTypeProperties()`, `db.schema.relTypeProperties()` and
//! `db.schema.visualization()`.
//!
//! Like Neo4j 5:
//! - a *node type* is a node's set of labels, written ``:`A`:`B` `` (labels sorted by name), a
//!   relationship type is written ``:`TYPE` ``;
//! - one row per (type, property key) with the sorted list of the property's value types and
//!   `mandatory` (every entity of the type has the key); a type whose entities have no
//!   properties at all gets one row with `propertyName`, `propertyTypes` null and `mandatory`
//!   false;
//! - type names are Neo4j's storage names: `String`, `Long`, `Double`, `Boolean`, `Date`,
//!   `LocalTime`, `Time`, `LocalDateTime`, `DateTime`, `Duration`, and `<element>Array` for a
//!   list (`StringArray`, `LongArray`, …). An empty list is a `StringArray` (Neo4j stores an
//!   empty list that way); a list mixing types, which Neo4j cannot store, is `List`, and a map
//!   is `Map`;
//! - `visualization()` returns one virtual node per label (properties `name`, `indexes`,
//!   `constraints`: every kind on the label, as Neo4j describes them) and one virtual relationship per (start label, type, end label) that
//!   occurs; virtual ids count down from `u64::MAX` so they never name a stored entity.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::Result;
use crate::model::{Node, NodeId, Properties, Relationship};
use crate::store::GraphRead;
use crate::value::Value;

/// Neo4j's name for the type of a stored property value.
pub fn property_type_name(v: &Value) -> String {
    match v {
        Value::List(items) => {
            let mut kinds = items.iter().map(scalar_type_name);
            match kinds.next() {
                None => "StringArray".to_string(),
                Some(first) if items.iter().map(scalar_type_name).all(|k| k == first) => {
                    format!("{first}Array")
                }
                Some(_) => "List".to_string(),
            }
        }
        other => scalar_type_name(other).to_string(),
    }
}

fn scalar_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Int(_) => "Long",
        Value::Float(_) => "Double",
        Value::String(_) => "String",
        Value::List(_) => "List",
        Value::Map(_) => "Map",
        Value::Date(_) => "Date",
        Value::LocalTime(_) => "LocalTime",
        Value::Time(_) => "Time",
        Value::LocalDateTime(_) => "LocalDateTime",
        Value::DateTime(_) => "DateTime",
        Value::Duration(_) => "Duration",
        Value::Point(_) => "Point",
        Value::Node(_) | Value::NodeRef(_) => "Node",
        Value::Relationship(_) | Value::RelRef(_) => "Relationship",
        Value::Path(_) | Value::PathRef(_) => "Path",
    }
}

/// ``:`A`:`B` ``: a label or type name quoted as Neo4j prints it in these procedures.
fn type_key<'a>(names: impl IntoIterator<Item = &'a String>) -> String {
    names
        .into_iter()
        .map(|n| format!(":`{}`", n.replace('`', "``")))
        .collect()
}

/// Per entity type: how many entities, and per property key how many carry it with which types.
#[derive(Default)]
struct TypeStats {
    count: u64,
    properties: BTreeMap<String, (u64, BTreeSet<String>)>,
}

impl TypeStats {
    fn observe(&mut self, props: &Properties) {
        self.count += 1;
        for (key, value) in props {
            if value.is_null() {
                continue;
            }
            let entry = self.properties.entry(key.clone()).or_default();
            entry.0 += 1;
            entry.1.insert(property_type_name(value));
        }
    }

    /// Rows `[propertyName, propertyTypes, mandatory]` after the type columns.
    fn rows(&self, prefix: &[Value]) -> Vec<Vec<Value>> {
        if self.properties.is_empty() {
            let mut row = prefix.to_vec();
            row.extend([Value::Null, Value::Null, Value::Bool(false)]);
            return vec![row];
        }
        self.properties
            .iter()
            .map(|(key, (n, types))| {
                let mut row = prefix.to_vec();
                row.push(Value::String(key.clone()));
                row.push(Value::List(
                    types.iter().map(|t| Value::String(t.clone())).collect(),
                ));
                row.push(Value::Bool(*n == self.count));
                row
            })
            .collect()
    }
}

fn sorted_labels(node: &Node) -> Vec<String> {
    let mut labels = node.labels.clone();
    labels.sort();
    labels.dedup();
    labels
}

/// `db.schema.nodeTypeProperties()`: nodeType, nodeLabels, propertyName, propertyTypes,
/// mandatory.
pub fn node_type_properties(graph: &dyn GraphRead) -> Result<Vec<Vec<Value>>> {
    let mut types: BTreeMap<Vec<String>, TypeStats> = BTreeMap::new();
    for id in graph.node_ids()? {
        let Some(node) = graph.node(id?)? else {
            continue;
        };
        types
            .entry(sorted_labels(&node))
            .or_default()
            .observe(&node.properties);
    }
    let mut rows = Vec::new();
    for (labels, stats) in &types {
        let prefix = [
            Value::String(type_key(labels)),
            Value::List(labels.iter().map(|l| Value::String(l.clone())).collect()),
        ];
        rows.extend(stats.rows(&prefix));
    }
    Ok(rows)
}

/// `db.schema.relTypeProperties()`: relType, propertyName, propertyTypes, mandatory.
pub fn rel_type_properties(graph: &dyn GraphRead) -> Result<Vec<Vec<Value>>> {
    let mut types: BTreeMap<String, TypeStats> = BTreeMap::new();
    for id in graph.relationship_ids()? {
        let Some(rel) = graph.relationship(id?)? else {
            continue;
        };
        types
            .entry(rel.rel_type.clone())
            .or_default()
            .observe(&rel.properties);
    }
    let mut rows = Vec::new();
    for (rel_type, stats) in &types {
        rows.extend(stats.rows(&[Value::String(type_key([rel_type]))]));
    }
    Ok(rows)
}

/// `db.schema.visualization()`: one row, `nodes` (a virtual node per label) and
/// `relationships` (a virtual relationship per (start label, type, end label) in the data).
pub fn visualization(graph: &dyn GraphRead) -> Result<Vec<Vec<Value>>> {
    let mut labels_of: HashMap<NodeId, Vec<String>> = HashMap::new();
    let mut labels: BTreeSet<String> = BTreeSet::new();
    for id in graph.node_ids()? {
        let id = id?;
        let Some(node) = graph.node(id)? else {
            continue;
        };
        let l = sorted_labels(&node);
        labels.extend(l.iter().cloned());
        labels_of.insert(id, l);
    }
    let mut triples: BTreeSet<(String, String, String)> = BTreeSet::new();
    for id in graph.relationship_ids()? {
        let Some(rel) = graph.relationship(id?)? else {
            continue;
        };
        let (Some(from), Some(to)) = (labels_of.get(&rel.start), labels_of.get(&rel.end)) else {
            continue;
        };
        for a in from {
            for b in to {
                triples.insert((a.clone(), rel.rel_type.clone(), b.clone()));
            }
        }
    }
    let indexes = graph.indexes()?;
    let constraints = graph.constraints()?;
    let mut ids: BTreeMap<String, NodeId> = BTreeMap::new();
    let mut nodes = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let id = u64::MAX - i as u64;
        ids.insert(label.clone(), id);
        let on_label = indexes.iter().filter(|ix| &ix.label == label);
        let mut props = Properties::new();
        props.insert("name".into(), Value::String(label.clone()));
        props.insert(
            "indexes".into(),
            Value::List(
                on_label
                    .clone()
                    .map(|ix| Value::String(ix.property.clone()))
                    .collect(),
            ),
        );
        props.insert(
            "constraints".into(),
            Value::List(
                constraints
                    .iter()
                    .filter(|c| !c.on_relationships && &c.label == label)
                    .map(|c| Value::String(c.description()))
                    .collect(),
            ),
        );
        nodes.push(Value::Node(Box::new(Node {
            id,
            labels: vec![label.clone()],
            properties: props,
        })));
    }
    let mut relationships = Vec::new();
    for (j, (a, t, b)) in triples.iter().enumerate() {
        let (Some(&start), Some(&end)) = (ids.get(a), ids.get(b)) else {
            continue;
        };
        let mut props = Properties::new();
        props.insert("name".into(), Value::String(t.clone()));
        relationships.push(Value::Relationship(Box::new(Relationship {
            id: u64::MAX - j as u64,
            rel_type: t.clone(),
            start,
            end,
            properties: props,
        })));
    }
    Ok(vec![vec![Value::List(nodes), Value::List(relationships)]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_follow_neo4j() {
        assert_eq!(property_type_name(&Value::from("x")), "String");
        assert_eq!(property_type_name(&Value::Int(1)), "Long");
        assert_eq!(property_type_name(&Value::Float(1.0)), "Double");
        assert_eq!(property_type_name(&Value::Bool(true)), "Boolean");
        assert_eq!(property_type_name(&Value::List(vec![])), "StringArray");
        assert_eq!(
            property_type_name(&Value::List(vec![Value::Int(1), Value::Int(2)])),
            "LongArray"
        );
        assert_eq!(
            property_type_name(&Value::List(vec![Value::Int(1), Value::from("a")])),
            "List"
        );
        assert_eq!(
            type_key(&["Lab".to_string(), "Organization".to_string()]),
            ":`Lab`:`Organization`"
        );
    }
}
