//! Export in every format, import into a fresh store, and compare the graphs (labels, types,
//! properties with their types, structure; ids may differ). Plus: a bad line leaves the
//! database unchanged, `skip_bad` skips and counts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kgstore::export::{write_source_to, ExportFormat, ExportOptions, Source};
use kgstore::import::{import_into_store, IdType, ImportFormat, ImportOptions};
use kgstore::model::Properties;
use kgstore::store::{GraphRead, GraphWrite, Store};
use kgstore::value::{Crs, Date, Point, Value};

fn props(pairs: Vec<(&str, Value)>) -> Properties {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn date(y: i32, m: u8, d: u8) -> Value {
    Value::Date(Date::new(y, m, d).unwrap())
}

fn temporal(function: &str, text: &str) -> Value {
    kgstore::value::parse_tagged(function, text).unwrap()
}

fn point(crs: Crs, coords: &[f64]) -> Value {
    Value::Point(Box::new(Point::new(crs, coords).unwrap()))
}

fn s(x: &str) -> Value {
    Value::String(x.to_string())
}

/// Hostile names and every storable value type (maps and empty lists aside: neo4j-admin CSV
/// cannot carry them, see docs/export-import.md).
fn hostile_graph() -> Store {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let a = t
        .create_node(
            &["Company".into(), "Lab".into()],
            props(vec![
                ("name", s("Quote \" back\\slash ends\\")),
                ("employees", Value::Int(42)),
                ("big", Value::Int(i64::MAX)),
                ("negative", Value::Int(-7)),
                ("ratio", Value::Float(0.1)),
                ("whole_float", Value::Float(1.0)),
                ("tiny", Value::Float(-1.5e-300)),
                ("listed", Value::Bool(true)),
                ("private", Value::Bool(false)),
                ("founded", date(2019, 6, 30)),
                (
                    "tags",
                    Value::List(vec![s("a"), s("b,c"), s("智谱"), s("quote\"d")]),
                ),
                ("years", Value::List(vec![Value::Int(2020), Value::Int(-1)])),
                (
                    "weights",
                    Value::List(vec![Value::Float(0.5), Value::Float(2.0)]),
                ),
                (
                    "flags",
                    Value::List(vec![Value::Bool(true), Value::Bool(false)]),
                ),
                (
                    "rounds",
                    Value::List(vec![date(2020, 1, 1), date(2024, 2, 29)]),
                ),
            ]),
        )
        .unwrap();
    let b = t
        .create_node(
            &["Odd `Label`: x".into()],
            props(vec![
                ("name", s("new\nline <b> {curly} 'single' & amp; tab\there")),
                ("empty", s("")),
                ("spaces", s("  padded  ")),
                ("cjk", s("智谱 AI 北京")),
                ("crlf", s("one\r\ntwo")),
                ("weird key: x", s("v")),
                ("id", Value::Int(5)),
            ]),
        )
        .unwrap();
    let c = t.create_node(&[], Properties::new()).unwrap();
    let d = t
        .create_node(
            &["Person".into()],
            props(vec![
                ("name", s("智谱 → 'Zhipu'")),
                (
                    "born",
                    temporal(
                        "datetime",
                        "1984-10-11T12:31:14.645876123+01:00[Europe/Stockholm]",
                    ),
                ),
                ("met", temporal("datetime", "2017-10-29T02:30-02:05:07")),
                ("wakes", temporal("localtime", "06:30:00.5")),
                ("calls", temporal("time", "09:00+08:00")),
                ("arrived", temporal("localdatetime", "-0044-03-15T12:00")),
                ("tenure", temporal("duration", "P1Y2M10DT-12H45M30.25S")),
                (
                    "shifts",
                    Value::List(vec![
                        temporal("duration", "PT8H"),
                        temporal("duration", "P1D"),
                    ]),
                ),
                ("home", point(Crs::Wgs84, &[12.994341, 55.611784])),
                ("desk", point(Crs::Cartesian3d, &[-1.5, 0.1, 2e-7])),
                (
                    "route",
                    Value::List(vec![
                        point(Crs::Wgs84_3d, &[-179.5, -90.0, 8848.86]),
                        point(Crs::Wgs84_3d, &[180.0, 90.0, -0.5]),
                    ]),
                ),
            ]),
        )
        .unwrap();
    t.create_relationship(
        "OWNS",
        d,
        a,
        props(vec![
            ("stake", Value::Float(0.25)),
            ("since", date(2021, 3, 4)),
        ]),
    )
    .unwrap();
    t.create_relationship("OWNS", d, a, props(vec![("stake", Value::Float(0.05))]))
        .unwrap();
    t.create_relationship("HAS `TICK` \"q\"", a, b, props(vec![("note", s("x;y"))]))
        .unwrap();
    t.create_relationship("SELF", c, c, Properties::new())
        .unwrap();
    t.create_relationship(
        "LISTS",
        b,
        c,
        props(vec![
            ("codes", Value::List(vec![s("688"), s("HK")])),
            ("n", Value::Int(0)),
        ]),
    )
    .unwrap();
    t.commit().unwrap();
    store
}

/// The graph without ids: sorted node descriptions and relationships between them.
fn canonical(g: &dyn GraphRead) -> (Vec<String>, Vec<String>) {
    let mut desc = BTreeMap::new();
    for id in g.node_ids().unwrap() {
        let n = g.node(id.unwrap()).unwrap().unwrap();
        let mut labels = n.labels.clone();
        labels.sort();
        desc.insert(n.id, format!("{labels:?} {:?}", n.properties));
    }
    let mut rels = Vec::new();
    for id in g.relationship_ids().unwrap() {
        let r = g.relationship(id.unwrap()).unwrap().unwrap();
        rels.push(format!(
            "({}) -[{:?} {:?}]-> ({})",
            desc[&r.start], r.rel_type, r.properties, desc[&r.end]
        ));
    }
    rels.sort();
    let mut nodes: Vec<String> = desc.into_values().collect();
    nodes.sort();
    (nodes, rels)
}

fn round_trip(export: ExportFormat, import: ImportFormat, dir: &Path) -> (Store, Store) {
    let original = hostile_graph();
    let out: PathBuf = if export.writes_directory() {
        dir.join("csv")
    } else {
        dir.join(format!("graph.{}", export.name()))
    };
    let txn = original.begin();
    let report = write_source_to(
        Source::Graph(&txn),
        export,
        &ExportOptions::default(),
        Some(&out),
    )
    .unwrap();
    assert_eq!((report.nodes, report.relationships), (4, 5), "{report}");
    let copy = Store::open_temporary().unwrap();
    let opts = ImportOptions {
        progress: false,
        ..ImportOptions::default()
    };
    let r = import_into_store(&copy, import, &[out], &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.nodes, r.relationships, r.skipped), (4, 5, 0), "{r}");
    drop(txn);
    (original, copy)
}

fn assert_same(a: &Store, b: &Store) {
    let (ta, tb) = (a.begin(), b.begin());
    let (na, ra) = canonical(&ta);
    let (nb, rb) = canonical(&tb);
    assert_eq!(na, nb, "nodes differ");
    assert_eq!(ra, rb, "relationships differ");
}

#[test]
fn jsonl_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = round_trip(ExportFormat::Jsonl, ImportFormat::Jsonl, dir.path());
    assert_same(&a, &b);
}

#[test]
fn graphml_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = round_trip(ExportFormat::Graphml, ImportFormat::Graphml, dir.path());
    assert_same(&a, &b);
}

#[test]
fn csv_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = round_trip(ExportFormat::Csv, ImportFormat::Csv, dir.path());
    assert_same(&a, &b);
    // The layout neo4j-admin expects.
    let nodes = std::fs::read_dir(dir.path().join("csv/nodes"))
        .unwrap()
        .count();
    let rels = std::fs::read_dir(dir.path().join("csv/relationships"))
        .unwrap()
        .count();
    assert_eq!((nodes, rels), (4, 4), "one file per label set and per type");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

const NODES: &str = "id:ID(Company),name,founded:int,valuation:float,tags:string[],:LABEL\n\
0,Alpha,1999,1.5,a;b,Company\n\
1,\"Beta, Inc\",2001,2.0,,Company;Lab\n\
2,Gamma,20x1,3.0,c,Company\n\
3,Delta,2010,4.0,d,Company\n";
const RELS: &str = ":START_ID(Company),:END_ID(Company),stake:float,:TYPE\n\
0,1,0.5,OWNS\n\
1,3,0.25,OWNS\n";

#[test]
fn a_bad_line_leaves_the_database_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "in/nodes/companies.csv", NODES);
    write(dir.path(), "in/relationships/owns.csv", RELS);
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    t.create_node(&["Existing".into()], Properties::new())
        .unwrap();
    t.commit().unwrap();
    let opts = ImportOptions {
        id_type: IdType::Integer,
        progress: false,
        ..ImportOptions::default()
    };
    let err = import_into_store(&store, ImportFormat::Csv, &[dir.path().join("in")], &opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("companies.csv:4:"), "{err}");
    assert!(err.contains("`20x1` is not an integer"), "{err}");
    let t = store.begin();
    assert_eq!(
        (t.node_count().unwrap(), t.relationship_count().unwrap()),
        (1, 0)
    );
    drop(t);

    // With skip_bad the line is skipped and counted; the rest is imported.
    let opts = ImportOptions {
        skip_bad: true,
        ..opts
    };
    let r = import_into_store(&store, ImportFormat::Csv, &[dir.path().join("in")], &opts).unwrap();
    assert_eq!((r.nodes, r.relationships, r.skipped), (3, 2, 1), "{r}");
    assert!(r.bad_lines[0].contains("companies.csv:4:"), "{r}");
    let t = store.begin();
    assert_eq!(t.node_count().unwrap(), 4);
    let beta = t
        .nodes_with_label("Lab")
        .unwrap()
        .map(|id| t.node(id.unwrap()).unwrap().unwrap())
        .next()
        .unwrap();
    assert_eq!(beta.properties["name"], s("Beta, Inc"));
    assert_eq!(beta.properties["id"], Value::Int(1));
    assert_eq!(beta.properties["valuation"], Value::Float(2.0));
    assert!(
        !beta.properties.contains_key("tags"),
        "an empty cell is no property"
    );
    assert_eq!(beta.labels, vec!["Company".to_string(), "Lab".to_string()]);
}

#[test]
fn a_dangling_relationship_is_a_bad_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nodes.csv", "id:ID,:LABEL\na,X\nb,X\n");
    write(
        dir.path(),
        "rels.csv",
        ":START_ID,:END_ID,:TYPE\na,b,R\na,zz,R\n",
    );
    let store = Store::open_temporary().unwrap();
    let opts = ImportOptions {
        progress: false,
        ..ImportOptions::default()
    };
    let paths = [dir.path().join("rels.csv"), dir.path().join("nodes.csv")];
    let err = import_into_store(&store, ImportFormat::Csv, &paths, &opts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("rels.csv:3: :END_ID `zz` matches no node"),
        "{err}"
    );
    assert_eq!(store.begin().node_count().unwrap(), 0);
}

#[test]
fn malformed_jsonl_and_graphml_are_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let j = write(
        dir.path(),
        "g.jsonl",
        "{\"kind\": \"node\", \"id\": 1, \"labels\": [\"A\"], \"properties\": {}}\n{\"kind\": \"node\", \"id\": 2,\n",
    );
    let store = Store::open_temporary().unwrap();
    let opts = ImportOptions {
        progress: false,
        ..ImportOptions::default()
    };
    let err = import_into_store(&store, ImportFormat::Jsonl, &[j], &opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("g.jsonl:2: invalid JSON"), "{err}");
    let g = write(
        dir.path(),
        "g.graphml",
        "<graphml>\n<key id=\"d0\" for=\"node\" attr.name=\"n\" attr.type=\"int\"/>\n<graph>\n<node id=\"a\"><data key=\"d0\">1</data></node>\n<node id=\"b\"><data key=\"d0\">x</data></node>\n</graph></graphml>\n",
    );
    let err = import_into_store(&store, ImportFormat::Graphml, &[g], &opts)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("g.graphml:5:") && err.contains("not an integer"),
        "{err}"
    );
    assert_eq!(store.begin().node_count().unwrap(), 0);
}

/// GraphML as NetworkX writes it (no kgstore type annotations) imports with its declared types.
#[test]
fn foreign_graphml_imports() {
    let dir = tempfile::tempdir().unwrap();
    let g = write(
        dir.path(),
        "nx.graphml",
        r#"<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <key id="d2" for="edge" attr.name="weight" attr.type="double" />
  <key id="d1" for="node" attr.name="size" attr.type="long"><default>7</default></key>
  <key id="d0" for="node" attr.name="name" attr.type="string" />
  <graph edgedefault="undirected">
    <node id="0"><data key="d0">zero</data><data key="d1">3</data></node>
    <node id="1"><data key="d0">one</data></node>
    <edge source="0" target="1"><data key="d2">1.5</data></edge>
  </graph>
</graphml>"#,
    );
    let store = Store::open_temporary().unwrap();
    let opts = ImportOptions {
        progress: false,
        ..ImportOptions::default()
    };
    let r = import_into_store(&store, ImportFormat::Graphml, &[g], &opts).unwrap();
    assert_eq!((r.nodes, r.relationships), (2, 1));
    let t = store.begin();
    let rel = t
        .relationship(t.relationship_ids().unwrap().next().unwrap().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(rel.rel_type, "RELATED");
    assert_eq!(rel.properties["weight"], Value::Float(1.5));
    let one = t.node(rel.end).unwrap().unwrap();
    assert_eq!(one.properties["size"], Value::Int(7), "default applies");
}
