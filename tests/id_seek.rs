//! Seeks by id (`exec/rel_seek.rs`): a pattern whose node or relationship is named by
//! `id(x) = …`, `id(x) IN …` or `elementId(x) = …` is found by that id (EXPLAIN shows
//! `NodeByIdSeek`, `DirectedRelationshipByIdSeek` or `UndirectedRelationshipByIdSeek`) and
//! answers exactly what the same predicate written so that no seek can use it answers
//! (`id(r) + 0 = …`, which the planner leaves to a filter over a scan): every direction, a
//! self-loop, types, property maps, labels, uniqueness within a MATCH, OPTIONAL MATCH, lists
//! with repeats and nulls, ids that are floats, strings, negative or missing, and a
//! transaction's own deletes and creates.

use kgstore::db::{Database, Params, Session};
use kgstore::Value;

fn graph(db: &Database) {
    db.run(
        "CREATE (a:P {name: 'a'}), (b:P {name: 'b'}), (c:Q {name: 'c'}), \
         (a)-[:KNOWS {w: 1}]->(b), (b)-[:KNOWS {w: 2}]->(c), (c)-[:LIKES {w: 1}]->(a), \
         (a)-[:LOOP {w: 3}]->(a), (b)-[:LIKES {w: 2}]->(b), (c)-[:KNOWS {w: 2}]->(a)",
        &Params::new(),
    )
    .expect("graph");
}

/// Each template with `ID(r)` standing for the id predicate's left side.
const TEMPLATES: &[&str] = &[
    "MATCH (x)-[r]->(y) WHERE ID(r) = $k RETURN x.name, type(r), r.w, y.name",
    "MATCH (x)<-[r]-(y) WHERE ID(r) = $k RETURN x.name, type(r), y.name",
    "MATCH (x)-[r]-(y) WHERE ID(r) = $k RETURN x.name, type(r), y.name",
    "MATCH (x)-[r]->(x) WHERE ID(r) = $k RETURN x.name, type(r)",
    "MATCH (x)-[r]-(x) WHERE ID(r) = $k RETURN x.name, type(r)",
    "MATCH (x:P)-[r:KNOWS]->(y:Q) WHERE ID(r) = $k RETURN x.name, y.name",
    "MATCH (x)-[r:KNOWS|LIKES {w: 2}]->(y {name: 'c'}) WHERE ID(r) = $k RETURN x.name",
    "MATCH (x)-[r]->(y)-[s]->(z) WHERE ID(r) = $k RETURN x.name, y.name, type(s), z.name",
    "MATCH (z)-[s]-(x)-[r]->(y) WHERE ID(r) = $k RETURN z.name, type(s), x.name, y.name",
    "MATCH (x)-[q]->(y), (u)-[r]->(v) WHERE ID(r) = $k AND id(q) = $k RETURN count(*)",
    "MATCH (x)-[q:KNOWS]->(y), (u)-[r]-(v) WHERE ID(r) = $k RETURN x.name, u.name, v.name",
    "MATCH (n:P) OPTIONAL MATCH (n)-[r]->(y) WHERE ID(r) = $k RETURN n.name, y.name",
    "OPTIONAL MATCH (x)-[r]->(y) WHERE ID(r) = $k RETURN x.name, y.name",
    "MATCH (x)-[r]->(y) WHERE ID(r) IN $ks RETURN x.name, type(r), y.name",
    "MATCH (x)-[r]-(y) WHERE ID(r) IN $ks RETURN x.name, type(r), y.name",
    "UNWIND $ks AS k MATCH (x)-[r]->(y) WHERE ID(r) = k RETURN k, x.name, y.name",
    "MATCH p = (x)-[r]->(y) WHERE ID(r) = $k RETURN length(p), x.name",
    "MATCH (x)-[r]->(y) WHERE ID(r) = $k AND r.w > 1 RETURN x.name",
    "MATCH (n) WHERE ID(n) = $k RETURN n.name",
    "MATCH (n) WHERE ID(n) IN $ks RETURN n.name",
];

fn sorted(mut rows: Vec<Vec<Value>>) -> Vec<String> {
    let mut out: Vec<String> = rows.drain(..).map(|r| format!("{r:?}")).collect();
    out.sort();
    out
}

fn answer(s: &mut Session<'_>, q: &str, params: &Params) -> Result<Vec<String>, String> {
    s.run(q, params)
        .map(|r| sorted(r.rows))
        .map_err(|e| e.to_string())
}

/// Runs every template with `id`/`elementId` as the seek and disguised, over each key.
fn compare(db: &Database, s: &mut Session<'_>, keys: &[Value], lists: &[Value]) -> usize {
    let mut seeks = 0;
    for (f, disguise) in [("id", "+ 0"), ("elementId", "+ ''")] {
        for t in TEMPLATES {
            let seek = t.replace("ID(", &format!("{f}("));
            let plain = t.replace("ID(r)", &format!("({f}(r) {disguise})"));
            let plain = plain.replace("ID(n)", &format!("({f}(n) {disguise})"));
            if db.explain(&seek).expect("explain").contains("ByIdSeek") {
                seeks += 1;
            }
            for k in keys {
                for ks in lists {
                    let mut p = Params::new();
                    p.insert("k".into(), k.clone());
                    p.insert("ks".into(), ks.clone());
                    let a = answer(s, &seek, &p);
                    let b = answer(s, &plain, &p);
                    assert_eq!(
                        a.is_err(),
                        b.is_err(),
                        "{seek} with k = {k:?}, ks = {ks:?}: {a:?} against {b:?}"
                    );
                    if let (Ok(a), Ok(b)) = (a, b) {
                        assert_eq!(a, b, "{seek} with k = {k:?}, ks = {ks:?}");
                    }
                }
            }
        }
    }
    seeks
}

/// The keys to try for the ids in the graph: each as an integer, a float and its element id,
/// and ids that name nothing.
fn keys(ids: &[i64]) -> (Vec<Value>, Vec<Value>) {
    let mut keys = vec![
        Value::Int(-1),
        Value::Int(1 << 40),
        Value::Null,
        Value::Float(0.5),
    ];
    for &id in ids {
        keys.push(Value::Int(id));
        keys.push(Value::Float(id as f64));
        keys.push(Value::String(id.to_string()));
        keys.push(Value::String(format!("0{id}")));
    }
    let some: Vec<Value> = ids.iter().take(3).map(|&i| Value::Int(i)).collect();
    let mut repeated = some.clone();
    repeated.extend(some.iter().cloned());
    repeated.push(Value::Null);
    repeated.extend(ids.iter().take(2).map(|i| Value::String(i.to_string())));
    let lists = vec![
        Value::List(repeated),
        Value::List(Vec::new()),
        Value::Null,
        Value::Int(3),
    ];
    (keys, lists)
}

fn ids(s: &mut Session<'_>) -> Vec<i64> {
    let q = "MATCH ()-[r]->() RETURN id(r) AS i UNION MATCH (n) RETURN id(n) AS i";
    s.run(q, &Params::new())
        .expect("ids")
        .rows
        .into_iter()
        .filter_map(|r| match r.first() {
            Some(Value::Int(i)) => Some(*i),
            _ => None,
        })
        .collect()
}

#[test]
fn a_seek_by_id_answers_what_the_predicate_over_a_scan_answers() {
    let db = Database::open_in_memory().expect("db");
    graph(&db);
    let mut s = db.session();
    let (keys, lists) = keys(&ids(&mut s));
    let seeks = compare(&db, &mut s, &keys, &lists);
    // Every template but the two-part one whose first part is seeked by `id(q)` (so, both
    // functions, 2 × 20 plans) shows a seek: the comparisons above are not vacuous.
    assert!(seeks >= 38, "only {seeks} plans used a seek");
}

#[test]
fn a_seek_inside_a_transaction_sees_its_deletes_and_creates() {
    let db = Database::open_in_memory().expect("db");
    graph(&db);
    let mut s = db.session();
    let before = ids(&mut s);
    s.begin().expect("begin");
    s.run("MATCH ()-[r:LOOP]->() DELETE r", &Params::new())
        .expect("delete");
    s.run("MATCH (b {name: 'b'}) DETACH DELETE b", &Params::new())
        .expect("detach");
    s.run(
        "CREATE (:Q {name: 'd'})-[:KNOWS {w: 9}]->(:P {name: 'e'})",
        &Params::new(),
    )
    .expect("create");
    let mut all = before;
    all.extend(ids(&mut s));
    all.sort_unstable();
    all.dedup();
    let (keys, lists) = keys(&all);
    compare(&db, &mut s, &keys, &lists);
    s.rollback().expect("rollback");
}

#[test]
fn the_seek_is_in_the_plan() {
    let db = Database::open_in_memory().expect("db");
    let plan = |q: &str| db.explain(q).expect("explain");
    assert!(plan("MATCH (a)-[r]->(b) WHERE id(r) = 1 RETURN a")
        .contains("DirectedRelationshipByIdSeek(r)"));
    assert!(plan("MATCH (a)-[r]-(b) WHERE elementId(r) = $e RETURN a")
        .contains("UndirectedRelationshipByIdSeek(r)"));
    assert!(plan("MATCH (n) WHERE elementId(n) = $e RETURN n").contains("NodeByIdSeek(n)"));
    // A bound end: the expansion from it reads only its relationships.
    assert!(
        !plan("MATCH (a) WITH a LIMIT 1 MATCH (a)-[r]->(b) WHERE id(r) = 1 RETURN b")
            .contains("RelationshipByIdSeek")
    );
    // A variable-length step has no single relationship to seek.
    assert!(!plan("MATCH (a)-[r*1..2]->(b) WHERE id(r[0]) = 1 RETURN b")
        .contains("RelationshipByIdSeek"));
}
