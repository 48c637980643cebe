//! Provenance through `kg serve`: a driver asks for it with the query's (or transaction's)
//! metadata `{why: true}` over Bolt, an HTTP client with `"why": true` in the request body, and
//! each record gains a last field `why` (the object `--format json` prints). Driven by the
//! official Python driver (`KG_PY`, skipped without it, see tests/support/python.rs).

#[path = "support/python.rs"]
mod python;
#[path = "support/serve.rs"]
mod serve;

use std::collections::BTreeSet;
use std::process::Command;

use serve::KgServer;

const CLIENT: &str = r#"
import json, sys, urllib.request
from neo4j import GraphDatabase, Query

bolt, http = sys.argv[1], sys.argv[2]
q = ("MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'}) "
     "OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o) RETURN p.name AS controller")
docs_q = ("MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'}) "
          "OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o) "
          "UNWIND p.source + o.source + c.source + coalesce(i.source, []) AS doc "
          "RETURN DISTINCT doc ORDER BY doc")
out = {}
with GraphDatabase.driver(bolt, auth=("neo4j", "x")) as d:
    with d.session() as s:
        out["expected"] = [r["doc"] for r in s.run(docs_q)]
        plain = s.run(q)
        out["plain_keys"] = list(plain.keys())
        list(plain)
        r = s.run(Query(q, metadata={"why": True}))
        out["keys"] = list(r.keys())
        out["bolt"] = [rec["why"] for rec in r]
        with s.begin_transaction(metadata={"why": True}) as tx:
            out["tx"] = [rec["why"] for rec in tx.run(q)]
            tx.commit()
body = json.dumps({"statement": q, "why": True}).encode()
req = urllib.request.Request(http + "/db/neo4j/query/v2", data=body,
                             headers={"Content-Type": "application/json"})
with urllib.request.urlopen(req) as resp:
    out["http"] = json.loads(resp.read())
print(json.dumps(out, default=str))
"#;

fn names(why: &serde_json::Value) -> BTreeSet<String> {
    why["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn drivers_and_http_clients_get_a_why_field_per_record() {
    let Some(py) = python::python("drivers_and_http_clients_get_a_why_field_per_record") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let seeded = Command::new(env!("CARGO_BIN_EXE_kg"))
        .arg("--db")
        .arg(tmp.path().join("db"))
        .arg("seed")
        .output()
        .expect("kg seed");
    assert!(seeded.status.success(), "{seeded:?}");
    let server = KgServer::start_in(tmp.path(), &[]);
    let http = server.http.clone().expect("http address");
    let http = if http.starts_with("http") {
        http
    } else {
        format!("http://{http}")
    };
    let bolt = if server.bolt.contains("://") {
        server.bolt.clone()
    } else {
        format!("bolt://{}", server.bolt)
    };
    let out = python::run_python(&py, CLIENT, &[&bolt, &http]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| {
        panic!("{e}: {out}\nserver log:\n{}", server.log());
    });
    let expected: BTreeSet<String> = v["expected"]
        .as_array()
        .expect("expected")
        .iter()
        .map(|d| d.as_str().expect("doc").to_string())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(v["plain_keys"], serde_json::json!(["controller"]));
    assert_eq!(v["keys"], serde_json::json!(["controller", "why"]));
    for why in [&v["bolt"][0], &v["tx"][0]] {
        assert_eq!(names(why), expected, "{why}");
        let facts = why["facts"].as_array().expect("facts");
        assert!(facts
            .iter()
            .any(|f| f["type"] == "CONTROLS" && f["kind"] == "relationship"));
    }
    // HTTP (Query API v2 shape): the field is the last of `fields`, its value the last of each
    // row of `values`.
    let data = &v["http"]["data"];
    let fields = data["fields"].as_array().expect("fields");
    assert_eq!(
        fields.last(),
        Some(&serde_json::json!("why")),
        "{}",
        v["http"]
    );
    let row = data["values"][0].as_array().expect("values");
    assert_eq!(names(row.last().expect("why value")), expected);
}
