//! The interactive REPL loop on rustyline: banner, prompts, persistent history, completion
//! refreshed from the catalog, Ctrl-C / Ctrl-D handling. Type-ahead and pasted lines are never
//! dropped: rustyline (with `buffer-redux`) keeps what it read past the line it returns, and
//! a bracketed paste of several statements comes back as one entry that runs as a script.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rustyline::config::{ColorMode, CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::Editor;

use super::catalog;
use super::helper::{input_complete, KgHelper};
use super::repl::{Control, Repl, ShellError};
use super::signal;

/// Where the history file lives: `$KG_HISTORY`, else `~/.kg_history`, else next to the DB.
pub fn history_path(db_path: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("KG_HISTORY").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    if let Some(home) = std::env::var_os("HOME").filter(|p| !p.is_empty()) {
        return Path::new(&home).join(".kg_history");
    }
    let mut p = db_path.as_os_str().to_owned();
    p.push(".history");
    PathBuf::from(p)
}

/// True when colour output is wanted: a terminal, `NO_COLOR` unset, `TERM` not dumb.
pub fn colour_enabled() -> bool {
    use std::io::IsTerminal;
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var("TERM").map_or(true, |t| t != "dumb")
        && io::stdout().is_terminal()
}

/// Runs the REPL until `:quit` or Ctrl-D. Returns the process exit code.
pub fn run<W: Write, E: Write>(repl: &mut Repl<'_, W, E>, db_path: &Path) -> i32 {
    let colour = colour_enabled();
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .color_mode(if colour {
            ColorMode::Enabled
        } else {
            ColorMode::Disabled
        })
        .max_history_size(10_000)
        .map(|b| b.build())
        .unwrap_or_default();
    let mut editor: Editor<KgHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(KgHelper::new(
        repl.db
            .map(|db| catalog::names(db).unwrap_or_default())
            .unwrap_or_default(),
        colour,
    )));
    let history = history_path(db_path);
    let _ = editor.load_history(&history);

    if !signal::cancel_on_sigint(repl.cancel.clone()) {
        eprintln!("warning: Ctrl-C cannot cancel queries in this session");
    }
    let banner = match (repl.db, repl.remote_address()) {
        (Some(db), _) => catalog::banner(db, db_path),
        (None, address) => format!(
            "kgstore {} · {} through the server at {} · type :help for help, :quit to leave",
            env!("CARGO_PKG_VERSION"),
            db_path.display(),
            address.unwrap_or("?")
        ),
    };
    if writeln!(repl.out(), "{banner}")
        .and_then(|_| repl.out().flush())
        .is_err()
    {
        return 0;
    }

    // Lines accumulate until the statement is complete (its `;` outside strings, comments
    // and brackets), with the `...>` continuation prompt meanwhile.
    let mut pending = String::new();
    loop {
        repl.options.max_width = signal::terminal_width();
        let prompt = if !pending.is_empty() {
            "...> "
        } else if repl.in_transaction() {
            "kg#> "
        } else {
            "kg> "
        };
        match editor.readline(prompt) {
            Ok(line) => {
                if !pending.is_empty() {
                    pending.push('\n');
                }
                pending.push_str(&line);
                if pending.trim().is_empty() {
                    pending.clear();
                    continue;
                }
                if !input_complete(&pending) {
                    continue;
                }
                let entry = std::mem::take(&mut pending);
                let _ = editor.add_history_entry(entry.as_str());
                // Saved after every entry, so history survives a killed session.
                let _ = editor.save_history(&history);
                match repl.run_source(None, &entry) {
                    Ok(Control::Quit) => break,
                    Ok(Control::Continue) | Err(ShellError::Failed) => {}
                    Err(ShellError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => break,
                    Err(ShellError::Io(e)) => {
                        eprintln!("error: {e}");
                    }
                }
                if let Some(helper) = editor.helper_mut() {
                    if let Some(Ok(names)) = repl.db.map(catalog::names) {
                        helper.names = names;
                    }
                }
            }
            // Ctrl-C at the prompt drops the input typed so far, continuation lines included.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return 1;
            }
        }
    }
    if repl.in_transaction() {
        let _ = writeln!(repl.out(), "open transaction rolled back");
    }
    let _ = editor.save_history(&history);
    0
}
