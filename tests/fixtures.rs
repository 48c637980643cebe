//! Data-driven end-to-end fixtures: every `tests/cases/*.cyt` file runs top to bottom against
//! a fresh in-memory database. Records (separated by blank lines):
//!
//! ```text
//! statement ok            # must succeed
//! CREATE (:A {x: 1})
//!
//! statement error DETAIL  # must fail with this detail code (or error class)
//! MATCH (n) RETURN x
//!
//! query [ordered]         # rows compared as a multiset unless `ordered`
//! MATCH (a:A) RETURN a.x AS x
//! ----
//! x
//! 1
//!
//! explain                 # the EXPLAIN tree, line by line
//! MATCH (n:A) RETURN n
//! ----
//! Produce...
//!
//! param skip              # sets $skip for the rest of the file to the value of
//! 1                       # the expression (evaluated with RETURN)
//! ```
//! Values print in TCK notation: `'s'`, `1`, `1.5`, `null`, `[1, 2]`, `{k: 1}`, `(:L {k: 1})`,
//! `[:T {k: 1}]`, `<(:A)-[:T]->(:B)>`. Columns of a row are separated by ` | `.
//! Run one file with `cargo test --test fixtures -- NAME`.

use std::path::Path;

use kgstore::db::{Database, Params};
use kgstore::model::{Node, Relationship};
use kgstore::Value;

fn props(p: &std::collections::BTreeMap<String, Value>) -> String {
    if p.is_empty() {
        return String::new();
    }
    let items: Vec<String> = p
        .iter()
        .map(|(k, v)| format!("{k}: {}", render(v)))
        .collect();
    format!(" {{{}}}", items.join(", "))
}

fn node(n: &Node) -> String {
    let labels: String = n.labels.iter().map(|l| format!(":{l}")).collect();
    let p = props(&n.properties);
    if labels.is_empty() {
        format!("({})", p.trim_start())
    } else {
        format!("({labels}{p})")
    }
}

fn rel(r: &Relationship) -> String {
    format!("[:{}{}]", r.rel_type, props(&r.properties))
}

fn render(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::String(s) => format!("'{s}'"),
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", render(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        v if v.is_temporal() => format!(
            "{}('{}')",
            v.temporal_function().unwrap_or_default(),
            v.temporal_text().unwrap_or_default()
        ),
        // As the Neo4j manual prints a point: `point({srid:4326, x:56.7, y:12.78})`.
        Value::Point(p) => p.to_string(),
        Value::Node(n) => node(n),
        Value::Relationship(r) => rel(r),
        Value::Path(p) => {
            let mut s = String::from("<");
            s.push_str(&node(&p.nodes[0]));
            for (i, r) in p.relationships.iter().enumerate() {
                let forward = r.start == p.nodes[i].id;
                if forward {
                    s.push_str(&format!("-{}->", rel(r)));
                } else {
                    s.push_str(&format!("<-{}-", rel(r)));
                }
                s.push_str(&node(&p.nodes[i + 1]));
            }
            s.push('>');
            s
        }
        other => format!("{other:?}"),
    }
}

struct Record {
    line: usize,
    kind: String,
    query: String,
    expected: Vec<String>,
}

fn parse(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim_end();
        if l.trim().is_empty() || l.starts_with('#') {
            i += 1;
            continue;
        }
        let line = i + 1;
        let kind = l.to_string();
        i += 1;
        let mut query = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && lines[i].trim() != "----" {
            query.push(lines[i]);
            i += 1;
        }
        let mut expected = Vec::new();
        if i < lines.len() && lines[i].trim() == "----" {
            i += 1;
            while i < lines.len() && !lines[i].trim().is_empty() {
                expected.push(lines[i].trim_end().to_string());
                i += 1;
            }
        }
        out.push(Record {
            line,
            kind,
            query: query.join("\n"),
            expected,
        });
    }
    out
}

fn run_record(db: &Database, r: &Record, params: &mut Params) -> Result<(), String> {
    let words: Vec<&str> = r.kind.split_whitespace().collect();
    if words.first().copied() == Some("param") {
        let name = words
            .get(1)
            .ok_or_else(|| "`param` needs a name".to_string())?;
        let res = db
            .run(&format!("RETURN {}", r.query), params)
            .map_err(|e| format!("parameter value failed: {e}"))?;
        let v = res
            .rows
            .first()
            .and_then(|row| row.first())
            .cloned()
            .ok_or_else(|| "parameter value gave no row".to_string())?;
        params.insert(name.to_string(), v);
        return Ok(());
    }
    let res = db.run(&r.query, params);
    match words.first().copied() {
        Some("statement") => match (words.get(1).copied(), res) {
            (Some("ok"), Ok(_)) => Ok(()),
            (Some("ok"), Err(e)) => Err(format!("expected success, got error: {e}")),
            (Some("error"), Ok(_)) => Err("expected an error, the statement succeeded".into()),
            (Some("error"), Err(e)) => {
                let want = words.get(2).copied().unwrap_or("");
                let (class, detail) = e
                    .as_query()
                    .map(|q| (q.class.to_string(), q.detail.clone()))
                    .unwrap_or_else(|| (String::new(), format!("{e:?}")));
                if want.is_empty() || want == detail || want == class || detail.contains(want) {
                    Ok(())
                } else {
                    Err(format!("expected error {want}, got {class}/{detail}: {e}"))
                }
            }
            _ => Err(format!("unknown record kind `{}`", r.kind)),
        },
        Some("query") => {
            let res = res.map_err(|e| format!("query failed: {e}"))?;
            let mut got = vec![res.columns.join(" | ")];
            let mut rows: Vec<String> = res
                .rows
                .iter()
                .map(|row| row.iter().map(render).collect::<Vec<_>>().join(" | "))
                .collect();
            let mut want_rows: Vec<String> = r.expected.iter().skip(1).cloned().collect();
            if words.get(1).copied() != Some("ordered") {
                rows.sort();
                want_rows.sort();
            }
            got.extend(rows);
            let mut want = vec![r.expected.first().cloned().unwrap_or_default()];
            want.extend(want_rows);
            if got == want {
                Ok(())
            } else {
                Err(format!(
                    "result differs\n    expected:\n      {}\n    got:\n      {}",
                    want.join("\n      "),
                    got.join("\n      ")
                ))
            }
        }
        Some("explain") => {
            let plan = db
                .explain(&r.query)
                .map_err(|e| format!("explain failed: {e}"))?;
            let got: Vec<String> = plan.lines().map(|l| l.trim_end().to_string()).collect();
            if got == r.expected {
                Ok(())
            } else {
                Err(format!(
                    "plan differs\n    expected:\n      {}\n    got:\n      {}",
                    r.expected.join("\n      "),
                    got.join("\n      ")
                ))
            }
        }
        _ => Err(format!("unknown record kind `{}`", r.kind)),
    }
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cyt"))
        .collect();
    files.sort();
    let (mut passed, mut failed) = (0, 0);
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if filter
            .as_ref()
            .is_some_and(|flt| !name.contains(flt.as_str()))
        {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("readable fixture");
        let db = Database::open_in_memory().expect("in-memory database");
        let mut params = Params::new();
        for r in parse(&text) {
            match run_record(&db, &r, &mut params) {
                Ok(()) => passed += 1,
                Err(msg) => {
                    failed += 1;
                    eprintln!(
                        "FAIL tests/cases/{name}:{}\n  {}\n  {msg}\n",
                        r.line, r.query
                    );
                }
            }
        }
    }
    println!("fixtures: {passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
