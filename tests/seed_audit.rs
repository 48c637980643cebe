//! The seed graph after the audit of issue 17: one test per corrected fact, and the uniform
//! shape of the whole graph read back through Neo4j's schema procedures
//! (`db.schema.nodeTypeProperties()`, `db.schema.relTypeProperties()`,
//! `db.schema.visualization()`).

use std::collections::{BTreeMap, BTreeSet};

use kgstore::db::{Database, Params};
use kgstore::Value;

fn seeded() -> Database {
    let db = Database::open_in_memory().expect("in-memory database");
    kgstore::seed::load(&db).expect("seed loads");
    db
}

fn query(db: &Database, q: &str) -> Vec<Vec<Value>> {
    match db.run(q, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("query failed: {e}\n{q}"),
    }
}

fn s(v: &str) -> Value {
    Value::from(v)
}

fn strings(v: &Value) -> Vec<String> {
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

fn date(text: &str) -> Value {
    let db = Database::open_in_memory().expect("in-memory database");
    query(&db, &format!("RETURN date('{text}')"))[0][0].clone()
}

// ---- Wrong, unsupported or missing ---------------------------------------------------------

/// 000 gives "a $50B valuation" without a basis and, separately, $59.2B after the money; 001
/// about 400 billion yuan. No pre-money figure is stored, the 50 billion is a valuation of
/// unstated basis, the amounts are approximate, and the disagreement is a Discrepancy.
#[test]
fn deepseek_valuation_is_reported_with_its_basis_and_disagreement() {
    let db = seeded();
    assert!(
        query(
            &db,
            "MATCH (n) WHERE n.pre_money_valuation_usd IS NOT NULL RETURN n.name \
             UNION MATCH ()-[r]->() WHERE r.pre_money_valuation_usd IS NOT NULL RETURN type(r) AS `n.name`"
        )
        .is_empty(),
        "no document states a pre-money valuation"
    );
    assert_eq!(
        query(
            &db,
            "MATCH (f:FundingRound {name: 'DeepSeek Series A'}) \
             RETURN f.valuation_usd, f.valuation_basis, f.post_money_valuation_usd, f.approximate, f.reported_by"
        ),
        vec![vec![
            Value::Float(5.0e10),
            s("not stated"),
            Value::Float(5.92e10),
            Value::Bool(true),
            Value::List(vec![s("South China Morning Post"), s("Pandaily")]),
        ]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (l:Lab {name: 'DeepSeek'}) RETURN l.approximate, l.valuation_basis"
        ),
        vec![vec![Value::Bool(true), s("post-money")]]
    );
    let about = query(
        &db,
        "MATCH (d:Discrepancy)-[:CONCERNS]->(:FundingRound {name: 'DeepSeek Series A'}) \
         RETURN d.name ORDER BY d.name",
    );
    assert_eq!(
        about,
        vec![
            vec![s("DeepSeek Series A status")],
            vec![s("DeepSeek Series A valuation")],
            vec![s("DeepSeek outside money before its Series A")],
        ]
    );
}

/// Document 003 names GPT-4 (as ChatGPT's model) but never OpenAI.
#[test]
fn gpt4_has_no_developer_and_openai_does_not_cite_003() {
    let db = seeded();
    assert!(query(
        &db,
        "MATCH (o)-[:DEVELOPS]->(:Model {name: 'GPT-4'}) RETURN o"
    )
    .is_empty());
    let sources = query(&db, "MATCH (o {name: 'OpenAI'}) RETURN o.source");
    assert!(
        !strings(&sources[0][0]).contains(&"003_c6bf8357882345ea.txt".to_string()),
        "{sources:?}"
    );
    assert!(query(
        &db,
        "MATCH (n)-[r]-(m) WHERE (n.name = 'OpenAI') AND '003_c6bf8357882345ea.txt' IN r.source RETURN r"
    )
    .is_empty());
}

/// "Chasing Nvidia hardware and talent" is not a supply: no `SUPPLIES` from Nvidia to the
/// labs, and the dependents procedure lists only ByteDance.
#[test]
fn only_stated_supplies_make_nvidia_dependents() {
    let db = seeded();
    assert!(query(
        &db,
        "MATCH ()-[r:SUPPLIES]->() WHERE NOT r.status IN ['active', 'increasing', 'reducing'] RETURN r"
    )
    .is_empty());
    assert_eq!(
        query(
            &db,
            "CALL kg.supply.dependents('Nvidia') YIELD dependent, depth \
             RETURN dependent.name, depth ORDER BY dependent.name"
        ),
        vec![vec![s("ByteDance"), Value::Int(1)]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (l)-[:SEEKS_HARDWARE_FROM]->(:Organization {name: 'Nvidia'}) RETURN l.name ORDER BY l.name"
        ),
        vec![vec![s("Baichuan")], vec![s("DeepSeek")], vec![s("Zhipu AI")]]
    );
}

/// A query on plans that ignores `confidence` must not see the commentator's guess.
#[test]
fn speculation_cannot_be_read_as_a_plan() {
    let db = seeded();
    let planners = query(
        &db,
        "MATCH (o)-[r]->() WHERE type(r) STARTS WITH 'PLANS' RETURN DISTINCT o.name ORDER BY o.name",
    );
    assert!(
        !planners.contains(&vec![s("DeepSeek")]),
        "DeepSeek has no plan in any document: {planners:?}"
    );
    assert!(query(
        &db,
        "MATCH ()-[r]->() WHERE type(r) STARTS WITH 'PLANS' AND r.confidence = 'speculative' RETURN r"
    )
    .is_empty());
    assert_eq!(
        query(
            &db,
            "MATCH (f:Forecast)-[:TIPS]->(o) RETURN f.confidence, f.horizon_months, o.name ORDER BY o.name"
        ),
        vec![
            vec![s("speculative"), Value::Int(12), s("DeepSeek")],
            vec![s("speculative"), Value::Int(12), s("Zhipu AI")],
        ]
    );
}

/// 004: the wave began late in 2025; Moore Threads, MetaX and Biren listed before Iluvatar
/// CoreX's 8 January 2026 listing. `as_of` is the article's date, never the event's.
#[test]
fn gpu_listing_dates_and_bounds() {
    let db = seeded();
    assert_eq!(
        query(
            &db,
            "MATCH (e:Event {name: 'Chinese GPU listing wave'}) RETURN e.began, e.began_precision"
        ),
        vec![vec![date("2025-07-01"), s("half")]]
    );
    assert_eq!(
        query(
            &db,
            "MATCH (c:ChipMaker)-[r:LISTED_ON]->(:Exchange) \
             RETURN c.name, r.since, r.before, r.as_of ORDER BY c.name"
        ),
        vec![
            vec![
                s("Biren Technology"),
                Value::Null,
                date("2026-01-08"),
                date("2026-02-11")
            ],
            vec![
                s("Iluvatar CoreX"),
                date("2026-01-08"),
                Value::Null,
                date("2026-02-11")
            ],
            vec![
                s("MetaX"),
                Value::Null,
                date("2026-01-08"),
                date("2026-02-11")
            ],
            vec![
                s("Moore Threads"),
                Value::Null,
                date("2026-01-08"),
                date("2026-02-11")
            ],
        ]
    );
    let wave = query(
        &db,
        "MATCH (c)-[:TOOK_PART_IN]->(:Event {name: 'Chinese GPU listing wave'}) RETURN count(c)",
    );
    assert_eq!(wave, vec![vec![Value::Int(5)]]);
}

/// 001: Zhipu finished tutoring on the Wednesday the SSE issued its rules.
#[test]
fn zhipu_tutoring_ended_the_day_the_sse_rules_came_out() {
    let db = seeded();
    let rows = query(
        &db,
        "MATCH (:Organization {name: 'Zhipu AI'})-[p:PLANS_LISTING_ON]->(:Exchange {name: 'Shanghai Stock Exchange'}) \
         MATCH (x)-[i:ISSUED]->(rule:Policy {name: p.tutoring_completed_same_day_as}) \
         RETURN p.tutoring_completed = i.date, p.tutoring_completed_precision = i.date_precision, \
                x.name, i.weekday",
    );
    assert_eq!(
        rows,
        vec![vec![
            Value::Bool(true),
            Value::Bool(true),
            s("Shanghai Stock Exchange"),
            s("Wednesday")
        ]]
    );
}

/// Where a document attributes a figure ("per SCMP", "according to Zero2IPO", Pandaily), the
/// fact names who reported it.
#[test]
fn reported_by_follows_the_documents() {
    let db = seeded();
    let rows = query(
        &db,
        "MATCH (a)-[r]->(b) WHERE r.reported_by IS NOT NULL \
         RETURN a.name + ' ' + type(r) + ' ' + b.name, r.reported_by ORDER BY a.name, type(r), b.name",
    );
    let got: BTreeMap<String, Vec<String>> = rows
        .iter()
        .map(|r| {
            let Value::String(k) = &r[0] else {
                panic!("{r:?}")
            };
            (k.clone(), strings(&r[1]))
        })
        .collect();
    let scmp = vec!["South China Morning Post".to_string()];
    assert_eq!(got["Nvidia SUPPLIES ByteDance"], scmp);
    assert_eq!(
        got["Tier-two domestic chip suppliers SUPPLIES ByteDance"],
        scmp
    );
    assert_eq!(got["Liang Wenfeng INVESTED_IN DeepSeek"], scmp);
    assert_eq!(got["Tencent INVESTED_IN DeepSeek"], vec!["Pandaily"]);
    assert_eq!(got["Liang Wenfeng CONTROLS DeepSeek"], vec!["Pandaily"]);
    assert_eq!(
        query(
            &db,
            "MATCH (m:Metric {name: 'Chinese AI start-up funding Q1 2026'}) RETURN m.reported_by"
        ),
        vec![vec![Value::List(vec![s("Zero2IPO Research")])]]
    );
}

/// Conflicts between documents are recorded: 003 once calls Zhipu listed on STAR while 001
/// (and 003's summary) show a plan; 001 has the Series A closing where 000 has it done.
#[test]
fn conflicts_between_documents_are_recorded() {
    let db = seeded();
    let rows = query(
        &db,
        "MATCH (d:Discrepancy)-[:CONCERNS]->(n) RETURN d.name, collect(n.name), d.source ORDER BY d.name",
    );
    let by_name: BTreeMap<String, (Vec<String>, Vec<String>)> = rows
        .iter()
        .map(|r| {
            let Value::String(k) = &r[0] else {
                panic!("{r:?}")
            };
            let mut concerns = strings(&r[1]);
            concerns.sort();
            (k.clone(), (concerns, strings(&r[2])))
        })
        .collect();
    let zhipu = &by_name["Zhipu AI STAR Market status"];
    assert_eq!(zhipu.0, vec!["Shanghai Stock Exchange", "Zhipu AI"]);
    assert_eq!(
        zhipu.1,
        vec!["001_325c0e11d694aac3.txt", "003_c6bf8357882345ea.txt"]
    );
    let status = &by_name["DeepSeek Series A status"];
    assert_eq!(status.0, vec!["DeepSeek Series A"]);
    assert_eq!(
        status.1,
        vec!["000_493c96e2e8fb84e9.txt", "001_325c0e11d694aac3.txt"]
    );
    // The graph keeps Zhipu's A-share listing as a plan, not a listing.
    assert!(query(
        &db,
        "MATCH (:Organization {name: 'Zhipu AI'})-[r:LISTED_ON]->(:Exchange {name: 'Shanghai Stock Exchange'}) RETURN r"
    )
    .is_empty());
}

/// Names the documents use resolve, through `aliases` and the name-or-alias lookup of the
/// procedures; so do standard Chinese-script names.
#[test]
fn document_names_and_chinese_names_resolve() {
    let db = seeded();
    for (alias, name) in [
        ("Zhipu", "Zhipu AI"),
        ("Biren", "Biren Technology"),
        ("Muxi Co Ltd", "MetaX"),
        ("深度求索", "DeepSeek"),
        ("智谱", "Zhipu AI"),
        ("科创板", "STAR Market"),
    ] {
        let rows = query(
            &db,
            &format!("MATCH (n) WHERE '{alias}' IN n.aliases RETURN n.name"),
        );
        assert_eq!(rows, vec![vec![s(name)]], "alias {alias}");
    }
    assert_eq!(
        query(
            &db,
            "CALL kg.ownership.controllers('深度求索') YIELD controller RETURN controller.name"
        ),
        vec![vec![s("Liang Wenfeng")]]
    );
}

// ---- Uniform types and shapes, read through the schema procedures --------------------------

/// `db.schema.nodeTypeProperties()` / `relTypeProperties()` on the seed: one value type per
/// (label, property) and per (relationship type, property); `source`, `aliases` and `as_of`
/// on every node type (`as_of` not on `Source`), `source` and `as_of` on every relationship
/// type; every date paired with a string `_precision`.
#[test]
fn the_seed_schema_has_one_type_per_property() {
    let db = seeded();
    let mut per_label: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut node_mandatory: BTreeMap<(String, String), bool> = BTreeMap::new();
    let node_rows = query(
        &db,
        "CALL db.schema.nodeTypeProperties() \
         YIELD nodeType, nodeLabels, propertyName, propertyTypes, mandatory \
         RETURN nodeType, nodeLabels, propertyName, propertyTypes, mandatory",
    );
    assert!(node_rows.len() > 50, "{node_rows:?}");
    for row in &node_rows {
        let Value::String(node_type) = &row[0] else {
            panic!("{row:?}")
        };
        let Value::String(prop) = &row[2] else {
            panic!("a node type without properties: {row:?}")
        };
        let types = strings(&row[3]);
        assert_eq!(
            types.len(),
            1,
            "{node_type}.{prop} has several types: {types:?}"
        );
        for label in strings(&row[1]) {
            per_label
                .entry((label, prop.clone()))
                .or_default()
                .extend(types.iter().cloned());
        }
        node_mandatory.insert(
            (node_type.clone(), prop.clone()),
            row[4] == Value::Bool(true),
        );
    }
    for ((label, prop), types) in &per_label {
        assert_eq!(
            types.len(),
            1,
            ":{label}.{prop} has several types: {types:?}"
        );
    }
    let node_types: BTreeSet<String> = node_mandatory.keys().map(|k| k.0.clone()).collect();
    for t in &node_types {
        for key in ["name", "source", "aliases"] {
            assert_eq!(
                node_mandatory.get(&(t.clone(), key.to_string())),
                Some(&true),
                "{t}: {key} must be on every node"
            );
        }
        if t != ":`Source`" {
            assert_eq!(
                node_mandatory.get(&(t.clone(), "as_of".to_string())),
                Some(&true),
                "{t}: as_of must be on every node"
            );
        }
    }
    let node_type_of = |label: &str, prop: &str| -> Option<String> {
        per_label
            .get(&(label.to_string(), prop.to_string()))
            .and_then(|t| t.iter().next().cloned())
    };
    assert_eq!(
        node_type_of("Organization", "source").as_deref(),
        Some("StringArray")
    );
    assert_eq!(
        node_type_of("Organization", "aliases").as_deref(),
        Some("StringArray")
    );
    assert_eq!(
        node_type_of("Organization", "as_of").as_deref(),
        Some("Date")
    );
    assert_eq!(node_type_of("Source", "date").as_deref(), Some("Date"));
    assert_eq!(node_type_of("Market", "launched").as_deref(), Some("Date"));

    let rel_rows = query(
        &db,
        "CALL db.schema.relTypeProperties() YIELD relType, propertyName, propertyTypes, mandatory \
         RETURN relType, propertyName, propertyTypes, mandatory",
    );
    let mut rel_types: BTreeMap<String, BTreeMap<String, (String, bool)>> = BTreeMap::new();
    for row in &rel_rows {
        let (Value::String(t), Value::String(prop)) = (&row[0], &row[1]) else {
            panic!("{row:?}")
        };
        let types = strings(&row[2]);
        assert_eq!(types.len(), 1, "{t}.{prop} has several types: {types:?}");
        rel_types.entry(t.clone()).or_default().insert(
            prop.clone(),
            (types[0].clone(), row[3] == Value::Bool(true)),
        );
    }
    for (t, props) in &rel_types {
        assert_eq!(
            props.get("source"),
            Some(&("StringArray".to_string(), true)),
            "{t}.source"
        );
        assert_eq!(
            props.get("as_of"),
            Some(&("Date".to_string(), true)),
            "{t}.as_of"
        );
        for (prop, (ty, mandatory)) in props {
            if ty == "Date" {
                assert_eq!(
                    props.get(&format!("{prop}_precision")),
                    Some(&("String".to_string(), *mandatory)),
                    "{t}.{prop} needs a {prop}_precision beside it"
                );
            }
        }
    }
    for t in [":`LISTED_ON`", ":`PLANS_LISTING_ON`"] {
        assert_eq!(
            rel_types[t]
                .get("since")
                .or(rel_types[t].get("announced"))
                .map(|p| p.0.as_str()),
            Some("Date"),
            "{t}"
        );
    }
    for (label_prop, types) in &per_label {
        if types.contains("Date") {
            let precision = (label_prop.0.clone(), format!("{}_precision", label_prop.1));
            assert_eq!(
                per_label
                    .get(&precision)
                    .map(|t| t.iter().cloned().collect::<Vec<_>>()),
                Some(vec!["String".to_string()]),
                "{label_prop:?} needs a precision"
            );
        }
    }
}

/// One kind of endpoint per relationship type where the issue found a mix.
#[test]
fn relationship_endpoints_are_uniform() {
    let db = seeded();
    for (rel, from, to) in [
        ("LISTED_ON", "Organization", "Exchange"),
        ("PLANS_LISTING_ON", "Organization", "Exchange"),
        ("APPLIES_TO", "Policy", "Market"),
        ("MEMBER_OF", "Organization", "Group"),
        ("SUPPLIES", "Organization", "Organization"),
    ] {
        let odd = query(
            &db,
            &format!(
                "MATCH (a)-[r:{rel}]->(b) WHERE NOT (a:{from} AND b:{to}) RETURN a.name, b.name"
            ),
        );
        assert!(odd.is_empty(), "{rel} must run {from} -> {to}: {odd:?}");
        let n = query(&db, &format!("MATCH ()-[r:{rel}]->() RETURN count(r)"));
        assert_ne!(n, vec![vec![Value::Int(0)]], "{rel} is used");
    }
    // `board` names a Market that is PART_OF the exchange the listing points at.
    let boards = query(
        &db,
        "MATCH (o)-[r:LISTED_ON|PLANS_LISTING_ON]->(x:Exchange) WHERE r.board IS NOT NULL \
         OPTIONAL MATCH (m:Market {name: r.board})-[:PART_OF]->(x) \
         RETURN o.name, r.board, m IS NOT NULL",
    );
    assert!(boards.len() >= 5, "{boards:?}");
    for b in boards {
        assert_eq!(b[2], Value::Bool(true), "{b:?}");
    }
}

/// `db.schema.visualization()`: one virtual node per label, relationships between them for
/// every (label, type, label) in the data.
#[test]
fn schema_visualization_covers_the_seed() {
    let db = seeded();
    let rows = query(
        &db,
        "CALL db.schema.visualization() YIELD nodes, relationships \
         RETURN [n IN nodes | n.name] AS labels, [n IN nodes | id(n)] AS ids, \
                [r IN relationships | [id(startNode(r)), type(r), id(endNode(r))]] AS rels",
    );
    assert_eq!(rows.len(), 1);
    let names = strings(&rows[0][0]);
    let Value::List(ids) = &rows[0][1] else {
        panic!("{rows:?}")
    };
    let label_of: BTreeMap<i64, String> = ids
        .iter()
        .zip(&names)
        .map(|(id, name)| match id {
            Value::Int(i) => (*i, name.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    let labels: BTreeSet<String> = names.iter().cloned().collect();
    let expected: BTreeSet<String> = query(&db, "CALL db.labels() YIELD label RETURN label")
        .into_iter()
        .map(|r| match &r[0] {
            Value::String(s) => s.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(labels, expected);
    let Value::List(triples) = &rows[0][2] else {
        panic!("{rows:?}")
    };
    let rels: BTreeSet<String> = triples
        .iter()
        .map(|t| match t {
            Value::List(v) => match (&v[0], &v[1], &v[2]) {
                (Value::Int(a), Value::String(t), Value::Int(b)) => {
                    format!("{}-{t}->{}", label_of[a], label_of[b])
                }
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        })
        .collect();
    for r in [
        "Organization-LISTED_ON->Exchange",
        "Policy-APPLIES_TO->Market",
        "Forecast-TIPS->Lab",
        "Discrepancy-CONCERNS->FundingRound",
    ] {
        assert!(rels.contains(r), "{r} missing from {rels:?}");
    }
}
