//! Spatial points outside the query engine: stored and read back by separate `kg` processes,
//! shown in every output format, passed as parameters, and through the official Python driver
//! over Bolt (tests/server/spatial.py; needs `KG_PY`, see tests/server_bolt.rs). The query
//! semantics are in tests/cases/spatial.cyt, the import/export round trips in
//! tests/import_roundtrip.rs.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

#[path = "support/serve.rs"]
mod serve;

fn kg(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .current_dir(dir)
        .env_remove("KG_DB")
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .args(args)
        .output()
        .expect("run kg");
    assert!(
        out.status.success(),
        "kg {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn points_persist_across_processes_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    kg(
        d,
        &[
            "--db",
            "p.db",
            "query",
            "CREATE (:Place {name: 'malmo', loc: point({longitude: 12.994341, latitude: 55.611784}), \
             pin: point({x: 1, y: 2, z: 3}), route: [point({x: 0, y: 0}), point({x: 3, y: 4})]})",
        ],
    );
    let q = "MATCH (p:Place) RETURN p.loc AS loc, p.pin AS pin, p.route AS route, \
             point.distance(p.route[0], p.route[1]) AS d";

    let table = stdout(&kg(d, &["--db", "p.db", "query", "--format", "csv", q]));
    assert_eq!(
        table,
        "loc,pin,route,d\r\n\
         \"point({srid:4326, x:12.994341, y:55.611784})\",\"point({srid:9157, x:1.0, y:2.0, z:3.0})\",\
         \"[point({srid:7203, x:0.0, y:0.0}), point({srid:7203, x:3.0, y:4.0})]\",5.0\r\n"
    );

    let json = stdout(&kg(d, &["--db", "p.db", "query", "--format", "jsonl", q]));
    let row: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(
        row["loc"],
        serde_json::json!({
            "type": "Point",
            "coordinates": [12.994341, 55.611784],
            "crs": {
                "srid": 4326,
                "name": "wgs-84",
                "type": "link",
                "properties": {
                    "href": "http://spatialreference.org/ref/epsg/4326/ogcwkt/",
                    "type": "ogcwkt"
                }
            }
        })
    );
    assert_eq!(
        row["pin"]["coordinates"],
        serde_json::json!([1.0, 2.0, 3.0])
    );
    assert_eq!(row["pin"]["crs"]["name"], "cartesian-3d");
    assert_eq!(
        row["pin"]["crs"]["properties"]["href"],
        "http://spatialreference.org/ref/sr-org/9157/ogcwkt/"
    );
    assert_eq!(
        row["route"][1]["coordinates"],
        serde_json::json!([3.0, 4.0])
    );
    assert_eq!(row["d"], 5.0);

    // The table shows points as the Neo4j manual prints them.
    let table = stdout(&kg(
        d,
        &[
            "--db",
            "p.db",
            "query",
            "MATCH (p:Place) RETURN p.loc AS loc",
        ],
    ));
    assert!(
        table.contains("point({srid:4326, x:12.994341, y:55.611784})"),
        "{table}"
    );

    // Points as parameters, from the command line's literal syntax.
    let out = stdout(&kg(
        d,
        &[
            "--db",
            "p.db",
            "query",
            "--format",
            "jsonl",
            "--param",
            "at=point({latitude: 55.611784, longitude: 12.994341})",
            "MATCH (p:Place) WHERE p.loc = $at RETURN p.name AS name",
        ],
    ));
    assert_eq!(out, "{\"name\":\"malmo\"}\n");
    serve::kg_check(&d.join("p.db"));
}

/// `kg export` and `kg import` in each format carry points (and lists of them) exactly.
#[test]
fn export_import_round_trips_keep_points() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    kg(
        d,
        &[
            "--db",
            "src.db",
            "query",
            "CREATE (:P {a: point({x: -1.5, y: 0.1}), b: point({x: 1, y: 2, z: 2e-7}),              c: point({longitude: 200, latitude: -90}), e: point({longitude: 1.5, latitude: 2, height: -3}),              l: [point({latitude: 1, longitude: 2}), point({latitude: 3, longitude: 4})]})-[:R {at: point({x: 0, y: 0})}]->(:P)",
        ],
    );
    let q =
        "MATCH (p:P)-[r:R]->() RETURN p.a AS a, p.b AS b, p.c AS c, p.e AS e, p.l AS l, r.at AS at";
    let expected = stdout(&kg(d, &["--db", "src.db", "query", "--format", "jsonl", q]));
    assert!(expected.contains("\"srid\":4979"), "{expected}");
    for (format, file) in [
        ("jsonl", "g.jsonl"),
        ("graphml", "g.graphml"),
        ("cypher", "g.cypher"),
        ("csv", "csvdir"),
    ] {
        kg(
            d,
            &["--db", "src.db", "export", "--format", format, "-o", file],
        );
        let db = format!("{format}.db");
        kg(d, &["--db", &db, "import", "--format", format, file]);
        let got = stdout(&kg(d, &["--db", &db, "query", "--format", "jsonl", q]));
        assert_eq!(got, expected, "{format}");
    }
}

#[test]
fn mixed_systems_in_a_stored_list_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .current_dir(d)
        .env_remove("KG_DB")
        .args([
            "--db",
            "m.db",
            "query",
            "CREATE (:A {ok: 1}) CREATE (:B {bad: [point({x: 1, y: 1}), point({latitude: 1, longitude: 1})]})",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Collections containing point values with different CRS can not be stored in properties."),
        "{err}"
    );
    let n = stdout(&kg(
        d,
        &[
            "--db",
            "m.db",
            "query",
            "--format",
            "jsonl",
            "MATCH (n) RETURN count(n) AS n",
        ],
    ));
    assert_eq!(n, "{\"n\":0}\n");
}

#[test]
fn official_python_driver_reads_and_sends_points() {
    let pys = serve::pythons_with("official_python_driver_reads_and_sends_points", &["neo4j"]);
    if pys.is_empty() {
        return;
    }
    let server = serve::KgServer::start(&[]);
    for py in &pys {
        let mut cmd = Command::new(py);
        cmd.arg(serve::script("spatial.py"))
            .arg(format!("bolt://{}", server.bolt));
        let out = serve::run_client(cmd, Duration::from_secs(120), &server);
        eprintln!("{py}: {}", out.lines().next().unwrap_or(""));
    }
}
