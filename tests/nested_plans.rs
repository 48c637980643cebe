//! Expression subqueries planned with the statement (issue 16): PROFILE counts the rows of a
//! nested plan's operators, a nested plan's counters and index choice follow the catalog, and
//! the answers are those of the same question asked without a subquery.

use kgstore::db::{Database, Params, RunOptions};
use kgstore::Value;

fn run(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

fn sorted(mut v: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    v.sort_by_key(|r| format!("{r:?}"));
    v
}

/// 60 `:P` nodes `i`, each with an edge to `i + 1` when `i` is even and to `i + 2` when `i`
/// is a multiple of three.
fn graph(db: &Database) {
    run(db, "UNWIND range(0, 59) AS i CREATE (:P {i: i})");
    run(
        db,
        "MATCH (a:P), (b:P) WHERE (a.i % 2 = 0 AND b.i = a.i + 1) OR (a.i % 3 = 0 AND b.i = a.i + 2) \
         CREATE (a)-[:R]->(b)",
    );
}

/// The PROFILE line of the first operator named `name` below the line starting `header`.
fn profiled_rows(plan: &str, header: &str, name: &str) -> u64 {
    let below = plan
        .split_once(header)
        .unwrap_or_else(|| panic!("no {header} in\n{plan}"))
        .1;
    let line = below
        .lines()
        .find(|l| l.trim_start().starts_with(name))
        .unwrap_or_else(|| panic!("no {name} below {header} in\n{plan}"));
    let rows = line
        .split("[rows: ")
        .nth(1)
        .and_then(|r| r.split(',').next())
        .unwrap_or_else(|| panic!("no row count on {line}"));
    rows.parse().unwrap()
}

#[test]
fn profile_counts_the_rows_of_a_nested_plan() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    let q = "MATCH (n:P) WHERE EXISTS { MATCH (n)-[:R]->(m) WHERE m.i > 30 } RETURN n.i AS i";
    let opts = RunOptions {
        profile: true,
        ..RunOptions::default()
    };
    let r = db.session().run_with(q, &Params::new(), &opts).unwrap();
    let plan = r.plan.expect("a profiled plan");
    // The argument row is produced once per outer row; the filter inside passes one row for
    // each node the subquery is true for (EXISTS stops at its first row).
    assert_eq!(
        profiled_rows(&plan, "NestedPlanExists(n)", "Argument(n)"),
        60
    );
    assert_eq!(
        profiled_rows(&plan, "NestedPlanExists(n)", "Filter"),
        r.rows.len() as u64
    );
    // The same nodes as asked without a subquery.
    let plain = run(
        &db,
        "MATCH (n:P)-[:R]->(m) WHERE m.i > 30 RETURN DISTINCT n.i AS i",
    );
    assert_eq!(sorted(r.rows), sorted(plain));
}

#[test]
fn a_nested_plan_is_replanned_with_a_new_index() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    let q = "MATCH (n:P) WHERE n.i < 5 AND EXISTS { MATCH (m:P {i: n.i + 1}) } RETURN n.i AS i";
    let before = db.explain(q).unwrap();
    let nested = before.split_once("NestedPlanExists(n)").unwrap().1;
    assert!(nested.contains("NodeByLabelScan(m:P)"), "{before}");
    let answer = sorted(run(&db, q));
    run(&db, "CREATE INDEX FOR (p:P) ON (p.i)");
    let after = db.explain(q).unwrap();
    let nested = after.split_once("NestedPlanExists(n)").unwrap().1;
    assert!(nested.contains("NodeIndexSeek(m:P.i)"), "{after}");
    assert_eq!(sorted(run(&db, q)), answer);
    assert_eq!(answer.len(), 5);
}

#[test]
fn subqueries_inside_comprehensions_and_reduce_import_their_local_variables() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    let q = "MATCH (n:P) WHERE n.i < 7 \
             RETURN n.i AS i, \
                    [k IN range(1, 2) WHERE EXISTS { MATCH (n)-->(m:P) WHERE m.i = n.i + k }] AS ks, \
                    reduce(s = 0, k IN range(1, 2) | s + COUNT { MATCH (n)-->(m:P) WHERE m.i = n.i + k }) AS c";
    let got = sorted(run(&db, q));
    let mut want = Vec::new();
    for i in 0..7i64 {
        let ks: Vec<Value> = [(1, i % 2 == 0), (2, i % 3 == 0)]
            .iter()
            .filter(|(_, e)| *e)
            .map(|(k, _)| Value::Int(*k))
            .collect();
        let c = ks.len() as i64;
        want.push(vec![Value::Int(i), Value::List(ks), Value::Int(c)]);
    }
    assert_eq!(got, sorted(want));
    // Planned with the statement: EXPLAIN names the comprehension's variable as an import.
    let plan = db.explain(q).unwrap();
    assert!(plan.contains("NestedPlanExists(k, n)"), "{plan}");
    assert!(plan.contains("NestedPlanCount(k, n)"), "{plan}");
}
