//! Fuzz target: any UTF-8 input runs as a statement (100 ms time limit) inside a transaction
//! that is rolled back, on a small graph; it must return a result or an error, never panic,
//! hang or exhaust memory.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use kgstore::db::{Database, RunOptions};
use libfuzzer_sys::fuzz_target;

fn db() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let db = Database::open_in_memory().expect("an in-memory database");
        for q in [
            "CREATE INDEX FOR (n:A) ON (n.name)",
            "CREATE (a:A {name: 'a', num: 1, l: [1, 2]}), (b:B {name: 'b', d: date('2020-01-02')}), \
             (a)-[:R {w: 1}]->(b), (b)-[:S]->(a), (a)-[:T]->(a)",
        ] {
            db.run(q, &Default::default()).expect("setup");
        }
        db
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let opts = RunOptions {
        timeout: Some(Duration::from_millis(100)),
        ..RunOptions::default()
    };
    let mut s = db().session();
    if s.begin().is_err() {
        return;
    }
    let _ = s.run_with(query, &Default::default(), &opts);
    if s.in_transaction() {
        let _ = s.rollback();
    }
});
