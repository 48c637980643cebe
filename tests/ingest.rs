//! Input-side faults: a truncated or malformed import file of every format fails with a
//! position and leaves the database as it was; hostile nesting is refused; indexes an import
//! defines commit with its data.

use std::path::{Path, PathBuf};

use kgstore::db::Database;
use kgstore::export::{write_source_to, ExportFormat, ExportOptions, Source};
use kgstore::import::{import_into_store, ImportFormat, ImportOptions};
use kgstore::model::Properties;
use kgstore::store::{GraphRead, GraphWrite, IndexDef, Store};
use kgstore::value::Value;

fn opts() -> ImportOptions {
    ImportOptions {
        progress: false,
        ..ImportOptions::default()
    }
}

/// The seed graph exported in `format` under `dir` (a file, or a directory for csv).
fn seed_export(dir: &Path, format: ExportFormat, name: &str) -> PathBuf {
    let db = Database::open_in_memory().unwrap();
    kgstore::seed::load(&db).unwrap();
    let out = dir.join(name);
    let txn = db.store().begin();
    write_source_to(
        Source::Graph(&txn),
        format,
        &ExportOptions::default(),
        Some(&out),
    )
    .unwrap();
    out
}

/// A store holding one node, as the database an import goes into.
fn target() -> Store {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    let mut p = Properties::new();
    p.insert("name".into(), Value::String("before".into()));
    t.create_node(&["Existing".into()], p).unwrap();
    t.commit().unwrap();
    store
}

/// (nodes, relationships, index names) of `store`.
fn state(store: &Store) -> (u64, u64, Vec<String>) {
    let t = store.begin();
    let indexes = t.indexes().unwrap().into_iter().map(|i| i.name).collect();
    (
        t.node_count().unwrap(),
        t.relationship_count().unwrap(),
        indexes,
    )
}

/// Cut points spread over `len` bytes: about `n` of them, plus the last few bytes.
fn cuts(len: usize, n: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (1..n).map(|i| i * len / n).collect();
    out.extend([len - 1, len.saturating_sub(3), len.saturating_sub(9)]);
    out.sort_unstable();
    out.dedup();
    out
}

/// True when `message` names `path` (a file, or a file under a directory) with a line number
/// after it (`path/x.csv:12: …`).
fn positioned(message: &str, path: &Path) -> bool {
    let name = path.display().to_string();
    message.split(&name).skip(1).any(|rest| {
        let file_end = rest.find([':', ' ']).unwrap_or(rest.len());
        rest[file_end..]
            .strip_prefix(':')
            .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// Imports `path`, which is `full` cut at `cut`, into a fresh target. `Some(message)` when it
/// failed; the target is then checked to be unchanged.
fn import_cut(format: ImportFormat, path: &Path) -> Option<String> {
    let store = target();
    let before = state(&store);
    match import_into_store(&store, format, &[path.to_path_buf()], &opts()) {
        Ok(_) => None,
        Err(e) => {
            assert_eq!(
                state(&store),
                before,
                "a failed import changed the database"
            );
            Some(e.to_string())
        }
    }
}

#[test]
fn a_truncated_graphml_file_fails_at_every_cut_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(seed_export(dir.path(), ExportFormat::Graphml, "g.graphml")).unwrap();
    let cut_file = dir.path().join("cut.graphml");
    for cut in cuts(full.len(), 80) {
        std::fs::write(&cut_file, &full[..cut]).unwrap();
        if full[cut..].iter().all(u8::is_ascii_whitespace) {
            // Only the white space after the document is gone.
            assert_eq!(import_cut(ImportFormat::Graphml, &cut_file), None);
            continue;
        }
        let Some(msg) = import_cut(ImportFormat::Graphml, &cut_file) else {
            panic!("the file cut at byte {cut} of {} imported", full.len());
        };
        assert!(
            positioned(&msg, &cut_file),
            "cut at {cut}: no position: {msg}"
        );
    }
    // The whole file imports.
    std::fs::write(&cut_file, &full).unwrap();
    assert_eq!(import_cut(ImportFormat::Graphml, &cut_file), None);
}

#[test]
fn a_truncated_jsonl_file_fails_unless_cut_at_a_line_end() {
    let dir = tempfile::tempdir().unwrap();
    let full = std::fs::read(seed_export(dir.path(), ExportFormat::Jsonl, "g.jsonl")).unwrap();
    let cut_file = dir.path().join("cut.jsonl");
    for cut in cuts(full.len(), 80) {
        std::fs::write(&cut_file, &full[..cut]).unwrap();
        // A cut right after a line's end, or of its line feed only, leaves whole records.
        let at_line_end = full[cut - 1] == b'\n' || full[cut] == b'\n';
        match import_cut(ImportFormat::Jsonl, &cut_file) {
            Some(msg) => {
                assert!(!at_line_end, "cut at a line end {cut} failed: {msg}");
                assert!(
                    positioned(&msg, &cut_file),
                    "cut at {cut}: no position: {msg}"
                );
            }
            None => assert!(at_line_end, "the file cut inside a line at {cut} imported"),
        }
    }
}

/// Whether a CSV text cut short shows it: its last record is inside quotes, or has fewer
/// fields than the header. (A cut inside the last field of a record cannot be told from a
/// shorter value.)
fn csv_cut_shows(text: &[u8]) -> bool {
    let (mut in_quotes, mut fields, mut header, mut line_start) = (false, 1, None, true);
    for &b in text {
        line_start = false;
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => fields += 1,
            b'\n' if !in_quotes => {
                header.get_or_insert(fields);
                fields = 1;
                line_start = true;
            }
            _ => {}
        }
    }
    !line_start && (in_quotes || header.is_some_and(|h| fields < h))
}

#[test]
fn a_truncated_csv_file_fails_with_its_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let export = seed_export(dir.path(), ExportFormat::Csv, "csv");
    let mut files: Vec<PathBuf> = ["nodes", "relationships"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(export.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    files.sort_by_key(|f| std::cmp::Reverse(std::fs::metadata(f).unwrap().len()));
    let mut detected = 0;
    // The largest node file and the largest relationship file.
    let node_file = files.iter().find(|f| f.starts_with(export.join("nodes")));
    let rel_file = files
        .iter()
        .find(|f| f.starts_with(export.join("relationships")));
    for file in [node_file, rel_file].into_iter().flatten() {
        let full = std::fs::read(file).unwrap();
        for cut in cuts(full.len(), 40) {
            std::fs::write(file, &full[..cut]).unwrap();
            match import_cut(ImportFormat::Csv, &export) {
                Some(msg) => {
                    // The cut file, or one whose relationships refer to nodes it lost.
                    assert!(
                        positioned(&msg, &export),
                        "cut at {cut}: no position: {msg}"
                    );
                    detected += 1;
                }
                None => assert!(
                    !csv_cut_shows(&full[..cut]),
                    "{} cut at {cut} imported",
                    file.display()
                ),
            }
        }
        std::fs::write(file, &full).unwrap();
    }
    assert!(detected > 20, "only {detected} cuts were detected");
}

#[test]
fn elements_nested_too_deep_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deep.graphml");
    let depth = 100_000;
    let mut text = String::from("<graphml><graph>\n<node id=\"a\"><data key=\"x\">\n");
    text.push_str(&"<a>\n".repeat(depth));
    text.push_str(&"</a>\n".repeat(depth));
    text.push_str("</data></node></graph></graphml>\n");
    std::fs::write(&file, text).unwrap();
    let msg = import_cut(ImportFormat::Graphml, &file).expect("a 100,000-deep file imported");
    assert!(msg.contains("deeper than 1024"), "{msg}");
    assert!(positioned(&msg, &file), "{msg}");
}

#[test]
fn mismatched_end_tags_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.graphml");
    std::fs::write(
        &file,
        "<graphml><graph>\n<node id=\"a\"></edge>\n</graph></graphml>\n",
    )
    .unwrap();
    let msg = import_cut(ImportFormat::Graphml, &file).expect("a mismatched file imported");
    assert!(msg.contains("</edge> closes <node>"), "{msg}");
    assert!(msg.contains("bad.graphml:2"), "{msg}");
}

/// An import whose write fails (here on a uniqueness constraint) leaves neither data nor the
/// indexes it defines: they commit with its first batch.
#[test]
fn a_failed_import_leaves_no_index_behind() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = dir.path().join("companies.csv");
    let store = target();
    let mut t = store.begin();
    let def = IndexDef {
        name: "existing_name".into(),
        label: "Existing".into(),
        property: "name".into(),
        unique: true,
        kind: Default::default(),
    };
    t.create_index_expecting(def, false, 1).unwrap();
    let mut p = Properties::new();
    p.insert("name".into(), Value::String("Taken".into()));
    t.create_node(&["Existing".into()], p).unwrap();
    t.commit().unwrap();
    let before = state(&store);
    let csv = ImportFormat::Csv;
    // The second company also gets the label Existing, whose name must be unique.
    std::fs::write(
        &nodes,
        "id:ID(Company),name,:LABEL\n1,Zhipu,Company\n2,Taken,Company;Existing\n",
    )
    .unwrap();
    let err = import_into_store(&store, csv, &[nodes], &opts()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(state(&store), before);
}

const KG: &str = env!("CARGO_BIN_EXE_kg");

/// `kg query` in `dir` on the default database: the process, not yet waited for.
fn kg_default(dir: &Path, query: &str) -> std::process::Command {
    let mut cmd = std::process::Command::new(KG);
    cmd.current_dir(dir)
        .env_remove("KG_DB")
        .env_remove("KG_CONNECT")
        .args(["query", "--format", "csv", query])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd
}

/// The graph's size as `kg` in `dir` reports it (seeding the default database if missing).
fn default_graph_size(dir: &Path) -> String {
    let out = kg_default(
        dir,
        "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r",
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A first run killed while it creates and seeds `./kg.db` leaves either no database (the
/// next run seeds it) or the whole seed graph, never part of it.
#[test]
fn a_first_run_killed_while_seeding_leaves_no_partial_graph() {
    let reference = tempfile::tempdir().unwrap();
    let full = default_graph_size(reference.path());
    let started = std::time::Instant::now();
    let _ = default_graph_size(tempfile::tempdir().unwrap().path());
    // Kill points spread over a whole first run (at least 2 ms apart).
    let span = started.elapsed().as_millis().max(40) as u64;
    let rounds = 24;
    let mut before_done = 0;
    for round in 0..rounds {
        let dir = tempfile::tempdir().unwrap();
        let mut child = kg_default(dir.path(), "RETURN 1").spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(round * span / rounds));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let db = dir.path().join("kg.db");
        if !status.success() {
            before_done += 1;
        }
        if db.exists() {
            assert_eq!(
                default_graph_size(dir.path()),
                full,
                "round {round}: partial seed"
            );
        } else {
            // The next run seeds it whole and clears what the killed one left.
            assert_eq!(default_graph_size(dir.path()), full, "round {round}");
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "kg.db")
            .collect();
        assert!(leftovers.is_empty(), "round {round}: left {leftovers:?}");
    }
    assert!(
        before_done > 0,
        "no round killed the first run before it finished"
    );
}

/// LOAD CSV from a FIFO no one writes to stops at the statement's deadline, and on its
/// cancel flag; from an endless line (`/dev/zero`) it stops at the line bound.
#[test]
fn load_csv_from_a_silent_fifo_or_an_endless_line_stops() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use kgstore::db::RunOptions;
    use kgstore::error::Error;
    use kgstore::value::Params;

    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("silent.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let db = Database::open_in_memory().unwrap();
    let query = |path: &Path| format!("LOAD CSV FROM '{}' AS r RETURN count(r)", path.display());
    if made {
        let timed = RunOptions {
            timeout: Some(Duration::from_millis(300)),
            ..RunOptions::default()
        };
        let r = db.session().run_with(&query(&fifo), &Params::new(), &timed);
        assert!(matches!(r, Err(Error::Timeout(300))), "{r:?}");
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let setter = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            flag.store(true, Ordering::Relaxed);
        });
        let cancellable = RunOptions {
            cancel: Some(cancel),
            ..RunOptions::default()
        };
        let r = db
            .session()
            .run_with(&query(&fifo), &Params::new(), &cancellable);
        setter.join().unwrap();
        assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
    } else {
        eprintln!("mkfifo is not available: the FIFO half of this test did not run");
    }
    let r = db.run(&query(Path::new("/dev/zero")), &Params::new());
    let msg = r.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
    assert!(msg.contains("line 1 is longer than 16 MiB"), "{msg}");
}
