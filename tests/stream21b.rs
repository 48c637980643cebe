//! `kg import` of JSONL and GraphML streamed into the bulk loader, and every import file read
//! through a bounded window (issue 21). The graph must be the same whatever the batch size and
//! whether a relationship comes before or after its nodes in the file; a bad line or element
//! late in a long file must leave a many-batch import unwritten; lines skipped with
//! `skip_bad` must be skipped alike by every pass; a line, record or XML token past the bound
//! fails with its file and line; CSV records that cross the reader's window boundaries (quoted
//! newlines, multi-byte characters) read as they would whole.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "support/kg_cli.rs"]
mod kg_cli;
use kg_cli::{kg, ok};

use kgstore::db::Database;
use kgstore::export::{write_source_to, ExportFormat, ExportOptions, Source};
use kgstore::import::{import_into_store, IdType, ImportFormat, ImportOptions, ImportReport};
use kgstore::{Params, Value};

fn opts(batch: Option<(usize, usize)>) -> ImportOptions {
    ImportOptions {
        progress: false,
        batch,
        ..ImportOptions::default()
    }
}

fn import(
    db: &Database,
    format: ImportFormat,
    path: &Path,
    o: &ImportOptions,
) -> kgstore::Result<ImportReport> {
    import_into_store(db.store(), format, &[path.to_path_buf()], o)
}

fn rows(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

fn count(db: &Database, q: &str) -> i64 {
    match rows(db, q).first().and_then(|r| r.first()) {
        Some(Value::Int(i)) => *i,
        other => panic!("{q}: {other:?}"),
    }
}

/// Everything a graph holds, ids aside: each node's labels and properties, each
/// relationship's type, properties and its ends' properties; sorted.
fn contents(db: &Database) -> Vec<String> {
    let mut out: Vec<String> = rows(
        db,
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p \
         UNION ALL MATCH (a)-[r]->(b) RETURN [type(r), properties(a), properties(b)] AS l, \
         properties(r) AS p",
    )
    .into_iter()
    .map(|r| format!("{r:?}"))
    .collect();
    out.sort();
    out
}

fn assert_consistent(db: &Database) {
    let check = db.store().check().unwrap();
    assert_eq!(check.problem_count, 0, "{:?}", check.problems);
}

/// The seed graph (dates, lists, points, many labels and types) and a generated one of
/// `n` people, each knowing the next three, with a unique `k` per node.
fn source_graph(n: i64) -> Database {
    let db = Database::open_in_memory().unwrap();
    kgstore::seed::load(&db).unwrap();
    rows(
        &db,
        &format!(
            "UNWIND range(0, {n} - 1) AS i CREATE (:Person {{k: i, name: 'P' + toString(i)}})"
        ),
    );
    rows(
        &db,
        &format!(
            "MATCH (a:Person), (b:Person) WHERE b.k IN [(a.k + 1) % {n}, (a.k + 2) % {n}, \
             (a.k + 3) % {n}] CREATE (a)-[:KNOWS {{w: a.k * 10 + b.k}}]->(b)"
        ),
    );
    db
}

fn export(db: &Database, format: ExportFormat, path: &Path) -> PathBuf {
    let txn = db.store().begin();
    write_source_to(
        Source::Graph(&txn),
        format,
        &ExportOptions::default(),
        Some(path),
    )
    .unwrap();
    path.to_path_buf()
}

/// The JSONL file with its relationship lines moved before its node lines.
fn relationships_first(path: &Path, out: &Path) -> PathBuf {
    let text = std::fs::read_to_string(path).unwrap();
    let (nodes, rels): (Vec<&str>, Vec<&str>) =
        text.lines().partition(|l| l.contains("\"kind\": \"node\""));
    assert!(!nodes.is_empty() && !rels.is_empty());
    let mut moved = rels.join("\n");
    moved.push('\n');
    moved.push_str(&nodes.join("\n"));
    moved.push('\n');
    std::fs::write(out, moved).unwrap();
    out.to_path_buf()
}

/// The GraphML file with its `<edge>` lines moved before its first `<node>` line.
fn edges_first(path: &Path, out: &Path) -> PathBuf {
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let first_node = lines.iter().position(|l| l.starts_with("<node")).unwrap();
    let (edges, rest): (Vec<&str>, Vec<&str>) = lines[first_node..]
        .iter()
        .partition(|l| l.starts_with("<edge"));
    assert!(!edges.is_empty());
    let mut all: Vec<&str> = lines[..first_node].to_vec();
    all.extend(edges);
    all.extend(rest);
    std::fs::write(out, all.join("\n") + "\n").unwrap();
    out.to_path_buf()
}

#[test]
fn small_batches_and_any_order_write_the_same_graph_as_one_batch() {
    let dir = tempfile::tempdir().unwrap();
    let source = source_graph(40);
    let want = contents(&source);
    let jsonl = export(&source, ExportFormat::Jsonl, &dir.path().join("g.jsonl"));
    let graphml = export(
        &source,
        ExportFormat::Graphml,
        &dir.path().join("g.graphml"),
    );
    let jsonl_rels_first = relationships_first(&jsonl, &dir.path().join("r.jsonl"));
    let graphml_edges_first = edges_first(&graphml, &dir.path().join("e.graphml"));
    let (nodes, rels) = (
        count(&source, "MATCH (n) RETURN count(n)"),
        count(&source, "MATCH ()-[r]->() RETURN count(r)"),
    );
    for (format, file) in [
        (ImportFormat::Jsonl, &jsonl),
        (ImportFormat::Jsonl, &jsonl_rels_first),
        (ImportFormat::Graphml, &graphml),
        (ImportFormat::Graphml, &graphml_edges_first),
    ] {
        for batch in [None, Some((7, 11)), Some((1, 1))] {
            let db = Database::open_in_memory().unwrap();
            let r = import(&db, format, file, &opts(batch)).unwrap();
            let what = format!("{} {batch:?}", file.display());
            assert_eq!(
                (r.nodes as i64, r.relationships as i64),
                (nodes, rels),
                "{what}"
            );
            assert_eq!(contents(&db), want, "{what}");
            assert_consistent(&db);
            // The relationships reach the right nodes: P5 knows P6, P7 and P8.
            assert_eq!(
                rows(
                    &db,
                    "MATCH (:Person {name: 'P5'})-[:KNOWS]->(b) RETURN b.name ORDER BY b.name"
                ),
                vec![
                    vec![Value::from("P6")],
                    vec![Value::from("P7")],
                    vec![Value::from("P8")]
                ],
                "{what}"
            );
        }
    }
}

/// A target holding one node, as the database an import goes into.
fn target() -> Database {
    let db = Database::open_in_memory().unwrap();
    rows(&db, "CREATE (:Existing {name: 'before'})");
    db
}

fn assert_untouched(db: &Database) {
    assert_eq!(count(db, "MATCH (n) RETURN count(n)"), 1);
    assert_eq!(count(db, "MATCH ()-[r]->() RETURN count(r)"), 0);
    assert_eq!(
        count(db, "MATCH (n:Existing {name: 'before'}) RETURN count(n)"),
        1
    );
    assert!(rows(db, "SHOW INDEXES YIELD name RETURN name").is_empty());
    assert_consistent(db);
}

fn append(path: &Path, text: &str) -> usize {
    let mut all = std::fs::read_to_string(path).unwrap();
    all.push_str(text);
    std::fs::write(path, &all).unwrap();
    all.lines().count()
}

#[test]
fn a_bad_line_late_in_a_long_file_leaves_a_many_batch_import_unwritten() {
    let dir = tempfile::tempdir().unwrap();
    let source = source_graph(2000);
    let small = opts(Some((100, 100)));
    // JSONL: a bad value on the last line; a relationship to a node that no line has; a
    // relationship whose end is a later node but whose start is missing.
    let cases: [(&str, &str, &str); 3] = [
        (
            "{\"kind\": \"node\", \"id\": 999999, \"labels\": [\"X\"], \"properties\": {\"d\": \"x\"}, \"property_types\": {\"d\": \"date\"}}\n",
            "is not an ISO-8601 date",
            "a.jsonl",
        ),
        (
            "{\"kind\": \"relationship\", \"type\": \"R\", \"start\": 0, \"end\": 777777}\n",
            "relationship end node 777777 is not in the import",
            "b.jsonl",
        ),
        (
            "{\"kind\": \"relationship\", \"type\": \"R\", \"start\": 888888, \"end\": 999999}\n{\"kind\": \"node\", \"id\": 999999}\n",
            "relationship start node 888888 is not in the import",
            "c.jsonl",
        ),
    ];
    for (tail, reason, name) in cases {
        let file = export(&source, ExportFormat::Jsonl, &dir.path().join(name));
        let lines = append(&file, tail);
        let bad_line = if name == "c.jsonl" { lines - 1 } else { lines };
        let db = target();
        let err = import(&db, ImportFormat::Jsonl, &file, &small)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("{name}:{bad_line}: ")) && err.contains(reason),
            "{err}"
        );
        assert_untouched(&db);
    }
    // GraphML: an edge to a node the file lacks, and a bad value of `k` (an integer), in the
    // last element.
    for (tail, reason) in [
        (
            "<edge source=\"n0\" target=\"nowhere\" label=\"R\"/>".to_string(),
            "edge refers to node `nowhere`, which is not in the file",
        ),
        (
            "<node id=\"late\"><data key=\"KEY\">not a number</data></node>".to_string(),
            "is not an integer",
        ),
    ] {
        let file = export(
            &source,
            ExportFormat::Graphml,
            &dir.path().join("g.graphml"),
        );
        let text = std::fs::read_to_string(&file).unwrap();
        let at = text.rfind("</graph>").unwrap();
        let line = text[..at].lines().count() + 1;
        // `<key id="n3" for="node" attr.name="k" …>`: the id of the key of `k`.
        let k = text.find("attr.name=\"k\"").unwrap();
        let key_start = text[..k].rfind("<key id=\"").unwrap() + "<key id=\"".len();
        let key = &text[key_start..key_start + text[key_start..].find('"').unwrap()];
        let tail = tail.replace("KEY", key);
        std::fs::write(&file, format!("{}{tail}\n{}", &text[..at], &text[at..])).unwrap();
        let db = target();
        let err = import(&db, ImportFormat::Graphml, &file, &small)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!("g.graphml:{line}: ")) && err.contains(reason),
            "{err}"
        );
        assert_untouched(&db);
    }
}

#[test]
fn skipped_lines_are_skipped_alike_by_every_pass() {
    let dir = tempfile::tempdir().unwrap();
    // Line 1 is a relationship to later nodes (so the write takes two passes); line 3 repeats
    // id 1 (the first keeps it), line 5 is not JSON, line 8 names a node no line has. The
    // nodes after them must be numbered as the check numbered them.
    let file = dir.path().join("s.jsonl");
    std::fs::write(
        &file,
        [
            r#"{"kind": "relationship", "type": "R", "start": 1, "end": 2}"#,
            r#"{"kind": "node", "id": 1, "properties": {"name": "one"}}"#,
            r#"{"kind": "node", "id": 1, "properties": {"name": "again"}}"#,
            r#"{"kind": "node", "id": "two", "properties": {"name": "two"}}"#,
            r#"{"kind": "node", "id": 2, "#,
            r#"{"kind": "node", "id": 2, "properties": {"name": "2"}}"#,
            r#"{"kind": "relationship", "type": "R", "start": "two", "end": 1}"#,
            r#"{"kind": "relationship", "type": "R", "start": 2, "end": 3}"#,
            r#"{"kind": "node", "properties": {"name": "no id"}}"#,
            r#"{"kind": "relationship", "type": "R", "start": 2, "end": "two"}"#,
        ]
        .join("\n"),
    )
    .unwrap();
    for batch in [None, Some((1, 1)), Some((2, 3))] {
        let db = Database::open_in_memory().unwrap();
        let o = ImportOptions {
            skip_bad: true,
            ..opts(batch)
        };
        let r = import(&db, ImportFormat::Jsonl, &file, &o).unwrap();
        assert_eq!((r.nodes, r.relationships, r.skipped), (4, 3, 3), "{r}");
        assert!(
            r.bad_lines[0].contains("s.jsonl:3: duplicate node id 1"),
            "{r}"
        );
        assert!(r.bad_lines[1].contains("s.jsonl:5: invalid JSON"), "{r}");
        assert!(
            r.bad_lines[2].contains("s.jsonl:8: relationship end node 3 is not in the import"),
            "{r}"
        );
        let mut edges: Vec<String> =
            rows(&db, "MATCH (a)-[:R]->(b) RETURN a.name + '>' + b.name AS e")
                .into_iter()
                .map(|r| format!("{:?}", r[0]))
                .collect();
        edges.sort();
        assert_eq!(
            edges,
            [
                "String(\"2>two\")",
                "String(\"one>2\")",
                "String(\"two>one\")"
            ],
            "batch {batch:?}"
        );
        assert_eq!(count(&db, "MATCH (n {name: 'again'}) RETURN count(n)"), 0);
        assert_eq!(count(&db, "MATCH (n {name: 'no id'}) RETURN count(n)"), 1);
        assert_consistent(&db);
    }
}

#[test]
fn a_line_record_or_token_past_the_bound_fails_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let o = ImportOptions {
        max_line: 4096,
        ..opts(None)
    };
    let long = "x".repeat(10_000);
    let jsonl = dir.path().join("long.jsonl");
    std::fs::write(
        &jsonl,
        format!(
            "{{\"kind\": \"node\", \"id\": 1}}\n{{\"kind\": \"node\", \"id\": 2, \"properties\": {{\"s\": \"{long}\"}}}}\n"
        ),
    )
    .unwrap();
    let csv_dir = dir.path().join("csv");
    std::fs::create_dir(&csv_dir).unwrap();
    // A quoted field over two lines, the record starting on line 3.
    let csv = format!("id:ID,name\n1,a\n2,\"two\n{long}\"\n");
    std::fs::write(csv_dir.join("n.csv"), csv).unwrap();
    let graphml = dir.path().join("long.graphml");
    std::fs::write(
        &graphml,
        format!("<graphml><key id=\"k\" for=\"node\" attr.name=\"s\"/><graph>\n<node id=\"a\"/>\n<node id=\"b\"><data key=\"k\">{long}</data></node></graph></graphml>\n"),
    )
    .unwrap();
    for (format, path, line) in [
        (ImportFormat::Jsonl, &jsonl, "long.jsonl:2: the line"),
        (ImportFormat::Csv, &csv_dir, "n.csv:3: the record"),
        (
            ImportFormat::Graphml,
            &graphml,
            "long.graphml:3: the XML token",
        ),
    ] {
        let db = target();
        let err = import(&db, format, path, &o).unwrap_err().to_string();
        assert!(
            err.contains(line) && err.contains("longer than 4096 bytes"),
            "{err}"
        );
        assert_untouched(&db);
        // Within a bound that holds it, the same file imports.
        let db = target();
        assert_eq!(import(&db, format, path, &opts(None)).unwrap().nodes, 2);
    }
}

/// A 2.6 MB CSV file, read in 1 MiB steps: a record longer than a step, quoted fields with newlines and
/// multi-byte characters everywhere, so records and characters cross window boundaries.
#[test]
fn csv_records_across_window_boundaries_read_as_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("csv");
    std::fs::create_dir_all(root.join("nodes")).unwrap();
    std::fs::create_dir_all(root.join("rels")).unwrap();
    let n = 30_000;
    let mut nodes = String::from("\u{FEFF}id:ID,name,note\r\n");
    let big = "长".repeat(400_000); // 1.2 MB in one field
    for i in 0..n {
        let note = match i {
            7 => format!("\"{big}\""),
            i if i % 3 == 0 => format!("\"line one\nline \"\"two\"\" 智谱 {i}\""),
            _ => format!("plain 深度求索 {i}"),
        };
        write!(nodes, "{i},名字 {i},{note}\r\n").unwrap();
    }
    std::fs::write(root.join("nodes/n.csv"), &nodes).unwrap();
    assert!(nodes.len() > 2 << 20);
    let mut rels = String::from(":START_ID,:END_ID,:TYPE\n");
    for i in 0..n {
        writeln!(rels, "{i},{},NEXT", (i + 1) % n).unwrap();
    }
    std::fs::write(root.join("rels/r.csv"), rels).unwrap();
    let db = Database::open_in_memory().unwrap();
    let o = ImportOptions {
        id_type: IdType::Integer,
        ..opts(Some((5000, 7000)))
    };
    let r = import_into_store(db.store(), ImportFormat::Csv, &[root], &o).unwrap();
    assert_eq!((r.nodes, r.relationships), (n, n), "{r}");
    assert_eq!(
        rows(
            &db,
            "MATCH (a {id: 29997})-[:NEXT]->(b) RETURN a.name, a.note, b.note"
        ),
        vec![vec![
            Value::from("名字 29997"),
            Value::from("line one\nline \"two\" 智谱 29997"),
            Value::from("plain 深度求索 29998"),
        ]]
    );
    let note7 = rows(&db, "MATCH (a {id: 7}) RETURN size(a.note)");
    assert_eq!(note7, vec![vec![Value::Int(400_000)]]);
    assert_eq!(
        count(
            &db,
            "MATCH (a) WHERE a.note STARTS WITH 'line one' RETURN count(a)"
        ),
        10_000
    );
    assert_consistent(&db);
}

#[test]
fn kg_import_of_jsonl_and_graphml_and_kg_check_after() {
    let dir = tempfile::tempdir().unwrap();
    let source = source_graph(300);
    let nodes = count(&source, "MATCH (n) RETURN count(n)");
    let rels = count(&source, "MATCH ()-[r]->() RETURN count(r)");
    for (format, name) in [
        (ExportFormat::Jsonl, "jsonl"),
        (ExportFormat::Graphml, "graphml"),
    ] {
        let file = export(&source, format, &dir.path().join(format!("g.{name}")));
        let db = dir.path().join(format!("db-{name}"));
        let out = ok(kg(&db)
            .args(["import", "--format", name])
            .arg(&file)
            .output()
            .unwrap());
        let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert!(
            text.contains(&format!(
                "imported {nodes} nodes and {rels} relationships from 1 file(s)"
            )),
            "{text}"
        );
        ok(kg(&db).arg("check").output().unwrap());
    }
}
