//! Bad dynamic labels, types and property keys fail with an error that points at the
//! offending `$(…)` or key expression, and change nothing (issue 16).

use kgstore::db::{Database, Params};

/// The error `q` raises and the text its span covers.
fn blame(db: &Database, q: &str) -> (String, String) {
    let e = match db.run(q, &Params::new()) {
        Ok(_) => panic!("{q}: expected an error"),
        Err(e) => e,
    };
    let qe = e.as_query().unwrap_or_else(|| panic!("{q}: {e:?}"));
    let span = qe
        .span
        .unwrap_or_else(|| panic!("{q}: no position in {qe:?}"));
    (qe.detail.clone(), q[span.start..span.end].to_string())
}

#[test]
fn errors_point_at_the_dynamic_part() {
    let db = Database::open_in_memory().expect("in-memory database");
    db.run("CREATE (:A {name: 'a'})-[:R]->(:B)", &Params::new())
        .expect("setup");
    let cases = [
        ("MATCH (n:$(null)) RETURN n", "InvalidArgumentType", "null"),
        (
            "MATCH (n:A:$any([1])) RETURN n",
            "InvalidArgumentType",
            "[1]",
        ),
        (
            "MATCH ()-[r:$('')]->() RETURN r",
            "InvalidArgumentValue",
            "''",
        ),
        ("MATCH (n:A) SET n:$(42)", "InvalidArgumentType", "42"),
        (
            "MATCH (n:A) REMOVE n:$(['B', null])",
            "InvalidArgumentType",
            "['B', null]",
        ),
        ("CREATE (n:$(1.5))", "InvalidArgumentType", "1.5"),
        (
            "CREATE ()-[:$(['X', 'Y'])]->()",
            "NoSingleRelationshipType",
            "$(['X', 'Y'])",
        ),
        ("MATCH (n:A) SET n[null] = 1", "InvalidArgumentType", "null"),
        ("MATCH (n:A) REMOVE n[2]", "InvalidArgumentType", "2"),
        (
            "MATCH (n:A) SET n:$any('X')",
            "InvalidDynamicLabel",
            "$any('X')",
        ),
        (
            "MERGE (n:$any(['X']))",
            "InvalidDynamicLabel",
            "$any(['X'])",
        ),
    ];
    for (q, detail, text) in cases {
        let (d, t) = blame(&db, q);
        assert_eq!((d.as_str(), t.as_str()), (detail, text), "{q}");
    }
    let after = db
        .run(
            "MATCH (n) RETURN count(n) AS n, collect(labels(n)) AS l",
            &Params::new(),
        )
        .expect("count");
    assert_eq!(format!("{:?}", after.rows[0][0]), "Int(2)");
}
