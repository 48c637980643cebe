//! Provenance (`RunOptions::why`, `kg query --why`): each result row names the facts it rests
//! on — everything its patterns matched, through WITH, OPTIONAL MATCH, subqueries and
//! aggregation — and the documents those facts cite. Expected facts come from independent
//! queries over the seed graph (which `seed/*.cypher` builds), and cited documents are checked
//! against the documents themselves where they are present.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kgstore::db::{Database, Params, QueryResult, RunOptions, WhyOptions};
use kgstore::provenance::{FactKind, RowWhy};
use kgstore::Value;

fn seeded() -> Database {
    let db = Database::open_in_memory().expect("in-memory database");
    kgstore::seed::load(&db).expect("seed loads");
    db
}

fn run(db: &Database, q: &str, why: Option<WhyOptions>) -> QueryResult {
    let opts = RunOptions {
        why,
        ..RunOptions::default()
    };
    match db.session().run_with(q, &Params::new(), &opts) {
        Ok(r) => r,
        Err(e) => panic!("query failed: {e}\n{q}"),
    }
}

fn why(db: &Database, q: &str) -> (QueryResult, Vec<RowWhy>) {
    let mut r = run(db, q, Some(WhyOptions::default()));
    let whys = r.why.take().expect("a provenance run returns why");
    assert_eq!(whys.len(), r.rows.len(), "one why per row");
    (r, whys)
}

fn int(v: &Value) -> u64 {
    match v {
        Value::Int(i) => *i as u64,
        other => panic!("expected an integer, got {other:?}"),
    }
}

fn ints(v: &Value) -> BTreeSet<u64> {
    match v {
        Value::List(items) => items.iter().map(int).collect(),
        other => panic!("expected a list, got {other:?}"),
    }
}

fn strings(v: &Value) -> BTreeSet<String> {
    match v {
        Value::List(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => panic!("expected a string, got {other:?}"),
            })
            .collect(),
        other => panic!("expected a list, got {other:?}"),
    }
}

fn node_ids(w: &RowWhy) -> BTreeSet<u64> {
    w.facts
        .iter()
        .filter(|f| matches!(f.kind, FactKind::Node { .. }))
        .map(|f| f.id)
        .collect()
}

fn rel_ids(w: &RowWhy) -> BTreeSet<u64> {
    w.facts
        .iter()
        .filter(|f| matches!(f.kind, FactKind::Relationship { .. }))
        .map(|f| f.id)
        .collect()
}

fn doc_names(w: &RowWhy) -> BTreeSet<String> {
    w.sources.iter().map(|s| s.name.clone()).collect()
}

/// `../shared/seeds` (or `$KG_SEED_DOCS`), when present.
fn documents_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("KG_SEED_DOCS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIP: seed documents not found at {} (set KG_SEED_DOCS); checking cited documents \
             against the graph only",
            dir.display()
        );
        None
    }
}

/// "Who controls DeepSeek, and according to whom?" The row rests on the controller, the
/// company, the CONTROLS relationship and (OPTIONAL MATCH) the investment, whether or not they
/// are returned; their documents are the union of their `source` lists, and that document
/// really names both parties.
#[test]
fn who_controls_deepseek_names_its_facts_and_documents() {
    let db = seeded();
    let q = "MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'}) \
             OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o) \
             RETURN p.name AS controller";
    let (r, whys) = why(&db, q);
    assert_eq!(r.columns, vec!["controller"], "the why column stays hidden");
    assert_eq!(r.rows.len(), 1);
    let plain = run(
        &db,
        "MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'}) \
         OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o) \
         RETURN [id(p), id(o)] AS nodes, [id(c), id(i)] AS rels, \
                p.source + o.source + c.source + i.source AS docs",
        None,
    );
    let expected = &plain.rows[0];
    assert_eq!(node_ids(&whys[0]), ints(&expected[0]));
    assert_eq!(rel_ids(&whys[0]), ints(&expected[1]));
    assert_eq!(doc_names(&whys[0]), strings(&expected[2]));
    assert!(!whys[0].truncated);
    assert!(whys[0].unsourced.is_empty(), "every seed fact has a source");
    // Each document's entry lists exactly the facts that cite it, with their as_of dates.
    for doc in &whys[0].sources {
        for (i, f) in whys[0].facts.iter().enumerate() {
            assert_eq!(doc.facts.contains(&i), f.source.contains(&doc.name));
        }
        assert!(doc.title.is_some() && doc.publisher.is_some() && doc.date.is_some());
        assert!(!doc.as_of.is_empty());
    }
    let control = whys[0]
        .facts
        .iter()
        .find(|f| matches!(&f.kind, FactKind::Relationship { rel_type, .. } if rel_type == "CONTROLS"))
        .expect("the CONTROLS fact");
    if let Some(dir) = documents_dir() {
        for doc in &control.source {
            let text = std::fs::read_to_string(dir.join(doc)).expect("cited document exists");
            for name in ["Liang Wenfeng", "DeepSeek", "voting"] {
                assert!(
                    text.contains(name),
                    "{doc}, cited for {}, does not mention {name}",
                    control.text
                );
            }
        }
    }
}

/// An aggregated row rests on every row it aggregated.
#[test]
fn an_aggregate_rests_on_all_the_rows_it_counts() {
    let db = seeded();
    let (r, whys) = why(
        &db,
        "MATCH (c)-[l:LISTED_ON]->(e:Exchange) RETURN e.name AS exchange, count(c) AS n ORDER BY exchange",
    );
    let plain = run(
        &db,
        "MATCH (c)-[l:LISTED_ON]->(e:Exchange) \
         WITH e.name AS exchange, id(e) AS exchange_id, collect(id(c)) AS companies, \
              collect(id(l)) AS rels \
         RETURN exchange, companies + [exchange_id] AS nodes, rels ORDER BY exchange",
        None,
    );
    assert_eq!(r.rows.len(), plain.rows.len());
    assert!(r.rows.len() >= 2, "listings on several exchanges");
    for ((row, w), expected) in r.rows.iter().zip(&whys).zip(&plain.rows) {
        assert_eq!(row[0], expected[0]);
        assert_eq!(node_ids(w), ints(&expected[1]), "{:?}", row[0]);
        assert_eq!(rel_ids(w), ints(&expected[2]), "{:?}", row[0]);
        assert_eq!(int(&row[1]) as usize, rel_ids(w).len());
    }
}

/// Facts flow through WITH (even ones the WITH drops), DISTINCT merges the facts of the rows
/// it collapses, and CALL { } adds the facts its inner query matched.
#[test]
fn facts_survive_with_distinct_and_subqueries() {
    let db = seeded();
    // The founder is dropped by the WITH, yet the answer rests on him.
    let (_, whys) = why(
        &db,
        "MATCH (p:Person)-[f:FOUNDED]->(o:Organization {name: 'DeepSeek'}) WITH o RETURN o.name",
    );
    let founder = run(
        &db,
        "MATCH (p:Person)-[f:FOUNDED]->(:Organization {name: 'DeepSeek'}) RETURN id(p), id(f)",
        None,
    );
    assert!(node_ids(&whys[0]).contains(&int(&founder.rows[0][0])));
    assert!(rel_ids(&whys[0]).contains(&int(&founder.rows[0][1])));

    // DISTINCT: one row per board, resting on every listing on it.
    let (r, whys) = why(
        &db,
        "MATCH (c)-[l:LISTED_ON]->(:Exchange) WHERE l.board IS NOT NULL RETURN DISTINCT l.board AS board",
    );
    let plain = run(
        &db,
        "MATCH (c)-[l:LISTED_ON]->(:Exchange) WHERE l.board IS NOT NULL \
         RETURN l.board AS board, collect(id(l)) AS rels",
        None,
    );
    assert_eq!(r.rows.len(), plain.rows.len(), "DISTINCT still collapses");
    for (row, w) in r.rows.iter().zip(&whys) {
        let expected = plain.rows.iter().find(|p| p[0] == row[0]).expect("board");
        assert_eq!(rel_ids(w), ints(&expected[1]));
    }

    // CALL { }: the model's developer relationship, matched only inside.
    let (_, whys) = why(
        &db,
        "MATCH (m:Model) CALL { WITH m MATCH (l)-[d:DEVELOPS]->(m) RETURN l.name AS lab } \
         RETURN m.name AS model, lab ORDER BY model LIMIT 1",
    );
    let plain = run(
        &db,
        "MATCH (m:Model)<-[d:DEVELOPS]-(l) RETURN m.name AS model, id(d), id(l) ORDER BY model LIMIT 1",
        None,
    );
    assert!(rel_ids(&whys[0]).contains(&int(&plain.rows[0][1])));
    assert!(node_ids(&whys[0]).contains(&int(&plain.rows[0][2])));
}

/// UNION (distinct) keeps collapsing equal rows, and merges their facts.
#[test]
fn union_merges_the_facts_of_equal_rows() {
    let db = seeded();
    let q = "MATCH (o:Organization {name: 'DeepSeek'})<-[r:FOUNDED]-(p) RETURN p.name AS who \
             UNION MATCH (o:Organization {name: 'DeepSeek'})<-[r:CONTROLS]-(p) RETURN p.name AS who";
    let (r, whys) = why(&db, q);
    assert_eq!(r.rows, run(&db, q, None).rows);
    assert_eq!(
        r.rows.len(),
        1,
        "founder and controller are the same person"
    );
    let types: BTreeSet<String> = whys[0]
        .facts
        .iter()
        .filter_map(|f| match &f.kind {
            FactKind::Relationship { rel_type, .. } => Some(rel_type.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(types, ["CONTROLS", "FOUNDED"].map(String::from).into());
}

/// Provenance never changes the answer: every example question returns the same rows with it
/// on, and counts (which the optimizer answers from counters without it) agree.
#[test]
fn the_answer_is_the_same_with_provenance_on() {
    let db = seeded();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/queries");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seed/queries")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "cypher"))
        .collect();
    files.sort();
    let mut checked = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for stmt in kgstore::seed::statements(&text) {
            let plain = run(&db, &stmt.text, None);
            let (with, whys) = why(&db, &stmt.text);
            assert_eq!(plain.columns, with.columns, "{}", file.display());
            assert_eq!(plain.rows, with.rows, "{}", file.display());
            assert!(plain.why.is_none());
            for w in &whys {
                assert!(
                    !w.facts.is_empty() || file.to_string_lossy().contains("schema"),
                    "{}: a row without facts",
                    file.display()
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 20);
    for q in [
        "MATCH (n) RETURN count(n) AS n",
        "MATCH (n:Organization) RETURN count(n) AS n",
        "MATCH (o:Organization)-[r]->() RETURN o.name AS name, count(*) AS n ORDER BY name",
        "MATCH (o:Organization {name: 'DeepSeek'})-->(x) RETURN count(x) AS n",
    ] {
        assert_eq!(run(&db, q, None).rows, why(&db, q).0.rows, "{q}");
    }
}

/// Provenance is capped per row, and says so.
#[test]
fn the_cap_bounds_a_row_and_is_reported() {
    let db = seeded();
    let q = "MATCH (n) RETURN count(n) AS n";
    let mut r = run(&db, q, Some(WhyOptions { max_facts: 5 }));
    let w = r.why.take().expect("why");
    assert_eq!(w[0].facts.len(), 5);
    assert!(w[0].truncated);
    let (r, w) = why(&db, q);
    assert_eq!(w[0].facts.len() as u64, int(&r.rows[0][0]));
    assert!(!w[0].truncated);
}

/// Off, a statement's plan is the one it always had (the count rewrites included); on, the
/// plan visits the facts.
#[test]
fn plans_without_provenance_are_unchanged() {
    let db = seeded();
    let plan = db
        .explain("MATCH (n:Organization) RETURN count(n)")
        .expect("explain");
    assert!(
        plan.contains("CountNodes") || plan.contains("Count"),
        "{plan}"
    );
    assert!(!plan.contains("Lineage"), "{plan}");
    let r = run(
        &db,
        "EXPLAIN MATCH (n:Organization) RETURN count(n)",
        Some(WhyOptions::default()),
    );
    let why_plan = r.plan.expect("a plan");
    assert!(why_plan.contains("Lineage"), "{why_plan}");
}

/// Facts without a `source` are reported as unsourced, and a graph without `Source` nodes
/// still names the cited documents.
#[test]
fn facts_without_sources_and_documents_without_nodes() {
    let db = Database::open_in_memory().expect("db");
    db.run(
        "CREATE (:City {name: 'Hangzhou'})<-[:BASED_IN {source: 'notes.txt'}]-(:Lab {name: 'X', source: ['notes.txt', 'web.html']})",
        &Params::new(),
    )
    .expect("create");
    let (_, whys) = why(
        &db,
        "MATCH (l:Lab)-[b]->(c:City) RETURN l.name AS lab, c.name AS city",
    );
    let w = &whys[0];
    assert_eq!(w.facts.len(), 3);
    assert_eq!(
        doc_names(w),
        ["notes.txt", "web.html"].map(String::from).into()
    );
    let city = w
        .facts
        .iter()
        .position(|f| f.text == "(:City Hangzhou)")
        .expect("the city");
    assert_eq!(w.unsourced, vec![city]);
    let notes = w
        .sources
        .iter()
        .find(|s| s.name == "notes.txt")
        .expect("notes");
    assert_eq!(notes.facts.len(), 2);
    assert_eq!(notes.title, None);
}
