//! Database-level export/import: the Cypher script round trip, and exporting the subgraph of
//! a query (both ends of returned relationships included).

use kgstore::db::{Database, Params};
use kgstore::export::{export, export_result, ExportFormat, ExportOptions};
use kgstore::import::{ImportFormat, ImportOptions};
use kgstore::store::GraphRead;

const SETUP: &str = "CREATE (a:Company:Lab {name: 'Zhipu \"智谱\" \\\\ AI', founded: date('2019-06-11'), valuation: 2.5e10, staff: 800, listed: false, tags: ['llm', 'b;c']}),
       (b:Investor {name: 'Line\\nbreak <Fund> {x}'}),
       (c:Exchange {name: 'STAR', code: 688}),
       (b)-[:OWNS {stake: 0.125, since: date('2021-01-02')}]->(a),
       (a)-[:LISTED_ON {year: 2025}]->(c),
       (b)-[:`ODD TYPE` {note: 'it\\'s'}]->(c)";

fn seeded() -> Database {
    let db = Database::open_in_memory().unwrap();
    db.run(SETUP, &Params::new()).unwrap();
    db
}

fn canonical(db: &Database) -> (Vec<String>, Vec<String>) {
    let g = db.store().begin();
    let mut desc = std::collections::BTreeMap::new();
    for id in g.node_ids().unwrap() {
        let n = g.node(id.unwrap()).unwrap().unwrap();
        let mut labels = n.labels.clone();
        labels.sort();
        desc.insert(n.id, format!("{labels:?} {:?}", n.properties));
    }
    let mut rels: Vec<String> = g
        .relationship_ids()
        .unwrap()
        .map(|id| {
            let r = g.relationship(id.unwrap()).unwrap().unwrap();
            format!(
                "{} -[{} {:?}]-> {}",
                desc[&r.start], r.rel_type, r.properties, desc[&r.end]
            )
        })
        .collect();
    rels.sort();
    let mut nodes: Vec<String> = desc.into_values().collect();
    nodes.sort();
    (nodes, rels)
}

#[test]
fn cypher_script_round_trip() {
    let db = seeded();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("graph.cypher");
    let r = export(
        &db,
        ExportFormat::Cypher,
        &ExportOptions::default(),
        Some(&file),
    )
    .unwrap();
    assert_eq!((r.nodes, r.relationships), (3, 3));
    let copy = Database::open_in_memory().unwrap();
    let opts = ImportOptions {
        progress: false,
        ..ImportOptions::default()
    };
    let script = std::fs::read_to_string(&file).unwrap();
    let rep = copy
        .import(ImportFormat::Cypher, &[file], &opts)
        .unwrap_or_else(|e| panic!("{e}\n{script}"));
    assert_eq!((rep.nodes, rep.relationships), (3, 3), "{rep}");
    assert_eq!(canonical(&db), canonical(&copy));
    // The temporary label, id property and index are gone.
    let g = copy.store().begin();
    assert!(g.indexes().unwrap().is_empty());
    assert_eq!(g.nodes_with_label("_KgExport").unwrap().count(), 0);
    drop(g);
    // Every other format through the Database facade too.
    for (ef, imf) in [
        (ExportFormat::Jsonl, ImportFormat::Jsonl),
        (ExportFormat::Graphml, ImportFormat::Graphml),
        (ExportFormat::Csv, ImportFormat::Csv),
    ] {
        let out = dir.path().join(format!("g-{ef}"));
        let rep = export(&db, ef, &ExportOptions::default(), Some(&out)).unwrap();
        let copy = Database::open_in_memory().unwrap();
        copy.import(imf, &[out], &opts).unwrap();
        if ef == ExportFormat::Csv {
            // neo4j-admin has no escape for the array delimiter: the export says so.
            assert!(
                rep.warnings.iter().any(|w| w.contains("array delimiter")),
                "{rep}"
            );
            continue;
        }
        assert_eq!(canonical(&db), canonical(&copy), "{ef}");
    }
}

#[test]
fn a_failing_cypher_statement_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.cypher");
    std::fs::write(
        &file,
        "CREATE (:A {n: 1});\n// comment\nCREATE (:B {n: 'x;y'});\nCREATE (:C {n: });\n",
    )
    .unwrap();
    let db = Database::open_in_memory().unwrap();
    let opts = ImportOptions {
        progress: false,
        ..ImportOptions::default()
    };
    let err = db
        .import(ImportFormat::Cypher, &[file], &opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.cypher:4:"), "{err}");
    assert_eq!(db.store().begin().node_count().unwrap(), 0);
}

#[test]
fn query_subgraph_includes_relationship_ends() {
    let db = seeded();
    let opts = ExportOptions {
        query: Some("MATCH (:Investor)-[r:OWNS]->() RETURN r".into()),
        ..ExportOptions::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("q.dot");
    let r = export(&db, ExportFormat::Dot, &opts, Some(&out)).unwrap();
    assert_eq!((r.nodes, r.relationships), (2, 1));
    let dot = std::fs::read_to_string(&out).unwrap();
    assert!(dot.contains("Zhipu \\\"智谱\\\" \\\\ AI"), "{dot}");
    assert!(dot.contains("Line\\nbreak <Fund> {x}"), "{dot}");
    assert!(!dot.contains("STAR"), "{dot}");

    // A path and a bare node, from a result computed earlier (the REPL's `:export`).
    let result = db
        .run(
            "MATCH p = (:Company)-[:LISTED_ON]->(:Exchange) RETURN p, 1 AS one",
            &Params::new(),
        )
        .unwrap();
    let out = dir.path().join("p.jsonl");
    let r = export_result(
        &db,
        &result,
        ExportFormat::Jsonl,
        &ExportOptions::default(),
        Some(&out),
    )
    .unwrap();
    assert_eq!((r.nodes, r.relationships), (2, 1));
}
