//! Incremental ingest through Cypher (issue 21): `LOAD CSV … MERGE (a) MERGE (b) MERGE
//! (a)-[:R]->(b)` in batches of `CALL { } IN TRANSACTIONS` builds the graph one statement
//! builds, a second load of the same file changes nothing, a failing batch leaves no trace
//! while the batches before it stay, and the store reopens consistent. Each batch goes on
//! with the cache of the one before (`Txn::commit_batch`), so these also check that what a
//! batch reads from that cache is what was committed.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use kgstore::db::{Database, OpenOptions, Params};
use kgstore::Value;

fn open(dir: &Path) -> Database {
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    Database::open(dir, &opts).expect("open")
}

fn run(db: &Database, q: &str) -> kgstore::result::QueryResult {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// Pairs with repeats near and far apart (so a pair comes back in a later batch), ids that
/// exist before the load and ids it creates.
fn pairs(n: usize) -> Vec<(i64, i64)> {
    let mut x: u64 = 21;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 33) as i64 % 40, (x >> 17) as i64 % 90)
        })
        .collect()
}

fn write_csv(path: &Path, rows: &[(i64, i64)], bad_at: Option<usize>) {
    let mut s = String::from("src,dst\n");
    for (i, (a, b)) in rows.iter().enumerate() {
        if bad_at == Some(i) {
            // toInteger('') is null: MERGE refuses a null property.
            writeln!(s, ",{b}").unwrap();
        } else {
            writeln!(s, "{a},{b}").unwrap();
        }
    }
    std::fs::write(path, s).unwrap();
}

fn load(file: &Path, batch: Option<usize>) -> String {
    let merge = "MERGE (a:C {id: toInteger(row.src)}) MERGE (b:C {id: toInteger(row.dst)}) \
                 MERGE (a)-[:R]->(b)";
    let head = format!(
        "LOAD CSV WITH HEADERS FROM 'file://{}' AS row ",
        file.display()
    );
    match batch {
        Some(n) => format!("{head}CALL (row) {{ {merge} }} IN TRANSACTIONS OF {n} ROWS"),
        None => format!("{head}{merge}"),
    }
}

/// The graph's `C` ids and `R` pairs, each relationship once.
fn graph(db: &Database) -> (BTreeSet<i64>, Vec<(i64, i64)>) {
    let ids = run(db, "MATCH (c:C) RETURN c.id")
        .rows
        .iter()
        .map(|r| match r[0] {
            Value::Int(i) => i,
            ref v => panic!("id {v:?}"),
        })
        .collect();
    let mut rels: Vec<(i64, i64)> = run(db, "MATCH (a:C)-[:R]->(b:C) RETURN a.id, b.id")
        .rows
        .iter()
        .map(|r| match (&r[0], &r[1]) {
            (Value::Int(a), Value::Int(b)) => (*a, *b),
            v => panic!("pair {v:?}"),
        })
        .collect();
    rels.sort_unstable();
    (ids, rels)
}

fn seed(db: &Database, indexed: bool) {
    if indexed {
        run(db, "CREATE INDEX c_id FOR (n:C) ON (n.id)");
    }
    // Ids 0..20 exist before the load, with a few relationships.
    run(db, "UNWIND range(0, 19) AS i CREATE (:C {id: i})");
    run(
        db,
        "MATCH (a:C), (b:C) WHERE b.id = a.id + 1 AND a.id % 5 = 0 CREATE (a)-[:R]->(b)",
    );
}

#[test]
fn batched_merge_builds_what_one_statement_builds_and_is_idempotent() {
    for indexed in [true, false] {
        let tmp = tempfile::tempdir().unwrap();
        let rows = pairs(3_000);
        let file = tmp.path().join("pairs.csv");
        write_csv(&file, &rows, None);
        let one = open(&tmp.path().join("one.db"));
        seed(&one, indexed);
        run(&one, &load(&file, None));
        let want = graph(&one);
        // What the file implies, computed here: the seed plus the distinct pairs.
        let mut pairs_wanted: BTreeSet<(i64, i64)> = rows.iter().copied().collect();
        pairs_wanted.extend((0..20).filter(|a| a % 5 == 0).map(|a| (a, a + 1)));
        assert_eq!(want.1, pairs_wanted.into_iter().collect::<Vec<_>>());

        for batch in [1, 7, 500] {
            let dir = tmp.path().join(format!("b{batch}-{indexed}.db"));
            {
                let db = open(&dir);
                seed(&db, indexed);
                let r = run(&db, &load(&file, Some(batch)));
                assert_eq!(graph(&db), want, "batches of {batch}");
                assert_eq!(
                    r.stats.relationships_created as usize,
                    want.1.len() - 4,
                    "batches of {batch}"
                );
                // The same file again, in other batches: nothing to create.
                let again = run(&db, &load(&file, Some(batch * 3 + 1)));
                assert_eq!(again.stats.nodes_created, 0);
                assert_eq!(again.stats.relationships_created, 0);
                assert!(db.store().check().unwrap().is_clean());
            }
            let db = open(&dir);
            assert_eq!(graph(&db), want, "reopened, batches of {batch}");
            assert!(db.store().check().unwrap().is_clean());
        }
    }
}

#[test]
fn a_failing_batch_is_rolled_back_whole_and_the_ones_before_stay() {
    let tmp = tempfile::tempdir().unwrap();
    let rows = pairs(400);
    let (batch, bad) = (50, 175);
    let file = tmp.path().join("bad.csv");
    write_csv(&file, &rows, Some(bad));
    let dir = tmp.path().join("db");
    {
        let db = open(&dir);
        seed(&db, true);
        let e = db
            .run(&load(&file, Some(batch)), &Params::new())
            .expect_err("the null id fails its batch");
        assert!(e.to_string().contains("Transactions committed: 3"), "{e}");
    }
    // The graph is exactly what the rows of the three whole batches make.
    let good = tmp.path().join("good.csv");
    write_csv(&good, &rows[..bad / batch * batch], None);
    let reference = open(&tmp.path().join("ref.db"));
    seed(&reference, true);
    run(&reference, &load(&good, None));
    let db = open(&dir);
    assert_eq!(graph(&db), graph(&reference));
    assert!(db.store().check().unwrap().is_clean());
    // The store goes on: the rest of the file loads in batches that see what is there.
    write_csv(&good, &rows, None);
    run(&db, &load(&good, Some(batch)));
    run(&reference, &load(&good, None));
    assert_eq!(graph(&db), graph(&reference));
    assert!(db.store().check().unwrap().is_clean());
}
