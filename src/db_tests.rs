//! The plan cache through the façade: statements that differ only in lifted literals share one
//! plan (found by shape after the first parse) and still answer with their own values.

use super::*;

fn db_with_people() -> Database {
    let db = Database::open_in_memory().unwrap();
    db.run(
        "UNWIND range(1, 40) AS i CREATE (:P {id: i, name: 'p' + toString(i), w: i * 0.5})",
        &Params::new(),
    )
    .unwrap();
    db
}

fn cached_plans(db: &Database) -> usize {
    db.cache.lock().unwrap().len()
}

fn one(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new()).unwrap().rows
}

#[test]
fn point_lookups_differing_in_literals_share_a_plan() {
    let db = db_with_people();
    let before = cached_plans(&db);
    for i in 1..=40 {
        let q = format!(
            "MATCH (n:P {{name: 'p{i}'}}) WHERE n.w >= {}.0 RETURN n.id",
            i / 2
        );
        assert_eq!(one(&db, &q), vec![vec![Value::Int(i)]], "{q}");
    }
    assert_eq!(cached_plans(&db), before + 1);
    // The same shape with an escaped string and a hex integer in its holes.
    assert_eq!(
        one(
            &db,
            "MATCH (n:P {name: 'p\\u0031'}) WHERE n.w >= 0x0 RETURN n.id"
        ),
        vec![vec![Value::Int(1)]]
    );
    assert_eq!(cached_plans(&db), before + 1);
    // A number where the shape had a string: parsed (another shape), the same plan.
    for q in [
        "MATCH (n:P {name: 7}) WHERE n.w >= 0.0 RETURN n.id",
        "MATCH (n:P {name: 8}) WHERE n.w >= 0.0 RETURN n.id",
    ] {
        assert_eq!(one(&db, q), Vec::<Vec<Value>>::new(), "{q}");
    }
    assert_eq!(cached_plans(&db), before + 1);
    assert_eq!(db.shapes.lock().unwrap().len(), 2);
}

#[test]
fn literals_outside_the_reading_part_are_kept_in_the_key() {
    let db = db_with_people();
    let before = cached_plans(&db);
    for limit in 1..=3 {
        let q = format!("MATCH (n:P) WHERE n.id <= 10 RETURN n.id ORDER BY n.id LIMIT {limit}");
        assert_eq!(one(&db, &q).len(), limit as usize, "{q}");
    }
    // LIMIT is not lifted: one plan per limit.
    assert_eq!(cached_plans(&db), before + 3);
    for lo in 1..=3 {
        let q = format!("MATCH (a:P {{id: {lo}}}), (b:P) WHERE b.id = a.id + 1 RETURN b.id");
        assert_eq!(one(&db, &q), vec![vec![Value::Int(lo + 1)]], "{q}");
    }
    assert_eq!(cached_plans(&db), before + 4);
}

#[test]
fn a_statement_the_shape_cannot_take_is_parsed_and_reports_its_own_error() {
    let db = db_with_people();
    assert_eq!(
        one(&db, "MATCH (n:P {id: 3}) RETURN n.name"),
        vec![vec![Value::String("p3".into())]]
    );
    // An integer too large for the hole: the parser's error, at the literal.
    let err = db
        .run(
            "MATCH (n:P {id: 99999999999999999999}) RETURN n.name",
            &Params::new(),
        )
        .unwrap_err();
    let text = format!("{err:?}");
    assert!(text.contains("IntegerOverflow"), "{text}");
}
