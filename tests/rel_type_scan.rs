//! The relationship type scan (`DirectedRelationshipTypeScan`, `plan/pattern/rel_scan.rs`,
//! `exec/rel_type_scan.rs`, `store/rel_scan.rs`) gives the rows the node scan and expansion
//! give: each pattern below is run as written (typed, so the planner scans the type) and
//! disguised (untyped, the types tested in WHERE, which the planner cannot scan), on sled,
//! inside an explicit transaction over its own creates and deletes, through the sealed read
//! image, and through the image and its delta after a write; plus which plans choose it.

#[path = "support/on_disk.rs"]
mod on_disk;

use kgstore::db::{Database, OpenOptions, Params, Session};
use kgstore::Value;

fn params() -> Params {
    let mut p = Params::new();
    p.insert("y".into(), Value::Int(3));
    p
}

fn rows(s: &mut Session<'_>, q: &str) -> Vec<String> {
    let r = s.run(q, &params()).unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut out: Vec<String> = r.rows.iter().map(|row| format!("{row:?}")).collect();
    out.sort();
    out
}

/// 600 `:N` nodes (every third also `:M`), `:R` relationships between them with an integer
/// `k` (unique) and `y` (missing on some, a string on some), self-loops of `:R`, fewer `:S`,
/// and a handful of `:Q`: `:R` is most of the relationships, `:Q` too few to scan.
fn graph(s: &mut Session<'_>) {
    for q in [
        "UNWIND range(0, 599) AS i CREATE (:N {i: i})",
        "MATCH (n:N) WHERE n.i % 3 = 0 SET n:M",
        "MATCH (a:N), (b:N) WHERE (a.i * 7 + b.i * 13) % 61 = 0 \
         CREATE (a)-[:R {k: a.i * 1000 + b.i, \
           y: CASE WHEN (a.i + b.i) % 11 = 0 THEN null \
                   WHEN (a.i + b.i) % 13 = 0 THEN 'x' ELSE (a.i * 31 + b.i) % 7 END}]->(b)",
        "MATCH (a:N) WHERE a.i % 50 = 7 CREATE (a)-[:R {k: -a.i, y: 3}]->(a)",
        "MATCH (a:N), (b:N) WHERE (a.i * 5 + b.i * 3) % 211 = 0 \
         CREATE (a)-[:S {k: 1000000 + a.i * 1000 + b.i, y: a.i % 4}]->(b)",
        "MATCH (a:N), (b:N) WHERE a.i < 3 AND b.i = a.i + 1 CREATE (a)-[:Q {k: -1000 - a.i}]->(b)",
    ] {
        s.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

/// Patterns with `{T}` where the relationship's types go and `{W}` where the disguise adds
/// its type test.
const SHAPES: &[&str] = &[
    "MATCH (a)-[r{T}]->(b) WHERE {W} RETURN a.i, r.k, b.i",
    "MATCH (a)<-[r{T}]-(b) WHERE {W} RETURN a.i, r.k, b.i",
    "MATCH (a)-[r{T}]-(b) WHERE {W} RETURN a.i, r.k, b.i",
    "MATCH (a)-[r{T}]->(a) WHERE {W} RETURN a.i, r.k",
    "MATCH (a)-[r{T}]-(a) WHERE {W} RETURN a.i, r.k",
    "MATCH (a:N)-[r{T}]->(b:M) WHERE {W} RETURN a.i, r.k, b.i",
    "MATCH (a:M)-[r{T}]-(b) WHERE {W} RETURN a.i, r.k, b.i",
    "MATCH (a)-[r{T} {y: 3}]->(b) WHERE {W} RETURN r.k, b.i",
    "MATCH (x:N {i: 3}) MATCH (a)-[r{T} {y: x.i}]->(b) WHERE {W} RETURN r.k",
    "MATCH (a)-[r{T}]->(b) WHERE r.y = 3 AND {W} RETURN r.k, b.i",
    "MATCH (a)-[r{T}]->(b) WHERE r.y >= $y AND a.i % 2 = 0 AND {W} RETURN r.k",
    "MATCH (a)-[r{T}]->(b) WHERE r.y = 'x' AND {W} RETURN r.k",
    "MATCH (a)-[r{T}]->(b) WHERE r.nothing = 1 AND {W} RETURN r.k",
    "MATCH (a)-[r{T}]->(b) WHERE r.y < 2 AND {W} RETURN r.k",
    "MATCH (a)-[r{T}]->(b) WHERE b.i < 40 AND a.i > 500 AND {W} RETURN r.k",
    "MATCH (a)-[r{T}]->(b) WHERE {W} RETURN r.k ORDER BY r.k DESC LIMIT 7",
    "MATCH (x:N) WHERE x.i < 4 OPTIONAL MATCH (a)-[r{T}]->(b) \
     WHERE r.k = x.i * 1000 + 1 AND {W} RETURN x.i, r.k, b.i",
    "MATCH (a)-[r{T}]->(b), (c)-[s:R]->(d) WHERE r.k < 40 AND s.k < 40 AND {W} RETURN r.k, s.k",
    "MATCH (a)-[r{T}]->(b) WHERE r.y = 5 AND {W} WITH r, b MATCH (b)-[s:R]->(c) RETURN r.k, s.k",
    "MATCH (a)-[r{T}]->(b) WHERE {W} RETURN count(*), sum(r.k), count(DISTINCT a)",
    "MATCH (a)-[r{T}]->(b) WHERE r.y = 3 AND {W} WITH a.i % 5 AS g, r RETURN g, count(r)",
];

fn forms(shape: &str, types: &[&str]) -> (String, String) {
    let typed = shape
        .replace("{T}", &format!(":{}", types.join("|")))
        .replace("WHERE {W} ", "")
        .replace(" AND {W}", "");
    let names: Vec<String> = types.iter().map(|t| format!("'{t}'")).collect();
    let test = format!("type(r) IN [{}]", names.join(", "));
    let disguised = shape.replace("{T}", "").replace("{W}", &test);
    (typed, disguised)
}

/// Every shape's typed form, for each set of types, equals its disguised form.
fn assert_scans_agree(s: &mut Session<'_>, what: &str) {
    let mut scanned = 0;
    for types in [&["R"][..], &["R", "S"], &["S", "Q", "NOPE"], &["NOPE"]] {
        for shape in SHAPES {
            let (typed, disguised) = forms(shape, types);
            let plan = s
                .run(&format!("EXPLAIN {typed}"), &params())
                .unwrap_or_else(|e| panic!("{typed}: {e}"))
                .plan
                .unwrap_or_default();
            scanned += usize::from(plan.contains("RelationshipTypeScan"));
            assert_eq!(rows(s, &typed), rows(s, &disguised), "{what}: {typed}");
        }
    }
    // Most of them do scan the type (the statistics choose it for `:R`).
    assert!(scanned >= 20, "{what}: only {scanned} plans scanned a type");
}

fn explain(db: &Database, q: &str) -> String {
    db.explain(q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

#[test]
fn type_scans_answer_what_expansions_answer() {
    let db = Database::open_in_memory().unwrap();
    let mut s = db.session();
    graph(&mut s);
    assert_scans_agree(&mut s, "in memory");
}

#[test]
fn the_planner_scans_a_large_type_and_expands_a_small_one() {
    let db = Database::open_in_memory().unwrap();
    graph(&mut db.session());
    let p = explain(&db, "MATCH (a)-[r:R]->(b) RETURN r.k");
    assert!(
        p.contains("DirectedRelationshipTypeScan((a)-[r:R]->(b))"),
        "{p}"
    );
    assert!(!p.contains("AllNodesScan"), "{p}");
    let p = explain(&db, "MATCH (a)-[r:R]-(b) RETURN r.k");
    assert!(
        p.contains("UndirectedRelationshipTypeScan((a)-[r:R]-(b))"),
        "{p}"
    );
    let p = explain(&db, "MATCH (a)<-[r:R|S]-(b) RETURN r.k");
    assert!(
        p.contains("DirectedUnionRelationshipTypesScan((a)<-[r:R|S]-(b))"),
        "{p}"
    );
    // A few relationships: expanding from every node is cheaper than reading all records.
    let p = explain(&db, "MATCH (a)-[:Q]->(b) RETURN b.i");
    assert!(!p.contains("TypeScan") && p.contains("AllNodesScan"), "{p}");
    // A bound or sought end, a variable length, an aggregation: as before.
    for q in [
        "MATCH (a:N {i: 3})-[r:R]->(b) RETURN r.k",
        "MATCH (a) WHERE id(a) = 3 MATCH (a)-[r:R]->(b) RETURN r.k",
        "MATCH (a)-[r:R*1..2]->(b) RETURN count(*)",
        "MATCH (a)-[r:R]->(b) RETURN a.i, sum(r.k)",
        "MATCH (a)-[r:R]->(b)-[s:R]->(c) RETURN r.k, s.k",
    ] {
        let p = explain(&db, q);
        assert!(!p.contains("TypeScan"), "{q}\n{p}");
    }
}

#[test]
fn a_transaction_scans_its_own_creates_and_not_its_deletes() {
    let db = Database::open_in_memory().unwrap();
    graph(&mut db.session());
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).unwrap();
    for q in [
        "MATCH (a:N), (b:N) WHERE a.i % 97 = 1 AND b.i = (a.i * 5) % 600 \
         CREATE (a)-[:R {k: 5000000 + a.i, y: 3}]->(b)",
        "MATCH (a:N) WHERE a.i % 89 = 2 CREATE (a)-[:R {k: 6000000 + a.i, y: 2}]->(a)",
        "MATCH ()-[r:R]->() WHERE r.y = 4 DELETE r",
        "MATCH ()-[r:S]->() WHERE r.y = 1 DELETE r",
        "MATCH ()-[r:R]->() WHERE r.k % 7 = 0 SET r.y = 3",
    ] {
        s.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    assert_scans_agree(&mut s, "explicit transaction");
    let made = rows(
        &mut s,
        "MATCH ()-[r:R]->() WHERE r.k >= 5000000 RETURN count(*)",
    );
    assert_ne!(made, vec!["[Int(0)]".to_string()]);
    let gone = rows(&mut s, "MATCH ()-[r:R]->() WHERE r.y = 4 RETURN r.k");
    assert!(gone.is_empty(), "{gone:?}");
    s.run("ROLLBACK", &Params::new()).unwrap();
    let mut s = db.session();
    let made = rows(
        &mut s,
        "MATCH ()-[r:R]->() WHERE r.k >= 5000000 RETURN count(*)",
    );
    assert_eq!(made, vec!["[Int(0)]".to_string()]);
    assert_scans_agree(&mut s, "after the rollback");
    // One statement that deletes what its own scan found, then reads again.
    let deleted = rows(
        &mut s,
        "MATCH ()-[r:R]->() WHERE r.y = 2 DELETE r RETURN count(*) AS n",
    );
    assert_ne!(deleted, vec!["[Int(0)]".to_string()]);
    assert!(rows(&mut s, "MATCH ()-[r:R]->() WHERE r.y = 2 RETURN r").is_empty());
    assert_scans_agree(&mut s, "after a delete");
}

#[test]
fn scans_read_the_image_and_its_delta() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    {
        let db = Database::open(&path, &opts).expect("open");
        graph(&mut db.session());
        assert_scans_agree(&mut db.session(), "sled");
    }
    kgstore::store::Store::compact(&path).expect("compact");
    {
        let db = Database::open(&path, &opts).expect("open");
        assert_scans_agree(&mut db.session(), "sealed image");
        for q in [
            "MATCH ()-[r:R]->() WHERE r.y = 1 DELETE r",
            "MATCH (a:N), (b:N) WHERE a.i % 101 = 3 AND b.i = 599 - a.i \
             CREATE (a)-[:R {k: 7000000 + a.i, y: 3}]->(b)",
            "MATCH ()-[r:R]->() WHERE r.k % 5 = 0 SET r.y = 'x'",
        ] {
            db.run(q, &Params::new())
                .unwrap_or_else(|e| panic!("{q}: {e}"));
        }
        assert_scans_agree(&mut db.session(), "image after a write in this process");
    }
    assert!(path.join("kg.delta").is_file(), "the write left no delta");
    let db = Database::open(&path, &opts).expect("open");
    assert_scans_agree(&mut db.session(), "image and delta");
    assert!(db.store().check().expect("check").is_clean());
}

/// Every relationship's `k`, sorted: what is left after a write.
fn all_ks(db: &Database) -> Vec<String> {
    rows(&mut db.session(), "MATCH ()-[r]->() RETURN r.k")
}

/// A statement that deletes what its own type scan finds (A5's shape) deletes exactly what
/// the expansion finds, each once: its rows, and the relationships left, equal those of the
/// same statement with the type tested in WHERE, on two databases built alike (on disk, so
/// the scan reads sled's blocks under the statement's overlay). The writes wait for the
/// whole input (the executor's writes are eager), so the scan never meets its own deletes;
/// a later MATCH of the same statement does, and is compared too.
#[test]
fn a_statement_deletes_each_relationship_its_scan_finds_once() {
    for shape in [
        "MATCH ()-[r{T}]->() WHERE r.y = 2 AND {W} DELETE r RETURN count(*) AS n",
        "MATCH (a)-[r{T}]->(b) WHERE r.y >= 4 AND r.k % 3 = 0 AND {W} \
         WITH a, r, b, r.k AS k DELETE r RETURN a.i, k, b.i",
        // Undirected: each relationship found twice (a self-loop once) and deleted once.
        "MATCH (a)-[r{T}]-(b) WHERE r.y = 3 AND {W} DELETE r RETURN a.i, b.i",
        "MATCH (a)-[r{T}]-(a) WHERE {W} DELETE r RETURN a.i",
        "MATCH ()-[r{T}]->() WHERE r.y = 1 AND {W} DELETE r \
         WITH count(*) AS n MATCH (a)-[s{T}]->(b) WHERE (s.y = 1 OR s.k % 17 = 0) AND {V} \
         RETURN n, a.i, s.k, b.i",
        "MATCH ()-[r{T}]->() WHERE r.y = 0 AND {W} SET r.y = 6 \
         WITH count(*) AS n MATCH ()-[s{T}]->() WHERE s.y = 6 AND {V} RETURN n, s.k",
    ] {
        for types in [&["R"][..], &["R", "S"]] {
            let (typed, disguised) = forms(shape, types);
            // A later MATCH of `s` (`{V}`): typed, or disguised like `r`.
            let typed = typed.replace(" AND {V}", "");
            let names: Vec<String> = types.iter().map(|t| format!("'{t}'")).collect();
            let disguised = disguised.replace("{V}", &format!("type(s) IN [{}]", names.join(", ")));
            let (_d1, scanned) = on_disk::on_disk();
            let (_d2, expanded) = on_disk::on_disk();
            graph(&mut scanned.session());
            graph(&mut expanded.session());
            let plan = explain(&scanned, &typed);
            // `RelationshipTypeScan`, or `UnionRelationshipTypesScan` for two types.
            assert!(plan.contains("RelationshipType"), "{typed}\n{plan}");
            let got = rows(&mut scanned.session(), &typed);
            assert!(
                !got.is_empty() && got != vec!["[Int(0)]".to_string()],
                "{typed}"
            );
            assert_eq!(got, rows(&mut expanded.session(), &disguised), "{typed}");
            assert_eq!(all_ks(&scanned), all_ks(&expanded), "{typed}");
            assert!(
                scanned.store().check().expect("check").is_clean(),
                "{typed}"
            );
        }
    }
}

/// The counts Neo4j gives: an undirected pattern finds a relationship from both ends, a
/// self-loop once; a directed one finds each once; a self-loop pattern only the loops.
#[test]
fn an_undirected_scan_finds_each_relationship_twice_and_a_self_loop_once() {
    let db = Database::open_in_memory().unwrap();
    let mut s = db.session();
    graph(&mut s);
    let count = |s: &mut Session<'_>, q: &str| -> i64 {
        let plan = s.run(&format!("EXPLAIN {q}"), &params()).unwrap().plan;
        assert!(plan.unwrap_or_default().contains("TypeScan"), "{q}");
        rows(s, q).len() as i64
    };
    let one = |s: &mut Session<'_>, q: &str| -> i64 {
        match s
            .run(q, &params())
            .unwrap()
            .rows
            .first()
            .map(|r| r[0].clone())
        {
            Some(Value::Int(n)) => n,
            other => panic!("{q}: {other:?}"),
        }
    };
    // Self-loops: `a.i % 50 = 7` (k = -a.i) and `a.i % 61 = 0` (k = 1001 · a.i).
    let loops = one(
        &mut s,
        "MATCH (a)-[r:R]->(b) WHERE id(a) = id(b) RETURN count(*)",
    );
    assert_eq!(loops, 12 + 10);
    let all = one(&mut s, "MATCH ()-[r:R]->() RETURN count(*)");
    assert_eq!(
        count(&mut s, "MATCH (a)-[r:R]->(b) RETURN a.i, r.k, b.i"),
        all
    );
    assert_eq!(
        count(&mut s, "MATCH (a)-[r:R]-(b) RETURN a.i, r.k, b.i"),
        2 * (all - loops) + loops
    );
    assert_eq!(count(&mut s, "MATCH (a)-[r:R]-(a) RETURN a.i, r.k"), loops);
    assert_eq!(count(&mut s, "MATCH (a)-[r:R]->(a) RETURN a.i, r.k"), loops);
    // One loop: one row undirected, with both ends the node.
    let loop_rows = rows(&mut s, "MATCH (a)-[r:R {k: -7}]-(b) RETURN a.i, b.i");
    assert_eq!(loop_rows, vec!["[Int(7), Int(7)]".to_string()]);
}
