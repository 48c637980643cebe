//! Write-path workloads of issue 21 (and issue 20's write amplification), through
//! `Database::run` on an on-disk database with the default durability, every answer checked
//! against what the workload wrote:
//!
//! - **fanout N**: `CREATE (h:Hub {id:0}) WITH h UNWIND range(1,N) AS i CREATE (h)-[:R]->(:Leaf
//!   {id:i})` as one statement, for two sizes (linearity: 10× rows should take ≤ 11× time);
//! - **append**: single-statement commits of `MATCH (h:Hub {id:$h}) CREATE (h)-[:R]->(:Leaf
//!   {id:$i})` onto the hub of the fan-out and onto a node with 10 relationships, alternated;
//!   the cost of adding a relationship should not depend on the end node's degree (≤ 2×);
//! - **txn K**: K such statements inside one BEGIN … COMMIT (linear in K);
//! - **batches**: 100 statements of 1,000 created nodes against one statement of 100,000, with
//!   the bytes the process wrote to disk (`/proc/self/io` `write_bytes`) for each.
//!
//! ```text
//! cargo bench --bench writes                 # fanout 100k and 1M, 200 appends, txn 10k/40k
//! cargo bench --bench writes -- 20000 200000 # other fan-out sizes (small, large)
//! ONLY=fanout,append cargo bench --bench writes
//! ```
//! `benches/writes_kuzu.py` runs the same statements in Kuzu (see docs/performance.md).

use std::path::{Path, PathBuf};
use std::time::Instant;

use kgstore::db::{Database, OpenOptions, Params};
use kgstore::Value;

fn params(pairs: &[(&str, i64)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), Value::Int(*v)))
        .collect()
}

fn scalar(db: &Database, q: &str, p: &Params) -> Value {
    let r = db.run(q, p).unwrap_or_else(|e| panic!("{q}: {e}"));
    r.rows[0][0].clone()
}

fn fresh(name: &str) -> (PathBuf, Database) {
    let dir = std::env::temp_dir().join(format!("kg-bench-writes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let create = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let db = Database::open(&dir, &create).expect("open");
    (dir, db)
}

/// Bytes this process has caused to be written to storage so far.
fn write_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("write_bytes: ").map(str::to_string))
        })
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(str::to_string))
        })
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

const FANOUT: &str =
    "CREATE (h:Hub {id:0}) WITH h UNWIND range(1,$n) AS i CREATE (h)-[:R]->(:Leaf {id:i})";
const APPEND: &str = "MATCH (h:Hub {id:$h}) CREATE (h)-[:R]->(:Leaf {id:$i})";

/// One fan-out statement of `n` relationships; returns (seconds, the database).
fn fanout(n: i64) -> (f64, PathBuf, Database) {
    let (dir, db) = fresh(&format!("fanout{n}"));
    let t = Instant::now();
    db.run(FANOUT, &params(&[("n", n)])).expect("fan-out");
    let secs = t.elapsed().as_secs_f64();
    let p = Params::new();
    let got = scalar(
        &db,
        "MATCH (:Hub {id:0})-[r:R]->(l:Leaf) RETURN count(r)",
        &p,
    );
    assert_eq!(got, Value::Int(n), "fan-out {n}: relationships");
    let sum = scalar(&db, "MATCH (l:Leaf) RETURN sum(l.id)", &p);
    assert_eq!(sum, Value::Int(n * (n + 1) / 2), "fan-out {n}: leaf ids");
    (secs, dir, db)
}

fn report_fanout(small: i64, large: i64) -> (PathBuf, Database) {
    let (ts, dir_s, db_s) = fanout(small);
    drop(db_s);
    let _ = std::fs::remove_dir_all(dir_s);
    let (tl, dir, db) = fanout(large);
    println!(
        "fanout   {small:>8} rels {ts:>8.2} s   {large:>8} rels {tl:>8.2} s   ratio {:.1}x for {}x rows (target <= {}x)   peak RSS {:.0} MB",
        tl / ts,
        large / small,
        large / small + large / small / 10,
        peak_rss_mb()
    );
    (dir, db)
}

/// Alternates single-statement appends onto the hub (degree `hub_degree`) and onto a node
/// with 10 relationships.
fn report_append(db: &Database, hub_degree: i64, rounds: usize) {
    let p = Params::new();
    db.run(
        "CREATE (s:Hub {id:1}) WITH s UNWIND range(1,10) AS i CREATE (s)-[:R]->(:Leaf {id:-i})",
        &p,
    )
    .expect("small node");
    let (mut hub, mut small) = (Vec::new(), Vec::new());
    let mut next = 10_000_000i64;
    for _ in 0..rounds {
        for (h, times) in [(0, &mut hub), (1, &mut small)] {
            next += 1;
            let t = Instant::now();
            db.run(APPEND, &params(&[("h", h), ("i", next)]))
                .expect("append");
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let degree = |h: i64| {
        scalar(
            db,
            "MATCH (h:Hub {id:$h}) RETURN COUNT { (h)-->() }",
            &params(&[("h", h)]),
        )
    };
    assert_eq!(degree(0), Value::Int(hub_degree + rounds as i64));
    assert_eq!(degree(1), Value::Int(10 + rounds as i64));
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (h, s) = (median(&mut hub), median(&mut small));
    println!(
        "append   onto degree {hub_degree}: {h:.3} ms   onto degree 10: {s:.3} ms   ratio {:.2} (target <= 2)   (medians of {rounds}, alternated)",
        h / s
    );
}

/// `k` appends onto one hub inside one explicit transaction; returns seconds.
fn txn(k: i64) -> f64 {
    let (dir, db) = fresh(&format!("txn{k}"));
    db.run("CREATE (:Hub {id:0})", &Params::new()).expect("hub");
    let t = Instant::now();
    let mut s = db.session();
    s.begin().expect("begin");
    for i in 1..=k {
        s.run(APPEND, &params(&[("h", 0), ("i", i)]))
            .expect("append");
    }
    s.commit().expect("commit");
    let secs = t.elapsed().as_secs_f64();
    drop(s);
    let got = scalar(&db, "MATCH (:Hub)-[r]->() RETURN count(r)", &Params::new());
    assert_eq!(got, Value::Int(k));
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
    secs
}

/// 100 statements of 1,000 nodes against one of 100,000: seconds and bytes written.
fn batches() {
    let run = |statements: i64, rows: i64| {
        let (dir, db) = fresh(&format!("batches{statements}"));
        let before = write_bytes();
        let t = Instant::now();
        for s in 0..statements {
            let p = params(&[("from", s * rows), ("to", s * rows + rows - 1)]);
            db.run(
                "UNWIND range($from, $to) AS i CREATE (:Item {id: i, name: 'item ' + toString(i)})",
                &p,
            )
            .expect("batch");
        }
        let secs = t.elapsed().as_secs_f64();
        let got = scalar(&db, "MATCH (n:Item) RETURN count(n)", &Params::new());
        assert_eq!(got, Value::Int(statements * rows));
        drop(db);
        let written = write_bytes() - before;
        let _ = std::fs::remove_dir_all(dir);
        (secs, written)
    };
    let (t1, w1) = run(1, 100_000);
    let (t100, w100) = run(100, 1_000);
    let mib = |b: u64| b as f64 / f64::from(1u32 << 20);
    println!(
        "batches  1 x 100k nodes: {t1:.2} s, {:.0} MiB written   100 x 1k: {t100:.2} s, {:.0} MiB written   amplification {:.1}x",
        mib(w1),
        mib(w100),
        w100 as f64 / w1.max(1) as f64
    );
}

fn main() {
    let args: Vec<i64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (small, large) = match args.as_slice() {
        [s, l, ..] => (*s, *l),
        _ => (100_000, 1_000_000),
    };
    let only = std::env::var("ONLY").unwrap_or_default();
    let want = |w: &str| only.is_empty() || only.split(',').any(|o| o == w);
    if want("fanout") || want("append") {
        let (dir, db) = report_fanout(small, large);
        if want("append") {
            report_append(&db, large, 200);
        }
        drop(db);
        let _ = std::fs::remove_dir_all(Path::new(&dir));
    }
    if want("txn") {
        let (a, b) = (txn(10_000), txn(40_000));
        println!(
            "txn      10k appends in one transaction {a:.2} s   40k {b:.2} s   ratio {:.1}x for 4x",
            b / a
        );
    }
    if want("batches") {
        batches();
    }
}
