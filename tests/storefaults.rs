//! Faults the store must survive, through the real `kg` binary: a full disk (on a small tmpfs
//! this test mounts), a sled log cut short, damaged or missing sled files. Every acknowledged
//! statement must survive, no process may hang or panic, and each error must say what happened.

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KG: &str = env!("CARGO_BIN_EXE_kg");

/// What one `kg` run did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `kg --db DB ARGS…`; fails the test if it has not exited within `limit`.
fn kg(db: &Path, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(KG)
        .arg("--db")
        .arg(db)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kg");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait kg") {
            break status;
        }
        if started.elapsed() > limit {
            // Where it hangs, when gdb is there to say (best effort).
            let stacks = Command::new("gdb")
                .args([
                    "-p",
                    &child.id().to_string(),
                    "-batch",
                    "-ex",
                    "thread apply all bt",
                ])
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
                .unwrap_or_default();
            eprintln!("kg {args:?} hangs; its threads:\n{stacks}");
            let _ = child.kill();
            let _ = child.wait();
            let mut err = String::new();
            let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
            panic!("kg {args:?} did not exit within {limit:?}; stderr: {err}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    let _ = child
        .stdout
        .take()
        .map(|mut o| o.read_to_string(&mut stdout));
    let _ = child
        .stderr
        .take()
        .map(|mut e| e.read_to_string(&mut stderr));
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

fn query(db: &Path, q: &str) -> Run {
    kg(
        db,
        &["query", "--format", "jsonl", q],
        Duration::from_secs(60),
    )
}

/// The single integer a `RETURN … AS n` query printed as jsonl.
fn number(run: &Run) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(run.stdout.lines().next()?).ok()?;
    v.as_object()?.values().next()?.as_u64()
}

/// A tmpfs mounted by the test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    fn new(at: &Path, bytes: u64) -> Option<Mount> {
        std::fs::create_dir_all(at).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then(|| Mount(at.to_path_buf()))
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Fills the file system of `dir` with `filler`, then gives back `free` bytes.
/// A small tmpfs holding a database that has taken one statement, with room for a filler file
/// that leaves the disk as full as a round wants. `None` (after saying so) where the test may
/// not mount. Dropped, it unmounts before its directory goes.
struct SmallDisk {
    mount: Mount,
    tmp: tempfile::TempDir,
}

impl SmallDisk {
    fn new(bytes: u64) -> Option<SmallDisk> {
        let tmp = tempfile::tempdir().unwrap();
        let Some(mount) = Mount::new(&tmp.path().join("small"), bytes) else {
            println!(
                "SKIPPED: cannot mount a tmpfs here (needs root); the full-disk test did not run"
            );
            return None;
        };
        let disk = SmallDisk { mount, tmp };
        let first = query(&disk.db(), "CREATE (:Start)");
        assert_eq!(first.code, 0, "{}", first.stderr);
        Some(disk)
    }

    fn db(&self) -> PathBuf {
        self.mount.0.join("g.db")
    }

    fn filler(&self) -> PathBuf {
        self.mount.0.join("filler")
    }

    /// Where scripts go: beside the mount, not on it.
    fn scripts(&self) -> &Path {
        self.tmp.path()
    }
}

fn fill(filler: &Path, free: u64) {
    let mut f = File::create(filler).expect("create filler");
    let chunk = vec![0x5a_u8; 64 << 10];
    let mut len = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => len += n as u64,
        }
    }
    f.set_len(len.saturating_sub(free)).expect("shrink filler");
}

/// A script of one statement creating `n` nodes of sequence `seq`, each with a value of
/// `value_len` bytes.
fn write_script(dir: &Path, seq: u64, n: u64, value_len: usize) -> PathBuf {
    let path = dir.join(format!("w{seq}.cypher"));
    let value = "v".repeat(value_len);
    std::fs::write(
        &path,
        format!("UNWIND range(1, {n}) AS i CREATE (:W {{seq: {seq}, i: i, v: '{value}'}});\n"),
    )
    .expect("write script");
    path
}

/// Statements whose exit code was 0 (acknowledged) and the node count each creates.
#[derive(Default)]
struct Ledger {
    acked: Vec<(u64, u64)>,
    tried: Vec<(u64, u64)>,
}

impl Ledger {
    /// Runs statement `seq` (creating `n` nodes with values of `len` bytes) and books it;
    /// returns whether it was acknowledged. A refusal must be a clear full-disk error.
    fn write(
        &mut self,
        db: &Path,
        scripts: &Path,
        (seq, n, len): (u64, u64, usize),
        context: &str,
    ) -> bool {
        let script = write_script(scripts, seq, n, len);
        let run = kg(
            db,
            &["run", script.to_str().unwrap()],
            Duration::from_secs(60),
        );
        self.tried.push((seq, n));
        if run.code == 0 {
            self.acked.push((seq, n));
        } else {
            assert_clear_failure(&run, context);
        }
        run.code == 0
    }

    /// Checks the database against the ledger: every acknowledged statement is there whole;
    /// every other one is there whole or not at all.
    fn verify(&self, db: &Path, context: &str) {
        let run = query(
            db,
            "MATCH (w:W) RETURN w.seq AS seq, count(*) AS n ORDER BY seq",
        );
        assert_eq!(run.code, 0, "{context}: reading failed: {}", run.stderr);
        let mut found = std::collections::BTreeMap::new();
        for line in run.stdout.lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("jsonl");
            found.insert(v["seq"].as_u64().unwrap(), v["n"].as_u64().unwrap());
        }
        for (seq, n) in &self.acked {
            assert_eq!(
                found.get(seq),
                Some(n),
                "{context}: acknowledged statement {seq} lost"
            );
        }
        for (seq, n) in &self.tried {
            let got = found.get(seq).copied().unwrap_or(0);
            assert!(
                got == 0 || got == *n,
                "{context}: statement {seq} is partly there ({got} of {n})"
            );
        }
    }
}

/// What a failing command may print: a sentence, never a debug dump or a panic.
fn assert_clear_failure(run: &Run, context: &str) {
    assert!(
        !run.stderr.contains("Os {") && !run.stderr.contains("panicked"),
        "{context}: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("the disk is full"),
        "{context}: expected a full-disk error, got: {}",
        run.stderr
    );
}

#[test]
#[ignore = "runs 80 s and mounts a tmpfs; it found a hang (sled dropped on the opening thread after a failed first write) fixed in Store::init; run with --ignored until it has passed under CI load"]
fn a_full_disk_fails_statements_clearly_and_loses_nothing_acknowledged() {
    let Some(disk) = SmallDisk::new(96 << 20) else {
        return;
    };
    let (db, filler, scripts) = (disk.db(), disk.filler(), disk.scripts());
    let mut ledger = Ledger::default();
    let mut rng = Rng(0x5eed_d15c);
    let mut seq = 0u64;
    let (mut full_errors, mut rounds) = (0, 0);
    for round in 0..36 {
        rounds += 1;
        // Free space from nothing to four sled segments (512 KiB each): some rounds refuse
        // every write, others take a few before the disk fills.
        fill(&filler, rng.below(2048) << 10);
        for step in 0..4 {
            seq += 1;
            // Small values, and values large enough to go to sled's blob files.
            let (n, len) = match (round + step) % 3 {
                0 => (50, 20),
                1 => (2, 150_000),
                _ => (300, 200),
            };
            let context = format!("round {round} step {step} (statement {seq})");
            if !ledger.write(&db, scripts, (seq, n, len), &context) {
                full_errors += 1;
            }
            let read = query(&db, "MATCH (n) RETURN count(n) AS n");
            if read.code != 0 {
                assert_clear_failure(&read, &format!("{context}, reading"));
            }
        }
        std::fs::remove_file(&filler).unwrap();
        ledger.verify(&db, &format!("round {round}, space freed"));
    }
    // Writable again, and consistent.
    seq += 1;
    let script = write_script(scripts, seq, 10, 10);
    let run = kg(
        &db,
        &["run", script.to_str().unwrap()],
        Duration::from_secs(60),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    ledger.acked.push((seq, 10));
    ledger.verify(&db, "at the end");
    let check = kg(&db, &["check"], Duration::from_secs(60));
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    assert!(
        full_errors > 0,
        "the disk never filled in {rounds} rounds: the test tests nothing"
    );
    println!(
        "{rounds} rounds: {} statements acknowledged, {full_errors} refused on a full disk",
        ledger.acked.len()
    );
}

/// The read image's side of a full disk: compaction (which writes a whole copy of the
/// database), the delta a writer leaves over the image at its close (`kg.delta`), and the
/// reseal, each run while the disk is full. Every acknowledged statement must survive, every
/// failure must say the disk is full, and once space is free the image (with its delta) must
/// still equal sled (`kg check` compares them) and take writes again.
#[test]
fn a_full_disk_during_compaction_and_delta_writes_loses_nothing_acknowledged() {
    let Some(disk) = SmallDisk::new(48 << 20) else {
        return;
    };
    let (db, filler, scripts) = (disk.db(), disk.filler(), disk.scripts());
    let mut ledger = Ledger::default();
    let mut rng = Rng(0xc0ac_7d15);
    let mut seq = 0u64;
    let compact = kg(&db, &["compact"], Duration::from_secs(60));
    assert_eq!(compact.code, 0, "{}", compact.stderr);
    let (mut refused, mut compactions, mut failed_compactions) = (0, 0, 0);
    for round in 0..16 {
        // From nothing to a few MiB free: the database is a few MiB, so compaction's copy
        // fits in some rounds and not in others.
        fill(&filler, rng.below(6 << 10) << 10);
        for step in 0..4 {
            let context = format!("round {round} step {step}");
            if rng.below(3) == 0 {
                let run = kg(&db, &["compact"], Duration::from_secs(60));
                compactions += 1;
                if run.code != 0 {
                    failed_compactions += 1;
                    assert_clear_failure(&run, &format!("{context}, compacting"));
                }
            } else {
                seq += 1;
                let (n, len) = if rng.below(4) == 0 {
                    (2, 150_000)
                } else {
                    (40, 30)
                };
                if !ledger.write(&db, scripts, (seq, n, len), &context) {
                    refused += 1;
                }
            }
            // A read in between, through the image and its delta when they are sealed.
            let read = query(&db, "MATCH (w:W) RETURN count(w) AS n");
            if read.code != 0 {
                assert_clear_failure(&read, &format!("{context}, reading"));
            }
        }
        std::fs::remove_file(&filler).unwrap();
        ledger.verify(&db, &format!("round {round}, space freed"));
        let check = kg(&db, &["check"], Duration::from_secs(60));
        assert_eq!(
            check.code, 0,
            "round {round}: {}{}",
            check.stdout, check.stderr
        );
        // The reads after the check (which reseals) agree with the ledger too.
        ledger.verify(&db, &format!("round {round}, after the check"));
    }
    let compact = kg(&db, &["compact"], Duration::from_secs(60));
    assert_eq!(compact.code, 0, "{}", compact.stderr);
    ledger.verify(&db, "compacted at the end");
    assert!(
        refused > 0 && failed_compactions > 0,
        "the disk never stopped a write ({refused}) and a compaction ({failed_compactions} of {compactions}): the test tests nothing"
    );
    println!(
        "{} statements acknowledged, {refused} refused, {failed_compactions} of {compactions} compactions refused on a full disk",
        ledger.acked.len()
    );
}

/// A database of `statements` acknowledged statements of 100 nodes each.
fn written_db(dir: &Path, statements: u64) -> PathBuf {
    let db = dir.join("base.db");
    let script = dir.join("base.cypher");
    let mut text = String::new();
    for s in 0..statements {
        text.push_str(&format!(
            "UNWIND range(1, 100) AS i CREATE (:W {{seq: {s}, i: i, text: 'some words ' + i}});\n"
        ));
    }
    std::fs::write(&script, text).unwrap();
    let run = kg(
        &db,
        &["run", script.to_str().unwrap()],
        Duration::from_secs(120),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    db
}

fn copy_dir(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn a_log_cut_short_is_refused_with_what_was_lost_and_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    // As the writes left it (sled's newest snapshot predates them, as after an import), and
    // reopened once (a snapshot covers them).
    let fresh = written_db(tmp.path(), 60);
    let reopened = tmp.path().join("reopened.db");
    copy_dir(&fresh, &reopened);
    let full = number(&query(&reopened, "MATCH (n) RETURN count(n) AS n")).unwrap();
    assert_eq!(full, 6000);
    let (mut refused, mut whole) = (0, 0);
    for base in [&fresh, &reopened] {
        let len = std::fs::metadata(base.join("db")).unwrap().len();
        let mut rng = Rng(0xc0ffee);
        let mut cuts: Vec<u64> = vec![45_000, 1000, len / 2, len - 4096, 64];
        cuts.extend((0..20).map(|_| 1 + rng.below(len - 1)));
        for cut in cuts {
            let db = tmp.path().join("cut.db");
            copy_dir(base, &db);
            let keep = len.saturating_sub(cut);
            File::options()
                .write(true)
                .open(db.join("db"))
                .unwrap()
                .set_len(keep)
                .unwrap();
            let run = query(&db, "MATCH (n) RETURN count(n) AS n");
            let context = format!("{} cut to {keep} of {len} bytes", base.display());
            assert!(
                run.code == 0 || run.code == 2,
                "{context}: exit {}: {}",
                run.code,
                run.stderr
            );
            assert!(
                !run.stderr.contains("panicked"),
                "{context}: {}",
                run.stderr
            );
            if run.code == 0 {
                // Only a cut into sled's unused tail may open, and then with everything.
                assert_eq!(
                    number(&run),
                    Some(full),
                    "{context}: opened short, silently"
                );
                whole += 1;
            } else {
                // What was lost, or which file is damaged.
                assert!(
                    run.stderr.contains("lost acknowledged writes")
                        || run.stderr.contains("/db is damaged"),
                    "{context}: {}",
                    run.stderr
                );
                refused += 1;
            }
        }
    }
    assert!(refused > 0, "no cut was detected");
    println!("{refused} cuts refused, {whole} opened whole");
}

#[test]
fn the_loss_names_the_commits_and_deleting_the_mark_opens_what_remains() {
    let tmp = tempfile::tempdir().unwrap();
    let db = written_db(tmp.path(), 30);
    let len = std::fs::metadata(db.join("db")).unwrap().len();
    File::options()
        .write(true)
        .open(db.join("db"))
        .unwrap()
        .set_len(len - 45_000)
        .unwrap();
    let run = query(&db, "MATCH (n) RETURN count(n) AS n");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("lost acknowledged writes") && run.stderr.contains("kg.commits"),
        "{}",
        run.stderr
    );
    // The advice works: without the mark, what remains opens (and is consistent).
    std::fs::remove_file(db.join(kgstore::store::COMMIT_MARK_FILE)).unwrap();
    let run = query(&db, "MATCH (n) RETURN count(n) AS n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(number(&run).unwrap() < 3000);
}

#[test]
fn an_unfinished_or_damaged_snapshot_is_set_aside_and_the_log_reopens() {
    let tmp = tempfile::tempdir().unwrap();
    let base = written_db(tmp.path(), 20);
    // Reopened once, so that sled has written a snapshot.
    assert_eq!(
        number(&query(&base, "MATCH (n) RETURN count(n) AS n")),
        Some(2000)
    );
    let db = tmp.path().join("snap.db");
    for damage in ["unfinished", "garbage", "empty"] {
        copy_dir(&base, &db);
        // A newer snapshot than any sled wrote, as a full disk leaves one while sled opens.
        let name = match damage {
            "unfinished" => "snap.7FFFFFFFFFFFFFFF.generating",
            _ => "snap.7FFFFFFFFFFFFFFF",
        };
        let bytes: &[u8] = if damage == "garbage" {
            b"not a snapshot at all"
        } else {
            b""
        };
        std::fs::write(db.join(name), bytes).unwrap();
        let run = query(&db, "MATCH (n) RETURN count(n) AS n");
        assert_eq!(run.code, 0, "{damage}: {}", run.stderr);
        assert_eq!(number(&run), Some(2000), "{damage}");
        let write = query(&db, "CREATE (:W {seq: 999}) RETURN 1 AS n");
        assert_eq!(write.code, 0, "{damage}: {}", write.stderr);
    }
}

#[test]
fn damaged_or_missing_sled_files_are_named_with_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let base = written_db(tmp.path(), 2);
    let db = tmp.path().join("d.db");

    copy_dir(&base, &db);
    let mut conf = std::fs::read(db.join("conf")).unwrap();
    conf[3] = b'#';
    std::fs::write(db.join("conf"), conf).unwrap();
    let run = query(&db, "MATCH (n) RETURN count(n) AS n");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("settings file") && run.stderr.contains("conf is damaged"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("delete that file"), "{}", run.stderr);
    // The advice works.
    std::fs::remove_file(db.join("conf")).unwrap();
    assert_eq!(
        number(&query(&db, "MATCH (n) RETURN count(n) AS n")),
        Some(200)
    );

    copy_dir(&base, &db);
    std::fs::remove_file(db.join("db")).unwrap();
    let run = query(&db, "MATCH (n) RETURN count(n) AS n");
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("storage log") && run.stderr.contains("is missing"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("other files"), "{}", run.stderr);
}

#[test]
fn compact_exits_2_on_a_database_of_a_newer_format_like_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let db = written_db(tmp.path(), 1);
    {
        let sled = sled::open(&db).unwrap();
        sled.insert(b"\x00format", &99u32.to_be_bytes()).unwrap();
        sled.flush().unwrap();
    }
    std::thread::sleep(Duration::from_millis(100));
    let read = query(&db, "MATCH (n) RETURN count(n) AS n");
    assert_eq!(read.code, 2, "{}", read.stderr);
    let compact = kg(&db, &["compact"], Duration::from_secs(60));
    assert_eq!(compact.code, 2, "{}", compact.stderr);
    assert!(
        compact.stderr.contains("newer kgstore"),
        "{}",
        compact.stderr
    );
}

/// A full disk inside `CALL { } IN TRANSACTIONS`: the error says the disk is full (exit 1, as
/// for any full disk) and how many batches and input rows stay committed, which is what the
/// database holds afterwards (give or take the one batch it names as unsure). Before, it said
/// only "the disk is full", and a user who ran the load again repeated the batches that had
/// landed.
#[test]
fn a_full_disk_in_transactions_says_which_batches_stay() {
    let Some(disk) = SmallDisk::new(32 << 20) else {
        return;
    };
    let (db, filler) = (disk.db(), disk.filler());
    let pad = "p".repeat(2000);
    let load = format!(
        "WITH '{pad}' AS pad UNWIND range(1, 20000) AS i \
         CALL {{ WITH i, pad CREATE (:L {{i: i, v: pad}}) }} IN TRANSACTIONS OF 200 ROWS"
    );
    let mut kept_some = 0;
    for (round, free) in [4u64 << 20, 2 << 20, 6 << 20].into_iter().enumerate() {
        let before = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        fill(&filler, free);
        let run = kg(&db, &["query", &load], Duration::from_secs(60));
        std::fs::remove_file(&filler).expect("remove filler");
        assert_eq!(run.code, 1, "round {round}: {}", run.stderr);
        assert!(run.stderr.contains("the disk is full"), "{}", run.stderr);
        let after = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        let stays = rows_after(&run.stderr, "IN TRANSACTIONS committed before it (");
        // A batch whose commit landed while its flush met the full disk is named apart: sled
        // may still write it (at close) or not, so it may or may not be there.
        let unsure = rows_after(&run.stderr, "IN TRANSACTIONS (")
            .or_else(|| rows_after(&run.stderr, "; the next batch ("))
            .unwrap_or(0);
        let stays = stays.unwrap_or(0);
        if unsure > 0 {
            assert!(
                run.stderr.contains("may or may not be kept"),
                "{}",
                run.stderr
            );
            assert_eq!(unsure, 200, "{}", run.stderr);
        }
        assert!(
            after - before == stays || after - before == stays + unsure,
            "round {round}: {} rows more, {}",
            after - before,
            run.stderr
        );
        assert_eq!(stays % 200, 0, "{}", run.stderr);
        if stays > 0 {
            kept_some += 1;
            assert!(run.stderr.contains("committed before it"), "{}", run.stderr);
        }
    }
    assert!(
        kept_some > 0,
        "no round committed a batch before the disk filled"
    );
}

/// The number of input rows in `stderr` right after `before`, if `before` is there.
fn rows_after(stderr: &str, before: &str) -> Option<u64> {
    let at = stderr.find(before)? + before.len();
    let digits: String = stderr[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some(digits.parse().expect("a row count"))
}

/// A full disk at the commit of a plain statement, and at an explicit `COMMIT`: the error
/// says what is true of the changes, exit 1, as for any full disk. When the batch failed
/// part-way and its undo record is on disk, they are not kept (taken back in the process or
/// by the next open, `store/undo.rs`), and the next process finds none of them; when the
/// batch landed and only making it durable failed, sled may still write or lose it, so the
/// error says they may or may not be kept and to count before running the statement again.
/// Before the undo file, every such error said "may or may not"; before that, only "the disk
/// is full … free some space and try again", and a user who did repeated kept changes.
#[test]
fn a_full_disk_at_a_commit_says_what_became_of_its_changes() {
    let Some(disk) = SmallDisk::new(32 << 20) else {
        return;
    };
    let (db, filler) = (disk.db(), disk.filler());
    let create = "WITH 'p' + reduce(s = '', i IN range(1, 2000) | s + 'p') AS pad \
                  UNWIND range(1, 5000) AS i CREATE (:L {i: i, v: pad})";
    let explicit = disk.scripts().join("explicit.cypher");
    std::fs::write(&explicit, format!("BEGIN;\n{create};\nCOMMIT;\n")).expect("write script");
    let plain = ["query", create];
    let in_txn = ["run", explicit.to_str().unwrap()];
    for (round, (args, free)) in [(&plain, 4u64 << 20), (&in_txn, 4 << 20), (&plain, 1 << 20)]
        .into_iter()
        .enumerate()
    {
        let before = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        fill(&filler, free);
        let run = kg(&db, args, Duration::from_secs(60));
        std::fs::remove_file(&filler).expect("remove filler");
        assert_eq!(run.code, 1, "round {round}: {}", run.stderr);
        assert_clear_failure(&run, &format!("round {round}"));
        let not_kept = run.stderr.contains("the changes were not kept");
        assert!(
            not_kept
                || run.stderr.contains("the changes reached the database but could not be written to disk, and may or may not be kept")
                    && run.stderr.contains("count what is there before running it again"),
            "round {round}: {}",
            run.stderr
        );
        let after = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        assert!(
            after == before || !not_kept && after == before + 5000,
            "round {round}: {before} nodes before, {after} after: {}",
            run.stderr
        );
    }
}

/// A statement whose commit meets a full disk part-way through its batch: sled's
/// `apply_batch` then leaves the writes before the error in its log (its batch manifest is
/// marked cancelled, so the next open recovers them one by one), so node records could
/// survive without their counters and label index entries, or counters without records
/// (`kg check` found both after the ignored test above). The undo file (`store/undo.rs`) puts
/// the old values back at the next open: the database holds the statement whole or not at
/// all, and `kg check` finds it consistent, whatever space was left.
#[test]
fn a_commit_that_fails_part_way_leaves_no_part_of_it() {
    let Some(disk) = SmallDisk::new(48 << 20) else {
        return;
    };
    let (db, filler) = (disk.db(), disk.filler());
    let create = "WITH 'p' + reduce(s = '', i IN range(1, 300) | s + 'p') AS pad \
                  UNWIND range(1, 6000) AS i CREATE (:L {i: i, v: pad})";
    let mut refused = 0;
    for (round, free_kib) in [0u64, 96, 192, 320, 512, 768, 1024, 1536]
        .into_iter()
        .enumerate()
    {
        let before = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        fill(&filler, free_kib << 10);
        let run = kg(&db, &["query", create], Duration::from_secs(60));
        std::fs::remove_file(&filler).expect("remove filler");
        if run.code != 0 {
            refused += 1;
            assert_clear_failure(&run, &format!("round {round}"));
        }
        let check = kg(&db, &["check"], Duration::from_secs(60));
        assert_eq!(
            check.code, 0,
            "round {round} ({free_kib} KiB free): {}{}",
            check.stdout, check.stderr
        );
        let after = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        assert!(
            after == before || after == before + 6000,
            "round {round}: {before} nodes before, {after} after"
        );
    }
    assert!(refused > 0, "the disk never stopped the statement");
}

/// The process whose commit fails part-way on a full disk (a library user here; the shell and
/// `kg serve` hold a `Database` the same way) never reads part of it: its reads give the
/// graph as it was before the statement (the batch was taken back at once, sled still taking
/// writes), or fail saying to open the database again. Before, sled's tree kept the writes
/// that landed and this process read them until it exited (seen: counts between the two).
/// Once space is free, a process whose commit was taken back writes again without a restart.
/// The failing process is this test binary run again ([`failing_process`]), since a sled that
/// met an I/O error in its log writer never lets go of the database until its process exits.
#[test]
fn the_failing_process_never_reads_part_of_a_failed_commit() {
    let Some(disk) = SmallDisk::new(48 << 20) else {
        return;
    };
    let (db, filler) = (disk.db(), disk.filler());
    let (mut failed, mut wrote_again) = (0, 0);
    let frees = [0u64, 96, 192, 320, 512, 768, 1024, 1536];
    let rounds = frees
        .map(|f| (false, f))
        .into_iter()
        .chain(frees.map(|f| (true, f)));
    for (round, (large, free_kib)) in rounds.enumerate() {
        let before = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        fill(&filler, free_kib << 10);
        let mut child = Command::new(std::env::current_exe().expect("test binary"));
        child
            .args(["--exact", "failing_process", "--ignored", "--nocapture"])
            .env("KG_FAILING_DB", &db)
            .env("KG_FAILING_FILLER", &filler);
        if large {
            child.env("KG_FAILING_LARGE", "1");
        }
        let child = child.output().expect("run the failing process");
        let _ = std::fs::remove_file(&filler);
        let out = String::from_utf8_lossy(&child.stdout);
        let said = |what: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(what))
                .map(str::to_string)
        };
        assert!(
            child.status.success() && said("done").is_some(),
            "round {round}: {out}{}",
            String::from_utf8_lossy(&child.stderr)
        );
        if let Some(e) = said("open failed: ") {
            assert!(e.contains("the disk is full"), "round {round}: {e}");
            continue;
        }
        let Some(message) = said("failed: ") else {
            continue;
        };
        failed += 1;
        assert!(
            message.contains("the disk is full"),
            "round {round}: {message}"
        );
        match (said("read: "), said("read failed: ")) {
            (Some(counts), _) => assert_eq!(
                counts,
                format!("{before} {before}"),
                "round {round} ({free_kib} KiB free): the failing process read part of its failed commit ({message})"
            ),
            (None, Some(e)) => assert!(e.contains("open the database again"), "round {round}: {e}"),
            (None, None) => panic!("round {round}: {out}"),
        }
        // Space was freed before this: a commit taken back on disk lets its process write.
        if message.contains("were not kept (the commit failed part-way and was taken back)") {
            assert!(said("wrote again").is_some(), "round {round}: {out}");
            wrote_again += 1;
        } else if let Some(e) = said("write failed: ") {
            assert!(e.contains("open the database again"), "round {round}: {e}");
        }
        let check = kg(&db, &["check"], Duration::from_secs(60));
        assert_eq!(
            check.code, 0,
            "round {round}: {}{}",
            check.stdout, check.stderr
        );
        let now = number(&query(&db, "MATCH (n:L) RETURN count(n) AS n")).expect("count");
        assert_eq!(
            now, before,
            "round {round}: the failed commit left nodes ({message})"
        );
        println!("round {round} ({free_kib} KiB free): {message}");
    }
    assert!(failed > 0, "the disk never stopped the statement");
    println!("{failed} commits failed; {wrote_again} processes wrote again without a restart");
}

/// The failing process of the test above (run by it, with the database and the filler in the
/// environment; does nothing otherwise): one 6,000-node statement, then the two counts of
/// `:L` nodes (by label, by scanning records) in the same process, then, the filler removed,
/// one more write. Prints what happened, line by line, and exits without waiting for sled.
#[test]
#[ignore = "run by the_failing_process_never_reads_part_of_a_failed_commit"]
fn failing_process() {
    use kgstore::db::{Database, OpenOptions, Params};
    use kgstore::Value;
    let (Some(db), Some(filler)) = (
        std::env::var_os("KG_FAILING_DB"),
        std::env::var_os("KG_FAILING_FILLER"),
    ) else {
        return;
    };
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    // sled's open may itself need a block the full disk does not have.
    let db = match Database::open(Path::new(&db), &opts) {
        Ok(db) => db,
        Err(e) => {
            println!("open failed: {e}\ndone");
            std::process::exit(0);
        }
    };
    // Large values go to sled's blob files, small ones into its log: both ways of failing.
    let create = match std::env::var("KG_FAILING_LARGE") {
        Ok(_) => {
            "WITH reduce(s = '', i IN range(1, 4000) | s + 'pppppppppppppppp') AS pad \
                  UNWIND range(1, 40) AS i CREATE (:L {i: i, v: pad})"
        }
        Err(_) => {
            "WITH 'p' + reduce(s = '', i IN range(1, 300) | s + 'p') AS pad \
                   UNWIND range(1, 6000) AS i CREATE (:L {i: i, v: pad})"
        }
    };
    let counts = "MATCH (n:L) WITH count(n) AS by_label \
                  OPTIONAL MATCH (m) WHERE m.i IS NOT NULL RETURN by_label, count(m) AS by_scan";
    if let Err(e) = db.run(create, &Params::new()) {
        println!("failed: {e}");
        match db.run(counts, &Params::new()) {
            Ok(res) => match (&res.rows[0][0], &res.rows[0][1]) {
                (Value::Int(a), Value::Int(b)) => println!("read: {a} {b}"),
                other => println!("read: {other:?}"),
            },
            Err(e) => println!("read failed: {e}"),
        }
        std::fs::remove_file(&filler).expect("remove filler");
        match db.run("CREATE (:After)", &Params::new()) {
            Ok(_) => println!("wrote again"),
            Err(e) => println!("write failed: {e}"),
        }
    }
    println!("done");
    std::process::exit(0);
}

/// The undo file's room is allocated before the batch (`store/undo.rs`, invariant 1): on a
/// nearly full disk, a commit whose record needs the file to grow past the free space is
/// refused before anything is applied, with the plain full-disk error naming `kg.undo`;
/// nothing of it stays, and once space is free the same statement succeeds and the close gives
/// the grown room back.
#[test]
fn the_undo_files_room_comes_first_and_a_commit_it_cannot_grow_for_changes_nothing() {
    let Some(disk) = SmallDisk::new(32 << 20) else {
        return;
    };
    let (db, filler) = (disk.db(), disk.filler());
    // 400 nodes of 1 KB values: a SET of all of them has about 400 KB of old values to keep.
    let seed = query(
        &db,
        "WITH reduce(s = '', i IN range(1, 64) | s + 'vvvvvvvvvvvvvvvv') AS v \
         UNWIND range(1, 400) AS i CREATE (:G {i: i, v: v})",
    );
    assert_eq!(seed.code, 0, "{}", seed.stderr);
    let undo = db.join("kg.undo");
    assert_eq!(
        std::fs::metadata(&undo).map(|m| m.len()).ok(),
        Some(64 << 10)
    );
    let set = "MATCH (n:G) SET n.v = 'short' RETURN count(*) AS n";
    // Room for sled's open, not for the record's 512 KiB.
    fill(&filler, 128 << 10);
    let run = kg(&db, &["query", set], Duration::from_secs(60));
    std::fs::remove_file(&filler).expect("remove filler");
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_clear_failure(&run, "growing the undo file");
    assert!(
        run.stderr.contains("kg.undo") && run.stderr.contains("free some space and try again"),
        "{}",
        run.stderr
    );
    let check = kg(&db, &["check"], Duration::from_secs(60));
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let long = "MATCH (n:G) WHERE size(n.v) = 1024 RETURN count(*) AS n";
    assert_eq!(number(&query(&db, long)), Some(400));
    let again = query(&db, set);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(number(&query(&db, long)), Some(0));
    // The commit grew the file; its close gave the room back.
    assert_eq!(
        std::fs::metadata(&undo).map(|m| m.len()).ok(),
        Some(64 << 10)
    );
}
