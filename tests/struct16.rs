//! Issue 16 (struct16): a statement that fills a cached shape with other literal tokens
//! (`plan::autoparam`, whose holes are now ended by `parser::literal::scan` instead of pest)
//! gets the answer the same statement gets when parsed in full on a fresh database.

use kgstore::db::{Database, Params};
use kgstore::Value;

fn run(db: &Database, q: &str) -> Result<Vec<Vec<Value>>, String> {
    db.run(q, &Params::new())
        .map(|r| r.rows)
        .map_err(|e| e.to_string())
}

/// Nodes whose `v` are the values the literals below spell, each with its index as `i`.
fn graph() -> Database {
    let db = Database::open_in_memory().expect("open");
    run(
        &db,
        "UNWIND range(0, 40) AS i CREATE (:N {i: i, v: i, s: toString(i)})",
    )
    .expect("ints");
    for (i, s) in ["it's", "é😀", "a\\b", "tab\there", "q\"q", "", "1.5e3"]
        .iter()
        .enumerate()
    {
        let q = format!("CREATE (:N {{i: {}, v: $s, s: $s}})", 100 + i);
        let mut p = Params::new();
        p.insert("s".into(), Value::String(s.to_string()));
        db.run(&q, &p).expect("strings");
    }
    run(
        &db,
        "CREATE (:N {i: 200, v: 1500.0}), (:N {i: 201, v: 0.25})",
    )
    .expect("floats");
    db
}

#[test]
fn a_filled_shape_answers_as_a_full_parse_does() {
    // (literal that makes the shape, literals that fill it).
    let holes: &[(&str, &[&str])] = &[
        (
            "17",
            &[
                "0x1F",
                "0X1f",
                "0o17",
                "31",
                "0",
                "9223372036854775807",
                "1_0",
                "0x1G",
            ],
        ),
        (
            "2.5",
            &["1.5e3", "1.5E+3", "15e2", ".25", "2.5e-1", "1e999"],
        ),
        (
            "'x'",
            &[
                "'it\\'s'",
                "\"it's\"",
                "'\\u00e9\\U0001F600'",
                "'é😀'",
                "'a\\\\b'",
                "'tab\\there'",
                "'q\"q'",
                "\"q\\\"q\"",
                "''",
                "'1.5e3'",
                "'\\q'",
                "'\\uD800'",
            ],
        ),
    ];
    let templates = [
        "MATCH (n:N {v: LIT}) RETURN n.i ORDER BY n.i",
        "MATCH (n:N) WHERE n.s = LIT OR n.v = LIT RETURN n.i ORDER BY n.i",
        "MATCH (n:N) WHERE LIT <= n.v RETURN count(n)",
    ];
    let mut checked = 0;
    for t in templates {
        for (seed, fills) in holes {
            let db = graph();
            run(&db, &t.replace("LIT", seed)).expect("seed statement");
            for fill in *fills {
                let q = t.replace("LIT", fill);
                let fresh = graph();
                assert_eq!(run(&db, &q), run(&fresh, &q), "{q}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * 26);
}
