//! The read image (`src/store/image.rs`) through the `kg` binary and the library: after
//! `kg compact` reads go through `kg.image` and answer byte for byte as sled does, reads keep
//! it, a write keeps it and leaves what it changed in `kg.delta` at its clean close (that
//! process and later ones see the write, later ones without opening sled), a stale, torn or
//! garbage image or delta is ignored and deleted when the database opens, and `kg check`
//! compares the image and delta with sled. Under the seal compaction writes (`kg.seal`),
//! reading processes share the database without opening sled (its files stay untouched),
//! commands that need sled are refused with exit 2 until they close, a seal put back
//! after a write is refused, and `kg check` (which opens sled) seals the image again.

#[path = "support/kg_cli.rs"]
mod kg_cli;
use kg_cli::kg;
#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use kgstore::db::{Database, OpenOptions, Params, Session};
use kgstore::store::Store;
use kgstore::Value;

/// 3000 `Person`s (a third also `Employee`, an index on `name`), 100 `Company`s, 7500 `KNOWS`
/// (1-4 per person, so degrees differ) and 3000 `WORKS_AT` (squares mod 100: uneven staff).
const BUILD: &str = "
CREATE INDEX FOR (n:Person) ON (n.name);
UNWIND range(0, 2999) AS i CREATE (:Person {name: 'person-' + toString(i), id: i, tag: 'tag-' + toString(100000 + i), score: i / 8.0, active: i % 2 = 0});
UNWIND range(0, 99) AS i CREATE (:Company {name: 'company-' + toString(i), id: i});
MATCH (p:Person) WHERE p.id % 3 = 0 SET p:Employee;
UNWIND range(0, 2999) AS i UNWIND range(1, 1 + i % 4) AS k MATCH (a:Person {name: 'person-' + toString(i)}), (b:Person {name: 'person-' + toString((i * k * 7 + k * k * 13) % 3000)}) CREATE (a)-[:KNOWS {w: i * 10 + k}]->(b);
MATCH (p:Person), (c:Company) WHERE c.id = (p.id * p.id) % 100 CREATE (p)-[:WORKS_AT {since: 2000 + p.id % 25}]->(c);
";

/// Index lookups, label scans, 1- and 2-hop and variable-length expansions, counts per label,
/// degree orderings and sums over every relationship.
const QUERIES: &str = "
MATCH (p:Person {name: 'person-42'}) RETURN p.id AS id, p.tag AS tag, p.score AS score, p.active AS active;
MATCH (p:Person) WHERE p.name IN ['person-1', 'person-2999', 'nobody'] RETURN p.name AS name, p.id AS id ORDER BY id;
MATCH (c:Company) RETURN c.name AS name ORDER BY name LIMIT 5;
MATCH (e:Employee) RETURN count(e) AS employees, sum(e.id) AS ids;
MATCH (n) RETURN labels(n) AS labels, count(*) AS n ORDER BY n DESC, labels;
MATCH (p:Person {name: 'person-7'})-[:KNOWS]->(q) RETURN q.name AS name ORDER BY name;
MATCH (p:Person {name: 'person-7'})-[:KNOWS]->()-[:KNOWS]->(r) RETURN count(*) AS paths, count(DISTINCT r) AS ends;
MATCH (p:Person {name: 'person-7'})-[:KNOWS*1..3]-(r) RETURN count(DISTINCT r) AS reached;
MATCH (p:Person {name: 'person-11'})-[:WORKS_AT]->(c)<-[:WORKS_AT]-(q) RETURN c.name AS company, count(q) AS colleagues;
MATCH (n)<-[:KNOWS]-() RETURN n.name AS name, count(*) AS d ORDER BY d DESC, name ASC LIMIT 5;
MATCH (c:Company)<-[:WORKS_AT]-(p) RETURN c.name AS company, count(p) AS staff ORDER BY staff DESC, company LIMIT 5;
MATCH ()-[r:KNOWS]->() RETURN count(r) AS rels, sum(r.w) AS w;
MATCH ()-[r:WORKS_AT]->() RETURN count(r) AS rels, sum(r.since) AS since;
MATCH (x:X) RETURN x.a AS a ORDER BY a;
MATCH (p:Person) WHERE p.name STARTS WITH 'person-29' RETURN count(p) AS n, min(p.id) AS lo, max(p.id) AS hi;
MATCH (p:Person) WHERE p.name >= 'person-997' RETURN p.name AS name, p.active AS active ORDER BY name;
";

/// The same person's tag before any write.
const TAG_42: &str = "tag-100042";

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: Output) -> Output {
    assert!(out.status.success(), "{}", describe(&out));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{}",
        describe(&out)
    );
    out
}

/// `kg run --format csv -` on `db`, its standard streams piped.
fn spawn_csv_run(db: &Path) -> std::process::Child {
    kg(db)
        .args(["run", "--format", "csv", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kg run")
}

/// Runs `script` with `kg run --format csv -` in one process; returns its standard output.
fn run(db: &Path, script: &str) -> String {
    let mut child = spawn_csv_run(db);
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the script");
    let out = ok(child.wait_with_output().expect("kg run"));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn query(db: &Path, q: &str) -> String {
    let out = ok(kg(db)
        .args(["query", "--format", "csv", q])
        .output()
        .expect("kg query"));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn tag_of_42(db: &Path) -> String {
    query(
        db,
        "MATCH (p:Person {name: 'person-42'}) RETURN p.tag AS tag",
    )
}

fn compact(db: &Path) {
    let out = ok(kg(db).arg("compact").output().expect("kg compact"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("read image"), "{err}");
    assert!(image(db).is_file(), "no kg.image after compaction");
}

fn check(db: &Path) -> String {
    let out = ok(kg(db).arg("check").output().expect("kg check"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.trim_end().ends_with("consistent"), "{text}");
    text
}

fn image(db: &Path) -> PathBuf {
    db.join("kg.image")
}

fn delta(db: &Path) -> PathBuf {
    db.join("kg.delta")
}

/// A database built by [`BUILD`] in `dir/name`, then changed by `writes` (one process each).
fn build(dir: &Path, name: &str, writes: &[&str]) -> PathBuf {
    let db = dir.join(name);
    run(&db, BUILD);
    for w in writes {
        run(&db, w);
    }
    assert!(!image(&db).exists());
    db
}

/// What [`QUERIES`] answer on a database that never had an image: built, then `writes`.
fn reference(dir: &Path, writes: &[&str]) -> String {
    static BUILT: AtomicUsize = AtomicUsize::new(0);
    let n = BUILT.fetch_add(1, Ordering::Relaxed);
    let db = build(dir, &format!("reference-{n}.db"), writes);
    let answers = run(&db, QUERIES);
    // The answers are real, not empty results of a broken build.
    for expected in [
        "employees,ids\r\n1000,1498500\r\n",
        "company,staff\r\ncompany-0,300\r\ncompany-25,300\r\n",
        "rels,w\r\n7500,112515000\r\n",
        "paths,ends\r\n8,8\r\n",
    ] {
        assert!(answers.contains(expected), "{expected:?} not in\n{answers}");
    }
    answers
}

const SET_TAG: &str = "MATCH (p:Person {name: 'person-42'}) SET p.tag = 'changed';";
const CREATE_X: &str = "CREATE (:X {a: 1});";

#[test]
fn imaged_reads_answer_exactly_like_sled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    let sled = run(&db, QUERIES);
    assert_eq!(sled, reference(dir.path(), &[]));
    let sled_stats = ok(kg(&db).arg("stats").output().expect("kg stats")).stdout;

    compact(&db);
    let imaged = run(&db, QUERIES);
    assert_eq!(imaged, sled);
    // Each statement in a process of its own, where the image is cold.
    for (q, expected) in QUERIES
        .split(";\n")
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .zip(sled.split("\r\n\r\n"))
    {
        assert_eq!(query(&db, q).trim_end(), expected.trim_end(), "{q}");
    }
    assert_eq!(
        ok(kg(&db).arg("stats").output().expect("kg stats")).stdout,
        sled_stats
    );
    // Reads, `kg check` included, keep the image.
    check(&db);
    assert!(image(&db).is_file(), "a read dropped the image");

    // Without the file, reads go to sled, and opening does not bring it back.
    std::fs::remove_file(image(&db)).expect("remove kg.image");
    assert_eq!(run(&db, QUERIES), sled);
    assert!(!image(&db).exists());
    check(&db);

    // Compacting an imaged database again writes a new image that answers the same.
    compact(&db);
    compact(&db);
    assert_eq!(run(&db, QUERIES), sled);
    check(&db);
}

#[test]
fn reads_go_through_the_image_and_check_compares_it_with_sled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    compact(&db);
    assert_eq!(tag_of_42(&db), format!("tag\r\n{TAG_42}\r\n"));

    // Change one value inside the image only (same length, so its layout stays valid).
    let mut bytes = std::fs::read(image(&db)).expect("read kg.image");
    let at: Vec<usize> = bytes
        .windows(TAG_42.len())
        .enumerate()
        .filter(|(_, w)| *w == TAG_42.as_bytes())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "the tag is stored once, as it is");
    bytes[at[0]..at[0] + 3].copy_from_slice(b"TAG");
    std::fs::write(image(&db), &bytes).expect("write kg.image");

    // `kg check` finds that the image does not match its checksum...
    let out = kg(&db).arg("check").output().expect("kg check");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{}", describe(&out));
    assert!(
        text.contains("the read image is damaged") || err.contains("the read image is damaged"),
        "{}",
        describe(&out)
    );
    // ... and reads answer as sled does, saying why once.
    std::fs::write(image(&db), &bytes).expect("write kg.image");
    let out = ok(kg(&db)
        .args([
            "query",
            "--format",
            "csv",
            "MATCH (p:Person {name: 'person-42'}) RETURN p.tag AS tag",
        ])
        .output()
        .expect("kg query"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("tag\r\n{TAG_42}\r\n")
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("do not match their checksum"), "{err}");
    assert!(!image(&db).exists(), "the damaged image was kept");

    assert_eq!(tag_of_42(&db), format!("tag\r\n{TAG_42}\r\n"));
    check(&db);
}

/// `kg check` reports a damaged image region and leaves every file as it found it, so the
/// report's advice (delete the image or compact) matches the disk when the user reads it, and
/// following it gives a clean check. Before, the check's own read through the image retired
/// it and deleted `kg.image` while the report said to delete it.
#[test]
fn check_reports_a_damaged_image_and_repairs_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    compact(&db);
    // One value changed inside the image only: its region no longer matches its checksum.
    let damage = |db: &Path| {
        let mut bytes = std::fs::read(image(db)).expect("read kg.image");
        let at = bytes
            .windows(TAG_42.len())
            .position(|w| w == TAG_42.as_bytes())
            .expect("the tag in the image");
        bytes[at..at + 3].copy_from_slice(b"TAG");
        std::fs::write(image(db), &bytes).expect("write kg.image");
    };
    damage(&db);
    let files = |db: &Path| -> Vec<(String, u64)> {
        let mut v: Vec<_> = std::fs::read_dir(db)
            .expect("read_dir")
            .map(|e| {
                let e = e.expect("entry");
                (
                    e.file_name().to_string_lossy().into_owned(),
                    e.metadata().expect("metadata").len(),
                )
            })
            .filter(|(name, _)| name.starts_with("kg."))
            .collect();
        v.sort();
        v
    };
    let before = files(&db);
    let out = kg(&db).arg("check").output().expect("kg check");
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(!err.contains("panicked"), "{}", describe(&out));
    assert!(
        text.contains("the read image is damaged"),
        "{}",
        describe(&out)
    );
    let shown = image(&db).display().to_string();
    assert!(
        text.contains(&format!("delete {shown} or run `kg compact`")),
        "{}",
        describe(&out)
    );
    // No warning of a retired image: the check repaired nothing, and the file it names is there.
    assert!(!err.contains("reading the stored data"), "{err}");
    assert_eq!(files(&db), before, "kg check changed the database's files");
    // A second check finds the same; doing what it says makes the database clean.
    let again = kg(&db).arg("check").output().expect("kg check");
    assert_eq!(String::from_utf8_lossy(&again.stdout), text);
    std::fs::remove_file(image(&db)).expect("delete kg.image as told");
    check(&db);
    assert_eq!(tag_of_42(&db), format!("tag\r\n{TAG_42}\r\n"));
    // The other advice: compacting over the damaged image writes a good one.
    compact(&db);
    damage(&db);
    assert!(!kg(&db)
        .arg("check")
        .output()
        .expect("kg check")
        .status
        .success());
    compact(&db);
    check(&db);
    assert_eq!(tag_of_42(&db), format!("tag\r\n{TAG_42}\r\n"));
}

#[test]
fn a_write_keeps_the_image_with_a_delta_and_every_later_read_sees_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    compact(&db);

    // A statement that fails commits nothing: the image still holds what sled holds.
    let out = kg(&db)
        .args(["query", "UNWIND [1, 0] AS x CREATE (:X {v: 1 / x})"])
        .output()
        .expect("kg query");
    assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
    assert!(image(&db).is_file(), "a failed statement dropped the image");
    assert_eq!(run(&db, QUERIES), reference(dir.path(), &[]));

    // Writes, then reads of what they changed, in the same process.
    let out = run(
        &db,
        &format!(
            "{SET_TAG}\n{CREATE_X}\n\
             MATCH (p:Person {{name: 'person-42'}}) RETURN p.tag AS tag;\n\
             MATCH (x:X) RETURN x.a AS a;\n\
             MATCH (n) RETURN count(n) AS n;"
        ),
    );
    assert_eq!(out, "tag\r\nchanged\r\n\r\na\r\n1\r\n\r\nn\r\n3101\r\n");
    assert!(
        image(&db).is_file() && delta(&db).is_file(),
        "no image and delta"
    );

    // Later processes read the image with the delta over it and find the writes.
    let expected = reference(dir.path(), &[SET_TAG, CREATE_X]);
    assert_eq!(run(&db, QUERIES), expected);
    assert!(expected.contains("\r\n42,changed,"), "{expected}");
    assert_eq!(run(&db, QUERIES), expected);
    check(&db);
    assert_eq!(run(&db, QUERIES), expected);

    // A compaction after the write images the new state.
    compact(&db);
    assert_eq!(run(&db, QUERIES), expected);
    check(&db);
}

#[test]
fn a_small_import_goes_into_the_delta() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    compact(&db);
    let csv = dir.path().join("csv");
    std::fs::create_dir_all(csv.join("nodes")).expect("mkdir");
    std::fs::write(
        csv.join("nodes/X.csv"),
        "id:ID(X),a:int,:LABEL\n1,1,X\n2,2,X\n",
    )
    .expect("write csv");
    let out = ok(kg(&db)
        .args(["import", "--format", "csv", "--id-type", "integer"])
        .arg(&csv)
        .output()
        .expect("kg import"));
    // Too small to compact again.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("compacted"),
        "{}",
        describe(&out)
    );
    assert!(
        image(&db).is_file() && delta(&db).is_file(),
        "no image and delta"
    );
    assert_eq!(
        query(&db, "MATCH (x:X) RETURN x.a AS a ORDER BY a"),
        "a\r\n1\r\n2\r\n"
    );
    check(&db);
}

fn one_string(s: &mut Session<'_>, q: &str) -> String {
    let r = s.run(q, &Params::new()).expect(q);
    match &r.rows[..] {
        [row] => match &row[..] {
            [Value::String(v)] => v.clone(),
            other => panic!("{q}: {other:?}"),
        },
        other => panic!("{q}: {other:?}"),
    }
}

const READ_TAG_42: &str = "MATCH (p:Person {name: 'person-42'}) RETURN p.tag AS tag";
const READ_TAG_43: &str = "MATCH (p:Person {name: 'person-43'}) RETURN p.tag AS tag";

#[test]
fn one_process_reads_its_writes_past_the_image() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = build(dir.path(), "g.db", &[]);
    let report = Store::compact(&path).expect("compact");
    assert!(report.image_bytes > 0, "{report}");
    let opts = OpenOptions::default();
    {
        let db = Database::open(&path, &opts).expect("open");
        let mut s = db.session();
        assert_eq!(one_string(&mut s, READ_TAG_42), TAG_42);

        // A transaction that writes reads its own writes over the image; a rollback keeps
        // the image.
        s.run("BEGIN", &Params::new()).expect("BEGIN");
        s.run(
            "MATCH (p:Person {name: 'person-43'}) SET p.tag = 'mine'",
            &Params::new(),
        )
        .expect("SET");
        assert_eq!(one_string(&mut s, READ_TAG_43), "mine");
        s.run("ROLLBACK", &Params::new()).expect("ROLLBACK");
        assert_eq!(one_string(&mut s, READ_TAG_43), "tag-100043");
        assert!(image(&path).is_file(), "a rollback dropped the image");

        // A transaction that began while the image was live and has read through it...
        let mut reader = db.session();
        reader.run("BEGIN", &Params::new()).expect("BEGIN");
        assert_eq!(one_string(&mut reader, READ_TAG_42), TAG_42);

        // ... sees a write committed after that (it reads committed data), and so does
        // every later statement.
        let r = s
            .run(
                "MATCH (p:Person {name: 'person-42'}) SET p.tag = 'changed' CREATE (:X {a: 1})",
                &Params::new(),
            )
            .expect("write");
        assert_eq!(r.stats.nodes_created, 1);
        assert!(!delta(&path).exists(), "the commit left kg.delta behind");
        assert_eq!(one_string(&mut reader, READ_TAG_42), "changed");
        reader.run("COMMIT", &Params::new()).expect("COMMIT");
        assert_eq!(one_string(&mut s, READ_TAG_42), "changed");
        let n = db
            .run("MATCH (x:X) RETURN count(x) AS n", &Params::new())
            .expect("count");
        assert_eq!(n.rows, vec![vec![Value::Int(1)]]);
        let report = db.store().check().expect("check");
        assert!(report.is_clean(), "{report}");
    }
    assert!(image(&path).is_file() && delta(&path).is_file());
    let db = Database::open(&path, &opts).expect("reopen");
    assert_eq!(one_string(&mut db.session(), READ_TAG_42), "changed");
    drop(db);
    assert_eq!(
        run(&path, QUERIES),
        reference(dir.path(), &[SET_TAG, CREATE_X])
    );
}

#[test]
fn a_stale_image_is_ignored_and_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    let saved = dir.path().join("saved.image");

    // The delta of before a write, put back after it: the write named another in sled.
    compact(&db);
    let saved_delta = dir.path().join("saved.delta");
    std::fs::copy(delta(&db), &saved_delta).expect("save kg.delta");
    run(&db, SET_TAG);
    assert_ne!(
        std::fs::read(delta(&db)).ok(),
        std::fs::read(&saved_delta).ok()
    );
    std::fs::copy(&saved_delta, delta(&db)).expect("restore kg.delta");
    assert_eq!(tag_of_42(&db), "tag\r\nchanged\r\n");
    assert!(!delta(&db).exists(), "a stale delta was kept");

    // The same when the image was not in use while writing (deleted before): the write
    // still removes its stamp.
    compact(&db);
    std::fs::copy(image(&db), &saved).expect("save kg.image");
    std::fs::remove_file(image(&db)).expect("remove kg.image");
    run(&db, CREATE_X);
    std::fs::copy(&saved, image(&db)).expect("restore kg.image");
    let expected = reference(dir.path(), &[SET_TAG, CREATE_X]);
    assert_eq!(run(&db, QUERIES), expected);
    assert!(!image(&db).exists(), "a stale image was kept");

    // And when a torn image was ignored at the write's open.
    compact(&db);
    std::fs::copy(image(&db), &saved).expect("save kg.image");
    std::fs::write(image(&db), b"KGIMAGE\0").expect("tear kg.image");
    run(&db, "MATCH (x:X) SET x.a = 2;");
    std::fs::copy(&saved, image(&db)).expect("restore kg.image");
    assert_eq!(query(&db, "MATCH (x:X) RETURN x.a AS a"), "a\r\n2\r\n");
    assert!(!image(&db).exists(), "a stale image was kept");

    // The image of an earlier compaction, after another: the stamps differ.
    compact(&db);
    std::fs::copy(image(&db), &saved).expect("save kg.image");
    run(&db, "MATCH (x:X) SET x.a = 1;");
    compact(&db);
    std::fs::copy(&saved, image(&db)).expect("replace kg.image");
    assert_eq!(run(&db, QUERIES), expected);
    assert!(!image(&db).exists(), "a stale image was kept");
    check(&db);
}

#[test]
fn a_torn_or_garbage_image_is_ignored_and_deleted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = build(dir.path(), "g.db", &[]);
    let expected = run(&db, QUERIES);
    compact(&db);
    let good = std::fs::read(image(&db)).expect("read kg.image");
    let mut rng = Rng(0x1a6e_5eed_0000_0001);
    let mut random = |n: usize| -> Vec<u8> { (0..n).map(|_| rng.below(256) as u8).collect() };
    let mut header_kept = good[..64].to_vec();
    header_kept.extend(random(good.len() - 64));
    let mut bad_magic = good.clone();
    bad_magic[0] ^= 0x20;
    let mut longer = good.clone();
    longer.push(0);
    let variants: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("10 bytes", good[..10].to_vec()),
        ("header only", good[..64].to_vec()),
        ("half", good[..good.len() / 2].to_vec()),
        ("one byte short", good[..good.len() - 1].to_vec()),
        ("one byte more", longer),
        ("random bytes", random(good.len())),
        ("header and random bytes", header_kept),
        ("another magic", bad_magic),
    ];
    for (what, bytes) in variants {
        std::fs::write(image(&db), &bytes).expect("write kg.image");
        assert_eq!(run(&db, QUERIES), expected, "{what}");
        assert!(!image(&db).exists(), "{what}: kept");
    }
    // No write happened, so the stamp is still there and the good image is read again.
    std::fs::write(image(&db), &good).expect("write kg.image");
    assert_eq!(run(&db, QUERIES), expected);
    assert!(image(&db).is_file(), "the good image was dropped");
    check(&db);
}

/// The seal (`src/store/seal.rs`), which exists only where file metadata has inodes and
/// change times.
#[cfg(unix)]
mod sealed {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Child, ChildStdin, ChildStdout};

    fn seal(db: &Path) -> PathBuf {
        db.join("kg.seal")
    }

    /// 100 `P` nodes: enough to read, quick to build.
    const SMALL: &str = "UNWIND range(1, 100) AS i CREATE (:P {i: i});";
    const COUNT_P: &str = "MATCH (p:P) RETURN count(p) AS n";
    const COUNT_T: &str = "MATCH (t:T) RETURN count(t) AS t";

    /// A database built by [`SMALL`] in `dir/name` and compacted, so sealed.
    fn small_sealed(dir: &Path, name: &str) -> PathBuf {
        let db = dir.join(name);
        run(&db, SMALL);
        compact(&db);
        assert!(seal(&db).is_file(), "no kg.seal after compaction");
        db
    }

    /// What the file system says about one of sled's files (or directories), contents included.
    #[derive(Debug, PartialEq)]
    struct FileState {
        len: u64,
        inode: u64,
        mode: u32,
        mtime: (i64, i64),
        ctime: (i64, i64),
        contents: Option<Vec<u8>>,
    }

    /// Every entry in the database directory but kgstore's own `kg.*` files: sled's files.
    fn sled_files(db: &Path) -> std::collections::BTreeMap<String, FileState> {
        use std::os::unix::fs::MetadataExt;
        let mut files = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(db).expect("read the database directory") {
            let entry = entry.expect("directory entry");
            let name = entry.file_name().into_string().expect("utf-8 name");
            if name.starts_with("kg.") {
                continue;
            }
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let contents = meta
                .is_file()
                .then(|| std::fs::read(&path).expect("read a sled file"));
            files.insert(
                name,
                FileState {
                    len: meta.len(),
                    inode: meta.ino(),
                    mode: meta.mode(),
                    mtime: (meta.mtime(), meta.mtime_nsec()),
                    ctime: (meta.ctime(), meta.ctime_nsec()),
                    contents,
                },
            );
        }
        assert!(
            files.contains_key("db") && files.contains_key("conf"),
            "not sled's files: {:?}",
            files.keys()
        );
        files
    }

    /// A `kg run -` process kept open on a database: piped stdin runs each statement as soon as
    /// it is complete, so statements go in one at a time and their answers come back while the
    /// process (and whatever it holds on the database) stays alive. Unlike `support/holder.rs`,
    /// it keeps reading answers after the first.
    struct HeldReader {
        child: Child,
        stdin: Option<ChildStdin>,
        stdout: BufReader<ChildStdout>,
        answered: bool,
    }

    impl HeldReader {
        fn open(db: &Path) -> HeldReader {
            let mut child = spawn_csv_run(db);
            let stdin = child.stdin.take();
            let stdout = BufReader::new(child.stdout.take().expect("stdout"));
            HeldReader {
                child,
                stdin,
                stdout,
                answered: false,
            }
        }

        /// Sends `statement` and waits for its answer, which must be `expected` (csv).
        fn ask(&mut self, statement: &str, expected: &str) {
            let stdin = self.stdin.as_mut().expect("still open");
            writeln!(stdin, "{statement};").expect("write to kg run");
            stdin.flush().expect("flush");
            // csv puts an empty line before every result but the first.
            let lines = expected.matches('\n').count() + usize::from(self.answered);
            let mut got = String::new();
            for _ in 0..lines {
                let n = self.stdout.read_line(&mut got).expect("read from kg run");
                assert!(n > 0, "kg run ended: {got:?}, stderr: {}", self.stderr());
            }
            self.answered = true;
            assert_eq!(got.trim_start_matches("\r\n"), expected, "{statement}");
        }

        fn stderr(&mut self) -> String {
            let _ = self.child.kill();
            let mut err = String::new();
            if let Some(mut e) = self.child.stderr.take() {
                let _ = e.read_to_string(&mut err);
            }
            err
        }

        /// Ends the input; the process must exit cleanly.
        fn close(mut self) {
            drop(self.stdin.take());
            let status = self.child.wait().expect("wait for kg run");
            let mut err = String::new();
            if let Some(mut e) = self.child.stderr.take() {
                e.read_to_string(&mut err).expect("read stderr");
            }
            assert!(status.success(), "kg run: {status}, stderr: {err}");
            assert!(err.is_empty(), "kg run: {err}");
        }
    }

    impl Drop for HeldReader {
        fn drop(&mut self) {
            // After a failed assertion: do not leave the process behind.
            if self.stdin.take().is_some() {
                let _ = self.child.kill();
            }
            let _ = self.child.wait();
        }
    }

    /// The point of the seal: a process that only reads a compacted database never opens sled,
    /// whose every open rewrites its files; so they stay exactly as compaction left them (which
    /// is also what lets the next process trust the seal again), and the answers are sled's.
    #[test]
    fn a_sealed_read_leaves_sleds_files_untouched_and_answers_as_before_compaction() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        let before = run(&db, QUERIES);
        assert!(before.contains("rels,w\r\n7500,112515000\r\n"), "{before}");
        compact(&db);
        assert!(seal(&db).is_file(), "no kg.seal after compaction");
        let files = sled_files(&db);

        assert_eq!(tag_of_42(&db), format!("tag\r\n{TAG_42}\r\n"));
        assert_eq!(
            sled_files(&db),
            files,
            "a kg query read changed sled's files"
        );
        assert_eq!(run(&db, QUERIES), before);
        assert_eq!(run(&db, QUERIES), before);
        ok(kg(&db).arg("stats").output().expect("kg stats"));
        assert_eq!(sled_files(&db), files, "reads changed sled's files");
        assert!(seal(&db).is_file() && image(&db).is_file());
    }

    /// Sealed readers hold a shared lock on sled's lock file: any number of them read at once,
    /// and a write, `kg check` or `kg import` (which need sled, and sled's exclusive lock) is
    /// refused with exit 2 while one is open, without changing anything; once the readers are
    /// gone, the write goes through.
    #[test]
    fn sealed_readers_share_the_database_and_writes_are_refused_until_they_close() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = small_sealed(dir.path(), "s.db");
        let files = sled_files(&db);

        let mut reader = HeldReader::open(&db);
        // Answered: the reader has opened the database, and holds it until closed.
        reader.ask(COUNT_P, "n\r\n100\r\n");
        // Another reading process at the same time (it could not open sled: the reader holds it).
        assert_eq!(query(&db, COUNT_P), "n\r\n100\r\n");

        // Commands that need sled are refused as when the database cannot be opened (exit 2;
        // `kg check` exits 1 for an inconsistency). Each waits about 1 s for sled's lock before
        // giving up, so they run side by side.
        let csv = dir.path().join("csv");
        std::fs::create_dir_all(csv.join("nodes")).expect("mkdir");
        std::fs::write(csv.join("nodes/T.csv"), "id:ID(T),:LABEL\n1,T\n").expect("write csv");
        let refused: Vec<Child> = [
            &["query", "CREATE (:T)"][..],
            &["check"],
            &[
                "import",
                "--format",
                "csv",
                "--id-type",
                "integer",
                csv.to_str().expect("utf-8"),
            ],
        ]
        .iter()
        .map(|args| {
            kg(&db)
                .args(*args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn kg")
        })
        .collect();
        for child in refused {
            let out = child.wait_with_output().expect("kg");
            assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                err.contains("is in use by another process"),
                "{}",
                describe(&out)
            );
            assert!(!err.contains("panicked"), "{err}");
        }
        // They did not get as far as opening sled: the seal still holds.
        assert_eq!(
            sled_files(&db),
            files,
            "a refused command changed sled's files"
        );
        assert!(seal(&db).is_file() && image(&db).is_file());
        // The reader goes on reading, and did not see a write.
        reader.ask(COUNT_T, "t\r\n0\r\n");
        reader.ask(COUNT_P, "n\r\n100\r\n");
        reader.close();
        assert_eq!(query(&db, COUNT_T), "t\r\n0\r\n");

        // Nobody else reads now: the same write succeeds, and leaves a delta sealed again.
        create_t(&db);
        assert_eq!(query(&db, COUNT_T), "t\r\n1\r\n");
        assert_eq!(query(&db, COUNT_P), "n\r\n100\r\n");
        check(&db);
    }

    /// `CREATE (:T)` through `kg query`, which must succeed and, at its close, leave the
    /// image, a new delta and a seal for them.
    fn create_t(db: &Path) {
        let before = std::fs::read(delta(db)).ok();
        ok(kg(db)
            .args(["query", "CREATE (:T)"])
            .output()
            .expect("kg query"));
        assert!(image(db).is_file(), "the write dropped kg.image");
        assert!(seal(db).is_file(), "the write left no kg.seal");
        assert_ne!(std::fs::read(delta(db)).ok(), before, "kg.delta unchanged");
    }

    /// sled's files change with every write, and their change times cannot be set back: a
    /// delta and its seal saved before a write and put back after it do not match, so the next
    /// open reads sled (which has the write) and deletes both.
    #[test]
    fn a_delta_and_seal_put_back_after_a_write_are_refused_and_deleted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = small_sealed(dir.path(), "s.db");
        let saved_delta = dir.path().join("saved.delta");
        let saved_seal = dir.path().join("saved.seal");
        std::fs::copy(delta(&db), &saved_delta).expect("save kg.delta");
        std::fs::copy(seal(&db), &saved_seal).expect("save kg.seal");

        create_t(&db);
        std::fs::copy(&saved_delta, delta(&db)).expect("restore kg.delta");
        std::fs::copy(&saved_seal, seal(&db)).expect("restore kg.seal");

        assert_eq!(query(&db, COUNT_T), "t\r\n1\r\n");
        assert!(!delta(&db).exists(), "a stale delta was kept");
        assert!(!seal(&db).exists(), "a stale seal was kept");
        assert_eq!(query(&db, COUNT_T), "t\r\n1\r\n");
        check(&db);
    }

    /// Writes through the `kg` binary, each process closing cleanly: every later process
    /// reads the image with the delta over it without opening sled (its files stay as the
    /// writer left them), answers as a database that never had an image does (nodes,
    /// relationships, properties, labels, index lookups, prefix and range scans, deletions),
    /// and a second writer extends the first one's delta.
    #[test]
    fn writes_in_a_row_are_read_sealed_through_the_delta() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        compact(&db);
        // Changes that keep what `reference` checks its answers by (no KNOWS, no Employee).
        const CHANGE: &str = "MATCH (p:Person {name: 'person-11'}) SET p:Manager REMOVE p.active SET p.name = 'person-2990x';
MATCH (c:Company {name: 'company-50'}) DELETE c;
MATCH (p:Person {name: 'person-7'}), (c:Company {name: 'company-49'}) CREATE (p)-[:WORKS_AT {since: 1999}]->(c);
MATCH ()-[r:WORKS_AT]->(:Company {name: 'company-1'}) DELETE r;
MATCH (c:Company {name: 'company-3'}) REMOVE c:Company SET c:Gone;";
        let mut writes = Vec::new();
        for (i, w) in [SET_TAG, CREATE_X, CHANGE].into_iter().enumerate() {
            run(&db, w);
            writes.push(w);
            assert!(seal(&db).is_file(), "write {i} left no seal");
            let files = sled_files(&db);
            let expected = reference(dir.path(), &writes);
            assert_eq!(run(&db, QUERIES), expected, "after write {i}");
            assert_eq!(sled_files(&db), files, "a read after write {i} opened sled");
        }
        let expected = run(&db, QUERIES);
        assert!(expected.contains("company-49,121\r\n"), "{expected}");
        assert!(expected.contains("Manager"), "{expected}");
        check(&db);
        assert_eq!(run(&db, QUERIES), expected);
        // Compaction folds the delta into a new image; an empty delta goes with it.
        compact(&db);
        assert_eq!(run(&db, QUERIES), expected);
        check(&db);
    }

    /// A writer killed after its commit landed, before its close wrote the delta: sled holds
    /// the write and no stamp, so the next process deletes image and delta, reads sled, and
    /// answers with the write.
    #[test]
    fn a_writer_killed_before_its_close_leaves_readers_correct() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        compact(&db);
        let mut writer = HeldReader::open(&db);
        writer.ask(
            "MATCH (p:Person {name: 'person-42'}) SET p.tag = 'changed' RETURN p.tag AS tag",
            "tag\r\nchanged\r\n",
        );
        writer.ask("CREATE (x:X {a: 1}) RETURN x.a AS a", "a\r\n1\r\n");
        assert!(
            !delta(&db).exists() && !seal(&db).exists(),
            "the commit kept them"
        );
        writer.child.kill().expect("SIGKILL the writer");
        writer.child.wait().expect("wait");
        let expected = reference(dir.path(), &[SET_TAG, CREATE_X]);
        assert_eq!(run(&db, QUERIES), expected);
        assert!(!image(&db).exists(), "an unnamed image was kept");
        check(&db);
    }

    /// One changed byte anywhere in `kg.delta` is refused: the reader reads sled (which has
    /// the write) instead, and the delta and the image it belonged to are not read again.
    #[test]
    fn a_byte_changed_in_the_delta_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        compact(&db);
        run(&db, SET_TAG);
        let good = std::fs::read(delta(&db)).expect("read kg.delta");
        assert!(good.len() > 100, "{} bytes", good.len());
        let expected = reference(dir.path(), &[SET_TAG]);
        let mut rng = Rng(0x1a6e_de17_0000_0003);
        for _ in 0..6 {
            let at = rng.below(good.len() as u64) as usize;
            let mut bad = good.clone();
            bad[at] ^= 1 << rng.below(8);
            std::fs::write(delta(&db), &bad).expect("write kg.delta");
            assert_eq!(tag_of_42(&db), "tag\r\nchanged\r\n", "byte {at}");
            assert!(
                !delta(&db).exists(),
                "byte {at}: the damaged delta was kept"
            );
            std::fs::write(delta(&db), &good).expect("write kg.delta");
        }
        assert_eq!(run(&db, QUERIES), expected);
        check(&db);
    }

    /// A compacted database copied with `cp -r` (new inodes and times for sled's files, so the
    /// seal's fingerprint no longer matches) is read by concurrent processes like the original:
    /// its first reader seals it again instead of holding sled open for its whole life, and
    /// later reads leave sled's files alone.
    #[test]
    fn a_copied_database_is_shared_by_concurrent_readers_like_the_original() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = small_sealed(dir.path(), "s.db");
        let copy = dir.path().join("copy.db");
        let out = Command::new("cp")
            .arg("-r")
            .arg(&db)
            .arg(&copy)
            .output()
            .expect("cp -r");
        assert!(out.status.success(), "{}", describe(&out));

        // A reader that stays open on the copy, and others beside it, all at once.
        let mut reader = HeldReader::open(&copy);
        reader.ask(COUNT_P, "n\r\n100\r\n");
        let others: Vec<Child> = (0..4)
            .map(|_| {
                kg(&copy)
                    .args(["query", "--format", "csv", COUNT_P])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn kg query")
            })
            .collect();
        for child in others {
            let out = ok(child.wait_with_output().expect("kg query"));
            assert_eq!(String::from_utf8_lossy(&out.stdout), "n\r\n100\r\n");
        }
        reader.ask(COUNT_P, "n\r\n100\r\n");
        reader.close();

        assert!(seal(&copy).is_file(), "the copy was not sealed again");
        let files = sled_files(&copy);
        assert_eq!(query(&copy, COUNT_P), "n\r\n100\r\n");
        assert_eq!(sled_files(&copy), files, "a read of the copy opened sled");
        // The copy is a database of its own: a write there leaves the original as it was.
        create_t(&copy);
        assert_eq!(query(&copy, COUNT_T), "t\r\n1\r\n");
        assert_eq!(query(&db, COUNT_T), "t\r\n0\r\n");
        check(&copy);
        check(&db);
    }

    /// Ends the input of `reader`; the process must exit cleanly. Returns its standard error.
    fn close_with_stderr(mut reader: HeldReader) -> String {
        drop(reader.stdin.take());
        let status = reader.child.wait().expect("wait for kg run");
        let mut err = String::new();
        if let Some(mut e) = reader.child.stderr.take() {
            e.read_to_string(&mut err).expect("read stderr");
        }
        assert!(status.success(), "kg run: {status}, stderr: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    /// The keys-area offset in an image's header: where its values end.
    fn values_end(image: &[u8]) -> usize {
        let at: [u8; 8] = image[40..48].try_into().expect("a header");
        u64::from_le_bytes(at) as usize
    }

    const WARNING: &str = "the read image is damaged";

    /// One changed byte anywhere in `kg.image` never makes a read answer wrong: a changed
    /// header, key, table or hash area is refused when the image opens, a changed value when
    /// its region is read (its CRC), and the reader then reads sled, saying so once.
    #[test]
    fn a_byte_changed_anywhere_in_the_image_never_gives_a_wrong_answer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        let expected = run(&db, QUERIES);
        compact(&db);
        let good = std::fs::read(image(&db)).expect("read kg.image");
        let values = 96..values_end(&good);
        assert!(values.len() > 200_000, "{values:?}");
        let mut rng = Rng(0x1a6e_f11b_0000_0002);
        // Mostly values (what the index checksum does not cover), some of everything else.
        let offsets: Vec<usize> = (0..40)
            .map(|i| match i % 5 {
                4 => rng.below(good.len() as u64) as usize,
                _ => values.start + rng.below(values.len() as u64) as usize,
            })
            .collect();
        let mut told = 0;
        for at in offsets {
            let mut bad = good.clone();
            bad[at] ^= 1 << rng.below(8);
            std::fs::write(image(&db), &bad).expect("write kg.image");
            let mut child = spawn_csv_run(&db);
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(QUERIES.as_bytes())
                .expect("write the queries");
            let out = child.wait_with_output().expect("kg run");
            assert!(out.status.success(), "byte {at}: {}", describe(&out));
            assert_eq!(String::from_utf8_lossy(&out.stdout), expected, "byte {at}");
            let err = String::from_utf8_lossy(&out.stderr);
            if !err.is_empty() {
                assert_eq!(err.matches(WARNING).count(), 1, "byte {at}: {err}");
                assert!(!err.contains("panicked"), "{err}");
                told += 1;
                // The reader, holding sled, deleted what it could not trust.
                assert!(!image(&db).exists() && !seal(&db).exists(), "byte {at}");
            }
        }
        // The queries read every node and relationship: most changed values were caught.
        assert!(told >= 20, "{told} of 40 changes were noticed");
        std::fs::write(image(&db), &good).expect("write kg.image");
        assert_eq!(run(&db, QUERIES), expected);
        check(&db);
    }

    /// With another sealed reader holding the database, a reader that finds a damaged value
    /// cannot open sled to read it instead: the open or the statement fails clearly (both
    /// causes named), never answers wrong. `kg check` reports the damage.
    #[test]
    fn a_damaged_value_beside_another_reader_fails_clearly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        compact(&db);
        let mut reader = HeldReader::open(&db);
        reader.ask("RETURN 1 AS one", "one\r\n1\r\n");
        let mut bad = std::fs::read(image(&db)).expect("read kg.image");
        // Past the first regions, which hold the format marker and catalog an open reads.
        let end = values_end(&bad);
        for at in (20_000..end).step_by(4096) {
            bad[at] ^= 0x10;
        }
        std::fs::write(image(&db), &bad).expect("write kg.image");
        let out = kg(&db)
            .args([
                "query",
                "--format",
                "csv",
                "MATCH (p:Person) RETURN sum(p.id) AS s",
            ])
            .output()
            .expect("kg query");
        // The open (exit 2) or the statement (exit 1) failed, naming both causes.
        assert!(
            matches!(out.status.code(), Some(1 | 2)),
            "{}",
            describe(&out)
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(WARNING), "{err}");
        assert!(err.contains("cannot be read instead"), "{err}");
        assert!(err.contains("in use by another process"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty(), "{}", describe(&out));
        // The held reader is alone with the damage now: it reads sled.
        reader.ask("MATCH (p:Person) RETURN sum(p.id) AS s", "s\r\n4498500\r\n");
        let err = close_with_stderr(reader);
        assert_eq!(err.matches(WARNING).count(), 1, "{err}");
        assert!(!image(&db).exists(), "the damaged image was kept");
        check(&db);
    }

    /// A `kg.image` truncated in place under a running reader (which a memory map would answer
    /// with SIGBUS) makes it read sled instead: its answers stay right and it lives on.
    #[test]
    fn an_image_truncated_under_a_running_reader_does_not_crash_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = build(dir.path(), "g.db", &[]);
        compact(&db);
        let mut reader = HeldReader::open(&db);
        let employees = "MATCH (e:Employee) RETURN count(e) AS employees, sum(e.id) AS ids";
        reader.ask(employees, "employees,ids\r\n1000,1498500\r\n");
        let len = std::fs::metadata(image(&db)).expect("kg.image").len();
        // Opened once: the reader deletes the file once it reads sled instead.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(image(&db))
            .expect("open kg.image");
        for keep in [len / 2, 100, 0] {
            file.set_len(keep).expect("truncate kg.image");
            reader.ask(employees, "employees,ids\r\n1000,1498500\r\n");
            reader.ask(
                "MATCH ()-[r:KNOWS]->() RETURN count(r) AS rels, sum(r.w) AS w",
                "rels,w\r\n7500,112515000\r\n",
            );
            reader.ask(
                "MATCH (p:Person {name: 'person-42'}) RETURN p.tag AS tag",
                &format!("tag\r\n{TAG_42}\r\n"),
            );
        }
        let err = close_with_stderr(reader);
        assert_eq!(err.matches(WARNING).count(), 1, "{err}");
        check(&db);
    }

    /// `kg check` opens sled under a seal (it compares the image with sled), which breaks the
    /// seal; having written nothing, it seals the image again as it closes, so later reads
    /// still leave sled's files alone and answer as before.
    #[test]
    fn check_on_a_sealed_database_is_consistent_and_later_reads_stay_sealed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = small_sealed(dir.path(), "s.db");
        let text = check(&db);
        assert!(text.contains("100 nodes"), "{text}");
        assert!(seal(&db).is_file(), "check did not seal the image again");
        let files = sled_files(&db);
        assert!(image(&db).is_file(), "check dropped the image");
        assert_eq!(query(&db, COUNT_P), "n\r\n100\r\n");
        assert_eq!(
            query(&db, "MATCH (p:P) WHERE p.i > 95 RETURN p.i AS i ORDER BY i"),
            "i\r\n96\r\n97\r\n98\r\n99\r\n100\r\n"
        );
        assert!(sled_files(&db) == files, "a read after check opened sled");
        check(&db);
    }
}
