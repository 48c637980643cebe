//! Issue 16's constraints through `kg` and the library: they persist across processes, every
//! write path enforces them (explicit transactions, LOAD CSV, imports), `kg check` reports
//! data that breaks them, and `kg export --format cypher` carries them to a new database.

use std::path::Path;
use std::process::{Command, Output};

use kgstore::db::{Database, Params};

const KG: &str = env!("CARGO_BIN_EXE_kg");

fn kg(dir: &Path, args: &[&str]) -> Output {
    Command::new(KG)
        .current_dir(dir)
        .env_remove("KG_DB")
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .args(args)
        .output()
        .expect("run kg")
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let o = kg(dir, args);
    assert_eq!(o.status.code(), Some(0), "{args:?}\n{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fails(dir: &Path, args: &[&str]) -> String {
    let o = kg(dir, args);
    assert_ne!(o.status.code(), Some(0), "{args:?}\n{}", text(&o));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn csv(dir: &Path, db: &str, q: &str) -> String {
    ok(dir, &["--db", db, "query", "--format", "csv", q])
}

const SCHEMA: &[&str] = &[
    "CREATE CONSTRAINT book_isbn FOR (b:Book) REQUIRE b.isbn IS NOT NULL",
    "CREATE CONSTRAINT book_title FOR (b:Book) REQUIRE b.title IS :: STRING",
    "CREATE CONSTRAINT book_key FOR (b:Book) REQUIRE (b.isbn, b.edition) IS NODE KEY",
    "CREATE CONSTRAINT wrote_year FOR ()-[w:WROTE]-() REQUIRE w.year IS NOT NULL",
    "CREATE CONSTRAINT author_name FOR (a:Author) REQUIRE a.name IS UNIQUE",
];

#[test]
fn constraints_persist_across_processes_and_hold_in_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(
        d,
        &[
            "--db",
            "a.db",
            "query",
            "CREATE (:Author {name: 'Ian'})-[:WROTE {year: 2013}]->(:Book {isbn: '1449356265', edition: 1, title: 'Graph Databases'})",
        ],
    );
    for s in SCHEMA {
        ok(d, &["--db", "a.db", "query", s]);
    }
    let listed = csv(
        d,
        "a.db",
        "SHOW CONSTRAINTS YIELD name, type, properties, ownedIndex, propertyType",
    );
    assert_eq!(
        listed,
        "name,type,properties,ownedIndex,propertyType\r\n\
         author_name,UNIQUENESS,['name'],author_name,\r\n\
         book_isbn,NODE_PROPERTY_EXISTENCE,['isbn'],,\r\n\
         book_key,NODE_KEY,\"['isbn', 'edition']\",book_key,\r\n\
         book_title,NODE_PROPERTY_TYPE,['title'],,STRING\r\n\
         wrote_year,RELATIONSHIP_PROPERTY_EXISTENCE,['year'],,\r\n"
    );
    // A new process enforces them, with Neo4j's message and a non-zero exit.
    let err = fails(
        d,
        &["--db", "a.db", "query", "CREATE (:Book {title: 'No ISBN'})"],
    );
    assert!(
        err.contains("Node(") && err.contains("with label `Book` must have the property `isbn`"),
        "{err}"
    );
    let err = fails(
        d,
        &[
            "--db",
            "a.db",
            "query",
            "MATCH (a:Author) CREATE (a)-[:WROTE]->(:Book {isbn: 'x', edition: 1})",
        ],
    );
    assert!(
        err.contains("with type `WROTE` must have the property `year`"),
        "{err}"
    );
    let err = fails(
        d,
        &[
            "--db",
            "a.db",
            "query",
            "CREATE (:Book {isbn: '1449356265', edition: 1.0})",
        ],
    );
    assert!(
        err.contains("already exists with label `Book` and properties `isbn` = '1449356265', `edition` = 1.0"),
        "{err}"
    );
    // The failures changed nothing, and the database checks clean.
    assert_eq!(
        csv(d, "a.db", "MATCH (n) RETURN count(n) AS n"),
        "n\r\n2\r\n"
    );
    let check = ok(d, &["--db", "a.db", "check"]);
    assert!(check.contains("consistent"), "{check}");
    // Compaction copies the records (and its read image serves them to the next process).
    ok(d, &["--db", "a.db", "compact"]);
    let err = fails(d, &["--db", "a.db", "query", "CREATE (:Book {title: 'x'})"]);
    assert!(err.contains("must have the property `isbn`"), "{err}");
    assert_eq!(
        csv(
            d,
            "a.db",
            "SHOW CONSTRAINTS YIELD name, type, properties, ownedIndex, propertyType"
        ),
        listed
    );
    // The JSON shape of the statistics.
    let json = ok(
        d,
        &[
            "--db",
            "a.db",
            "query",
            "--format",
            "json",
            "DROP CONSTRAINT book_title",
        ],
    );
    assert!(
        json.contains("\"constraints_removed\": 1") || json.contains("\"constraints_removed\":1"),
        "{json}"
    );
    ok(
        d,
        &["--db", "a.db", "query", "MATCH (b:Book) SET b.title = 7"],
    );
}

#[test]
fn export_to_cypher_carries_the_constraints_to_a_new_database() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(
        d,
        &[
            "--db",
            "src.db",
            "query",
            "CREATE (:Author {name: 'Ian'})-[:WROTE {year: 2013}]->(:Book {isbn: '1449356265', edition: 1, title: 'Graph Databases'})",
        ],
    );
    for s in SCHEMA {
        ok(d, &["--db", "src.db", "query", s]);
    }
    ok(
        d,
        &[
            "--db", "src.db", "export", "--format", "cypher", "-o", "g.cypher",
        ],
    );
    let script = std::fs::read_to_string(d.join("g.cypher")).expect("read export");
    assert!(
        script.contains(
            "CREATE CONSTRAINT book_key IF NOT EXISTS FOR (n:Book) REQUIRE (n.isbn, n.edition) IS NODE KEY"
        ),
        "{script}"
    );
    ok(
        d,
        &["--db", "dst.db", "import", "--format", "cypher", "g.cypher"],
    );
    let q =
        "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties, propertyType";
    assert_eq!(csv(d, "dst.db", q), csv(d, "src.db", q));
    let err = fails(
        d,
        &["--db", "dst.db", "query", "MATCH (b:Book) REMOVE b.isbn"],
    );
    assert!(err.contains("must have the property `isbn`"), "{err}");
    // A bulk import into a database with constraints is checked too.
    std::fs::write(
        d.join("more.jsonl"),
        "{\"kind\": \"node\", \"id\": 1, \"labels\": [\"Book\"], \"properties\": {\"title\": \"no isbn\"}}\n",
    )
    .expect("write");
    let err = fails(
        d,
        &[
            "--db",
            "dst.db",
            "import",
            "--format",
            "jsonl",
            "more.jsonl",
        ],
    );
    assert!(err.contains("must have the property `isbn`"), "{err}");
    assert_eq!(
        csv(d, "dst.db", "MATCH (b:Book) RETURN count(b) AS n"),
        "n\r\n1\r\n"
    );
}

#[test]
fn load_csv_and_explicit_transactions_are_checked_per_statement() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("books.csv");
    std::fs::write(&file, "isbn,title\n1,A\n,B\n").expect("write csv");
    let db = Database::open_in_memory().expect("open");
    let p = Params::new();
    db.run(
        "CREATE CONSTRAINT FOR (b:Book) REQUIRE b.isbn IS NOT NULL",
        &p,
    )
    .expect("constraint");
    let url = format!("file://{}", file.display());
    let load = format!("LOAD CSV WITH HEADERS FROM '{url}' AS row CREATE (:Book {{isbn: row.isbn, title: row.title}})");
    let e = db.run(&load, &p).expect_err("row 2 has no isbn");
    assert!(
        e.to_string().contains("must have the property `isbn`"),
        "{e}"
    );
    let count = |db: &Database| {
        db.run("MATCH (b:Book) RETURN count(b) AS n", &p)
            .expect("count")
            .rows[0][0]
            .clone()
    };
    assert_eq!(count(&db), kgstore::Value::Int(0));

    let mut s = db.session();
    s.run("BEGIN", &p).expect("begin");
    s.run("CREATE (:Book {isbn: '1'})", &p).expect("first");
    assert!(s.run("CREATE (:Book {title: 'none'})", &p).is_err());
    // The failed statement is undone; the transaction goes on and commits the rest.
    s.run("CREATE (b:Book) SET b.isbn = '2'", &p)
        .expect("second");
    s.run("COMMIT", &p).expect("commit");
    drop(s);
    assert_eq!(count(&db), kgstore::Value::Int(2));
}

/// `kg stats` (and the shell's `:schema`, which writes the same lines) lists every constraint,
/// not only the unique ones, as `CREATE CONSTRAINT` writes them.
#[test]
fn stats_list_every_constraint_kind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(
        d,
        &[
            "--db",
            "s.db",
            "query",
            "CREATE (:Book {isbn: '1', edition: 1})",
        ],
    );
    for s in SCHEMA {
        ok(d, &["--db", "s.db", "query", s]);
    }
    let out = ok(d, &["--db", "s.db", "stats"]);
    let listed: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Constraints ("))
        .collect();
    assert_eq!(
        listed,
        [
            "Constraints (5):",
            "  author_name FOR (n:Author) REQUIRE n.name IS UNIQUE",
            "  book_isbn FOR (n:Book) REQUIRE n.isbn IS NOT NULL",
            "  book_key FOR (n:Book) REQUIRE (n.isbn, n.edition) IS NODE KEY",
            "  book_title FOR (n:Book) REQUIRE n.title IS :: STRING",
            "  wrote_year FOR ()-[r:WROTE]-() REQUIRE r.year IS NOT NULL",
        ],
        "{out}"
    );
}
