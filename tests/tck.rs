//! The openCypher TCK runner: reads the feature files from `KG_TCK_DIR` (default
//! `<crate>/../shared/tck/features`), runs every scenario in-process against a fresh
//! in-memory database and prints pass / fail / not-supported counts per folder.
//!
//! `tests/tck/passing.txt` lists the scenarios known to pass: the test fails when one of them
//! stops passing and prints newly passing ones. `KG_TCK_BLESS=1` rewrites the list.
//! `KG_TCK_FILTER=substring` runs only matching scenarios; `KG_TCK_VERBOSE=1` prints why each
//! failing scenario failed.

#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/values.rs"]
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use kgstore::db::{Database, Params, QueryResult, RunOptions};
use kgstore::error::{Error, ErrorClass, Phase};
use kgstore::procedures::{Procedure, ProcedureContext, ProcedureSignature};
use kgstore::store::GraphRead;
use kgstore::Value;

use gherkin::{Scenario, Step};
use values::{matches, multiset_match, Expected};

/// Per-query time limit inside the engine, and the hard limit for a whole scenario.
const QUERY_TIMEOUT: Duration = Duration::from_secs(10);
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Pass,
    Fail(String),
    /// The query used a feature kgstore reports as not supported.
    Unsupported(String),
}

fn main() {
    let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::var_os("KG_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate_dir.join("../shared/tck/features"));
    if !dir.is_dir() {
        println!(
            "tck: SKIPPED — feature directory {} not found (set KG_TCK_DIR to the openCypher TCK features)",
            dir.display()
        );
        return;
    }
    let graphs = dir.join("../graphs");
    let filter = std::env::var("KG_TCK_FILTER").ok();
    let verbose = std::env::var_os("KG_TCK_VERBOSE").is_some();
    let bless = std::env::var_os("KG_TCK_BLESS").is_some();

    let mut files = Vec::new();
    collect_features(&dir, &mut files);
    files.sort();

    // Panics inside a scenario are counted as failures; keep their messages short.
    std::panic::set_hook(Box::new(|_| {}));

    let started = Instant::now();
    let mut results: Vec<(String, String, Outcome)> = Vec::new(); // (folder, id, outcome)
    for file in &files {
        let rel = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/");
        let Ok(src) = std::fs::read_to_string(file) else {
            continue;
        };
        let folder = rel
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        for sc in gherkin::parse(&rel, &src) {
            if filter.as_ref().is_some_and(|f| !sc.id.contains(f.as_str())) {
                continue;
            }
            let outcome = run_guarded(sc.clone(), graphs.clone());
            if verbose {
                match &outcome {
                    Outcome::Fail(why) => {
                        println!("FAIL {}\n     {}", sc.id, why.replace('\n', "\n     "))
                    }
                    Outcome::Unsupported(why) => println!("UNSUPPORTED {}: {why}", sc.id),
                    Outcome::Pass => {}
                }
            }
            results.push((folder.clone(), sc.id, outcome));
        }
    }

    report(&results);
    println!(
        "tck: ran {} scenarios in {:.1}s",
        results.len(),
        started.elapsed().as_secs_f64()
    );

    let list_path = crate_dir.join("tests/tck/passing.txt");
    let passing: BTreeSet<String> = results
        .iter()
        .filter(|r| r.2 == Outcome::Pass)
        .map(|r| r.1.clone())
        .collect();
    let known: BTreeSet<String> = std::fs::read_to_string(&list_path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let ran: BTreeSet<&String> = results.iter().map(|r| &r.1).collect();
    let regressed: Vec<&String> = known
        .iter()
        .filter(|k| ran.contains(k) && !passing.contains(*k))
        .collect();
    let newly: Vec<&String> = passing.iter().filter(|p| !known.contains(*p)).collect();
    if bless && filter.is_none() {
        let mut text = String::from(
            "# openCypher TCK scenarios kgstore passes (tests/tck.rs; regenerate with KG_TCK_BLESS=1)\n",
        );
        for p in &passing {
            text.push_str(p);
            text.push('\n');
        }
        if let Err(e) = std::fs::write(&list_path, text) {
            println!("tck: could not write {}: {e}", list_path.display());
        } else {
            println!(
                "tck: wrote {} passing scenarios to {}",
                passing.len(),
                list_path.display()
            );
        }
        return;
    }
    if !newly.is_empty() {
        println!(
            "tck: {} newly passing scenarios (run with KG_TCK_BLESS=1 to record them):",
            newly.len()
        );
        for n in newly.iter().take(50) {
            println!("  + {n}");
        }
    }
    if !regressed.is_empty() {
        println!(
            "tck: {} scenarios in tests/tck/passing.txt no longer pass:",
            regressed.len()
        );
        for r in &regressed {
            let why = results
                .iter()
                .find(|x| &x.1 == *r)
                .map(|x| format!("{:?}", x.2))
                .unwrap_or_default();
            println!("  - {r}\n      {why}");
        }
        std::process::exit(1);
    }
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_features(&p, out);
        } else if p.extension().is_some_and(|x| x == "feature") {
            out.push(p);
        }
    }
}

fn report(results: &[(String, String, Outcome)]) {
    let mut by: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for (folder, _, o) in results {
        let slot = by.entry(folder.as_str()).or_default();
        match o {
            Outcome::Pass => slot[0] += 1,
            Outcome::Fail(_) => slot[1] += 1,
            Outcome::Unsupported(_) => slot[2] += 1,
        }
    }
    println!(
        "{:<44} {:>6} {:>6} {:>6} {:>6} {:>7}",
        "folder", "pass", "fail", "unsup", "total", "pass%"
    );
    let mut total = [0usize; 3];
    for (folder, c) in &by {
        let n = c[0] + c[1] + c[2];
        println!(
            "{:<44} {:>6} {:>6} {:>6} {:>6} {:>6.1}%",
            folder,
            c[0],
            c[1],
            c[2],
            n,
            100.0 * c[0] as f64 / n.max(1) as f64
        );
        for i in 0..3 {
            total[i] += c[i];
        }
    }
    let n = total.iter().sum::<usize>();
    println!(
        "{:<44} {:>6} {:>6} {:>6} {:>6} {:>6.1}%",
        "TOTAL",
        total[0],
        total[1],
        total[2],
        n,
        100.0 * total[0] as f64 / n.max(1) as f64
    );
}

/// Runs a scenario on its own thread with a time limit and panic isolation.
fn run_guarded(sc: Scenario, graphs: PathBuf) -> Outcome {
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .stack_size(32 * 1024 * 1024)
        .spawn(move || {
            let r = catch_unwind(AssertUnwindSafe(|| run_scenario(&sc, &graphs)));
            let _ = tx.send(match r {
                Ok(o) => o,
                Err(p) => {
                    let msg = p
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Outcome::Fail(format!("panic: {msg}"))
                }
            });
        });
    if spawned.is_err() {
        return Outcome::Fail("could not start a thread".into());
    }
    match rx.recv_timeout(SCENARIO_TIMEOUT) {
        Ok(o) => o,
        // The thread is abandoned; the engine's own timeout should stop it soon.
        Err(_) => Outcome::Fail(format!("timed out after {}s", SCENARIO_TIMEOUT.as_secs())),
    }
}

/// Everything a scenario accumulates while its steps run.
struct State {
    db: Database,
    params: Params,
    result: Option<Result<QueryResult, Error>>,
    before: Option<Snapshot>,
    after: Option<Snapshot>,
}

fn run_scenario(sc: &Scenario, graphs: &Path) -> Outcome {
    let db = match Database::open_in_memory() {
        Ok(db) => db,
        Err(e) => return Outcome::Fail(format!("cannot open database: {e}")),
    };
    let mut st = State {
        db,
        params: Params::new(),
        result: None,
        before: None,
        after: None,
    };
    for step in &sc.steps {
        if let Err(o) = run_step(&mut st, step, graphs) {
            return o;
        }
    }
    Outcome::Pass
}

fn run_query(st: &State, q: &str) -> Result<QueryResult, Error> {
    let opts = RunOptions {
        timeout: Some(QUERY_TIMEOUT),
        ..RunOptions::default()
    };
    st.db.session().run_with(q, &st.params, &opts)
}

fn unsupported_or_fail(e: &Error, context: &str) -> Outcome {
    match e.as_query() {
        Some(q) if q.class == ErrorClass::Unsupported => Outcome::Unsupported(q.message.clone()),
        _ => Outcome::Fail(format!("{context}: {e}")),
    }
}

fn run_step(st: &mut State, step: &Step, graphs: &Path) -> Result<(), Outcome> {
    let t = step.text.as_str();
    let doc = step.doc.as_deref().unwrap_or("");
    if t == "an empty graph" || t == "any graph" {
        return Ok(());
    }
    if let Some(name) = t
        .strip_prefix("the ")
        .and_then(|r| r.strip_suffix(" graph"))
    {
        let file = graphs.join(name).join(format!("{name}.cypher"));
        let script = std::fs::read_to_string(&file)
            .map_err(|e| Outcome::Fail(format!("named graph {}: {e}", file.display())))?;
        return run_query(st, &script)
            .map(|_| ())
            .map_err(|e| unsupported_or_fail(&e, "loading the named graph"));
    }
    if t.starts_with("having executed") {
        return run_query(st, doc)
            .map(|_| ())
            .map_err(|e| unsupported_or_fail(&e, "set-up query failed"));
    }
    if t.starts_with("parameters are") {
        for row in step.table.iter().flatten() {
            if let [k, v] = row.as_slice() {
                let e = values::parse(v).map_err(Outcome::Fail)?;
                st.params.insert(k.clone(), values::to_value(&e));
            }
        }
        return Ok(());
    }
    if let Some(sig) = t.strip_prefix("there exists a procedure ") {
        let proc_ = TableProcedure::new(sig, step.table.as_deref().unwrap_or(&[]))
            .map_err(Outcome::Fail)?;
        st.db.register_procedure(Arc::new(proc_));
        return Ok(());
    }
    if t.starts_with("executing query") {
        st.before = Some(snapshot(&st.db).map_err(Outcome::Fail)?);
        st.result = Some(run_query(st, doc));
        st.after = Some(snapshot(&st.db).map_err(Outcome::Fail)?);
        return Ok(());
    }
    if t.starts_with("executing control query") {
        st.result = Some(run_query(st, doc));
        return Ok(());
    }
    if t.starts_with("the result should be") {
        let res = take_ok(st)?;
        return check_result(t, res, step.table.as_deref().unwrap_or(&[]));
    }
    if let Some(rest) = t.strip_prefix("a ").or_else(|| t.strip_prefix("an ")) {
        if let Some((class, rest)) = rest.split_once(" should be raised at ") {
            return check_error(st, class, rest);
        }
    }
    if t == "no side effects" {
        return check_side_effects(st, &[]);
    }
    if t.starts_with("the side effects should be") {
        return check_side_effects(st, step.table.as_deref().unwrap_or(&[]));
    }
    Err(Outcome::Fail(format!("unknown step `{t}`")))
}

fn take_ok(st: &State) -> Result<&QueryResult, Outcome> {
    match &st.result {
        Some(Ok(r)) => Ok(r),
        Some(Err(e)) => Err(unsupported_or_fail(e, "query failed")),
        None => Err(Outcome::Fail("no query was executed".into())),
    }
}

fn check_result(step: &str, res: &QueryResult, table: &[Vec<String>]) -> Result<(), Outcome> {
    let in_order = step.contains("in order");
    let lists_unordered = step.contains("ignoring element order for lists");
    if step.contains("should be empty") {
        if res.rows.is_empty() {
            return Ok(());
        }
        return Err(Outcome::Fail(format!(
            "expected no rows, got {}: {:?}",
            res.rows.len(),
            res.rows.first()
        )));
    }
    let Some((header, rows)) = table.split_first() else {
        return Err(Outcome::Fail("result table without header".into()));
    };
    if *header != res.columns {
        return Err(Outcome::Fail(format!(
            "columns {:?}, expected {:?}",
            res.columns, header
        )));
    }
    let expected: Vec<Vec<Expected>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| values::parse(c))
                .collect::<Result<Vec<_>, _>>()
        })
        .collect::<Result<_, _>>()
        .map_err(|e| Outcome::Fail(format!("cannot read expected value: {e}")))?;
    let row_eq = |e: &Vec<Expected>, a: &Vec<Value>| {
        e.len() == a.len() && e.iter().zip(a).all(|(x, y)| matches(x, y, lists_unordered))
    };
    let ok = if in_order {
        expected.len() == res.rows.len()
            && expected.iter().zip(&res.rows).all(|(e, a)| row_eq(e, a))
    } else {
        multiset_match(&expected, &res.rows, row_eq)
    };
    if ok {
        Ok(())
    } else {
        let shown: Vec<String> = res.rows.iter().take(10).map(|r| format!("{r:?}")).collect();
        Err(Outcome::Fail(format!(
            "result mismatch ({} rows, expected {}):\n  got: {}\n  expected: {:?}",
            res.rows.len(),
            expected.len(),
            shown.join("\n       "),
            rows
        )))
    }
}

fn check_error(st: &State, class: &str, rest: &str) -> Result<(), Outcome> {
    let (phase, detail) = rest.split_once(": ").unwrap_or((rest, "*"));
    let err = match &st.result {
        Some(Err(e)) => e,
        Some(Ok(r)) => {
            return Err(Outcome::Fail(format!(
                "expected {class} at {phase}: {detail}, but the query succeeded with {} rows",
                r.rows.len()
            )))
        }
        None => return Err(Outcome::Fail("no query was executed".into())),
    };
    let Some(q) = err.as_query() else {
        return Err(Outcome::Fail(format!(
            "expected {class}: {detail}, got non-query error: {err}"
        )));
    };
    if q.class == ErrorClass::Unsupported {
        return Err(Outcome::Unsupported(q.message.clone()));
    }
    let phase_ok = match phase.trim() {
        "compile time" => q.phase == Phase::Compile,
        "runtime" => q.phase == Phase::Runtime,
        _ => true,
    };
    let class_ok = q.class.to_string() == class;
    let detail_ok = detail.trim() == "*" || q.detail == detail.trim();
    if phase_ok && class_ok && detail_ok {
        Ok(())
    } else {
        Err(Outcome::Fail(format!(
            "expected {class} at {phase}: {detail}; got {} at {:?}: {} ({})",
            q.class, q.phase, q.detail, q.message
        )))
    }
}

// ───────────────────────────── side effects ─────────────────────────────

/// The graph as the TCK's side-effect counting sees it.
#[derive(Default)]
struct Snapshot {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    labels: BTreeSet<String>,
    /// (is_relationship, id, key, value as text)
    props: BTreeSet<(bool, u64, String, String)>,
}

fn snapshot(db: &Database) -> Result<Snapshot, String> {
    let txn = db.store().begin();
    let g: &dyn GraphRead = &txn;
    let mut s = Snapshot::default();
    let ids = g.node_ids().map_err(|e| e.to_string())?;
    for id in ids {
        let id = id.map_err(|e| e.to_string())?;
        if let Some(n) = g.node(id).map_err(|e| e.to_string())? {
            s.nodes.insert(id);
            s.labels.extend(n.labels.iter().cloned());
            for (k, v) in &n.properties {
                s.props.insert((false, id, k.clone(), format!("{v:?}")));
            }
        }
    }
    let ids = g.relationship_ids().map_err(|e| e.to_string())?;
    for id in ids {
        let id = id.map_err(|e| e.to_string())?;
        if let Some(r) = g.relationship(id).map_err(|e| e.to_string())? {
            s.rels.insert(id);
            for (k, v) in &r.properties {
                s.props.insert((true, id, k.clone(), format!("{v:?}")));
            }
        }
    }
    Ok(s)
}

fn check_side_effects(st: &State, table: &[Vec<String>]) -> Result<(), Outcome> {
    if let Some(Err(e)) = &st.result {
        return Err(unsupported_or_fail(e, "query failed"));
    }
    let (Some(b), Some(a)) = (&st.before, &st.after) else {
        return Err(Outcome::Fail("no query was executed".into()));
    };
    let mut got: BTreeMap<&str, usize> = BTreeMap::new();
    got.insert("+nodes", a.nodes.difference(&b.nodes).count());
    got.insert("-nodes", b.nodes.difference(&a.nodes).count());
    got.insert("+relationships", a.rels.difference(&b.rels).count());
    got.insert("-relationships", b.rels.difference(&a.rels).count());
    got.insert("+labels", a.labels.difference(&b.labels).count());
    got.insert("-labels", b.labels.difference(&a.labels).count());
    got.insert("+properties", a.props.difference(&b.props).count());
    got.insert("-properties", b.props.difference(&a.props).count());
    let mut want: BTreeMap<&str, usize> = got.keys().map(|k| (*k, 0)).collect();
    for row in table {
        if let [k, v] = row.as_slice() {
            let n = v
                .parse()
                .map_err(|_| Outcome::Fail(format!("bad side-effect count {v}")))?;
            match want.get_mut(k.as_str()) {
                Some(slot) => *slot = n,
                None => return Err(Outcome::Fail(format!("unknown side effect {k}"))),
            }
        }
    }
    if got == want {
        Ok(())
    } else {
        let diff: Vec<String> = want
            .iter()
            .filter(|(k, v)| got.get(*k) != Some(*v))
            .map(|(k, v)| {
                format!(
                    "{k}: expected {v}, got {}",
                    got.get(k).copied().unwrap_or(0)
                )
            })
            .collect();
        Err(Outcome::Fail(format!(
            "side effects differ: {}",
            diff.join(", ")
        )))
    }
}

// ───────────────────────────── test procedures ─────────────────────────────

/// A procedure declared by a scenario: its rows map input values to output values.
struct TableProcedure {
    signature: ProcedureSignature,
    rows: Vec<(Vec<Value>, Vec<Value>)>,
}

fn parse_params(s: &str) -> Vec<(String, String)> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .filter_map(|p| p.split_once("::"))
        .map(|(n, t)| (n.trim().to_string(), t.trim().to_string()))
        .collect()
}

impl TableProcedure {
    /// `test.my.proc(in :: INTEGER?) :: (out :: STRING?):` and its table.
    fn new(sig: &str, table: &[Vec<String>]) -> Result<TableProcedure, String> {
        let sig = sig.trim().trim_end_matches(':').trim();
        let open = sig.find('(').ok_or("procedure signature without `(`")?;
        let close = sig[open..]
            .find(')')
            .ok_or("procedure signature without `)`")?
            + open;
        let name = sig[..open].trim().to_string();
        let inputs = parse_params(&sig[open + 1..close]);
        let rest = sig[close + 1..].trim().trim_start_matches("::").trim();
        let outputs = parse_params(rest.trim_start_matches('(').trim_end_matches(')'));
        let mut rows = Vec::new();
        if let Some((header, body)) = table.split_first() {
            let nin = inputs.len();
            if header.len() != nin + outputs.len() && !(header.is_empty() && outputs.is_empty()) {
                return Err(format!(
                    "procedure table has {} columns, signature {}",
                    header.len(),
                    nin + outputs.len()
                ));
            }
            for r in body {
                let vals = r
                    .iter()
                    .map(|c| values::parse(c).map(|e| values::to_value(&e)))
                    .collect::<Result<Vec<_>, _>>()?;
                let (i, o) = vals.split_at(nin.min(vals.len()));
                rows.push((i.to_vec(), o.to_vec()));
            }
        }
        Ok(TableProcedure {
            signature: ProcedureSignature {
                name,
                inputs,
                outputs,
                description: "test procedure from a TCK scenario".into(),
            },
            rows,
        })
    }
}

fn same_arg(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Int(x), Value::Float(y)) | (Value::Float(y), Value::Int(x)) => (*x as f64) == *y,
        _ => a == b,
    }
}

impl Procedure for TableProcedure {
    fn signature(&self) -> &ProcedureSignature {
        &self.signature
    }

    fn call(&self, _ctx: &ProcedureContext, args: &[Value]) -> kgstore::Result<Vec<Vec<Value>>> {
        Ok(self
            .rows
            .iter()
            .filter(|(inputs, _)| {
                inputs.len() == args.len() && inputs.iter().zip(args).all(|(i, a)| same_arg(i, a))
            })
            .map(|(_, outputs)| outputs.clone())
            .collect())
    }
}
