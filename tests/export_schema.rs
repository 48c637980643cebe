//! The schema in `kg export` (issue 21, finding 7 of docs/robustness.md's format-12 hunt): a
//! Cypher export carries every index and constraint kind, so that importing it gives back the
//! same graph and the same `SHOW INDEXES` / `SHOW CONSTRAINTS`, names included; the formats
//! without a schema (JSONL, GraphML, CSV) say on stderr what they leave out.

use std::path::Path;
use std::process::{Command, Output};

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

fn ok(dir: &Path, args: &[&str]) -> Output {
    let o = kg(dir, args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?}\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn csv(dir: &Path, db: &str, q: &str) -> String {
    let o = ok(dir, &["--db", db, "query", "--format", "csv", q]);
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every index kind (RANGE, TEXT) and constraint kind (unique, composite unique, node key,
/// node and relationship existence, property type, relationship uniqueness and key) kgstore
/// has, with names that need quoting among them.
const SCHEMA: &[&str] = &[
    "CREATE INDEX person_name FOR (n:Person) ON (n.name)",
    "CREATE RANGE INDEX `person age` FOR (n:Person) ON (n.age)",
    "CREATE TEXT INDEX bio_text FOR (n:Person) ON (n.bio)",
    "CREATE INDEX FOR (n:`Odd Label`) ON (n.`odd key`)",
    "CREATE CONSTRAINT person_email FOR (p:Person) REQUIRE p.email IS UNIQUE",
    "CREATE CONSTRAINT city_pair FOR (c:City) REQUIRE (c.name, c.country) IS UNIQUE",
    "CREATE CONSTRAINT book_key FOR (b:Book) REQUIRE (b.isbn, b.edition) IS NODE KEY",
    "CREATE CONSTRAINT book_title FOR (b:Book) REQUIRE b.title IS NOT NULL",
    "CREATE CONSTRAINT book_pages FOR (b:Book) REQUIRE b.pages IS :: INTEGER",
    "CREATE CONSTRAINT wrote_year FOR ()-[w:WROTE]-() REQUIRE w.year IS NOT NULL",
    "CREATE CONSTRAINT wrote_id FOR ()-[w:WROTE]-() REQUIRE w.id IS UNIQUE",
    "CREATE CONSTRAINT lives_key FOR ()-[r:LIVES_IN]-() REQUIRE r.since IS RELATIONSHIP KEY",
];

const DATA: &str = "CREATE (a:Person {name: 'Ada', age: 36, bio: 'counts', email: 'ada@x'}), \
    (b:Person {name: 'Bob', age: 41, bio: 'reads', email: 'bob@x'}), \
    (c:City {name: 'Paris', country: 'FR'}), (:`Odd Label` {`odd key`: 1}), \
    (k:Book {isbn: '1', edition: 2, title: 'Graphs', pages: 300}), \
    (a)-[:WROTE {year: 2020, id: 'w1'}]->(k), (b)-[:WROTE {year: 2021, id: 'w2'}]->(k), \
    (a)-[:LIVES_IN {since: 2001}]->(c)";

const SHOW_INDEXES: &str = "SHOW INDEXES YIELD name, type, entityType, labelsOrTypes, \
    properties, owningConstraint RETURN * ORDER BY name";
const SHOW_CONSTRAINTS: &str = "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, \
    properties, ownedIndex, propertyType RETURN * ORDER BY name";
/// The graph without its ids: every node and relationship with labels/type and properties
/// (the rows sorted by [`graph`]: `toString` takes no list or map to order by).
const GRAPH: &str = "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) \
    RETURN labels(n) AS l, properties(n) AS p, type(r) AS t, properties(r) AS rp, \
    properties(m) AS mp";

/// [`GRAPH`]'s rows in `db`, sorted.
fn graph(dir: &Path, db: &str) -> Vec<String> {
    let mut rows: Vec<String> = csv(dir, db, GRAPH).lines().map(str::to_owned).collect();
    rows.sort();
    rows
}

#[test]
fn a_cypher_export_gives_back_the_graph_and_its_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    for s in SCHEMA {
        ok(d, &["--db", "src.db", "query", s]);
    }
    ok(d, &["--db", "src.db", "query", DATA]);
    let o = ok(
        d,
        &[
            "--db", "src.db", "export", "--format", "cypher", "-o", "g.cypher",
        ],
    );
    assert!(
        !String::from_utf8_lossy(&o.stderr).contains("warning"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let script = std::fs::read_to_string(d.join("g.cypher")).expect("read export");
    for expected in [
        "CREATE INDEX person_name IF NOT EXISTS FOR (n:Person) ON (n.name)",
        "CREATE INDEX `person age` IF NOT EXISTS FOR (n:Person) ON (n.age)",
        "CREATE TEXT INDEX bio_text IF NOT EXISTS FOR (n:Person) ON (n.bio)",
        "CREATE CONSTRAINT person_email IF NOT EXISTS FOR (n:Person) REQUIRE n.email IS UNIQUE",
    ] {
        assert!(script.contains(expected), "{expected} not in\n{script}");
    }
    ok(
        d,
        &["--db", "dst.db", "import", "--format", "cypher", "g.cypher"],
    );
    let src_indexes = csv(d, "src.db", SHOW_INDEXES);
    // Four declared indexes and those the constraints own.
    assert!(src_indexes.lines().count() > 5, "{src_indexes}");
    assert_eq!(csv(d, "dst.db", SHOW_INDEXES), src_indexes);
    assert_eq!(
        csv(d, "dst.db", SHOW_CONSTRAINTS),
        csv(d, "src.db", SHOW_CONSTRAINTS)
    );
    let rows = graph(d, "src.db");
    // The header, Ada's two relationships, Bob's one, and the three other nodes.
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert!(rows.iter().any(|r| r.contains("Graphs")), "{rows:?}");
    assert_eq!(graph(d, "dst.db"), rows);
    // The constraints hold in the copy.
    let o = kg(
        d,
        &[
            "--db",
            "dst.db",
            "query",
            "CREATE (:Person {email: 'ada@x'})",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn formats_without_a_schema_say_what_they_leave_out() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    ok(
        d,
        &[
            "--db",
            "g.db",
            "query",
            "CREATE (:Person {name: 'Ada', email: 'a'})",
        ],
    );
    // Without a schema, nothing to say.
    let o = ok(d, &["--db", "g.db", "export", "--format", "jsonl"]);
    assert!(!String::from_utf8_lossy(&o.stderr).contains("schema"));
    ok(d, &["--db", "g.db", "query", SCHEMA[0]]);
    ok(d, &["--db", "g.db", "query", SCHEMA[4]]);
    for (format, output) in [
        ("jsonl", None),
        ("graphml", Some("g.graphml")),
        ("csv", Some("out")),
    ] {
        let mut args = vec!["--db", "g.db", "export", "--format", format];
        if let Some(o) = output {
            args.extend(["-o", o]);
        }
        let o = ok(d, &args);
        let (stdout, stderr) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert_eq!(
            stderr.matches("carries no schema").count(),
            1,
            "{format}: {stderr}"
        );
        assert!(
            stderr
                .contains("1 index and 1 constraint (person_name, person_email) were not exported"),
            "{format}: {stderr}"
        );
        assert!(
            !stdout.contains("schema"),
            "{format}: the note went to stdout"
        );
    }
}

/// The index `kg import` makes on `name` over every node has no Cypher form: the script names
/// it in a comment, `kg export` warns, and the script still loads.
#[test]
fn an_index_without_a_label_is_named_not_exported() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let jsonl =
        "{\"kind\": \"node\", \"id\": 0, \"labels\": [\"P\"], \"properties\": {\"name\": \"a\"}}\n";
    std::fs::write(d.join("g.jsonl"), jsonl).expect("write jsonl");
    ok(
        d,
        &["--db", "g.db", "import", "--format", "jsonl", "g.jsonl"],
    );
    let names = csv(d, "g.db", "SHOW INDEXES YIELD name RETURN name");
    let label_less = names
        .lines()
        .nth(1)
        .unwrap_or_else(|| panic!("no index made by the import: {names}"))
        .trim()
        .to_owned();
    let o = ok(
        d,
        &[
            "--db", "g.db", "export", "--format", "cypher", "-o", "g.cypher",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!(
            "warning: not exported: the index(es) {label_less} over every node"
        )),
        "{stderr}"
    );
    let script = std::fs::read_to_string(d.join("g.cypher")).expect("read export");
    assert!(
        script.contains(&format!("// the index {label_less} (over every node")),
        "{script}"
    );
    ok(
        d,
        &[
            "--db", "copy.db", "import", "--format", "cypher", "g.cypher",
        ],
    );
    assert_eq!(
        csv(d, "copy.db", "MATCH (n:P) RETURN n.name AS name"),
        "name\r\na\r\n"
    );
}

/// `kg import` of JSONL, GraphML or CSV makes its index on `name` over every node by itself,
/// so an export in those formats does not count it as lost: an import → export round trip
/// says nothing (it warned about that very index every time), while an index or constraint
/// the import would not make again is still named, and so is the import's own index once no
/// node or relationship has a `name` for the next import to index.
#[test]
fn the_index_an_import_makes_again_is_not_counted_as_lost() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let jsonl = "{\"kind\": \"node\", \"id\": 0, \"labels\": [\"Person\"], \"properties\": \
                 {\"name\": \"Ada\", \"email\": \"a\"}}\n";
    std::fs::write(d.join("g.jsonl"), jsonl).expect("write jsonl");
    ok(
        d,
        &["--db", "g.db", "import", "--format", "jsonl", "g.jsonl"],
    );
    let formats = [
        ("jsonl", "again.jsonl"),
        ("graphml", "again.graphml"),
        ("csv", "again"),
    ];
    let export = |db: &str, format: &str, output: &str| {
        let o = ok(d, &["--db", db, "export", "--format", format, "-o", output]);
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    for (format, output) in formats {
        let stderr = export("g.db", format, output);
        assert!(!stderr.contains("schema"), "{format}: {stderr}");
    }
    // The round trip again, from the exported file: still nothing to say.
    ok(
        d,
        &[
            "--db",
            "again.db",
            "import",
            "--format",
            "jsonl",
            "again.jsonl",
        ],
    );
    let names = csv(d, "again.db", "SHOW INDEXES YIELD name RETURN name");
    assert_eq!(
        names.lines().count(),
        2,
        "one index made by the import: {names}"
    );
    let stderr = export("again.db", "jsonl", "twice.jsonl");
    assert!(!stderr.contains("schema"), "{stderr}");
    // What the import would not make again is named, and only that.
    ok(d, &["--db", "g.db", "query", SCHEMA[0]]);
    ok(d, &["--db", "g.db", "query", SCHEMA[4]]);
    for (format, output) in formats {
        let stderr = export("g.db", format, output);
        assert!(
            stderr
                .contains("1 index and 1 constraint (person_name, person_email) were not exported"),
            "{format}: {stderr}"
        );
    }
    // Without a `name` anywhere, the next import makes no index on it: the import's own is lost.
    ok(d, &["--db", "again.db", "query", "MATCH (n) REMOVE n.name"]);
    let any_name = names.lines().nth(1).expect("an index").trim().to_owned();
    let stderr = export("again.db", "jsonl", "nameless.jsonl");
    assert!(
        stderr.contains(&format!(
            "1 index and 0 constraints ({any_name}) were not exported"
        )),
        "{stderr}"
    );
}
