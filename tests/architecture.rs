//! The module map's rules (docs/architecture.md), checked on the source text: which module may
//! use sled, petgraph and sockets, who may import the façade, and what the ground floor may
//! import. A rule broken here is a design decision to take in the docs first, not a list to
//! extend in passing.

use std::fs;
use std::path::{Path, PathBuf};

/// A source file of `src/`, with comments removed (doc comments name other modules freely).
struct Source {
    /// Relative to `src/`, with `/` separators.
    path: String,
    code: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    assert!(
        files.len() > 100,
        "read only {} files under src/",
        files.len()
    );
    files
        .into_iter()
        .map(|f| {
            let text = fs::read_to_string(&f).expect("source files are UTF-8");
            let path = f
                .strip_prefix(&root)
                .expect("under src/")
                .to_string_lossy()
                .replace('\\', "/");
            Source {
                path,
                code: without_comments(&text),
            }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text with `//` comments cut (line, doc and trailing ones). A `//` inside a string
/// literal cuts the rest of its line too, which can only hide a use, never invent one; block
/// comments are not used for prose in this code base.
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// True when `code` names the path `word` as a whole identifier (`sled::`, `use sled;`).
fn names(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        let ident = |c: char| c.is_alphanumeric() || c == '_';
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

/// The first-level modules of `crate::` paths a file names (`crate::store::Txn` → `store`,
/// `crate::{db, value::Value}` → `db`, `value`).
fn crate_modules(code: &str) -> Vec<String> {
    let ident = |t: &str| -> String {
        t.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, m) in code.match_indices("crate::") {
        let rest = &code[at + m.len()..];
        match rest.strip_prefix('{') {
            // A group: the first name of each item at its top level.
            Some(group) => {
                let mut depth = 0usize;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => {
                            out.push(ident(&group[start..i]));
                            break;
                        }
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.push(ident(&group[start..i]));
                            start = i + 1;
                        }
                        _ => {}
                    }
                }
            }
            None => out.push(ident(rest)),
        }
    }
    out.retain(|m| !m.is_empty());
    out.sort();
    out.dedup();
    out
}

fn inside(path: &str, places: &[&str]) -> bool {
    places
        .iter()
        .any(|p| path == *p || (p.ends_with('/') && path.starts_with(p)))
}

/// Every file outside `allowed` that names `word`.
fn users_outside(sources: &[Source], word: &str, allowed: &[&str]) -> Vec<String> {
    sources
        .iter()
        .filter(|s| !inside(&s.path, allowed) && names(&s.code, word))
        .map(|s| s.path.clone())
        .collect()
}

#[test]
fn only_the_store_uses_sled() {
    let s = sources();
    assert_eq!(users_outside(&s, "sled", &["store/"]), Vec::<String>::new());
}

#[test]
fn only_the_algorithms_use_petgraph() {
    let s = sources();
    assert_eq!(
        users_outside(&s, "petgraph", &["algo/"]),
        Vec::<String>::new()
    );
}

#[test]
fn only_the_server_opens_sockets() {
    let s = sources();
    for word in ["TcpListener", "TcpStream", "UdpSocket", "UnixStream"] {
        assert_eq!(
            users_outside(&s, word, &["server/"]),
            Vec::<String>::new(),
            "{word}"
        );
    }
}

#[test]
fn only_the_facade_and_what_sits_above_it_import_db() {
    // Shared types live below the façade (docs/architecture.md, "Bird's eye view").
    let above = [
        "db.rs",
        "db_tests.rs",
        "lib.rs",
        "main.rs",
        "cli/",
        "shell/",
        "server/",
        "export/",
        "seed.rs",
    ];
    // A unit test file of a lower module may drive it through the façade.
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|s| !inside(&s.path, &above) && !s.path.ends_with("_tests.rs"))
        .filter(|s| crate_modules(&s.code).iter().any(|m| m == "db"))
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(offenders, Vec::<String>::new());
}

/// Every file under `place` that names a `crate::` path of module `module`.
fn importers(sources: &[Source], place: &str, module: &str) -> Vec<String> {
    sources
        .iter()
        .filter(|s| s.path.starts_with(place))
        .filter(|s| crate_modules(&s.code).iter().any(|m| m == module))
        .map(|s| s.path.clone())
        .collect()
}

#[test]
fn the_server_imports_nothing_of_the_shell() {
    // The shell is a client of the server (`shell/target.rs`), so it sits above it.
    assert_eq!(
        importers(&sources(), "server/", "shell"),
        Vec::<String>::new()
    );
}

#[test]
fn the_functions_import_nothing_of_the_evaluator() {
    // The evaluator calls the functions; they never call back. What both need sits below
    // them: the values' equality, order and grouping in `value/`, the context a call reads as
    // `functions::FunctionContext`, which `expr::EvalContext` extends.
    assert_eq!(
        importers(&sources(), "functions/", "expr"),
        Vec::<String>::new()
    );
}

#[test]
fn the_ground_floor_imports_only_the_ground_floor() {
    // module (file or folder) → the crate modules it may name besides itself
    let rules: &[(&str, &[&str])] = &[
        ("ast/", &[]),
        ("ast.rs", &[]),
        ("temporal/", &[]),
        ("value/", &["temporal"]),
        ("result/", &["value"]),
        ("model.rs", &["value"]),
        ("error.rs", &["ast"]),
        ("stack.rs", &[]),
        ("hash.rs", &[]),
        ("script.rs", &[]),
        ("csv_reader.rs", &[]),
    ];
    let s = sources();
    let mut offenders = Vec::new();
    for (place, may) in rules {
        let own = place.trim_end_matches('/').trim_end_matches(".rs");
        for src in s.iter().filter(|src| inside(&src.path, &[place])) {
            for m in crate_modules(&src.code) {
                if m != own && !may.contains(&m.as_str()) {
                    offenders.push(format!("{} imports crate::{m}", src.path));
                }
            }
        }
    }
    assert_eq!(offenders, Vec::<String>::new());
}

#[test]
fn the_executor_reads_files_only_through_the_import_window() {
    // `LOAD CSV` shares the importers' reading window and nothing else of them.
    let offenders: Vec<String> = sources()
        .iter()
        .filter(|s| inside(&s.path, &["exec/", "plan/", "expr/", "functions/"]))
        .filter(|s| {
            s.code
                .match_indices("crate::import")
                .any(|(at, _)| !s.code[at..].starts_with("crate::import::window"))
        })
        .map(|s| s.path.clone())
        .collect();
    assert_eq!(offenders, Vec::<String>::new());
}

#[test]
fn the_checks_see_what_they_look_for() {
    // The rules above pass vacuously if the reader finds nothing: each thing they police must
    // be found where it is allowed, and the readers must take the forms the code uses.
    let s = sources();
    let found = |place: &str, word: &str| {
        s.iter()
            .any(|x| x.path.starts_with(place) && names(&x.code, word))
    };
    assert!(found("store/", "sled"));
    assert!(found("algo/", "petgraph"));
    assert!(found("server/", "TcpListener"));
    assert!(s
        .iter()
        .any(|x| x.path.starts_with("cli/") && crate_modules(&x.code).contains(&"db".into())));
    assert!(!importers(&s, "expr/", "functions").is_empty());

    assert!(names("use sled::Db;", "sled"));
    assert!(!names("resled::x; sled_cache", "sled"));
    assert_eq!(
        without_comments("let a = 1; // sled::Db\n/// sled"),
        "let a = 1; \n"
    );
    assert_eq!(
        crate_modules("use crate::{db::Database, value::{Value, Params}}; crate::store::Txn"),
        vec!["db".to_string(), "store".into(), "value".into()]
    );
}
