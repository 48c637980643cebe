//! Integrity of the built-in seed graph: canonical names, provenance on every entity, units,
//! idempotent loading, a clean store check, and no copied sentences from the source documents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use kgstore::db::{Database, Params};
use kgstore::seed::{self, SeedReport};
use kgstore::Value;

/// Canonical names from the seed issue, with the label each must carry and the exact alias
/// list where the issue gives one.
const CANONICAL: &[(&str, &str, Option<&[&str]>)] = &[
    ("DeepSeek", "Lab", None),
    (
        "Zhipu AI",
        "Lab",
        Some(&["Zhipu", "Knowledge Atlas Technology", "智谱"]),
    ),
    ("MiniMax", "Lab", None),
    (
        "Moonshot AI",
        "Lab",
        Some(&["Moon's Dark Side", "月之暗面"]),
    ),
    ("StepFun", "Lab", Some(&["Jieyue Xingchen", "阶跃星辰"])),
    (
        "Baichuan",
        "Lab",
        Some(&["Baichuan Intelligence", "百川智能"]),
    ),
    ("01.AI", "Lab", Some(&["Lingyi Wanshu", "零一万物"])),
    ("Tencent", "Investor", None),
    ("CATL", "Investor", None),
    ("JD.com", "Investor", None),
    ("Liang Wenfeng", "Person", None),
    ("Shanghai Stock Exchange", "Exchange", None),
    ("STAR Market", "Market", None),
    ("Hong Kong Stock Exchange", "Exchange", None),
    ("HKEX Main Board", "Market", None),
    ("Enflame", "ChipMaker", None),
    ("Moore Threads", "ChipMaker", None),
    ("MetaX", "ChipMaker", Some(&["Muxi", "Muxi Co Ltd", "沐曦"])),
    (
        "Biren Technology",
        "ChipMaker",
        Some(&["Biren", "壁仞科技"]),
    ),
    ("Iluvatar CoreX", "ChipMaker", None),
    ("Kunlunxin", "ChipMaker", None),
    ("Baidu", "Organization", None),
    ("T-Head", "ChipMaker", None),
    ("Alibaba", "Organization", None),
    ("ByteDance", "Organization", None),
    ("Nvidia", "ChipMaker", None),
    ("Anthropic", "Lab", None),
    ("OpenAI", "Lab", None),
];

/// Labels that name a company or institution and so must come with `Organization`.
const ORGANIZATION_KINDS: &[&str] = &["Lab", "ChipMaker", "Exchange", "Regulator", "Publisher"];

fn seeded() -> (Database, SeedReport) {
    let db = Database::open_in_memory().expect("in-memory database");
    let report = seed::load(&db).expect("seed loads");
    (db, report)
}

fn query(db: &Database, q: &str) -> Vec<Vec<Value>> {
    match db.run(q, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("query failed: {e}\n{q}"),
    }
}

fn int(db: &Database, q: &str) -> i64 {
    match query(db, q).first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => *n,
        other => panic!("expected one integer from {q}, got {other:?}"),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => panic!("expected a string, got {other:?}"),
    }
}

/// The five document file names, as the seed's own `Source` nodes list them.
fn source_nodes(db: &Database) -> BTreeSet<String> {
    query(db, "MATCH (s:Source) RETURN s.name")
        .iter()
        .map(|r| text(&r[0]))
        .collect()
}

/// `../shared/seeds` (or `$KG_SEED_DOCS`), when present.
fn documents_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KG_SEED_DOCS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: seed documents not found at {} (set KG_SEED_DOCS); checking sources against \
             the seed's own Source nodes only",
            dir.display()
        );
        None
    }
}

/// Every `source` value in the graph (nodes and relationships), with what carries it.
fn all_sources(db: &Database) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for row in query(db, "MATCH (n) RETURN n.name, n.source") {
        out.push((format!("node {:?}", row[0]), row[1].clone()));
    }
    for row in query(
        db,
        "MATCH (a)-[r]->(b) RETURN a.name + ' -[' + type(r) + ']-> ' + b.name, r.source",
    ) {
        out.push((format!("relationship {:?}", row[0]), row[1].clone()));
    }
    out
}

#[test]
fn every_canonical_name_exists_exactly_once_with_its_label_and_aliases() {
    let (db, _) = seeded();
    for (name, label, aliases) in CANONICAL {
        let rows = query(
            &db,
            &format!(
                "MATCH (n {{name: '{}'}}) RETURN labels(n), n.aliases",
                name.replace('\'', "\\'")
            ),
        );
        assert_eq!(rows.len(), 1, "{name} should exist exactly once");
        let labels = match &rows[0][0] {
            Value::List(l) => l.iter().map(text).collect::<Vec<_>>(),
            other => panic!("labels of {name}: {other:?}"),
        };
        assert!(
            labels.iter().any(|l| l == label),
            "{name} lacks :{label}: {labels:?}"
        );
        if *label != "Person" && *label != "Market" {
            assert!(
                labels.iter().any(|l| l == "Organization"),
                "{name} lacks :Organization"
            );
        }
        if let Some(expected) = aliases {
            let got = match &rows[0][1] {
                Value::List(l) => l.iter().map(text).collect::<Vec<_>>(),
                other => panic!("aliases of {name}: {other:?}"),
            };
            assert_eq!(got, *expected, "aliases of {name}");
        }
    }
}

#[test]
fn names_are_unique_across_the_graph() {
    let (db, _) = seeded();
    let dupes = query(
        &db,
        "MATCH (n) WITH n.name AS name, count(*) AS c WHERE c > 1 RETURN name, c",
    );
    assert!(dupes.is_empty(), "duplicate names: {dupes:?}");
    assert_eq!(
        int(&db, "MATCH (n) WHERE n.name IS NULL RETURN count(n)"),
        0
    );
}

#[test]
fn institution_labels_come_with_organization() {
    let (db, _) = seeded();
    for kind in ORGANIZATION_KINDS {
        let missing = query(
            &db,
            &format!("MATCH (n:{kind}) WHERE NOT n:Organization RETURN n.name"),
        );
        assert!(
            missing.is_empty(),
            ":{kind} without :Organization: {missing:?}"
        );
    }
}

#[test]
fn every_node_and_relationship_names_a_source_document() {
    let (db, _) = seeded();
    let known = source_nodes(&db);
    assert_eq!(known.len(), 5, "one Source node per document: {known:?}");
    if let Some(dir) = documents_dir() {
        let mut on_disk = BTreeSet::new();
        for entry in std::fs::read_dir(&dir).expect("read seed documents") {
            let name = entry.expect("dir entry").file_name();
            on_disk.insert(name.to_string_lossy().into_owned());
        }
        assert_eq!(
            known,
            on_disk,
            "Source nodes vs documents in {}",
            dir.display()
        );
    }
    let sources = all_sources(&db);
    assert!(sources.len() > 100, "too few entities: {}", sources.len());
    for (what, source) in sources {
        let names: Vec<String> = match &source {
            Value::List(items) if !items.is_empty() => items.iter().map(text).collect(),
            other => panic!("{what}: source must be a non-empty list of file names: {other:?}"),
        };
        let distinct: BTreeSet<_> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "{what}: repeated source");
        for n in names {
            assert!(known.contains(&n), "{what}: unknown source {n:?}");
        }
    }
}

/// Money is numeric and says whether it is approximate; `as_of` is a date on everything but
/// `Source` nodes; every date has a `<key>_precision` and every `_precision` a date; `source`,
/// `aliases` and `reported_by` are lists of strings; shares and stakes lie in 0..1;
/// `confidence` uses the documented vocabulary.
#[test]
fn properties_follow_the_schema_conventions() {
    let (db, _) = seeded();
    let mut checked = 0;
    let rows = query(
        &db,
        "MATCH (n) RETURN n.name, properties(n), 'Source' IN labels(n), true",
    )
    .into_iter()
    .chain(query(
        &db,
        "MATCH (a)-[r]->(b) RETURN a.name + ' ' + type(r) + ' ' + b.name, properties(r), false AS is_source, false AS is_node",
    ));
    for row in rows {
        let Value::Map(props) = &row[1] else {
            panic!("properties: {:?}", row[1]);
        };
        let who = format!("{:?}", row[0]);
        let is_source = row[2] == Value::Bool(true);
        let is_node = row[3] == Value::Bool(true);
        if is_node {
            assert!(
                matches!(props.get("aliases"), Some(Value::List(_))),
                "{who}: aliases must be a list"
            );
        }
        if !is_source {
            assert!(
                matches!(props.get("as_of"), Some(Value::Date(_))),
                "{who}: as_of must be a date: {:?}",
                props.get("as_of")
            );
        }
        for (key, value) in props {
            checked += 1;
            if key.ends_with("_usd") || key.ends_with("_cny") {
                assert!(
                    matches!(value, Value::Float(f) if *f >= 0.0) || matches!(value, Value::Int(_)),
                    "{who}.{key} must be numeric: {value:?}"
                );
                assert!(
                    matches!(props.get("approximate"), Some(Value::Bool(_))),
                    "{who} has {key} but no approximate flag"
                );
            }
            if let Value::Date(_) = value {
                let precision = props.get(&format!("{key}_precision"));
                let ok = matches!(precision, Some(Value::String(p))
                    if ["day", "month", "quarter", "half", "year"].contains(&p.as_str()));
                assert!(
                    ok,
                    "{who}.{key} is a date without a valid precision: {precision:?}"
                );
            }
            if let Some(base) = key.strip_suffix("_precision") {
                assert!(
                    matches!(props.get(base), Some(Value::Date(_))),
                    "{who}.{key} has no date {base}"
                );
            }
            if key == "source" || key == "aliases" || key == "reported_by" {
                assert!(
                    matches!(value, Value::List(items) if items.iter().all(|v| matches!(v, Value::String(_)))),
                    "{who}.{key} must be a list of strings: {value:?}"
                );
            }
            if key == "share" || key == "stake" || key == "gross_margin" {
                assert!(
                    matches!(value, Value::Float(f) if (0.0..=1.0).contains(f)),
                    "{who}.{key} must lie in 0..1: {value:?}"
                );
            }
            if key == "confidence" {
                let s = text(value);
                assert!(
                    s == "speculative" || s == "unconfirmed",
                    "{who}.confidence: {s}"
                );
            }
        }
    }
    assert!(checked > 300, "only {checked} properties checked");
}

#[test]
fn key_facts_are_modelled() {
    let (db, _) = seeded();
    let policy = query(
        &db,
        "MATCH (x:Exchange {name: 'Shanghai Stock Exchange'})-[:ISSUED]->(p:Policy)-[:APPLIES_TO]->(:Market {name: 'STAR Market'}) \
         WHERE p.min_market_cap_cny IS NOT NULL RETURN p.min_market_cap_cny, p.min_market_cap_usd",
    );
    assert_eq!(
        policy,
        vec![vec![Value::Float(4.0e9), Value::Float(5.91e8)]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (p)-[:OWNS]->(:Organization {name: 'Kunlunxin'}) RETURN p.name"
        ),
        vec![vec![Value::String("Baidu".into())]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (p)-[:CONTROLS]->(:Organization {name: 'DeepSeek'}) RETURN p.name"
        ),
        vec![vec![Value::String("Liang Wenfeng".into())]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (d:Lab {name: 'DeepSeek'}) RETURN d.valuation_usd, d.valuation_cny"
        ),
        vec![vec![Value::Float(5.92e10), Value::Float(4.0e11)]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (:Organization {name: 'Nvidia'})-[s:SUPPLIES]->(:Organization {name: 'ByteDance'}) RETURN s.status"
        ),
        vec![vec![Value::String("reducing".into())]]
    );
    // The document's guess about who files first stays a guess: a Forecast, not a plan.
    assert_eq!(
        query(
            &db,
            "MATCH (f:Forecast)-[:TIPS]->(:Lab {name: 'DeepSeek'}) RETURN f.confidence"
        ),
        vec![vec![Value::String("speculative".into())]]
    );
}

/// Each MERGE of a node or relationship in the scripts creates exactly one entity on a fresh
/// database — a misspelt name in a MATCH would otherwise silently drop a relationship.
#[test]
fn every_statement_creates_its_entity() {
    let (_, report) = seeded();
    let mut node_merges = 0;
    let mut rel_merges = 0;
    for script in seed::SCRIPTS {
        for stmt in seed::statements(script.text) {
            if stmt.text.starts_with("MERGE") {
                node_merges += 1;
            } else if stmt.text.contains("MERGE (") && stmt.text.contains(")-[") {
                rel_merges += 1;
            } else {
                panic!("{}:{}: unexpected statement shape", script.path, stmt.line);
            }
        }
    }
    assert_eq!(report.nodes_created, node_merges, "{report}");
    assert_eq!(report.relationships_created, rel_merges, "{report}");
    assert_eq!(report.nodes, node_merges);
    assert_eq!(report.relationships, rel_merges);
}

fn census(db: &Database) -> BTreeMap<String, i64> {
    let mut c = BTreeMap::new();
    c.insert("nodes".into(), int(db, "MATCH (n) RETURN count(n)"));
    c.insert(
        "relationships".into(),
        int(db, "MATCH ()-[r]->() RETURN count(r)"),
    );
    c.insert(
        "node properties".into(),
        int(db, "MATCH (n) RETURN sum(size(keys(n)))"),
    );
    c.insert(
        "relationship properties".into(),
        int(db, "MATCH ()-[r]->() RETURN sum(size(keys(r)))"),
    );
    c.insert(
        "labels".into(),
        int(db, "MATCH (n) RETURN sum(size(labels(n)))"),
    );
    c
}

#[test]
fn seeding_twice_changes_nothing() {
    let (db, first) = seeded();
    let before = census(&db);
    let second = seed::load(&db).expect("second load");
    assert!(
        second.changed_nothing(),
        "second load changed things: {second}"
    );
    assert_eq!(second.statements, first.statements);
    assert_eq!(census(&db), before);
}

#[test]
fn store_check_is_clean_after_seeding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = kgstore::db::OpenOptions {
        create_if_missing: true,
        ..Default::default()
    };
    let db = Database::open(&dir.path().join("kg.db"), &opts).expect("open on disk");
    seed::load(&db).expect("seed loads");
    let report = db.store().check().expect("check runs");
    assert!(report.is_clean(), "store check after seeding:\n{report}");
}

/// The graph keeps facts and names, never the documents' sentences: no string property
/// shares a run of eight words with any document.
#[test]
fn no_sentence_is_copied_from_the_documents() {
    let Some(dir) = documents_dir() else { return };
    const RUN: usize = 8;
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '.' && c != '-')
            .filter(|w| !w.is_empty())
            .map(|w| w.trim_matches('.').to_lowercase())
            .collect()
    };
    let mut shingles = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("read seed documents") {
        let path = entry.expect("dir entry").path();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let w = words(&text);
        for window in w.windows(RUN) {
            shingles.insert(window.join(" "));
        }
    }
    let mut strings = Vec::new();
    for script in seed::SCRIPTS {
        strings.push(script.text.to_string());
    }
    for s in strings {
        let w = words(&s);
        for window in w.windows(RUN) {
            let joined = window.join(" ");
            assert!(
                !shingles.contains(&joined),
                "copied from a document: {joined:?}"
            );
        }
    }
}
