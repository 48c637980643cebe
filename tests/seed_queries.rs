//! The example questions in `seed/queries/*.cypher` run against the seed graph and must print
//! exactly their `.expected` file (the `kg run --format table` rendering). `UPDATE_EXPECT=1`
//! rewrites the expected files from the current output.

use std::path::{Path, PathBuf};

use kgstore::db::{Database, Params};
use kgstore::render::{render, Format, RenderOptions};
use kgstore::seed;

fn queries_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/queries")
}

/// Runs every statement of a query file and renders each result as a table; a question
/// without an answer is an error, since every example is meant to show something.
fn run_file(db: &Database, text: &str) -> Result<String, String> {
    let mut out = Vec::new();
    for stmt in seed::statements(text) {
        let result = db
            .run(&stmt.text, &Params::new())
            .map_err(|e| format!("line {}: {e}", stmt.line))?;
        if result.rows.is_empty() {
            return Err(format!("line {}: returned no rows", stmt.line));
        }
        render(Format::Table, &result, &RenderOptions::default(), &mut out)
            .map_err(|e| e.to_string())?;
    }
    String::from_utf8(out).map_err(|e| e.to_string())
}

#[test]
fn example_queries_produce_their_expected_output() {
    let db = Database::open_in_memory().expect("in-memory database");
    seed::load(&db).expect("seed loads");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(queries_dir())
        .expect("seed/queries exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "cypher"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "only {} example queries", files.len());

    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read query");
        let expected_path = file.with_extension("expected");
        let actual = match run_file(&db, &text) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        if update {
            std::fs::write(&expected_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != actual {
            failures.push(format!(
                "{}: output differs (UPDATE_EXPECT=1 to accept)\n--- expected\n{expected}--- actual\n{actual}",
                file.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

const TUTORIAL_MARKER: &str =
    "<!-- Everything below this line is generated from seed/queries by tests/seed_queries.rs. -->";

/// Splits a query file into its question (first comment line), commentary (the other leading
/// comment lines) and the query text.
fn parts(text: &str) -> (String, String, String) {
    let mut question = String::new();
    let mut commentary = Vec::new();
    let mut body = Vec::new();
    let mut in_header = true;
    for line in text.lines() {
        match line.strip_prefix("//") {
            Some(c) if in_header => {
                let c = c.strip_prefix(' ').unwrap_or(c);
                if question.is_empty() {
                    question = c.to_string();
                } else {
                    commentary.push(c.to_string());
                }
            }
            _ => {
                in_header = false;
                body.push(line);
            }
        }
    }
    let commentary = commentary.join("\n").trim().to_string();
    (question, commentary, body.join("\n").trim().to_string())
}

/// `docs/tutorial.md` below its marker is every example question with its query and real
/// output; UPDATE_EXPECT=1 regenerates it.
#[test]
fn tutorial_matches_the_example_queries() {
    let db = Database::open_in_memory().expect("in-memory database");
    seed::load(&db).expect("seed loads");
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/tutorial.md");
    let current = std::fs::read_to_string(&path).expect("docs/tutorial.md exists");
    let Some(at) = current.find(TUTORIAL_MARKER) else {
        panic!("docs/tutorial.md lacks the generated-section marker");
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(queries_dir())
        .expect("seed/queries exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "cypher"))
        .collect();
    files.sort();
    let mut generated = String::new();
    for (i, file) in files.iter().enumerate() {
        let text = std::fs::read_to_string(file).expect("read query");
        let (question, commentary, query) = parts(&text);
        let output = run_file(&db, &text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
        generated.push_str(&format!("\n## {}. {question}\n\n", i + 1));
        if !commentary.is_empty() {
            generated.push_str(&format!("{commentary}\n\n"));
        }
        generated.push_str(&format!(
            "```cypher\n{query}\n```\n\n```text\n{output}```\n\n<sub>`seed/queries/{}`</sub>\n",
            name.unwrap_or_default()
        ));
    }
    let expected = format!("{}\n{generated}", &current[..at + TUTORIAL_MARKER.len()]);
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, &expected).expect("write tutorial");
        return;
    }
    assert!(
        current == expected,
        "docs/tutorial.md is out of date with seed/queries (UPDATE_EXPECT=1 to regenerate)"
    );
}
