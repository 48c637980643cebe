//! What Neo4j drivers, tools and frameworks ask a server beyond plain Cypher, answered the way
//! a single-database Neo4j server would: `CALL dbms.components()` (a procedure, so `YIELD`
//! and `UNWIND` around it work) and the administration command `SHOW DATABASES` (and
//! `SHOW DATABASE name`, `SHOW DEFAULT DATABASE`, `SHOW HOME DATABASE`), which our grammar
//! does not have.
//!
//! The database answers to the names in [`database_names`]: `neo4j` (what drivers and tools
//! assume), `kgstore`, and the directory's name.

use std::sync::Arc;

use crate::db::{Database, QueryResult};
use crate::error::Result;
use crate::procedures::{Procedure, ProcedureContext, ProcedureSignature};
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
}
