//! Storage benchmark: bulk load of a generated capital-markets-like graph (default 100k nodes,
//! 1M relationships; `KG_BENCH_NODES` / `KG_BENCH_RELS` override), then adjacency scans,
//! point reads and a reopen, with criterion for the per-operation figures.
//!
//! `cargo bench --bench storage` prints nodes/s, relationships/s, size on disk, peak RSS and
//! reopen time, then criterion's timings.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use kgstore::db::{Durability, OpenOptions};
use kgstore::model::Direction;
use kgstore::store::{GraphRead, GraphWrite, IndexDef, Store};
use kgstore::Value;

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// Loads the graph with the bulk loader; returns the store.
fn load(path: &Path, nodes: u64, rels: u64) -> Store {
    let opts = OpenOptions {
        create_if_missing: true,
        durability: Durability::Full,
        cache_capacity: None,
    };
    let store = Store::open(path, &opts).expect("open");
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let started = Instant::now();
    let mut bulk = store.bulk_loader().expect("loader");
    let countries = ["CN", "US", "HK", "SG", "DE"];
    for i in 0..nodes {
        let label: &[&str] = match i % 20 {
            0..=11 => &["Company"],
            12..=14 => &["Investor"],
            _ => &["Person"],
        };
        bulk.add_node(
            label,
            [
                ("id", Value::Int(i as i64)),
                ("name", Value::String(format!("entity-{i}"))),
                ("country", Value::from(countries[(i % 5) as usize])),
                ("founded", Value::Int(1990 + (i % 35) as i64)),
                ("valuation", Value::Float(rng.unit() * 1e9)),
            ],
        )
        .expect("node");
    }
    let node_secs = started.elapsed().as_secs_f64();
    let types = ["OWNS", "INVESTED_IN", "SUPPLIES", "LISTED_ON"];
    for _ in 0..rels {
        let a = (rng.zipf(nodes, 0.7) * 7919 + 13) % nodes;
        let b = (rng.zipf(nodes, 0.9) * 104_729 + 7) % nodes;
        let t = types[(rng.next() % 4) as usize];
        bulk.add_relationship(
            t,
            a,
            b,
            [
                ("stake", Value::Float(rng.unit())),
                ("year", Value::Int(2000 + (rng.next() % 26) as i64)),
            ],
        )
        .expect("relationship");
    }
    let report = bulk.finish().expect("finish");
    let total = started.elapsed().as_secs_f64();
    let mut t = store.begin();
    let ix_started = Instant::now();
    for label in ["Company", "Investor", "Person"] {
        t.create_index(
            IndexDef {
                name: format!("{label}_name"),
                label: label.into(),
                property: "name".into(),
                unique: true,
                kind: Default::default(),
            },
            false,
        )
        .expect("index");
    }
    t.commit().expect("commit");
    let ix_secs = ix_started.elapsed().as_secs_f64();
    println!(
        "bulk load: {nodes} nodes + {rels} relationships in {total:.2} s ({:.0} nodes/s over {node_secs:.2} s, {:.0} relationships/s overall), {} batches; name indexes {ix_secs:.2} s",
        nodes as f64 / node_secs,
        rels as f64 / total,
        report.batches
    );
    println!(
        "size on disk: {:.1} MiB; peak RSS so far: {} MiB",
        store.size_on_disk().unwrap_or(0) as f64 / (1 << 20) as f64,
        peak_rss_mib().map_or("?".into(), |m| m.to_string())
    );
    store
}

fn bench(c: &mut Criterion) {
    let nodes = env_or("KG_BENCH_NODES", 100_000);
    let rels = env_or("KG_BENCH_RELS", 1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    // KG_BENCH_DIR keeps the database for inspection (it must not exist yet).
    let path = std::env::var_os("KG_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| dir.path().join("kg.db"));
    let store = load(&path, nodes, rels);
    let started = Instant::now();
    drop(store);
    println!(
        "close (incl. snapshot): {:.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let started = Instant::now();
    let store = Store::open(&path, &OpenOptions::default()).expect("reopen");
    let opened = started.elapsed();
    let t = store.begin();
    let hit = t
        .index_lookup("Company", "name", &Value::from("entity-40"))
        .expect("lookup");
    println!(
        "reopen + one index lookup: {:.1} ms (open {:.1} ms) ({hit:?})",
        started.elapsed().as_secs_f64() * 1e3,
        opened.as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let report = store.check().expect("check");
    println!(
        "check: {:.2} s, {}",
        started.elapsed().as_secs_f64(),
        report
    );

    let mut g = c.benchmark_group("storage");
    g.sample_size(20);
    let mut i = 0u64;
    g.bench_function("out-degree (any type)", |b| {
        b.iter(|| {
            i = (i + 7919) % nodes;
            black_box(t.degree(i, Direction::Outgoing, &[]).expect("degree"))
        })
    });
    g.bench_function("edges out (any type)", |b| {
        b.iter(|| {
            i = (i + 7919) % nodes;
            black_box(t.edges(i, Direction::Outgoing, &[]).expect("edges").len())
        })
    });
    g.bench_function("2-hop out distinct", |b| {
        b.iter(|| {
            i = (i + 7919) % nodes;
            let mut seen = std::collections::HashSet::new();
            for e in t.edges(i, Direction::Outgoing, &[]).expect("edges") {
                for f in t.edges(e.other, Direction::Outgoing, &[]).expect("edges") {
                    seen.insert(f.other);
                }
            }
            black_box(seen.len())
        })
    });
    g.bench_function("index lookup by name", |b| {
        b.iter(|| {
            i = (i + 7919) % nodes;
            let label = match i % 20 {
                0..=11 => "Company",
                12..=14 => "Investor",
                _ => "Person",
            };
            black_box(
                t.index_lookup(label, "name", &Value::String(format!("entity-{i}")))
                    .expect("lookup"),
            )
        })
    });
    g.bench_function("node property read", |b| {
        b.iter(|| {
            i = (i + 7919) % nodes;
            black_box(t.node_property(i, "valuation").expect("prop"))
        })
    });
    g.bench_function("relationship read", |b| {
        b.iter(|| {
            i = (i + 7919) % rels;
            black_box(t.relationship(i).expect("rel"))
        })
    });
    drop(t);
    g.bench_function("commit: create node + relationship (durable)", |b| {
        b.iter(|| {
            let mut w = store.begin();
            let n = w
                .create_node(&["Company".to_string()], Default::default())
                .expect("node");
            w.create_relationship("OWNS", n, 1, Default::default())
                .expect("rel");
            w.commit().expect("commit");
        })
    });
    g.finish();
    println!(
        "peak RSS: {} MiB",
        peak_rss_mib().map_or("?".into(), |m| m.to_string())
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
