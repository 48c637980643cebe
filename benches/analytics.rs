//! The analytics bench of issue 20: eight scan, filter, aggregation and bulk-write shapes over
//! the shared bench's graph, each run as a whole `kg` process and beside Kuzu in the same run,
//! every answer checked against a plain reference computed here from the raw CSV files.
//!
//! ```text
//! cargo bench --bench analytics --no-run
//! KUZU_PY=../shared/bench/.venv12/bin/python REPS=3 \
//!     target/release/deps/analytics-<hash> ../shared/bench/data/M
//! ONLY=A2,A3 AFTER_WRITE=1 target/release/deps/analytics-<hash> ../shared/bench/data/M
//! ```
//!
//! Knobs: `KG` (the binary, default `target/release/kg`), `KG_DB` (where the imported and
//! compacted database is kept between runs, default `/tmp/kg-analytics-<scale>`; delete it
//! after changing the store), `KUZU_PY` (a Python with `kuzu`; Kuzu is skipped without it),
//! `KUZU_DB` (default `/tmp/kuzu-analytics-<scale>`), `REPS` (median of, default 3), `ONLY`
//! (comma-separated shape names), `AFTER_WRITE=1` (also time the read shapes on a copy of the
//! database after one small write, i.e. without the read image).
//!
//! kg's times are whole processes (`kg --db DB run --format json FILE`); "net" subtracts the
//! median `RETURN 1;` process (start and open). Kuzu's are the statement inside one Python
//! process, open excluded, which favours Kuzu. A destructive shape runs on a fresh copy of the
//! database each repetition (the copy is not timed). The copy is brought to the state of the
//! database it copies before the timed run, for both engines: its written pages are synced
//! (else the engine's first `fsync` of a data file pays for writing out the copy: ≈ 100 ms of
//! kg's A5/A6 at M), and kg's copy is opened once by an untimed `RETURN 1;` process, which
//! seals it again (a seal names its files, so a copy starts unsealed and its first process
//! would otherwise also recover sled and seal it).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value as J};

// ---------------------------------------------------------------------------------------------
// The data, read from the generator's raw CSV files (`nodes/<Label>.csv`, `edges/*.csv`)

struct Node {
    id: i64,
    label: String,
    name: String,
    country: String,
    founded: i64,
    valuation: f64,
}

struct Rel {
    rel_type: String,
    src: i64,
    dst: i64,
    amount: f64,
    year: i64,
}

struct Data {
    nodes: Vec<Node>,
    rels: Vec<Rel>,
}

/// The generator writes no quoted fields (checked: no `"` in any file), so a split suffices.
fn read_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header = lines.next().unwrap_or_default();
    let header: Vec<String> = header.split(',').map(str::to_string).collect();
    let rows = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    Ok((header, rows))
}

fn field<'a>(header: &[String], row: &'a [String], name: &str) -> Option<&'a str> {
    let i = header.iter().position(|h| h == name)?;
    row.get(i).map(String::as_str)
}

fn num<T: std::str::FromStr>(s: Option<&str>, what: &str) -> Result<T, String> {
    s.ok_or_else(|| format!("missing {what}"))?
        .parse()
        .map_err(|_| format!("bad {what}: {s:?}"))
}

fn load(dir: &Path) -> Result<Data, String> {
    let mut nodes = Vec::new();
    for label in ["Company", "Investor", "Person", "Exchange"] {
        let (h, rows) = read_csv(&dir.join("nodes").join(format!("{label}.csv")))?;
        for r in rows {
            nodes.push(Node {
                id: num(field(&h, &r, "id"), "id")?,
                label: label.to_string(),
                name: field(&h, &r, "name").unwrap_or_default().to_string(),
                country: field(&h, &r, "country").unwrap_or_default().to_string(),
                founded: num(field(&h, &r, "founded"), "founded")?,
                valuation: num(field(&h, &r, "valuation"), "valuation")?,
            });
        }
    }
    let mut rels = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(dir.join("edges"))
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    for path in files {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let rel_type = stem.split("__").next().unwrap_or_default().to_string();
        let (h, rows) = read_csv(&path)?;
        for r in rows {
            rels.push(Rel {
                rel_type: rel_type.clone(),
                src: num(field(&h, &r, "src"), "src")?,
                dst: num(field(&h, &r, "dst"), "dst")?,
                amount: field(&h, &r, "amount").map_or(Ok(0.0), |s| num(Some(s), "amount"))?,
                year: field(&h, &r, "year").map_or(Ok(0), |s| num(Some(s), "year"))?,
            });
        }
    }
    Ok(Data { nodes, rels })
}

// ---------------------------------------------------------------------------------------------
// The shapes and their reference answers

struct Shape {
    name: &'static str,
    what: &'static str,
    kg: String,
    kuzu: String,
    /// Changes the database: each repetition gets a fresh copy.
    destructive: bool,
    /// Run by Kuzu after a destructive shape (its answer is checked against `verify_expected`).
    verify: Option<String>,
    verify_expected: Vec<J>,
    expected: Vec<J>,
}

/// The company ids ranked `from..to` by INVESTED_IN in-degree (descending, then by id).
fn popular(d: &Data, from: usize, to: usize) -> Vec<i64> {
    let mut deg: HashMap<i64, usize> = HashMap::new();
    for r in d.rels.iter().filter(|r| r.rel_type == "INVESTED_IN") {
        *deg.entry(r.dst).or_default() += 1;
    }
    let mut v: Vec<(i64, usize)> = deg.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v[from.min(v.len())..to.min(v.len())]
        .iter()
        .map(|x| x.0)
        .collect()
}

fn shapes(d: &Data) -> Vec<Shape> {
    let by_id: HashMap<i64, &Node> = d.nodes.iter().map(|n| (n.id, n)).collect();
    let label = |id: i64| by_id.get(&id).map_or("", |n| n.label.as_str());
    let invested: Vec<&Rel> = d
        .rels
        .iter()
        .filter(|r| r.rel_type == "INVESTED_IN")
        .collect();
    let companies: Vec<&Node> = d.nodes.iter().filter(|n| n.label == "Company").collect();
    let mut out = Vec::new();

    // A1: grouped sum over every relationship of a type, end label in the pattern.
    let mut sums: BTreeMap<&str, f64> = BTreeMap::new();
    for r in invested.iter().filter(|r| label(r.dst) == "Company") {
        let country = by_id.get(&r.src).map_or("", |n| n.country.as_str());
        *sums.entry(country).or_default() += r.amount;
    }
    let q = "MATCH (a)-[r:INVESTED_IN]->(:Company) \
             RETURN a.country AS country, sum(r.amount) AS total ORDER BY country";
    out.push(Shape {
        name: "A1",
        what: "sum(r.amount) by start country, all INVESTED_IN, end label",
        kg: q.into(),
        kuzu: q.into(),
        destructive: false,
        verify: None,
        verify_expected: vec![],
        expected: sums.into_iter().map(|(c, s)| json!([c, s])).collect(),
    });

    // A2: STARTS WITH over all nodes, ordered, top 20.
    let mut names: Vec<&str> = d
        .nodes
        .iter()
        .map(|n| n.name.as_str())
        .filter(|n| n.starts_with("Kor"))
        .collect();
    names.sort_unstable();
    let q = "MATCH (n) WHERE n.name STARTS WITH 'Kor' \
             RETURN n.name AS name ORDER BY name LIMIT 20";
    out.push(Shape {
        name: "A2",
        what: "name STARTS WITH, all nodes, ORDER BY name LIMIT 20",
        kg: q.into(),
        kuzu: q.into(),
        destructive: false,
        verify: None,
        verify_expected: vec![],
        expected: names.iter().take(20).map(|n| json!([n])).collect(),
    });

    // A3: CONTAINS count over one label.
    let n = companies.iter().filter(|n| n.name.contains("Semi")).count();
    let q = "MATCH (c:Company) WHERE c.name CONTAINS 'Semi' RETURN count(*) AS n";
    out.push(Shape {
        name: "A3",
        what: "count of Company whose name CONTAINS",
        kg: q.into(),
        kuzu: q.into(),
        destructive: false,
        verify: None,
        verify_expected: vec![],
        expected: vec![json!([n])],
    });

    // A4: top 20 of a label by an unindexed property within one country.
    let mut jp: Vec<&&Node> = companies.iter().filter(|n| n.country == "JP").collect();
    jp.sort_by(|a, b| b.valuation.total_cmp(&a.valuation).then(a.id.cmp(&b.id)));
    let q = "MATCH (c:Company) WHERE c.country = 'JP' \
             RETURN c.id AS id, c.valuation AS v ORDER BY v DESC, id LIMIT 20";
    out.push(Shape {
        name: "A4",
        what: "top 20 Company by valuation within one country",
        kg: q.into(),
        kuzu: q.into(),
        destructive: false,
        verify: None,
        verify_expected: vec![],
        expected: jp
            .iter()
            .take(20)
            .map(|n| json!([n.id, n.valuation]))
            .collect(),
    });

    // A5: DELETE of about 10k relationships chosen by their properties. The threshold is the
    // 10,000th smallest amount of the year (its text as written in the CSV file).
    let mut amounts: Vec<f64> = invested
        .iter()
        .filter(|r| r.year == 2000)
        .map(|r| r.amount)
        .collect();
    amounts.sort_by(f64::total_cmp);
    let limit = amounts.get(10_000).copied().unwrap_or(f64::MAX);
    let n = amounts.iter().filter(|&&a| a < limit).count();
    let pred = format!("r.year = 2000 AND r.amount < {limit}");
    out.push(Shape {
        name: "A5",
        what: "DELETE ~10k relationships chosen by their properties",
        kg: format!("MATCH ()-[r:INVESTED_IN]->() WHERE {pred} DELETE r RETURN count(*) AS n"),
        kuzu: format!("MATCH ()-[r:INVESTED_IN]->() WHERE {pred} DELETE r"),
        destructive: true,
        verify: Some("MATCH ()-[r:INVESTED_IN]->() RETURN count(*)".into()),
        verify_expected: vec![json!([invested.len() - n])],
        expected: vec![json!([n])],
    });

    // A6: SET of one property on ~100k nodes.
    let old: Vec<&&Node> = companies.iter().filter(|n| n.founded < 1993).collect();
    let doubled: f64 = old.iter().map(|n| n.valuation * 2.0).sum();
    out.push(Shape {
        name: "A6",
        what: "SET one property on ~100k nodes",
        kg: "MATCH (c:Company) WHERE c.founded < 1993 \
             SET c.valuation = c.valuation * 2 RETURN count(*) AS n"
            .into(),
        kuzu: "MATCH (c:Company) WHERE c.founded < 1993 SET c.valuation = c.valuation * 2".into(),
        destructive: true,
        verify: Some(
            "MATCH (c:Company) WHERE c.founded < 1993 RETURN count(*), sum(c.valuation)".into(),
        ),
        verify_expected: vec![json!([old.len(), doubled])],
        expected: vec![json!([old.len()])],
    });

    // A7: top 10 by count(DISTINCT …) over relationships.
    let mut holders: HashMap<i64, HashSet<i64>> = HashMap::new();
    for r in d
        .rels
        .iter()
        .filter(|r| r.rel_type == "INVESTED_IN" || r.rel_type == "OWNS")
        .filter(|r| label(r.dst) == "Company")
    {
        holders.entry(r.dst).or_default().insert(r.src);
    }
    let mut top: Vec<(i64, usize)> = holders.iter().map(|(c, s)| (*c, s.len())).collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let q = "MATCH (i)-[:INVESTED_IN|OWNS]->(c:Company) \
             RETURN c.id AS id, count(DISTINCT i) AS n ORDER BY n DESC, id LIMIT 10";
    out.push(Shape {
        name: "A7",
        what: "top 10 Company by count(DISTINCT holder)",
        kg: q.into(),
        kuzu: q.into(),
        destructive: false,
        verify: None,
        verify_expected: vec![],
        expected: top.iter().take(10).map(|(c, n)| json!([c, n])).collect(),
    });

    // A8: co-investor pairs of ten popular companies (ranked 100..110 by investors).
    let hot = popular(d, 100, 110);
    let hot_set: HashSet<i64> = hot.iter().copied().collect();
    let mut investors: HashMap<i64, Vec<i64>> = HashMap::new();
    for r in invested.iter().filter(|r| hot_set.contains(&r.dst)) {
        investors.entry(r.dst).or_default().push(r.src);
    }
    let mut shared: HashMap<(i64, i64), i64> = HashMap::new();
    for list in investors.values() {
        for &a in list {
            for &b in list {
                if a < b {
                    *shared.entry((a, b)).or_default() += 1;
                }
            }
        }
    }
    let mut pairs: Vec<((i64, i64), i64)> = shared.into_iter().collect();
    pairs.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    let ids: Vec<String> = hot.iter().map(i64::to_string).collect();
    let q = format!(
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         WHERE c.id IN [{}] AND a.id < b.id \
         RETURN a.id AS a, b.id AS b, count(*) AS shared ORDER BY shared DESC, a, b LIMIT 10",
        ids.join(", ")
    );
    out.push(Shape {
        name: "A8",
        what: "co-investor pairs of 10 popular companies, top 10",
        kg: q.clone(),
        kuzu: q,
        destructive: false,
        verify: None,
        verify_expected: vec![],
        expected: pairs
            .iter()
            .take(10)
            .map(|((a, b), n)| json!([a, b, n]))
            .collect(),
    });
    out
}

// ---------------------------------------------------------------------------------------------
// Answer checks

/// Equal as JSON, numbers compared as floats with a relative tolerance (sums differ in order).
fn same(a: &J, b: &J) -> bool {
    match (a, b) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        _ => a == b,
    }
}

fn check(engine: &str, shape: &str, got: &[J], want: &[J]) -> bool {
    let ok = got.len() == want.len() && got.iter().zip(want).all(|(a, b)| same(a, b));
    if !ok {
        eprintln!("{engine} {shape}: WRONG ANSWER\n  got  {got:?}\n  want {want:?}");
    }
    ok
}

// ---------------------------------------------------------------------------------------------
// Running kg and Kuzu

fn env_or(key: &str, default: &str) -> String {
    std::env::var(key).unwrap_or_else(|_| default.to_string())
}

fn reps() -> usize {
    env_or("REPS", "3").parse().unwrap_or(3).max(1)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v.get(v.len() / 2).copied().unwrap_or_default()
}

fn sh(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = fs::remove_dir_all(to);
    sh(Command::new("cp").arg("-a").arg(from).arg(to)).map(|_| ())
}

/// Writes every dirty page of the system out (a copy's included), before a timed run.
fn sync_all() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

/// CPU time (user + system) of all waited-for child processes so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes the struct it is given.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Wall and CPU time of one process.
#[derive(Clone, Copy)]
struct Took {
    wall: Duration,
    cpu: Duration,
}

/// One `kg run` process over a file holding `stmt`: its times and the rows of its last
/// statement.
fn kg_once(kg: &Path, db: &Path, stmt: &str) -> Result<(Took, Vec<J>), String> {
    let file = std::env::temp_dir().join(format!("kg-analytics-{}.cypher", std::process::id()));
    fs::write(&file, format!("{stmt};\n")).map_err(|e| e.to_string())?;
    let (t, cpu) = (Instant::now(), children_cpu());
    let out = sh(Command::new(kg)
        .arg("--db")
        .arg(db)
        .args(["run", "--format", "json"])
        .arg(&file))?;
    let took = Took {
        wall: t.elapsed(),
        cpu: children_cpu().saturating_sub(cpu),
    };
    let last = out.lines().last().unwrap_or_default();
    let v: J = serde_json::from_str(last).map_err(|e| format!("{e}: {last}"))?;
    let rows = v["rows"].as_array().cloned().unwrap_or_default();
    Ok((took, rows))
}

/// Medians (wall and CPU separately) of `REPS` runs of `stmt`; a destructive one runs on a
/// fresh copy of `db` each time.
fn kg_timed(kg: &Path, db: &Path, stmt: &str, destructive: bool) -> Result<(Took, Vec<J>), String> {
    let work = db.with_extension("work");
    let (mut times, mut rows): (Vec<Took>, _) = (Vec::new(), Vec::new());
    for _ in 0..reps() {
        let target = if destructive {
            copy_dir(db, &work)?;
            kg_once(kg, &work, "RETURN 1")?;
            sync_all();
            work.as_path()
        } else {
            db
        };
        let (t, r) = kg_once(kg, target, stmt)?;
        times.push(t);
        rows = r;
    }
    let took = Took {
        wall: median(times.iter().map(|t| t.wall).collect()),
        cpu: median(times.iter().map(|t| t.cpu).collect()),
    };
    Ok((took, rows))
}

/// Imports and compacts the database unless `KG_DB` already holds it.
fn kg_database(kg: &Path, data: &Path, db: &Path) -> Result<(), String> {
    if db.exists() {
        return Ok(());
    }
    let t = Instant::now();
    sh(Command::new(kg)
        .arg("--db")
        .arg(db)
        .args(["import", "--format", "csv", "--id-type", "integer"])
        .arg(data.join("neo4j-admin")))?;
    sh(Command::new(kg).arg("--db").arg(db).arg("compact"))?;
    eprintln!(
        "kg: imported and compacted in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

struct KuzuResult {
    secs: Vec<f64>,
    rows: Vec<J>,
    verify: Vec<J>,
}

fn kuzu(
    py: &str,
    data: &Path,
    db: &str,
    shapes: &[&Shape],
) -> Result<HashMap<String, KuzuResult>, String> {
    let queries: Vec<J> = shapes
        .iter()
        .map(|s| {
            json!({"name": s.name, "kuzu": s.kuzu, "destructive": s.destructive,
                   "verify": s.verify})
        })
        .collect();
    let file = std::env::temp_dir().join(format!("kuzu-analytics-{}.json", std::process::id()));
    fs::write(&file, J::Array(queries).to_string()).map_err(|e| e.to_string())?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/analytics_kuzu.py");
    let out = sh(Command::new(py)
        .arg(script)
        .arg(data)
        .arg(db)
        .arg(&file)
        .arg(reps().to_string()))?;
    let v: J = serde_json::from_str(&out).map_err(|e| format!("{e}: {out}"))?;
    let mut res = HashMap::new();
    for s in shapes {
        let r = &v[s.name];
        let list = |k: &str| r[k].as_array().cloned().unwrap_or_default();
        res.insert(
            s.name.to_string(),
            KuzuResult {
                secs: list("secs").iter().filter_map(J::as_f64).collect(),
                rows: list("rows"),
                verify: list("verify"),
            },
        );
    }
    Ok(res)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn run(data: &Path) -> Result<bool, String> {
    let scale = data
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("X")
        .to_string();
    let kg = PathBuf::from(env_or(
        "KG",
        concat!(env!("CARGO_MANIFEST_DIR"), "/target/release/kg"),
    ));
    let db = PathBuf::from(env_or("KG_DB", &format!("/tmp/kg-analytics-{scale}")));
    let only: Option<Vec<String>> = std::env::var("ONLY")
        .ok()
        .map(|s| s.split(',').map(|x| x.trim().to_string()).collect());

    let t = Instant::now();
    let d = load(data)?;
    let all = shapes(&d);
    eprintln!(
        "reference: {} nodes, {} relationships read and answered in {:.1} s",
        d.nodes.len(),
        d.rels.len(),
        t.elapsed().as_secs_f64()
    );
    let chosen: Vec<&Shape> = all
        .iter()
        .filter(|s| only.as_ref().is_none_or(|o| o.iter().any(|x| x == s.name)))
        .collect();
    kg_database(&kg, data, &db)?;
    let base = kg_timed(&kg, &db, "RETURN 1", false)?.0;

    let written = db.with_extension("written");
    let after_write = std::env::var("AFTER_WRITE").is_ok_and(|v| v == "1");
    if after_write {
        copy_dir(&db, &written)?;
        kg_once(&kg, &written, "CREATE (n:BenchScratch) DELETE n")?;
    }

    let mut all_ok = true;
    let mut kg_times = HashMap::new();
    let mut kg_written = HashMap::new();
    for s in &chosen {
        let (t, rows) = kg_timed(&kg, &db, &s.kg, s.destructive)?;
        all_ok &= check("kg", s.name, &rows, &s.expected);
        kg_times.insert(s.name, t);
        if after_write && !s.destructive {
            let (t, rows) = kg_timed(&kg, &written, &s.kg, false)?;
            all_ok &= check("kg after a write", s.name, &rows, &s.expected);
            kg_written.insert(s.name, t);
        }
        eprintln!("kg {}: {} wall, {} CPU", s.name, ms(t.wall), ms(t.cpu));
    }

    let kz = match std::env::var("KUZU_PY") {
        Ok(py) => {
            let kdb = env_or("KUZU_DB", &format!("/tmp/kuzu-analytics-{scale}"));
            let r = kuzu(&py, data, &kdb, &chosen)?;
            for s in &chosen {
                if let Some(k) = r.get(s.name) {
                    if s.verify.is_some() {
                        all_ok &= check("kuzu (verify)", s.name, &k.verify, &s.verify_expected);
                    } else {
                        all_ok &= check("kuzu", s.name, &k.rows, &s.expected);
                    }
                }
            }
            Some(r)
        }
        Err(_) => None,
    };

    println!(
        "\nAnalytics shapes at {scale} ({} nodes, {} relationships), REPS={}, medians; \
         kg = whole process: wall (net = minus `RETURN 1;` = {}) and CPU\n",
        d.nodes.len(),
        d.rels.len(),
        reps(),
        ms(base.wall)
    );
    let mut header = "| shape | what | kg wall (net) | kg CPU |".to_string();
    if after_write {
        header.push_str(" after a write: wall (net), CPU |");
    }
    header.push_str(" Kuzu | kg / Kuzu (wall) |");
    println!("{header}");
    println!("{}", "|---".repeat(header.matches('|').count() - 1) + "|");
    for s in &chosen {
        let t: Took = kg_times[s.name];
        let net = t.wall.saturating_sub(base.wall);
        let mut line = format!(
            "| {} | {} | {} ({}) | {} |",
            s.name,
            s.what,
            ms(t.wall),
            ms(net),
            ms(t.cpu)
        );
        if after_write {
            match kg_written.get(s.name) {
                Some(w) => line.push_str(&format!(
                    " {} ({}), {} |",
                    ms(w.wall),
                    ms(w.wall.saturating_sub(base.wall)),
                    ms(w.cpu)
                )),
                None => line.push_str(" – |"),
            }
        }
        match kz.as_ref().and_then(|k| k.get(s.name)) {
            Some(k) => {
                let mut secs = k.secs.clone();
                secs.sort_by(f64::total_cmp);
                let med = secs.get(secs.len() / 2).copied().unwrap_or(0.0);
                let ratio = t.wall.as_secs_f64() / med.max(1e-9);
                line.push_str(&format!(" {:.1} ms | {ratio:.2}× |", med * 1e3));
            }
            None => line.push_str(" – | – |"),
        }
        println!("{line}");
    }
    println!(
        "\nanswers: {}",
        if all_ok {
            "all equal to the reference"
        } else {
            "SOME WRONG (see stderr)"
        }
    );
    Ok(all_ok)
}

fn main() {
    // `cargo bench` passes `--bench`; the data directory is the first other argument.
    let arg = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "../shared/bench/data/M".to_string());
    match run(Path::new(&arg)) {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("analytics bench: {e}");
            std::process::exit(2);
        }
    }
}
