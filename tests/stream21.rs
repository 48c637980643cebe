//! `kg import` of CSV streamed into the bulk loader (issue 21): a first pass checks every line
//! and keeps only the id maps and counts, a second writes batch by batch. The graph must be
//! the same whatever the batch size, a bad line anywhere must leave the database untouched
//! even when the import spans many batches, and lines skipped with `skip_bad` (a duplicate id
//! among them) must be skipped the same way by both passes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "support/kg_cli.rs"]
mod kg_cli;
use kg_cli::{kg, ok};

use kgstore::db::Database;
use kgstore::import::{import_into_store, IdType, ImportFormat, ImportOptions, ImportReport};
use kgstore::{Params, Value};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// Companies with sparse, partly negative integer ids (the id map's hash path), exchanges
/// and people with dense ids (its table path); relationships among them.
fn graph(dir: &Path, companies: i64) -> PathBuf {
    let root = dir.join("csv");
    let company_id = |i: i64| (i - 5) * 1_000_003;
    let mut c = String::from("id:ID(Company),name,tags:string[],:LABEL\n");
    for i in 0..companies {
        let label = if i % 3 == 0 { "Company;Lab" } else { "Company" };
        writeln!(c, "{},\"Co, {i}\",a;b{i},{label}", company_id(i)).unwrap();
    }
    write(&root, "nodes/company.csv", &c);
    let mut x = String::from("id:ID(Exchange),name\n");
    for i in 0..4 {
        writeln!(x, "{i},Exchange {i}").unwrap();
    }
    write(&root, "nodes/exchange.csv", &x);
    let mut p = String::from("key:ID(Person),name,:LABEL\n");
    for i in 0..companies / 2 {
        writeln!(p, "{i},Person {i},Person").unwrap();
    }
    write(&root, "nodes/person.csv", &p);
    let mut owns = String::from(":START_ID(Company),:END_ID(Company),:TYPE,stake:float\n");
    let mut listed = String::from(":START_ID(Company),:END_ID(Exchange),:TYPE\n");
    for i in 0..companies {
        let j = (i * 7 + 3) % companies;
        writeln!(owns, "{},{},OWNS,{}.5", company_id(i), company_id(j), i).unwrap();
        writeln!(listed, "{},{},LISTED_ON", company_id(i), i % 4).unwrap();
    }
    write(&root, "relationships/owns.csv", &owns);
    write(&root, "relationships/listed.csv", &listed);
    let mut inv = String::from(":START_ID(Person),:END_ID(Company),:TYPE,year:int\n");
    for i in 0..companies / 2 {
        writeln!(inv, "{i},{},INVESTED_IN,{}", company_id(i * 2), 2000 + i).unwrap();
    }
    write(&root, "relationships/invested.csv", &inv);
    root
}

fn opts(batch: Option<(usize, usize)>, skip_bad: bool) -> ImportOptions {
    ImportOptions {
        id_type: IdType::Integer,
        progress: false,
        skip_bad,
        batch,
        ..ImportOptions::default()
    }
}

/// The same files with string ids (the id map's string path).
fn string_opts(batch: Option<(usize, usize)>) -> ImportOptions {
    ImportOptions {
        id_type: IdType::String,
        ..opts(batch, false)
    }
}

fn import(db: &Database, root: &Path, o: &ImportOptions) -> kgstore::Result<ImportReport> {
    import_into_store(db.store(), ImportFormat::Csv, &[root.to_path_buf()], o)
}

fn rows(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
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

fn count(db: &Database, q: &str) -> i64 {
    match rows(db, q).first().and_then(|r| r.first()) {
        Some(Value::Int(i)) => *i,
        other => panic!("{q}: {other:?}"),
    }
}

#[test]
fn small_batches_write_the_same_graph_as_one_batch() {
    let dir = tempfile::tempdir().unwrap();
    let root = graph(dir.path(), 60);
    for o in [opts(None, false), string_opts(None)] {
        let one = Database::open_in_memory().unwrap();
        let r = import(&one, &root, &o).unwrap();
        // 60 companies + 4 exchanges + 30 people; 60 OWNS + 60 LISTED_ON + 30 INVESTED_IN.
        assert_eq!((r.nodes, r.relationships, r.files), (94, 150, 6), "{r}");
        let many = Database::open_in_memory().unwrap();
        let batched = ImportOptions {
            batch: Some((7, 11)),
            ..o.clone()
        };
        let r = import(&many, &root, &batched).unwrap();
        assert_eq!((r.nodes, r.relationships), (94, 150), "{r}");
        assert_eq!(contents(&one), contents(&many));
        assert_consistent(&many);
        // The relationships reach the right nodes, not merely nodes with the right count:
        // company 10 owns company (10 * 7 + 3) % 60 = 13, and person 4 company 8.
        assert_eq!(
            rows(
                &many,
                "MATCH (a {name: 'Co, 10'})-[:OWNS]->(b) RETURN b.name AS n \
                 UNION ALL MATCH (p:Person {name: 'Person 4'})-[:INVESTED_IN]->(c) RETURN c.name AS n"
            ),
            vec![vec![Value::from("Co, 13")], vec![Value::from("Co, 8")]]
        );
        // The id index the import plans covers every company, across the batches.
        assert_eq!(
            count(
                &many,
                "MATCH (c:Company) WHERE c.name STARTS WITH 'Co' RETURN count(c)"
            ),
            60
        );
    }
}

#[test]
fn a_bad_line_in_the_last_file_leaves_a_many_batch_import_unwritten() {
    let dir = tempfile::tempdir().unwrap();
    let root = graph(dir.path(), 60);
    // Sorted by path, `relationships/owns.csv` is the last file read.
    let owns = root.join("relationships/owns.csv");
    let mut text = std::fs::read_to_string(&owns).unwrap();
    text.push_str("-5000015,999,OWNS,1.0\n");
    std::fs::write(&owns, text).unwrap();
    let db = Database::open_in_memory().unwrap();
    let err = import(&db, &root, &opts(Some((5, 5)), false))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("owns.csv:62:") && err.contains("matches no node"),
        "{err}"
    );
    assert_eq!(count(&db, "MATCH (n) RETURN count(n)"), 0);
    assert_eq!(count(&db, "MATCH ()-[r]->() RETURN count(r)"), 0);
    assert_consistent(&db);
}

#[test]
fn skipped_lines_are_skipped_alike_by_both_passes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("csv");
    // Line 3 repeats id 1 (a duplicate: the first keeps it), line 5 has a bad integer, line
    // 6 too few fields; the nodes after them must still be numbered as the first pass did.
    write(
        &root,
        "nodes/n.csv",
        "id:ID,name,n:int\n1,one,1\n1,again,2\n2,two,2\n3,three,x\n4\n5,five,5\n6,six,6\n",
    );
    write(
        &root,
        "rels/r.csv",
        ":START_ID,:END_ID,:TYPE\n1,2,R\n2,5,R\n5,6,R\n6,1,R\n3,1,R\n6,4,R\n",
    );
    for batch in [None, Some((1, 1)), Some((2, 3))] {
        let db = Database::open_in_memory().unwrap();
        let r = import(&db, &root, &opts(batch, true)).unwrap();
        assert_eq!((r.nodes, r.relationships, r.skipped), (4, 4, 5), "{r}");
        assert_eq!(r.bad_lines.len(), 5, "{r}");
        assert!(
            r.bad_lines[0].contains("n.csv:3: duplicate node id `1`"),
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
                "String(\"five>six\")",
                "String(\"one>two\")",
                "String(\"six>one\")",
                "String(\"two>five\")"
            ],
            "batch {batch:?}"
        );
        assert_eq!(
            count(&db, "MATCH (n) WHERE n.name = 'again' RETURN count(n)"),
            0
        );
        assert_consistent(&db);
    }
}

#[test]
fn an_import_into_a_database_with_nodes_numbers_from_its_next_id() {
    let dir = tempfile::tempdir().unwrap();
    let root = graph(dir.path(), 20);
    let db = Database::open_in_memory().unwrap();
    rows(&db, "UNWIND range(1, 9) AS i CREATE (:Old {i: i})");
    rows(&db, "MATCH (o:Old {i: 1}) DETACH DELETE o");
    let r = import(&db, &root, &opts(Some((3, 4)), false)).unwrap();
    assert_eq!((r.nodes, r.relationships), (34, 50), "{r}");
    assert_eq!(
        count(&db, "MATCH (:Old)-[r]-() RETURN count(r)"),
        0,
        "no relationship of the import reaches an old node"
    );
    assert_eq!(
        rows(
            &db,
            "MATCH (a {name: 'Co, 10'})-[:OWNS]->(b) RETURN b.name AS n"
        ),
        vec![vec![Value::from("Co, 13")]]
    );
    assert_consistent(&db);
}

#[test]
fn kg_import_streams_and_kg_check_is_clean_after() {
    let dir = tempfile::tempdir().unwrap();
    let root = graph(dir.path(), 40);
    let db = dir.path().join("db");
    let out = ok(kg(&db)
        .args(["import", "--format", "csv", "--id-type", "integer"])
        .arg(&root)
        .output()
        .unwrap());
    let text = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("imported 64 nodes and 100 relationships from 6 file(s)"),
        "{text}"
    );
    ok(kg(&db).arg("check").output().unwrap());
}
