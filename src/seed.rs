//! The built-in seed knowledge graph (China's AI capital markets, 2026): Cypher scripts under
//! `seed/`, embedded at compile time and loaded idempotently into a database.
//!
//! The scripts MERGE every node on its `name` and every relationship between MATCHed
//! endpoints, setting properties only `ON CREATE`, so loading twice changes nothing and a
//! user's later edits survive a reload. Every node and relationship carries `source` (the
//! document file name, or a list of them) — see `docs/schema.md`.

use std::fmt;

use crate::db::Database;
use crate::error::{Error, Result};
use crate::value::Params;

/// One embedded seed script.
#[derive(Clone, Copy, Debug)]
pub struct SeedScript {
    /// Path relative to the crate root, e.g. `seed/02_organizations.cypher`.
    pub path: &'static str,
    pub text: &'static str,
}

macro_rules! script {
    ($file:literal) => {
        SeedScript {
            path: concat!("seed/", $file),
            text: include_str!(concat!("../seed/", $file)),
        }
    };
}

/// The seed scripts in load order (later scripts MATCH nodes created by earlier ones).
pub const SCRIPTS: &[SeedScript] = &[
    script!("01_sources.cypher"),
    script!("02_organizations.cypher"),
    script!("03_markets_policies.cypher"),
    script!("04_people.cypher"),
    script!("05_ownership.cypher"),
    script!("06_funding.cypher"),
    script!("07_listings.cypher"),
    script!("08_supply.cypher"),
    script!("09_models.cypher"),
    script!("10_discrepancies.cypher"),
];

/// What a seed load did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub scripts: usize,
    pub statements: usize,
    pub nodes_created: u64,
    pub relationships_created: u64,
    pub properties_set: u64,
    pub labels_added: u64,
    /// Totals in the database after loading.
    pub nodes: u64,
    pub relationships: u64,
}

impl SeedReport {
    /// True when the load found everything already present (a repeated load).
    pub fn changed_nothing(&self) -> bool {
        self.nodes_created == 0
            && self.relationships_created == 0
            && self.properties_set == 0
            && self.labels_added == 0
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded from {} scripts ({} statements): {} nodes and {} relationships created, \
             {} properties set; the database now holds {} nodes and {} relationships",
            self.scripts,
            self.statements,
            self.nodes_created,
            self.relationships_created,
            self.properties_set,
            self.nodes,
            self.relationships
        )
    }
}

/// One statement of a script: its text and its 1-based first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub text: String,
    pub line: usize,
}

/// Splits a Cypher script into `;`-terminated statements with the shell's splitter (strings,
/// backtick-quoted names and comments do not split; leading comments are dropped).
pub fn statements(script: &str) -> Vec<Statement> {
    use crate::script::{line_col, split, PieceKind};
    split(script)
        .into_iter()
        .filter(|p| p.kind == PieceKind::Statement && !p.text(script).trim().is_empty())
        .map(|p| Statement {
            text: p.text(script).to_string(),
            line: line_col(script, p.start).0,
        })
        .collect()
}

/// Loads the seed graph into `db`, statement by statement, each committing on success.
/// Idempotent: a second load creates nothing. A failing statement stops the load with an
/// error naming the script and line (statements before it stay committed; they are all
/// MERGEs, so rerunning after a fix completes the graph without duplicates).
pub fn load(db: &Database) -> Result<SeedReport> {
    let params = Params::new();
    let mut report = SeedReport {
        scripts: SCRIPTS.len(),
        ..SeedReport::default()
    };
    for script in SCRIPTS {
        for stmt in statements(script.text) {
            let result = db
                .run(&stmt.text, &params)
                .map_err(|e| locate(e, script.path, stmt.line))?;
            report.statements += 1;
            report.nodes_created += result.stats.nodes_created;
            report.relationships_created += result.stats.relationships_created;
            report.properties_set += result.stats.properties_set;
            report.labels_added += result.stats.labels_added;
        }
    }
    let params = Params::new();
    report.nodes = count(db, "MATCH (n) RETURN count(n)", &params)?;
    report.relationships = count(db, "MATCH ()-[r]->() RETURN count(r)", &params)?;
    Ok(report)
}

fn count(db: &Database, query: &str, params: &Params) -> Result<u64> {
    let result = db.run(query, params)?;
    match result.rows.first().and_then(|row| row.first()) {
        Some(crate::value::Value::Int(n)) => Ok(u64::try_from(*n).unwrap_or(0)),
        other => Err(Error::Io(format!(
            "seed: unexpected count result {other:?} for `{query}`"
        ))),
    }
}

/// Prefixes an error from a seed statement with `script:line` so a broken script is easy to
/// find; the error kind is kept.
fn locate(error: Error, path: &str, line: usize) -> Error {
    match error {
        Error::Query(mut q) => {
            q.message = format!("{path}:{line}: {}", q.message);
            Error::Query(q)
        }
        Error::Transaction(m) => Error::Transaction(format!("{path}:{line}: {m}")),
        Error::Io(m) => Error::Io(format!("{path}:{line}: {m}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_semicolons_outside_strings_and_comments() {
        let script = "// head; comment\nMERGE (a {name: 'x;y'});\n\n/* block ; */ MATCH (n)\nRETURN `a;b`;\n  ;";
        let got = statements(script);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].text, "MERGE (a {name: 'x;y'})");
        assert_eq!(got[0].line, 2);
        assert!(got[1].text.starts_with("MATCH (n)"), "{got:?}");
        assert!(got[1].text.ends_with("RETURN `a;b`"), "{got:?}");
        assert_eq!(got[1].line, 4);
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let got = statements(r"RETURN 'it\'s; fine'; RETURN 1");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].text, r"RETURN 'it\'s; fine'");
    }

    #[test]
    fn every_seed_script_has_statements_and_no_stray_text() {
        for script in SCRIPTS {
            let stmts = statements(script.text);
            assert!(!stmts.is_empty(), "{} is empty", script.path);
            for s in stmts {
                let head = s.text.split_whitespace().next().unwrap_or("");
                assert!(
                    head == "MERGE" || head == "MATCH",
                    "{}:{} starts with {head:?}",
                    script.path,
                    s.line
                );
            }
        }
    }
}
