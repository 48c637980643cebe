//! Runs the real GraphViz `dot` to turn DOT text into SVG or PNG.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// How to get `dot`, shown whenever it is missing.
pub const INSTALL_HINT: &str = "GraphViz `dot` was not found on PATH; install GraphViz \
(Debian/Ubuntu: `apt-get install graphviz`, Fedora: `dnf install graphviz`, macOS: \
`brew install graphviz`, Windows: `winget install graphviz`) or set KG_DOT to the `dot` \
executable; `--format dot` writes the DOT text without it";

/// The `dot` executable: `$KG_DOT` when set, else `dot` from PATH.
fn dot_program() -> String {
    std::env::var("KG_DOT").unwrap_or_else(|_| "dot".to_string())
}

/// True when `dot -V` runs.
pub fn dot_available() -> bool {
    Command::new(dot_program())
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Renders `dot_text` with `dot -T<format>` (`svg`, `png`, …) and returns the output bytes.
pub fn render(dot_text: &[u8], format: &str) -> Result<Vec<u8>> {
    let mut child = Command::new(dot_program())
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::Io(INSTALL_HINT.to_string())
            } else {
                Error::Io(format!("cannot run GraphViz `dot`: {e}"))
            }
        })?;
    // Feed stdin from a thread: a large graph would otherwise fill both pipes and deadlock.
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::Io("cannot open `dot`'s standard input".into()))?;
    let input = dot_text.to_vec();
    let feeder = std::thread::spawn(move || stdin.write_all(&input));
    let output = child
        .wait_with_output()
        .map_err(|e| Error::Io(format!("GraphViz `dot` failed: {e}")))?;
    let fed = feeder.join();
    if !output.status.success() {
        return Err(Error::Io(format!(
            "GraphViz `dot -T{format}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    if let Ok(Err(e)) = fed {
        return Err(Error::Io(format!("cannot write to `dot`: {e}")));
    }
    Ok(output.stdout)
}
