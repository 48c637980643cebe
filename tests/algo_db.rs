//! The procedures end to end through `Database`: CALL … YIELD with WHERE, listing in
//! kg.procedures(), results resolved to nodes and paths, and projections invalidated by writes.

use kgstore::db::Database;
use kgstore::{Params, Value};

fn run(db: &Database, q: &str) -> Vec<Vec<Value>> {
    match db.run(q, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("{q}: {e}"),
    }
}

fn setup() -> Database {
    let db = Database::open_in_memory().unwrap();
    run(
        &db,
        "CREATE (p:Person {name: 'P'}), (a:Organization {name: 'A'}), (b:Organization {name: 'B'}), \
         (c:Organization {name: 'C'}), (p)-[:OWNS {stake: 0.6}]->(a), (a)-[:OWNS {stake: 0.7}]->(b), \
         (b)-[:OWNS {stake: 0.3}]->(a), (p)-[:CONTROLS]->(c), (a)-[:SUPPLIES]->(c), (c)-[:SUPPLIES]->(b)",
    );
    db
}

fn name(v: &Value) -> String {
    match v {
        Value::Node(n) => match n.properties.get("name") {
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        },
        other => panic!("not a node: {other:?}"),
    }
}

#[test]
fn procedures_are_listed() {
    let db = Database::open_in_memory().unwrap();
    let rows = run(&db, "CALL kg.procedures() YIELD name RETURN name");
    let names: Vec<String> = rows.iter().map(|r| format!("{:?}", r[0])).collect();
    for p in [
        "algo.pageRank",
        "algo.degree",
        "algo.betweenness",
        "algo.wcc",
        "algo.scc",
        "algo.shortestPath",
        "kg.ownership.effective",
        "kg.ownership.controllers",
        "kg.supply.dependents",
    ] {
        assert!(
            names.iter().any(|n| n.contains(p)),
            "{p} missing from {names:?}"
        );
    }
}

#[test]
fn ownership_through_cypher() {
    let db = setup();
    let rows = run(
        &db,
        "CALL kg.ownership.effective('P') YIELD company, stake, paths \
         RETURN company.name AS c, stake, size(paths) AS n ORDER BY c",
    );
    // a = 0.6 + 0.3 b, b = 0.7 a  ⇒  a = 0.6 / 0.79.
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], Value::from("A"));
    let Value::Float(a) = rows[0][1] else {
        panic!("{rows:?}")
    };
    assert!((a - 0.6 / 0.79).abs() < 1e-12);
    assert_eq!(rows[0][2], Value::Int(1));
    let rows = run(&db, "CALL kg.ownership.controllers('B') YIELD controller, path RETURN controller, length(path) AS hops");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(name(&rows[0][0]), "P");
    assert_eq!(rows[0][1], Value::Int(2));
    let rows = run(&db, "CALL kg.supply.dependents('A') YIELD dependent, depth WHERE depth > 1 RETURN dependent.name, depth");
    assert_eq!(rows, vec![vec![Value::from("B"), Value::Int(2)]]);
}

#[test]
fn algorithms_through_cypher_and_invalidation() {
    let db = setup();
    let degree = |db: &Database| {
        run(db, "CALL algo.degree({relationshipTypes: ['SUPPLIES']}) YIELD node, inDegree, outDegree, degree \
                 WITH node, degree WHERE node.name = 'C' RETURN degree")
    };
    assert_eq!(degree(&db), vec![vec![Value::Int(2)]]);
    run(
        &db,
        "MATCH (c {name: 'C'}), (p {name: 'P'}) CREATE (c)-[:SUPPLIES]->(p)",
    );
    assert_eq!(
        degree(&db),
        vec![vec![Value::Int(3)]],
        "a write must invalidate the cached projection"
    );
    let rows = run(
        &db,
        "CALL algo.pageRank() YIELD node, score RETURN sum(score) AS total",
    );
    let Value::Float(total) = rows[0][0] else {
        panic!()
    };
    assert!((total - 1.0).abs() < 1e-9);
    let rows = run(
        &db,
        "CALL algo.wcc() YIELD componentId RETURN count(DISTINCT componentId)",
    );
    assert_eq!(rows, vec![vec![Value::Int(1)]]);
    let rows = run(&db, "CALL algo.scc({labels: ['Organization']}) YIELD node, componentId RETURN node.name, componentId ORDER BY node.name");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][1], rows[1][1], "A and B hold each other");
    let rows = run(&db, "CALL algo.betweenness() YIELD node, score WHERE score > 0 RETURN node.name ORDER BY node.name");
    assert!(!rows.is_empty());
    let rows = run(
        &db,
        "MATCH (p {name: 'P'}), (b {name: 'B'}) CALL algo.shortestPath(p, b, {weight: 'stake', relationshipTypes: ['OWNS']}) YIELD path, cost \
         RETURN [n IN nodes(path) | n.name] AS names, cost",
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][0],
        Value::List(vec![Value::from("P"), Value::from("A"), Value::from("B")])
    );
    assert!(db
        .run(
            "CALL algo.pageRank({dampingFactor: 'x'}) YIELD score RETURN score",
            &Params::new()
        )
        .is_err());
}

/// Inside an explicit transaction, a procedure must see the transaction's own writes even when
/// they keep the node and relationship counts (a relationship moved to other ends), so the
/// projection cached for the committed generation cannot answer it.
#[test]
fn uncommitted_writes_are_not_served_a_cached_projection() {
    let db = setup();
    let degree_of_c = "CALL algo.degree({relationshipTypes: ['SUPPLIES']}) YIELD node, degree \
                       WITH node, degree WHERE node.name = 'C' RETURN degree";
    let mut s = db.session();
    let mut run_s = |q: &str| match s.run(q, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("{q}: {e}"),
    };
    run_s("BEGIN");
    assert_eq!(run_s(degree_of_c), vec![vec![Value::Int(2)]]);
    // Same counts afterwards: one SUPPLIES relationship of C replaced by one elsewhere.
    run_s(
        "MATCH (:Organization {name: 'A'})-[r:SUPPLIES]->(:Organization {name: 'C'}) DELETE r \
         WITH count(*) AS gone MATCH (p {name: 'P'}), (b {name: 'B'}) CREATE (p)-[:SUPPLIES]->(b)",
    );
    assert_eq!(
        run_s(degree_of_c),
        vec![vec![Value::Int(1)]],
        "the transaction's own writes must be visible to the algorithm"
    );
    run_s("ROLLBACK");
    assert_eq!(run(&db, degree_of_c), vec![vec![Value::Int(2)]]);
}
