//! `kg serve` with LangChain's `Neo4jGraph` (the `langchain-neo4j` package, which nobody here
//! wrote): it connects, reads the schema through `apoc.meta.data` and `SHOW CONSTRAINTS`,
//! formats it for a prompt, and runs queries.
//!
//! Needs a Python in `KG_PY` that imports `langchain_neo4j` (`.ci/run` installs it); without
//! one the test prints "skipped" and passes, unless `KG_REQUIRE_DRIVERS` is set.

#[path = "support/serve.rs"]
mod serve;

use std::process::Command;
use std::time::Duration;

use serve::{pythons_with, run_client, script, KgServer};

#[test]
fn langchain_neo4j_graph_reads_the_schema_and_queries() {
    let pys = pythons_with(
        "langchain_neo4j_graph_reads_the_schema_and_queries",
        &["langchain_neo4j"],
    );
    let Some(py) = pys.first() else {
        return;
    };
    let server = KgServer::start(&["--auth", "neo4j:lc-pw"]);
    for scheme in ["bolt", "neo4j"] {
        let url = format!("{scheme}://{}", server.bolt);
        let mut cmd = Command::new(py);
        cmd.arg(script("langchain_graph.py"))
            .args([&url, "neo4j", "lc-pw"]);
        let out = run_client(cmd, Duration::from_secs(120), &server);
        eprintln!(
            "langchain_graph.py {url}: {}",
            out.lines().next().unwrap_or("")
        );
    }
}
