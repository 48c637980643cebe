//! The planner and executor choices behind the analytics shapes A1 and A8 of issue 20: an
//! expansion towards a large label starts from the other end, `x.p IN list` is an index seek,
//! and grouping by several keys keeps Cypher equivalence; each answer is checked against the
//! same question asked in a form the choice does not apply to.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params};
use kgstore::Value;

fn rows(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

fn sorted(mut v: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    v.sort_by_key(|r| format!("{r:?}"));
    v
}

/// 900 `:Big` nodes, 100 sources without a label but one in ten `:Rare`, and `INVESTED_IN`
/// from each source to nine distinct `:Big` nodes with an `amount`.
fn graph(db: &Database) {
    db.run(
        "UNWIND range(0, 899) AS i CREATE (:Big {id: i, country: ['US', 'JP', 'DE'][i % 3]})",
        &Params::new(),
    )
    .unwrap();
    db.run(
        "UNWIND range(0, 99) AS i CREATE (s {id: 1000 + i, country: ['US', 'FR'][i % 2]}) \
         WITH s, i WHERE i % 10 = 0 SET s:Rare",
        &Params::new(),
    )
    .unwrap();
    db.run("CREATE INDEX FOR (b:Big) ON (b.id)", &Params::new())
        .unwrap();
    db.run(
        "MATCH (s) WHERE s.id >= 1000 UNWIND range(0, 8) AS k \
         MATCH (b:Big {id: (s.id * 13 + k * 97) % 900}) \
         CREATE (s)-[:INVESTED_IN {amount: s.id * 10 + k}]->(b)",
        &Params::new(),
    )
    .unwrap();
}

#[test]
fn an_expansion_into_a_label_covering_most_nodes_starts_from_every_node() {
    let (_d, db) = on_disk();
    graph(&db);
    let q = "MATCH (a)-[r:INVESTED_IN]->(:Big) \
             RETURN a.country AS country, sum(r.amount) AS total ORDER BY country";
    let plan = db.explain(q).unwrap();
    assert!(plan.contains("AllNodesScan(a)"), "{plan}");
    assert!(!plan.contains("NodeByLabelScan"), "{plan}");
    // The same question with the label tested on the record: the planner has no label to
    // start from there.
    let reference = rows(
        &db,
        "MATCH (a)-[r:INVESTED_IN]->(c) WHERE 'Big' IN labels(c) \
         RETURN a.country AS country, sum(r.amount) AS total ORDER BY country",
    );
    assert_eq!(rows(&db, q), reference);
    assert_eq!(reference.len(), 2);
    // 900 relationships: amounts s.id * 10 + k summed over 100 sources and k in 0..9.
    let total: i64 = (1000..1100)
        .map(|s: i64| (0..9).map(|k| s * 10 + k).sum::<i64>())
        .sum();
    let got: i64 = reference
        .iter()
        .map(|r| match r[1] {
            Value::Int(i) => i,
            ref v => panic!("{v:?}"),
        })
        .sum();
    assert_eq!(got, total);
}

#[test]
fn an_expansion_into_a_rare_label_or_an_anonymous_one_keeps_the_label_scan() {
    let (_d, db) = on_disk();
    graph(&db);
    // `:Rare` is 10 of 1000 nodes: from them, not from every node.
    let plan = db
        .explain("MATCH (a)-[r:INVESTED_IN]->(b:Rare) RETURN count(r.amount)")
        .unwrap();
    assert!(plan.contains("NodeByLabelScan(b:Rare)"), "{plan}");
    // An anonymous relationship is only counted: the degrees answer from the label side.
    let plan = db
        .explain("MATCH (a)-[:INVESTED_IN]->(:Big) RETURN count(*)")
        .unwrap();
    assert!(!plan.contains("AllNodesScan"), "{plan}");
    assert_eq!(
        rows(&db, "MATCH (a)-[:INVESTED_IN]->(:Big) RETURN count(*)"),
        vec![vec![Value::Int(900)]]
    );
    // The other direction is in storage order from the label already.
    let plan = db
        .explain("MATCH (b:Big)-[r:INVESTED_IN]->(a) RETURN sum(r.amount)")
        .unwrap();
    assert!(plan.contains("NodeByLabelScan(b:Big)"), "{plan}");
}

#[test]
fn in_list_on_an_indexed_property_is_an_index_seek_with_the_semantics_of_in() {
    let (_d, db) = on_disk();
    graph(&db);
    let plan = db
        .explain("MATCH (c:Big) WHERE c.id IN [1, 2, 3] RETURN c.id")
        .unwrap();
    assert!(plan.contains("NodeIndexSeek(c:Big.id)"), "{plan}");
    for list in [
        "[1, 2, 3]",
        "[3, 3, 1]",
        "[1, 1.0, 2.5]",
        "[null, 7]",
        "[null]",
        "[]",
        "[899, 900, -1, 'x', [1]]",
        "range(0, 899, 7)",
    ] {
        let seek = format!("MATCH (c:Big) WHERE c.id IN {list} RETURN c.id, c.country");
        // `c.id + 0` is not a property: the same membership through the label scan.
        let scan = format!("MATCH (c:Big) WHERE c.id + 0 IN {list} RETURN c.id, c.country");
        assert!(!db.explain(&scan).unwrap().contains("NodeIndexSeek"));
        assert_eq!(sorted(rows(&db, &seek)), sorted(rows(&db, &scan)), "{list}");
    }
    assert_eq!(
        rows(&db, "MATCH (c:Big) WHERE c.id IN [3, 3, 1] RETURN count(*)"),
        vec![vec![Value::Int(2)]]
    );
    let mut p = Params::new();
    p.insert(
        "ids".into(),
        Value::List(vec![Value::Int(5), Value::Int(6)]),
    );
    let got = db
        .run(
            "MATCH (c:Big) WHERE c.id IN $ids RETURN c.id ORDER BY c.id",
            &p,
        )
        .unwrap()
        .rows;
    assert_eq!(got, vec![vec![Value::Int(5)], vec![Value::Int(6)]]);
    // A null list matches nothing; anything else that is not a list is the IN's type error.
    assert!(rows(&db, "MATCH (c:Big) WHERE c.id IN null RETURN c").is_empty());
    let mut p = Params::new();
    p.insert("x".into(), Value::Int(5));
    let err = db
        .run("MATCH (c:Big) WHERE c.id IN $x RETURN c", &p)
        .unwrap_err()
        .to_string();
    assert!(err.contains("IN expects a LIST"), "{err}");
}

#[test]
fn grouping_by_two_keys_keeps_cypher_equivalence() {
    let (_d, db) = on_disk();
    let got = sorted(rows(
        &db,
        "UNWIND [[1, 'a'], [1.0, 'a'], [null, 'b'], [null, 'b'], [1, 'b'], [[1], 'a'], [[1.0], 'a']] AS p \
         RETURN p[0] AS x, p[1] AS y, count(*) AS n",
    ));
    // (1, 'a') twice (1 = 1.0), (null, 'b') twice, ([1], 'a') twice, (1, 'b') once.
    assert_eq!(got.len(), 4, "{got:?}");
    let mut counts: Vec<i64> = got
        .iter()
        .map(|r| match r[2] {
            Value::Int(n) => n,
            ref v => panic!("{v:?}"),
        })
        .collect();
    counts.sort();
    assert_eq!(counts, vec![1, 2, 2, 2], "{got:?}");
    let one_b: Vec<_> = got
        .iter()
        .filter(|r| r[1] == Value::String("b".into()) && r[0] != Value::Null)
        .collect();
    assert_eq!(one_b.len(), 1);
    assert_eq!(one_b[0][2], Value::Int(1));
}

/// A CONTAINS or ENDS WITH test on an indexed property (A3 of issue 20: `kg import` indexes
/// `name` for every label) scans the label with the test applied in the store instead of the
/// whole index when the scan can apply it, shows which in EXPLAIN, and answers what the index
/// answers; the index stays where the filter over the scan would begin with something else.
#[test]
fn a_substring_test_scans_the_label_instead_of_the_whole_index() {
    use kgstore::db::OpenOptions;
    use kgstore::store::{GraphWrite, IndexDef, Store};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db");
    {
        // The any-label index `kg import` makes, written as it does (Cypher has no form for it).
        let store = Store::open(
            &path,
            &OpenOptions {
                create_if_missing: true,
                ..OpenOptions::default()
            },
        )
        .unwrap();
        let mut t = store.begin();
        let def = IndexDef {
            name: "any_name".into(),
            label: String::new(),
            property: "name".into(),
            unique: false,
            kind: Default::default(),
        };
        t.create_index(def, false).unwrap();
        t.commit().unwrap();
    }
    let db = Database::open(&path, &OpenOptions::default()).unwrap();
    db.run(
        "UNWIND range(0, 2999) AS i CREATE (c:Co {i: i, name: 'co' + toString(i % 97) + 'x'}) \
         WITH c, i WHERE i % 7 = 0 SET c.name = null",
        &Params::new(),
    )
    .unwrap();
    db.run(
        "UNWIND range(0, 1999) AS i CREATE (p:Pe {i: i, name: 'pe' + toString(i % 89)}) \
         WITH p, i WHERE i % 11 = 0 SET p:Co",
        &Params::new(),
    )
    .unwrap();
    let cases = [
        // (statement, the access EXPLAIN must show)
        (
            "MATCH (c:Co) WHERE c.name CONTAINS '3' RETURN count(*) AS n",
            "NodeByLabelScan(c:Co)",
        ),
        (
            "MATCH (c:Co) WHERE c.name ENDS WITH '1x' RETURN c.i AS i, c.name AS s ORDER BY i",
            "NodeByLabelScan(c:Co)",
        ),
        (
            "MATCH (c:Co) WHERE c.name CONTAINS $p AND c.i > 100 RETURN c.i AS i ORDER BY i LIMIT 9",
            "NodeByLabelScan(c:Co)",
        ),
        // The filter would begin with a test the scan cannot apply: the index stays.
        (
            "MATCH (c:Co) WHERE c.i + 1 > 100 AND c.name CONTAINS '3' RETURN count(*) AS n",
            "NodeIndexContainsScan(c.name CONTAINS)",
        ),
        // A second label to test, likewise.
        (
            "MATCH (c:Co:Pe) WHERE c.name CONTAINS '3' RETURN count(*) AS n",
            "NodeIndexContainsScan(c.name CONTAINS)",
        ),
        // A prefix reads a range of the index, not all of it: the index stays.
        (
            "MATCH (c:Co) WHERE c.name STARTS WITH 'co3' RETURN count(*) AS n",
            "NodeIndexSeekByRange(c.name STARTS WITH)",
        ),
    ];
    let mut params = Params::new();
    params.insert("p".into(), Value::String("5".into()));
    for (q, access) in cases {
        let plan = db.explain(q).unwrap();
        assert!(plan.contains(access), "{q}:\n{plan}");
        // The reference: the same test on a value the planner cannot see as the property.
        let reference = q
            .replace("c.name CONTAINS", "(c.name + '') CONTAINS")
            .replace("c.name ENDS WITH", "(c.name + '') ENDS WITH")
            .replace("c.name STARTS WITH", "(c.name + '') STARTS WITH");
        let plain = db.explain(&reference).unwrap();
        assert!(!plain.contains("NodeIndex"), "{reference}:\n{plain}");
        let got = db.run(q, &params).unwrap().rows;
        assert_eq!(got, db.run(&reference, &params).unwrap().rows, "{q}");
        assert!(
            !got.is_empty() && got[0][0] != Value::Int(0),
            "{q}: {got:?}"
        );
    }
}
