//! The Python that tests drive real clients from: `KG_PY`, set by `.ci/run` to a venv with the
//! official `neo4j` driver (with its `[http]` extra), the MCP SDK and `requests`. Without it a
//! test says it is skipped; under `CI=true` it fails instead, so CI always runs them.

use std::process::Command;

/// `KG_PY`, or None after a note that `test` is skipped.
pub fn python(test: &str) -> Option<String> {
    match std::env::var("KG_PY") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: CI must set KG_PY (see .ci/run)"
            );
            eprintln!(
                "SKIPPED {test}: set KG_PY to a Python with neo4j[http], mcp and requests \
                 (.ci/run does)"
            );
            None
        }
    }
}

/// Runs `code` with `args` (sys.argv[1:]) and returns its standard output; panics with both
/// outputs when it fails.
pub fn run_python(py: &str, code: &str, args: &[&str]) -> String {
    let out = Command::new(py)
        .arg("-c")
        .arg(code)
        .args(args)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python failed:\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
