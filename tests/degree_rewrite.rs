//! The counting rewrites (`DegreeGroup`, `CountNodes`) return the same rows as the plans they
//! replace: each query is run as written (rewritten) and with a `WHERE true` barrier between
//! the pattern and the aggregation (not rewritten), on random graphs with labels, three
//! relationship types, self-loops and nodes without relationships.

use kgstore::db::{Database, Params};
use kgstore::Value;

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn graph(seed: u64) -> Database {
    let db = Database::open_in_memory().unwrap();
    let mut rng = Rng(seed);
    let n = 40 + rng.below(40);
    let mut script = String::from("CREATE ");
    let mut parts = Vec::new();
    for i in 0..n {
        let labels = [":A", ":B", ":A:B", ""][rng.below(4) as usize];
        // Ids repeat (i % 23) so grouping by `n.id` merges nodes; some nodes have none.
        let props = if rng.below(10) == 0 {
            String::new()
        } else {
            format!(" {{id: {}}}", i % 23)
        };
        parts.push(format!("(n{i}{labels}{props})"));
    }
    // Nodes n0..n4 stay isolated; the rest get random relationships, self-loops included.
    for _ in 0..(n * 3) {
        let (s, e) = (5 + rng.below(n - 5), 5 + rng.below(n - 5));
        let t = ["X", "Y", "Z"][rng.below(3) as usize];
        parts.push(format!("(n{s})-[:{t}]->(n{e})"));
    }
    script.push_str(&parts.join(", "));
    db.run(&script, &Params::new()).unwrap();
    db
}

fn sorted_rows(db: &Database, q: &str) -> Vec<String> {
    let r = db
        .run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut rows: Vec<String> = r.rows.iter().map(|row| format!("{row:?}")).collect();
    rows.sort();
    rows
}

/// (MATCH pattern, RETURN items) pairs that the rewrite must answer like the plain plan.
const CASES: &[(&str, &str)] = &[
    ("(n)<--()", "n.id AS id, count(*) AS d"),
    ("(n)-->()", "n.id AS id, count(*) AS d"),
    ("(n)--()", "n.id AS id, count(*) AS d"),
    ("(n:A)<--()", "n.id AS id, count(*) AS d"),
    ("(n:B)--()", "n.id AS id, count(*) AS d"),
    ("(n)<-[:X]-()", "n.id AS id, count(*) AS d"),
    ("(n:A)-[:X|Z]->()", "n.id AS id, count(*) AS d"),
    ("(n)-[:Y|Z]-()", "n.id AS id, count(*) AS d"),
    ("(n)-[:NOPE]-()", "n.id AS id, count(*) AS d"),
    ("(n)<-[r]-(m)", "n.id AS id, count(r) AS d, count(m) AS e"),
    ("(n)-->()", "n.id % 3 AS k, labels(n) AS l, count(*) AS d"),
    ("(n)--()", "id(n) AS k, count(*) AS d"),
    ("(n:A)<--()", "count(*) AS d"),
    ("(n)--()", "count(*) AS d"),
    ("(n:Nope)--()", "count(*) AS d"),
];

#[test]
fn degree_group_matches_the_expansion_plan() {
    for seed in 1..=8 {
        let db = graph(seed);
        for (pattern, items) in CASES {
            let fast = format!("MATCH {pattern} RETURN {items}");
            let slow = format!("MATCH {pattern} WHERE true RETURN {items}");
            assert!(
                db.explain(&fast).unwrap().contains("DegreeGroup"),
                "{fast} is not rewritten"
            );
            assert!(
                !db.explain(&slow).unwrap().contains("DegreeGroup"),
                "{slow} is rewritten"
            );
            assert_eq!(
                sorted_rows(&db, &fast),
                sorted_rows(&db, &slow),
                "seed {seed}: {fast}"
            );
        }
        // Top-k over the groups (ties broken by id, then by the first-seen group).
        let q = "MATCH (n)<--() RETURN n.id AS id, count(*) AS d ORDER BY d DESC, id ASC LIMIT 5";
        let slow = q.replace("RETURN", "WHERE true RETURN");
        let (a, b) = (
            db.run(q, &Params::new()).unwrap(),
            db.run(&slow, &Params::new()).unwrap(),
        );
        assert_eq!(a.rows, b.rows, "seed {seed}");
    }
}

#[test]
fn count_nodes_matches_the_scan() {
    let db = graph(3);
    for q in [
        "MATCH (n:A) RETURN count(n) AS c",
        "MATCH (n:B) RETURN count(*) AS c",
        "MATCH (n) RETURN count(n) AS c",
        "MATCH (n:Nope) RETURN count(n) AS c",
    ] {
        let slow = q.replace("RETURN", "WHERE true RETURN");
        assert!(db.explain(q).unwrap().contains("CountNodes"), "{q}");
        assert!(!db.explain(&slow).unwrap().contains("CountNodes"), "{slow}");
        let (a, b) = (sorted_rows(&db, q), sorted_rows(&db, &slow));
        assert_eq!(a, b, "{q}");
    }
    // Inside an explicit transaction the counters see its own writes.
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).unwrap();
    let before = s
        .run("MATCH (n:A) RETURN count(n)", &Params::new())
        .unwrap();
    s.run("CREATE (:A), (:A:B)", &Params::new()).unwrap();
    let after = s
        .run("MATCH (n:A) RETURN count(n)", &Params::new())
        .unwrap();
    let (Value::Int(x), Value::Int(y)) = (&before.rows[0][0], &after.rows[0][0]) else {
        panic!("counts are integers");
    };
    assert_eq!(*y, x + 2);
    s.run("ROLLBACK", &Params::new()).unwrap();
}

/// A top-k straight above the groups keeps only the groups that can reach the limit; it must
/// keep exactly the rows a full sort would. Enough groups (> 128) for the candidate cuts to run,
/// many ties, a null key and keys of mixed types.
#[test]
fn top_k_over_groups_matches_a_full_sort() {
    let db = Database::open_in_memory().unwrap();
    let mut rng = Rng(99);
    let mut parts = Vec::new();
    for i in 0..700 {
        let props = match rng.below(20) {
            0 => String::new(),
            1 => format!(" {{id: 'k{}'}}", i % 7),
            _ => format!(" {{id: {}}}", i % 250),
        };
        parts.push(format!("(n{i}{props})"));
    }
    for _ in 0..2500 {
        let (s, e) = (rng.below(700), rng.below(700));
        parts.push(format!("(n{s})-[:X]->(n{e})"));
    }
    db.run(&format!("CREATE {}", parts.join(", ")), &Params::new())
        .unwrap();
    let mut params = Params::new();
    params.insert("k".into(), Value::Int(6));
    // (ORDER BY ... LIMIT ..., whether the order is total so rows must match exactly)
    let orders = [
        ("ORDER BY d DESC, id ASC LIMIT 5", true),
        ("ORDER BY d ASC, id DESC LIMIT 20", true),
        ("ORDER BY id ASC LIMIT 3", true),
        ("ORDER BY id DESC LIMIT 300", true),
        ("ORDER BY d DESC, id ASC SKIP 3 LIMIT 4", true),
        ("ORDER BY d DESC, id ASC LIMIT $k", true),
        ("ORDER BY d DESC, id ASC LIMIT 0", true),
        ("ORDER BY d DESC LIMIT 9", false),
    ];
    for (order, total) in orders {
        let fast = format!("MATCH (n)<--() RETURN n.id AS id, count(*) AS d {order}");
        // The same groups in the same order, with a projection between them and the top-k.
        let unfused = format!("MATCH (n)<--() WITH n.id AS id, count(*) AS d RETURN id, d {order}");
        let slow = format!("MATCH (n)<--() WHERE true RETURN n.id AS id, count(*) AS d {order}");
        let plan = db.explain(&fast).unwrap();
        assert!(
            plan.contains("Top(") && plan.contains("  DegreeGroup"),
            "{plan}"
        );
        assert!(db.explain(&unfused).unwrap().contains("Projection"));
        let a = db.run(&fast, &params).unwrap().rows;
        assert_eq!(a, db.run(&unfused, &params).unwrap().rows, "{order}");
        if total {
            assert_eq!(a, db.run(&slow, &params).unwrap().rows, "{order}");
        }
    }
}

/// A graph large enough (20,000 node ids: 313 blocks of 64) for the store to decode the degree
/// scan on two threads: the rewritten plans still answer like the expansion plans, committed
/// and with uncommitted writes in the same transaction.
#[test]
fn parallel_degree_scans_match_the_expansion_plan() {
    let db = Database::open_in_memory().unwrap();
    let mut rng = Rng(2024);
    let n = 20_000u64;
    {
        let mut bulk = db.store().bulk_loader().unwrap();
        let mut ids = Vec::new();
        for i in 0..n {
            let labels: &[&str] = [&["A"][..], &["B"], &["A", "B"], &[]][rng.below(4) as usize];
            let props = match rng.below(20) {
                0 => vec![],
                1 => vec![("id", Value::String(format!("k{}", i % 7)))],
                _ => vec![("id", Value::Int((i % 4999) as i64))],
            };
            ids.push(bulk.add_node(labels, props).unwrap());
        }
        for _ in 0..4 * n {
            let (s, e) = (rng.below(n) as usize, rng.below(n) as usize);
            let t = ["X", "Y", "Z"][rng.below(3) as usize];
            bulk.add_relationship(t, ids[s], ids[e], Vec::<(&str, Value)>::new())
                .unwrap();
        }
        bulk.finish().unwrap();
    }
    let cases = [
        ("(n)<--()", "n.id AS id, count(*) AS d"),
        ("(n:A)-->()", "n.id AS id, count(*) AS d"),
        ("(n)--()", "n.id AS id, count(*) AS d"),
        ("(n:B)<-[:X|Z]-()", "n.id AS id, count(*) AS d"),
        ("(n)-[:Y]-()", "id(n) AS k, count(*) AS d"),
        ("(n:A)<--()", "count(*) AS d"),
    ];
    let top = "MATCH (n)<--() RETURN n.id AS id, count(*) AS d ORDER BY d DESC, id ASC LIMIT 10";
    let check = |run: &mut dyn FnMut(&str) -> Vec<Vec<Value>>, what: &str| {
        for (pattern, items) in cases {
            let fast = format!("MATCH {pattern} RETURN {items}");
            let slow = format!("MATCH {pattern} WHERE true RETURN {items}");
            let sorted = |mut rows: Vec<Vec<Value>>| {
                let mut rows: Vec<String> = rows.drain(..).map(|r| format!("{r:?}")).collect();
                rows.sort();
                rows
            };
            assert_eq!(sorted(run(&fast)), sorted(run(&slow)), "{what}: {fast}");
        }
        assert_eq!(
            run(top),
            run(&top.replace("RETURN", "WHERE true RETURN")),
            "{what}"
        );
    };
    assert!(db.explain(top).unwrap().contains("DegreeGroup"));
    check(
        &mut |q: &str| db.run(q, &Params::new()).unwrap().rows,
        "committed",
    );
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).unwrap();
    for q in [
        "UNWIND range(1, 3000) AS i CREATE (:A {id: i % 4999})-[:X]->(:B {id: i})",
        "MATCH (n) WHERE id(n) % 97 = 0 SET n.id = -id(n), n:A",
        "MATCH ()-[r:Y]->() WHERE id(r) % 5 = 0 DELETE r",
        "MATCH (a), (b) WHERE id(a) = 17 AND id(b) % 1000 = 3 CREATE (b)-[:Z]->(a)",
    ] {
        s.run(q, &Params::new()).unwrap();
    }
    check(
        &mut |q: &str| s.run(q, &Params::new()).unwrap().rows,
        "uncommitted writes",
    );
    s.run("ROLLBACK", &Params::new()).unwrap();
}
