//! What Neo4j drivers, tools and frameworks ask a server beyond plain Cypher, answered the way
//! a single-database Neo4j server would: `CALL dbms.components()` (a procedure, so `YIELD`
//! and `UNWIND` around it work), `CALL apoc.meta.data()`, `CALL apoc.schema.nodes()` and
//! `CALL apoc.schema.relationships()` (the APOC procedures the schema readers of
//! `langchain-neo4j` and `neo4j-graphrag` call; constraints of every kind are listed), and the
//! administration command `SHOW DATABASES` (and
//! `SHOW DATABASE name`, `SHOW DEFAULT DATABASE`, `SHOW HOME DATABASE`), which our grammar
//! does not have.
//!
//! The database answers to the names in [`database_names`]: `neo4j` (what drivers and tools
//! assume), `kgstore`, and the directory's name.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::db::{Database, QueryResult};
use crate::error::Result;
use crate::model::Direction;
use crate::procedures::{Procedure, ProcedureContext, ProcedureSignature};
use crate::store::ConstraintKind;
use crate::value::Value;

/// The name reported for the database (what drivers default to).
pub const DEFAULT_DATABASE: &str = "neo4j";

/// The Neo4j version reported by `dbms.components()`, matching the default agent string.
pub const NEO4J_VERSION: &str = "5.26.0";

/// Registers the server's compatibility procedures on `db`.
pub fn register(db: &Database) {
    db.register_procedure(Arc::new(Components {
        sig: ProcedureSignature {
            name: "dbms.components".into(),
            inputs: vec![],
            outputs: vec![
                ("name".into(), "STRING".into()),
                ("versions".into(), "LIST<STRING>".into()),
                ("edition".into(), "STRING".into()),
            ],
            description: "The server's name, versions and edition, as Neo4j reports them.".into(),
        },
    }));
    let out = |n: &str, t: &str| (n.to_string(), t.to_string());
    db.register_procedure(Arc::new(MetaData {
        sig: ProcedureSignature {
            name: "apoc.meta.data".into(),
            inputs: vec![("config = {}".into(), "MAP?".into())],
            outputs: vec![
                out("label", "STRING"),
                out("property", "STRING"),
                out("count", "INTEGER"),
                out("unique", "BOOLEAN"),
                out("index", "BOOLEAN"),
                out("existence", "BOOLEAN"),
                out("type", "STRING"),
                out("array", "BOOLEAN"),
                out("sample", "LIST<ANY>"),
                out("left", "INTEGER"),
                out("right", "INTEGER"),
                out("other", "LIST<STRING>"),
                out("otherLabels", "LIST<STRING>"),
                out("elementType", "STRING"),
            ],
            description: "APOC's schema summary from sampled nodes: a row per (label, property), \
                          per (label, outgoing relationship type) with the labels at the other \
                          end, and per (relationship type, property). `{sample: n}` reads at \
                          most n nodes per label (1000 by default; -1 for all)."
                .into(),
        },
    }));
    db.register_procedure(Arc::new(SchemaNodes {
        sig: ProcedureSignature {
            name: "apoc.schema.nodes".into(),
            inputs: vec![("config = {}".into(), "MAP?".into())],
            outputs: vec![
                out("name", "STRING"),
                out("label", "STRING"),
                out("properties", "LIST<STRING>"),
                out("status", "STRING"),
                out("type", "STRING"),
                out("failure", "STRING"),
                out("populationProgress", "FLOAT"),
                out("size", "INTEGER"),
                out("valuesSelectivity", "FLOAT"),
                out("userDescription", "STRING"),
            ],
            description: "APOC's list of node indexes and constraints: a row per index (type \
                          HASH, as db.indexes() says: equality lookups only), one more per \
                          unique constraint (type UNIQUENESS), and one per other label \
                          constraint (NODE_PROPERTY_EXISTENCE, NODE_KEY, NODE_PROPERTY_TYPE, \
                          composite UNIQUENESS); size is the label's node count."
                .into(),
        },
    }));
    db.register_procedure(Arc::new(SchemaRelationships {
        sig: ProcedureSignature {
            name: "apoc.schema.relationships".into(),
            inputs: vec![("config = {}".into(), "MAP?".into())],
            outputs: vec![
                out("name", "STRING"),
                out("type", "STRING"),
                out("properties", "LIST<STRING>"),
                out("status", "STRING"),
            ],
            description: "APOC's list of relationship constraints: a row per constraint on a \
                          relationship type (RELATIONSHIP_PROPERTY_EXISTENCE, \
                          RELATIONSHIP_UNIQUENESS, RELATIONSHIP_KEY, \
                          RELATIONSHIP_PROPERTY_TYPE)."
                .into(),
        },
    }));
}

/// `apoc.schema.relationships`: our relationship-type constraints of every kind in APOC's
/// columns (our indexes are on node labels only).
struct SchemaRelationships {
    sig: ProcedureSignature,
}

impl Procedure for SchemaRelationships {
    fn signature(&self) -> &ProcedureSignature {
        &self.sig
    }

    fn call(&self, ctx: &ProcedureContext, _args: &[Value]) -> Result<Vec<Vec<Value>>> {
        let s = |x: &str| Value::String(x.into());
        Ok(ctx
            .graph()
            .constraints()?
            .into_iter()
            .filter(|c| c.on_relationships)
            .map(|c| {
                vec![
                    s(&format!(":{}({})", c.label, c.properties.join(","))),
                    s(c.type_name()),
                    Value::List(c.properties.iter().map(|p| s(p)).collect()),
                    s(""),
                ]
            })
            .collect())
    }
}

/// `apoc.schema.nodes`: our indexes and label constraints of every kind in APOC's columns.
struct SchemaNodes {
    sig: ProcedureSignature,
}

impl Procedure for SchemaNodes {
    fn signature(&self) -> &ProcedureSignature {
        &self.sig
    }

    fn call(&self, ctx: &ProcedureContext, _args: &[Value]) -> Result<Vec<Vec<Value>>> {
        let g = ctx.graph();
        let s = |x: &str| Value::String(x.into());
        let mut rows = Vec::new();
        for ix in g.indexes()? {
            let size = g.count_nodes((!ix.label.is_empty()).then_some(ix.label.as_str()))?;
            let row = |name: &str, ty: &str, selectivity: Value| {
                vec![
                    s(name),
                    s(&ix.label),
                    Value::List(vec![s(&ix.property)]),
                    s("ONLINE"),
                    s(ty),
                    s("NO FAILURE"),
                    Value::Float(100.0),
                    Value::Int(size as i64),
                    selectivity,
                    s(&format!(
                        "INDEX ON :{}({}) {}",
                        ix.label,
                        ix.property,
                        if ty == "UNIQUENESS" {
                            "UNIQUE"
                        } else {
                            "ONLINE"
                        }
                    )),
                ]
            };
            if ix.unique {
                rows.push(row(&ix.name, "UNIQUENESS", Value::Float(1.0)));
            }
            rows.push(row(&ix.name, "HASH", Value::Null));
        }
        // The label constraints a unique index does not stand for (existence, key, type,
        // composite uniqueness), as APOC lists a constraint: named `:Label(p1,p2)`, no status.
        for c in g.constraints()? {
            if c.on_relationships || (c.kind == ConstraintKind::Unique && c.properties.len() == 1) {
                continue;
            }
            rows.push(vec![
                s(&format!(":{}({})", c.label, c.properties.join(","))),
                s(&c.label),
                Value::List(c.properties.iter().map(|p| s(p)).collect()),
                s(""),
                s(c.type_name()),
                s("NO FAILURE"),
                Value::Float(0.0),
                Value::Int(0),
                Value::Float(0.0),
                s(&c.description()),
            ]);
        }
        Ok(rows)
    }
}

/// `apoc.meta.data`, the subset of APOC's columns and rows that schema readers use.
struct MetaData {
    sig: ProcedureSignature,
}

/// APOC's name for the type of a property value.
fn apoc_type(v: &Value) -> &'static str {
    match v {
        Value::LocalTime(_) => "LOCAL_TIME",
        Value::Time(_) => "TIME",
        Value::LocalDateTime(_) => "LOCAL_DATE_TIME",
        Value::DateTime(_) => "DATE_TIME",
        other => other.type_name(),
    }
}

impl Procedure for MetaData {
    fn signature(&self) -> &ProcedureSignature {
        &self.sig
    }

    fn call(&self, ctx: &ProcedureContext, args: &[Value]) -> Result<Vec<Vec<Value>>> {
        let sample = match args.first() {
            Some(Value::Map(m)) => match m.get("sample") {
                Some(Value::Int(n)) if *n > 0 => *n as usize,
                Some(Value::Int(_)) => usize::MAX,
                _ => 1000,
            },
            _ => 1000,
        };
        let g = ctx.graph();
        let indexes = g.indexes()?;
        let constraints = g.constraints()?;
        // APOC's `unique`, `index` and `existence` of a label's (or type's) property: a
        // single-property uniqueness or key constraint, an index, an existence or key constraint.
        let flags = |on_rels: bool, label: &str, property: &str| {
            let ix: Vec<bool> = indexes
                .iter()
                .filter(|ix| !on_rels && ix.label == label && ix.property == property)
                .map(|ix| ix.unique)
                .collect();
            let mine = || {
                constraints
                    .iter()
                    .filter(move |c| c.on_relationships == on_rels && c.label == label)
            };
            let unique = ix.iter().any(|u| *u)
                || mine().any(|c| {
                    matches!(c.kind, ConstraintKind::Unique | ConstraintKind::Key)
                        && c.properties.len() == 1
                        && c.properties[0] == property
                });
            let existence = mine().any(|c| {
                matches!(c.kind, ConstraintKind::Exists | ConstraintKind::Key)
                    && c.properties.iter().any(|p| p == property)
            });
            (unique, !ix.is_empty(), existence)
        };
        let s = |x: &str| Value::String(x.into());
        let row = |label: &str,
                   property: &str,
                   count: u64,
                   (unique, index, existence): (bool, bool, bool),
                   ty: &str,
                   other: Vec<Value>,
                   element: &str| {
            vec![
                s(label),
                s(property),
                Value::Int(count as i64),
                Value::Bool(unique),
                Value::Bool(index),
                Value::Bool(existence),
                s(ty),
                Value::Bool(ty == "LIST"),
                Value::List(vec![]),
                Value::Int(0),
                Value::Int(0),
                Value::List(other),
                Value::List(vec![]),
                s(element),
            ]
        };
        let mut rows = Vec::new();
        // Relationship type → property → (type, count), from the sampled nodes' relationships.
        let mut rel_props: BTreeMap<String, BTreeMap<String, (&'static str, u64)>> =
            BTreeMap::new();
        let mut seen_rels = BTreeSet::new();
        for label in g.labels()? {
            let mut props: BTreeMap<String, (&'static str, u64)> = BTreeMap::new();
            // Outgoing type → (labels at the other end, count).
            let mut out: BTreeMap<String, (BTreeSet<String>, u64)> = BTreeMap::new();
            for id in g.nodes_with_label(&label)?.take(sample) {
                let Some(node) = g.node(id?)? else { continue };
                for (k, v) in node.properties.iter() {
                    props.entry(k.clone()).or_insert((apoc_type(v), 0)).1 += 1;
                }
                for e in g.edges(node.id, Direction::Outgoing, &[])? {
                    let Some(rel) = g.relationship(e.rel)? else {
                        continue;
                    };
                    let entry = out.entry(rel.rel_type.clone()).or_default();
                    entry.1 += 1;
                    if let Some(other) = g.node(e.other)? {
                        entry.0.extend(other.labels.iter().cloned());
                    }
                    if seen_rels.insert(rel.id) {
                        let p = rel_props.entry(rel.rel_type.clone()).or_default();
                        for (k, v) in rel.properties.iter() {
                            p.entry(k.clone()).or_insert((apoc_type(v), 0)).1 += 1;
                        }
                    }
                }
            }
            for (k, (ty, n)) in props {
                rows.push(row(
                    &label,
                    &k,
                    n,
                    flags(false, &label, &k),
                    ty,
                    vec![],
                    "node",
                ));
            }
            for (t, (others, n)) in out {
                let others = others.into_iter().map(Value::String).collect();
                rows.push(row(
                    &label,
                    &t,
                    n,
                    (false, false, false),
                    "RELATIONSHIP",
                    others,
                    "node",
                ));
            }
        }
        for (t, props) in rel_props {
            for (k, (ty, n)) in props {
                rows.push(row(
                    &t,
                    &k,
                    n,
                    flags(true, &t, &k),
                    ty,
                    vec![],
                    "relationship",
                ));
            }
        }
        Ok(rows)
    }
}

struct Components {
    sig: ProcedureSignature,
}

impl Procedure for Components {
    fn signature(&self) -> &ProcedureSignature {
        &self.sig
    }

    fn call(&self, _ctx: &ProcedureContext, _args: &[Value]) -> Result<Vec<Vec<Value>>> {
        Ok(vec![vec![
            Value::String("Neo4j Kernel".into()),
            Value::List(vec![Value::String(NEO4J_VERSION.into())]),
            Value::String("community".into()),
        ]])
    }
}

/// Names a client may give for our database (case-insensitive), besides none at all.
pub fn database_names(dir_name: Option<&str>) -> Vec<String> {
    let mut v = vec![DEFAULT_DATABASE.to_string(), "kgstore".to_string()];
    if let Some(d) = dir_name {
        v.push(d.to_ascii_lowercase());
    }
    v
}

/// The answer to an administration command our grammar lacks, or `None` for a statement the
/// engine should run.
pub fn intercept(query: &str) -> Option<QueryResult> {
    let words: Vec<String> = query
        .trim()
        .trim_end_matches(';')
        .split_whitespace()
        .map(|w| w.to_ascii_uppercase())
        .collect();
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    match w.as_slice() {
        ["SHOW", "DATABASES", ..]
        | ["SHOW", "DATABASE", ..]
        | ["SHOW", "DEFAULT", "DATABASE", ..]
        | ["SHOW", "HOME", "DATABASE", ..] => Some(show_databases()),
        _ => None,
    }
}

fn show_databases() -> QueryResult {
    let s = |x: &str| Value::String(x.into());
    let columns = [
        "name",
        "type",
        "aliases",
        "access",
        "address",
        "role",
        "writer",
        "requestedStatus",
        "currentStatus",
        "statusMessage",
        "default",
        "home",
        "constituents",
    ];
    QueryResult {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows: vec![vec![
            s(DEFAULT_DATABASE),
            s("standard"),
            Value::List(vec![]),
            s("read-write"),
            s("localhost:7687"),
            s("primary"),
            Value::Bool(true),
            s("online"),
            s("online"),
            s(""),
            Value::Bool(true),
            Value::Bool(true),
            Value::List(vec![]),
        ]],
        ..QueryResult::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_and_databases() {
        let db = Database::open_in_memory().unwrap();
        register(&db);
        let r = db
            .run(
                "CALL dbms.components() YIELD name, versions, edition \
                 UNWIND versions AS version RETURN name, version, edition",
                &Default::default(),
            )
            .unwrap();
        assert_eq!(r.rows[0][1], Value::String(NEO4J_VERSION.into()));
        assert!(intercept("show databases;").is_some());
        assert!(intercept("SHOW DATABASE neo4j YIELD name").is_some());
        assert!(intercept("MATCH (n) RETURN n").is_none());
    }

    #[test]
    fn apoc_meta_data_and_schema_nodes_as_langchain_reads_them() {
        let db = Database::open_in_memory().unwrap();
        register(&db);
        let p = Default::default();
        db.run(
            "CREATE (k:Person {name: 'Keanu', born: 1964})-[:ACTED_IN {role: 'Neo'}]->\
             (m:Movie {title: 'The Matrix', released: date('1999-03-31'), tags: ['a']}), \
             (k)-[:KNOWS]->(:Person {name: 'Carrie'})",
            &p,
        )
        .unwrap();
        db.run(
            "CREATE CONSTRAINT movie_title FOR (m:Movie) REQUIRE m.title IS UNIQUE",
            &p,
        )
        .unwrap();
        let rows = |q: &str| -> Vec<String> {
            db.run(q, &p)
                .unwrap()
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| match v {
                            Value::String(s) => s.clone(),
                            other => format!("{other:?}"),
                        })
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        // langchain-neo4j's node properties, relationship properties and relationships.
        assert_eq!(
            rows(
                "CALL apoc.meta.data({sample: 1000}) YIELD label, type, property, elementType \
                  WHERE NOT type = 'RELATIONSHIP' AND elementType = 'node' \
                  RETURN label, property, type ORDER BY label, property"
            ),
            [
                "Movie released DATE",
                "Movie tags LIST",
                "Movie title STRING",
                "Person born INTEGER",
                "Person name STRING",
            ]
        );
        assert_eq!(
            rows(
                "CALL apoc.meta.data() YIELD label, type, property, elementType \
                  WHERE elementType = 'relationship' RETURN label, property, type"
            ),
            ["ACTED_IN role STRING"]
        );
        assert_eq!(
            rows(
                "CALL apoc.meta.data() YIELD label, other, type, property \
                  WHERE type = 'RELATIONSHIP' UNWIND other AS o \
                  RETURN label, property, o ORDER BY property"
            ),
            ["Person ACTED_IN Movie", "Person KNOWS Person"]
        );
        assert_eq!(
            rows(
                "CALL apoc.meta.data({sample: -1}) YIELD label, property, unique, index \
                  WHERE label = 'Movie' AND property = 'title' RETURN unique, index"
            ),
            ["Bool(true) Bool(true)"]
        );
        assert_eq!(
            rows(
                "CALL apoc.schema.nodes() YIELD name, label, properties, type, size \
                  UNWIND properties AS p RETURN name, label, p, type, size ORDER BY type"
            ),
            [
                "movie_title Movie title HASH Int(1)",
                "movie_title Movie title UNIQUENESS Int(1)"
            ]
        );
    }
}
