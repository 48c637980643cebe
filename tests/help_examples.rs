//! Every `kg --help` and `kg SUBCOMMAND --help` ends with examples, and each example works as
//! written (issue 18 item 8): it is run by `sh` in a directory holding the files it names, with
//! `kg` on the PATH, as a user would paste it. Servers (`kg serve`) must still be serving
//! after a few seconds; every other example must exit 0.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KG: &str = env!("CARGO_BIN_EXE_kg");

/// The subcommands `kg --help` lists (besides clap's `help`); a new one must be added here,
/// and so gets its examples checked.
const SUBCOMMANDS: [&str; 12] = [
    "repl", "query", "run", "import", "export", "seed", "check", "stats", "compact", "serve",
    "passwd", "mcp",
];

fn help(args: &[&str]) -> String {
    let out = Command::new(KG)
        .args(args)
        .arg("--help")
        .env_remove("KG_DB")
        .output()
        .expect("run kg --help");
    assert!(out.status.success(), "kg {args:?} --help failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One example: a shell command line and what is typed into it (`kg> …` lines after it).
struct Example {
    command: String,
    input: String,
}

/// The examples a help text ends with: the indented lines after its last `Example:` or
/// `Examples:` line, each without the description after a run of three spaces. Panics when
/// the help does not end with them.
fn examples(help_text: &str, what: &str) -> Vec<Example> {
    let lines: Vec<&str> = help_text.trim_end().lines().collect();
    let start = lines
        .iter()
        .rposition(|l| matches!(l.trim(), "Example:" | "Examples:"))
        .unwrap_or_else(|| panic!("`{what} --help` has no examples:\n{help_text}"));
    let mut found: Vec<Example> = Vec::new();
    for line in &lines[start + 1..] {
        assert!(
            line.starts_with("  "),
            "`{what} --help` does not end with its examples: {line:?}\n{help_text}"
        );
        let line = line.trim();
        if let Some(typed) = line.strip_prefix("kg> ") {
            let last = found.last_mut().expect("a `kg>` line follows a command");
            last.input.push_str(typed);
            last.input.push('\n');
            continue;
        }
        let command = line.split("   ").next().unwrap_or(line).trim();
        found.push(Example {
            command: command.to_string(),
            input: String::new(),
        });
    }
    assert!(!found.is_empty(), "`{what} --help` lists no examples");
    found
}

/// Files the examples name: scripts, a graph in each import format, a neo4j-admin CSV dump.
fn fixtures(dir: &Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).expect("write");
    write(
        "schema.cypher",
        "CREATE INDEX IF NOT EXISTS FOR (c:Company) ON (c.name);\n",
    );
    write(
        "data.cypher",
        "CREATE (:Company {name: 'Acme'})-[:OWNS {stake: 0.5}]->(:Company {name: 'Beta'});\n",
    );
    write(
        "report.cypher",
        "MATCH (c:Company) RETURN c.name AS name ORDER BY name;\n",
    );
    write("script.cypher", "RETURN 1 AS one;\n");
    // The import fixtures are a small graph exported by kg itself.
    let source = dir.join("fixture-source.db");
    let source = source.to_str().expect("utf-8 path");
    run_kg(dir, &["--db", source, "run", "data.cypher"]);
    run_kg(
        dir,
        &[
            "--db",
            source,
            "export",
            "--format",
            "jsonl",
            "-o",
            "graph.jsonl",
        ],
    );
    run_kg(
        dir,
        &[
            "--db",
            source,
            "export",
            "--format",
            "graphml",
            "-o",
            "graph.graphml",
        ],
    );
    run_kg(
        dir,
        &["--db", source, "export", "--format", "csv", "-o", "dump"],
    );
}

fn run_kg(dir: &Path, args: &[&str]) {
    let out = Command::new(KG)
        .current_dir(dir)
        .args(args)
        .env_remove("KG_DB")
        .env("HOME", dir)
        .output()
        .expect("run kg");
    assert!(
        out.status.success(),
        "kg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `example` with `sh` in `dir`; returns (exit code, or None if still running when
/// stopped, and its output).
fn run_example(dir: &Path, example: &Example, serves: bool) -> (Option<i32>, String) {
    let bin = Path::new(KG).parent().expect("kg's directory");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let log = dir.join("example.log");
    let log_file = std::fs::File::create(&log).expect("log");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&example.command)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env_remove("KG_DB")
        .stdin(Stdio::piped())
        .stdout(log_file.try_clone().expect("log"))
        .stderr(log_file)
        // Its own process group, so a server started by `a && kg serve` is stopped with it.
        .process_group(0)
        .spawn()
        .expect("run sh");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin
        .write_all(example.input.as_bytes())
        .expect("type the input");
    drop(stdin);
    let limit = if serves {
        Duration::from_secs(4)
    } else {
        Duration::from_secs(120)
    };
    let started = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status.code();
        }
        if started.elapsed() > limit {
            let group = -(child.id() as i32);
            // SAFETY: kill(2) on the process group this test created.
            unsafe {
                libc::kill(group, libc::SIGTERM);
            }
            let _ = child.wait();
            // A server `sh` started (`a && kg serve`) outlives `sh` and is reparented to this
            // process (a subreaper): wait until the whole group is gone, so the next example
            // finds the database free.
            let stopping = Instant::now();
            loop {
                let mut status = 0;
                // SAFETY: waitpid(2) on this test's own process group, without blocking.
                match unsafe { libc::waitpid(group, &mut status, libc::WNOHANG) } {
                    -1 => break,
                    0 => {
                        assert!(
                            stopping.elapsed() < Duration::from_secs(30),
                            "`{}` does not stop",
                            example.command
                        );
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    _ => {}
                }
            }
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (code, std::fs::read_to_string(&log).unwrap_or_default())
}

#[test]
fn every_help_ends_with_examples_that_work() {
    let listed: Vec<String> = help(&[])
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert_eq!(listed, SUBCOMMANDS, "kg --help lists other subcommands");

    // SAFETY: prctl(2) with PR_SET_CHILD_SUBREAPER only changes who adopts this process's
    // orphaned descendants (here: servers whose `sh` was stopped), so they can be waited for.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1);
    }
    let dir = tempfile::tempdir().expect("tempdir");
    fixtures(dir.path());
    let mut all = vec![("kg".to_string(), examples(&help(&[]), "kg"))];
    for sub in SUBCOMMANDS {
        all.push((format!("kg {sub}"), examples(&help(&[sub]), sub)));
    }
    let mut ran = 0;
    for (what, list) in &all {
        for example in list {
            let serves = example.command.contains("kg serve")
                || example.command.contains(" serve ")
                || example.command.ends_with(" serve");
            let (code, output) = run_example(dir.path(), example, serves);
            if serves {
                assert_eq!(
                    code, None,
                    "`{}` (from `{what} --help`) stopped instead of serving:\n{output}",
                    example.command
                );
            } else {
                assert_eq!(
                    code,
                    Some(0),
                    "`{}` (from `{what} --help`) failed:\n{output}",
                    example.command
                );
            }
            ran += 1;
        }
    }
    assert!(ran >= 25, "only {ran} examples");
}
