//! Fuzz target: any UTF-8 input goes through parse, semantic checks, planning and the EXPLAIN
//! text (never execution) against an empty database; every stage must fail with an error, not
//! panic or hang.
#![no_main]

use std::sync::OnceLock;

use kgstore::db::Database;
use libfuzzer_sys::fuzz_target;

fn db() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let db = Database::open_in_memory().expect("an in-memory database");
        // An index and a constraint so that the planner's index rewrites are reachable.
        for q in [
            "CREATE INDEX FOR (n:A) ON (n.name)",
            "CREATE CONSTRAINT FOR (n:B) REQUIRE n.id IS UNIQUE",
        ] {
            db.run(q, &Default::default()).expect("schema setup");
        }
        db
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        if let Err(e) = db().explain(query) {
            let _ = kgstore::diagnostic::render(query, &e);
        }
    }
});
