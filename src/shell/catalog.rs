//! What the shell reads from the catalog: the banner's counts, completion names, `:schema`
//! and `:stats` / `kg stats` text.

use std::fmt::Write as _;
use std::path::Path;

use crate::db::Database;
use crate::error::Result;
use crate::store::{GraphRead, GraphStats};

use super::helper::CatalogNames;

/// Runs `f` over a read view of the committed graph.
fn with_graph<T>(db: &Database, f: impl FnOnce(&dyn GraphRead) -> Result<T>) -> Result<T> {
    let txn = db.store().begin();
    f(&txn)
}

/// Labels, relationship types and property keys for Tab completion.
pub fn names(db: &Database) -> Result<CatalogNames> {
    with_graph(db, |g| {
        Ok(CatalogNames {
            labels: g.labels()?,
            relationship_types: g.relationship_types()?,
            property_keys: g.property_keys()?,
        })
    })
}

/// The one banner line of the REPL.
pub fn banner(db: &Database, path: &Path) -> String {
    let counts = with_graph(db, |g| Ok((g.node_count()?, g.relationship_count()?)));
    let counts = match counts {
        Ok((n, r)) => format!(
            "{n} {}, {r} {}",
            crate::render::plural(n, "node"),
            crate::render::plural(r, "relationship")
        ),
        Err(e) => format!("counts unavailable: {e}"),
    };
    format!(
        "kgstore {} · {} · {counts} · type :help for help, :quit to leave",
        env!("CARGO_PKG_VERSION"),
        path.display()
    )
}

/// `:schema`: labels, relationship types, property keys with counts, indexes, constraints.
pub fn schema_text(db: &Database) -> Result<String> {
    let s = db.stats()?;
    let mut out = String::new();
    let _ = writeln!(out, "Node labels ({}):", s.labels.len());
    for (label, n) in &s.labels {
        let _ = writeln!(out, "  :{label:<30} {n:>9}");
    }
    let _ = writeln!(out, "Relationship types ({}):", s.relationship_types.len());
    for (t, n) in &s.relationship_types {
        let _ = writeln!(out, "  :{t:<30} {n:>9}");
    }
    let _ = writeln!(out, "Property keys ({}):", s.property_keys.len());
    if !s.property_keys.is_empty() {
        let _ = writeln!(out, "  {}", s.property_keys.join(", "));
    }
    write_indexes(&mut out, &s);
    Ok(out)
}

fn write_indexes(out: &mut String, s: &GraphStats) {
    // A unique constraint's index is listed with its constraint, not as an index of its own.
    let plain: Vec<_> = s.indexes.iter().filter(|i| !i.unique).collect();
    let _ = writeln!(out, "Indexes ({}):", plain.len());
    for i in plain {
        let _ = writeln!(
            out,
            "  {} FOR (n:{}) ON (n.{})",
            i.name, i.label, i.property
        );
    }
    let _ = writeln!(out, "Constraints ({}):", s.constraints.len());
    for c in &s.constraints {
        let _ = writeln!(out, "  {} {}", c.name, c.definition());
    }
}

/// `kg stats` / `:stats`: totals, then counts per label and relationship type, keys, indexes.
pub fn stats_text(db: &Database) -> Result<String> {
    let s = db.stats()?;
    let mut out = String::new();
    let _ = writeln!(out, "nodes:         {}", s.nodes);
    let _ = writeln!(out, "relationships: {}", s.relationships);
    let _ = writeln!(out, "labels:");
    for (label, n) in &s.labels {
        let _ = writeln!(out, "  {label:<30} {n:>9}");
    }
    let _ = writeln!(out, "relationship types:");
    for (t, n) in &s.relationship_types {
        let _ = writeln!(out, "  {t:<30} {n:>9}");
    }
    let _ = writeln!(out, "property keys: {}", s.property_keys.join(", "));
    write_indexes(&mut out, &s);
    Ok(out)
}
