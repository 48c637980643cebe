//! A database in a fresh temporary directory, for tests that need the store on disk (its
//! read image, compaction, sled after a write). Included with
//! `#[path = "support/on_disk.rs"] mod on_disk;`.

use kgstore::db::{Database, OpenOptions};

/// The directory (deleted when dropped) and a database created in it.
pub fn on_disk() -> (tempfile::TempDir, Database) {
    let dir = tempfile::tempdir().expect("temp dir");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let db = Database::open(&dir.path().join("db"), &opts).expect("open");
    (dir, db)
}
