//! The seed graph's DOT, rendered by the real GraphViz `dot -Tsvg` (CI installs graphviz;
//! locally KG_ALLOW_NO_DOT=1 turns a missing `dot` into a skip). With KG_WRITE_DOCS_IMG=1 the
//! pictures in docs/img/ are regenerated from the exporter.

use kgstore::db::{Database, Params};
use kgstore::export::graphviz::dot_available;
use kgstore::export::{export, export_to_writer, ExportFormat, ExportOptions};

const QUERY: &str = "MATCH p = (:Lab)-[:LISTED_ON|PLANS_LISTING_ON]->() RETURN p";

fn need_dot() -> bool {
    if dot_available() {
        return true;
    }
    if std::env::var("KG_ALLOW_NO_DOT").as_deref() == Ok("1") {
        eprintln!("skipped: GraphViz `dot` is not installed (KG_ALLOW_NO_DOT=1)");
        return false;
    }
    panic!("GraphViz `dot` is required for this test: apt-get install graphviz / brew install graphviz (or set KG_ALLOW_NO_DOT=1 to skip locally)");
}

#[test]
fn seed_graph_renders_with_real_dot() {
    let db = Database::open_in_memory().unwrap();
    let seed = kgstore::seed::load(&db).unwrap();
    let mut dot = Vec::new();
    let r = export_to_writer(&db, ExportFormat::Dot, &ExportOptions::default(), &mut dot).unwrap();
    assert_eq!(r.nodes, seed.nodes);
    assert!(r.relationships > 0);
    let text = String::from_utf8(dot).unwrap();
    assert!(text.contains("cluster_legend"));
    if !need_dot() {
        return;
    }
    let mut svg = Vec::new();
    let opts = ExportOptions {
        rankdir: Some("LR".into()),
        ..ExportOptions::default()
    };
    export_to_writer(&db, ExportFormat::Svg, &opts, &mut svg).unwrap();
    let svg = String::from_utf8(svg).unwrap();
    assert!(svg.contains("<svg"));
    // Every node is drawn (GraphViz writes one `class="node"` group per node, legend included).
    assert!(
        svg.matches("class=\"node\"").count() as u64 >= seed.nodes,
        "too few nodes drawn"
    );

    let sub = ExportOptions {
        query: Some(QUERY.into()),
        rankdir: Some("LR".into()),
        ..ExportOptions::default()
    };
    let mut qsvg = Vec::new();
    let qr = export_to_writer(&db, ExportFormat::Svg, &sub, &mut qsvg).unwrap();
    let expected = db
        .run(
            "MATCH (:Lab)-[r:LISTED_ON|PLANS_LISTING_ON]->() RETURN count(DISTINCT r)",
            &Params::new(),
        )
        .unwrap();
    assert!(qr.relationships > 0, "the query returns something");
    assert_eq!(
        kgstore::Value::Int(qr.relationships as i64),
        expected.rows[0][0],
        "the subgraph holds exactly the returned relationships"
    );

    if std::env::var("KG_WRITE_DOCS_IMG").as_deref() == Ok("1") {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/img");
        std::fs::create_dir_all(&dir).unwrap();
        export(
            &db,
            ExportFormat::Svg,
            &opts,
            Some(&dir.join("seed-graph.svg")),
        )
        .unwrap();
        export(
            &db,
            ExportFormat::Svg,
            &sub,
            Some(&dir.join("query-lab-listings.svg")),
        )
        .unwrap();
    }
}
