//! The ownership procedures on the built-in seed graph: DeepSeek's ultimate controller is
//! Liang Wenfeng (voting control), Kunlunxin's parent is Baidu (stake not given, so its
//! effective stake is unknown, never 0 or 1), and the supply procedure answers for Nvidia.

use kgstore::db::Database;
use kgstore::{Params, Value};

fn seeded() -> Database {
    let db = Database::open_in_memory().unwrap();
    kgstore::seed::load(&db).unwrap();
    db
}

fn rows(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

#[test]
fn deepseek_is_controlled_by_liang_wenfeng() {
    let db = seeded();
    let r = rows(
        &db,
        "CALL kg.ownership.controllers('DeepSeek') YIELD controller, path \
         RETURN controller.name AS name, [r IN relationships(path) | type(r)] AS via",
    );
    assert_eq!(
        r,
        vec![vec![
            Value::from("Liang Wenfeng"),
            Value::List(vec![Value::from("CONTROLS")])
        ]]
    );
}

#[test]
fn kunlunxin_parent_is_baidu_with_unknown_stake() {
    let db = seeded();
    let r = rows(
        &db,
        "CALL kg.ownership.controllers('Kunlunxin') YIELD controller RETURN controller.name",
    );
    assert_eq!(r, vec![vec![Value::from("Baidu")]]);
    let r = rows(
        &db,
        "CALL kg.ownership.effective('Baidu') YIELD company, stake, paths \
         RETURN company.name, stake, size(paths)",
    );
    assert_eq!(
        r,
        vec![vec![Value::from("Kunlunxin"), Value::Null, Value::Int(1)]]
    );
}

#[test]
fn supply_dependents_run_on_the_seed() {
    let db = seeded();
    let direct = rows(
        &db,
        "MATCH (:Organization {name: 'Nvidia'})-[:SUPPLIES]->(c) RETURN count(DISTINCT c)",
    );
    let r = rows(&db, "CALL kg.supply.dependents('Nvidia') YIELD dependent, depth WHERE depth = 1 RETURN count(*)");
    assert_eq!(
        r, direct,
        "depth-1 dependents are exactly the direct customers"
    );
}
