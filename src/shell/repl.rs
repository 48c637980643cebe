//! The shell's engine: runs statements and meta commands against one session, renders results
//! in the current mode, and reports errors. Both the interactive REPL and the script runner
//! (`kg run`, `kg query`, piped stdin, `:source`) drive it; it writes to any `Write`, so tests
//! need no terminal.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::{Database, Params, QueryResult, RunOptions, WhyOptions};
use crate::server::bolt::client::Client;

use super::target::Target;
use crate::error::{Error, StoreError};
use crate::render::{self, why, Format, RenderOptions};

use super::meta::{MetaCommand, Why, COMMANDS};
use super::{catalog, export};
use crate::script::{line_at, line_col, PieceKind, Splitter};

/// What the caller should do after a piece of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Continue,
    Quit,
}

/// Why running input stopped: a statement failed (already reported on the error stream), or
/// output failed (a closed stdout, `BrokenPipe`, ends the program quietly).
#[derive(Debug)]
pub enum ShellError {
    Failed,
    Io(io::Error),
}

impl From<io::Error> for ShellError {
    fn from(e: io::Error) -> Self {
        ShellError::Io(e)
    }
}

/// Settings of a shell: output mode, timing, limits, and how to report errors.
#[derive(Clone, Debug)]
pub struct ShellOptions {
    pub format: Format,
    pub timing: bool,
    pub timeout: Option<Duration>,
    /// The most memory a statement may hold; None: the process default (`--memory-limit`).
    pub memory_limit: Option<crate::memory_budget::Limit>,
    /// Truncate table cells to this terminal width.
    pub max_width: Option<usize>,
    /// Keep going after a failed statement (scripts).
    pub continue_on_error: bool,
    /// Acknowledge meta commands (`output mode: csv`); scripts stay quiet so their output
    /// holds only results.
    pub interactive: bool,
    /// Flush the results of every statement as it completes (output to a terminal). Otherwise
    /// a script's results are written when the buffer fills and at the end, as the sqlite3 and
    /// duckdb shells do: one `write` per statement into a pipe costs more than a point lookup.
    /// Interactive shells and piped input always flush each statement.
    pub flush_each: bool,
    /// Provenance: run statements with `--why` / `:why on`.
    pub why: bool,
}

impl Default for ShellOptions {
    fn default() -> Self {
        ShellOptions {
            format: Format::Table,
            timing: false,
            timeout: None,
            memory_limit: None,
            max_width: None,
            continue_on_error: false,
            interactive: false,
            flush_each: false,
            why: false,
        }
    }
}

/// The shell engine over one database session, writing results to `W` and diagnostics to `E`.
pub struct Repl<'db, W: Write, E: Write> {
    /// The database opened by this process (None when the shell runs through a server).
    pub db: Option<&'db Database>,
    session: Target<'db>,
    pub params: Params,
    pub options: ShellOptions,
    /// Set from the Ctrl-C handler while a query runs.
    pub cancel: Arc<AtomicBool>,
    /// The last statement that returned columns and its result as it was returned: `:export`
    /// without a query writes this result and never runs the statement again (it may write).
    pub last_result: Option<(String, QueryResult)>,
    out: W,
    err: E,
    /// Nested `:source` depth, to stop a script that sources itself.
    depth: usize,
    /// A result with a header was written (csv and tsv put an empty line before the next).
    shown: bool,
    /// Inside [`Repl::run_stream`]: a reader may be waiting for each answer.
    streaming: bool,
    /// A statement failed because another process holds the database (a write while other
    /// readers share it, `seal.rs`): `kg` then exits 2, as when it cannot open it at all.
    pub locked: bool,
}

impl<'db, W: Write, E: Write> Repl<'db, W, E> {
    pub fn new(db: &'db Database, options: ShellOptions, out: W, err: E) -> Self {
        Self::with_target(
            Some(db),
            Target::Local(Box::new(db.session())),
            options,
            out,
            err,
        )
    }

    /// A shell whose statements run on the server at `address` through `client`.
    pub fn remote(client: Client, address: &str, options: ShellOptions, out: W, err: E) -> Self {
        let target = Target::Remote {
            client: Box::new(client),
            address: address.to_string(),
        };
        Self::with_target(None, target, options, out, err)
    }

    fn with_target(
        db: Option<&'db Database>,
        session: Target<'db>,
        options: ShellOptions,
        out: W,
        err: E,
    ) -> Self {
        Repl {
            db,
            session,
            params: Params::new(),
            options,
            cancel: Arc::new(AtomicBool::new(false)),
            last_result: None,
            out,
            err,
            depth: 0,
            shown: false,
            streaming: false,
            locked: false,
        }
    }

    pub fn in_transaction(&self) -> bool {
        self.session.in_transaction()
    }

    /// The server's address when this shell runs through one.
    pub fn remote_address(&self) -> Option<&str> {
        self.session.remote_address()
    }

    /// The local database, or the message that `what` needs one.
    fn local_db(&self, what: &str) -> Result<&'db Database, Reported> {
        match (self.db, self.session.remote_address()) {
            (Some(db), _) => Ok(db),
            (None, address) => Err(Reported::Message(super::target::needs_local(
                what,
                address.unwrap_or("a server"),
            ))),
        }
    }

    pub fn out(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn into_writers(self) -> (W, E) {
        (self.out, self.err)
    }

    /// Runs a whole text (a script file or an interactive entry): statements and meta
    /// commands in order. `name` is the file name for error locations (`None`: interactive,
    /// errors show line:col only when the input has several lines).
    pub fn run_source(&mut self, name: Option<&str>, source: &str) -> Result<Control, ShellError> {
        let mut splitter = Splitter::new();
        let mut pieces = splitter.feed(source);
        pieces.extend(splitter.finish(source));
        let mut failed = false;
        for piece in pieces {
            match self.run_piece(name, source, piece.kind, piece.start, piece.end) {
                Ok(Control::Quit) => return Ok(Control::Quit),
                Ok(Control::Continue) => {}
                Err(ShellError::Failed) => {
                    failed = true;
                    if !self.options.continue_on_error {
                        return Err(ShellError::Failed);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if failed {
            Err(ShellError::Failed)
        } else {
            Ok(Control::Continue)
        }
    }

    /// Runs statements from a stream as each one completes (piped stdin), flushing output
    /// after each so a reader sees every acknowledgement at once.
    pub fn run_stream(&mut self, name: &str, input: &mut dyn BufRead) -> Result<(), ShellError> {
        let streaming = std::mem::replace(&mut self.streaming, true);
        let result = self.run_stream_inner(name, input);
        self.streaming = streaming;
        result
    }

    fn run_stream_inner(&mut self, name: &str, input: &mut dyn BufRead) -> Result<(), ShellError> {
        let mut source = String::new();
        let mut splitter = Splitter::new();
        let mut failed = false;
        loop {
            let mut line = String::new();
            let n = input.read_line(&mut line).map_err(|e| {
                let _ = writeln!(self.err, "error: reading {name}: {e}");
                ShellError::Failed
            })?;
            source.push_str(&line);
            let pieces = if n == 0 {
                splitter.finish(&source)
            } else {
                splitter.feed(&source)
            };
            for piece in pieces {
                match self.run_piece(Some(name), &source, piece.kind, piece.start, piece.end) {
                    Ok(Control::Quit) => return Ok(()),
                    Ok(Control::Continue) => {}
                    Err(ShellError::Failed) => {
                        failed = true;
                        if !self.options.continue_on_error {
                            return Err(ShellError::Failed);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
            if n == 0 {
                break;
            }
        }
        if failed {
            Err(ShellError::Failed)
        } else {
            Ok(())
        }
    }

    fn run_piece(
        &mut self,
        name: Option<&str>,
        source: &str,
        kind: PieceKind,
        start: usize,
        end: usize,
    ) -> Result<Control, ShellError> {
        let text = &source[start..end];
        let result = match kind {
            PieceKind::Meta => match MetaCommand::parse(text) {
                Ok(cmd) => self.meta(cmd),
                Err(msg) => Err(Reported::Message(msg)),
            },
            PieceKind::Statement => self.statement(text).map(|()| Control::Continue),
        };
        if self.options.flush_each || self.options.interactive || self.streaming {
            self.out.flush()?;
        }
        match result {
            Ok(c) => Ok(c),
            Err(Reported::Io(e)) => Err(ShellError::Io(e)),
            Err(Reported::Done) => Err(ShellError::Failed),
            Err(Reported::Message(msg)) => {
                self.report(name, source, start, &msg, None)?;
                Err(ShellError::Failed)
            }
            Err(Reported::Query(e)) => {
                self.locked |= matches!(e, Error::Store(StoreError::Locked { .. }));
                let at = e.span().map_or(start, |s| start + s.start.min(text.len()));
                self.report(name, source, at, &e.to_string(), Some(&e))?;
                Err(ShellError::Failed)
            }
        }
    }

    /// `FILE:LINE:COL: error: MESSAGE`, the source line and a caret (scripts), or
    /// `error: MESSAGE` plus line and caret (interactive).
    fn report(
        &mut self,
        name: Option<&str>,
        source: &str,
        at: usize,
        msg: &str,
        err: Option<&Error>,
    ) -> io::Result<()> {
        // Results so far come first, also where stdout and stderr end up in one file.
        self.out.flush()?;
        let (line, col) = line_col(source, at);
        let multiline = source.trim_end().contains('\n');
        match name {
            Some(name) => writeln!(self.err, "{name}:{line}:{col}: error: {msg}")?,
            None if multiline => writeln!(self.err, "{line}:{col}: error: {msg}")?,
            None => writeln!(self.err, "error: {msg}")?,
        }
        // Only errors that point into the text get the line and caret.
        if err.is_some_and(|e| e.span().is_some()) {
            let (text, col) = error_window(line_at(source, at), col);
            let caret_pad: String = text
                .chars()
                .take(col - 1)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(self.err, "  {text}")?;
            writeln!(self.err, "  {caret_pad}^")?;
        }
        self.err.flush()
    }

    /// Runs one statement and renders its result.
    fn statement(&mut self, text: &str) -> Result<(), Reported> {
        self.cancel.store(false, Ordering::SeqCst);
        let opts = RunOptions {
            cancel: Some(self.cancel.clone()),
            timeout: self.options.timeout,
            why: self.options.why.then(WhyOptions::default),
            memory_limit: self.options.memory_limit,
            ..RunOptions::default()
        };
        let started = Instant::now();
        let result = self
            .session
            .run_with(text, &self.params, &opts)
            .map_err(Reported::Query)?;
        let elapsed = started.elapsed();
        if result.why.is_some() && result.columns.iter().any(|c| c == why::WHY_FIELD) {
            return Err(Reported::Message(format!(
                "with provenance on, a result cannot have a column named `{0}` (the name of \
                 its provenance field); rename it with AS",
                why::WHY_FIELD
            )));
        }
        let rendered = self.render(&result, elapsed).map_err(Reported::Io);
        if !result.columns.is_empty() {
            self.last_result = Some((text.to_string(), result));
        }
        rendered
    }

    fn render(&mut self, result: &QueryResult, elapsed: Duration) -> io::Result<()> {
        // The terminal's width now, when the result is printed (it may have been resized
        // while the statement ran).
        let max_width = self
            .options
            .max_width
            .map(|w| super::signal::terminal_width().unwrap_or(w));
        let opts = RenderOptions {
            max_width,
            elapsed: self.options.timing.then_some(elapsed),
        };
        let format = self.options.format;
        if let Some(sep) = render::result_separator(format) {
            if !result.columns.is_empty() && !self.options.interactive {
                if self.shown {
                    self.out.write_all(sep.as_bytes())?;
                }
                self.shown = true;
            }
        }
        if result.why.is_none() || matches!(format, Format::Json | Format::Jsonl) {
            return render::render(format, result, &opts, &mut self.out);
        }
        // Tables and text formats: the documents of each row as a last column; a script
        // (kg query / kg run) then prints every row's facts, the REPL leaves them to `:why N`.
        render::render(format, &why::with_sources(result), &opts, &mut self.out)?;
        match format {
            Format::Table | Format::Line | Format::Markdown if !self.options.interactive => {
                why::render_rows(result, &opts, &mut self.out)
            }
            Format::Table | Format::Line if !result.rows.is_empty() => {
                writeln!(self.out, "(:why N shows the facts behind row N)")
            }
            _ => Ok(()),
        }
    }

    /// `:why on|off|N`.
    fn why(&mut self, cmd: Why) -> Result<(), Reported> {
        let n = match cmd {
            Why::On | Why::Off => {
                self.options.why = cmd == Why::On;
                if self.options.interactive {
                    let state = if self.options.why { "on" } else { "off" };
                    writeln!(self.out, "provenance {state}")?;
                }
                return Ok(());
            }
            Why::Row(n) => n,
        };
        let Some((_, result)) = &self.last_result else {
            return Err(Reported::Message(
                "no result yet: turn provenance on with :why on, run a query, then :why N".into(),
            ));
        };
        let Some(whys) = &result.why else {
            return Err(Reported::Message(
                "the last result was run without provenance: :why on, then run it again".into(),
            ));
        };
        let Some(w) = whys.get(n - 1) else {
            return Err(Reported::Message(format!(
                "the last result has {} {}; there is no row {n}",
                whys.len(),
                render::plural(whys.len() as u64, "row")
            )));
        };
        match self.options.format {
            Format::Json | Format::Jsonl => {
                let json = render::json::to_json(&w.to_value());
                writeln!(self.out, "{json}")?;
            }
            _ => {
                let opts = RenderOptions {
                    max_width: self.options.max_width,
                    elapsed: None,
                };
                why::render_row(n, w, &opts, &mut self.out)?;
            }
        }
        Ok(())
    }

    fn meta(&mut self, cmd: MetaCommand) -> Result<Control, Reported> {
        match cmd {
            MetaCommand::Help => self.help()?,
            MetaCommand::Quit => return Ok(Control::Quit),
            MetaCommand::Schema => {
                let text =
                    catalog::schema_text(self.local_db(":schema")?).map_err(Reported::Query)?;
                write!(self.out, "{text}")?;
            }
            MetaCommand::Stats => {
                let text =
                    catalog::stats_text(self.local_db(":stats")?).map_err(Reported::Query)?;
                write!(self.out, "{text}")?;
            }
            MetaCommand::Param { name, value } => {
                if self.options.interactive {
                    writeln!(self.out, "{name} => {}", render::cypher::literal(&value))?;
                }
                self.params.insert(name, value);
            }
            MetaCommand::Params => {
                if self.params.is_empty() {
                    writeln!(
                        self.out,
                        "no parameters (set one with :param name => value)"
                    )?;
                }
                for (k, v) in &self.params {
                    writeln!(self.out, ":param {k} => {}", render::cypher::literal(v))?;
                }
            }
            MetaCommand::Clear => {
                self.params.clear();
                if self.options.interactive {
                    writeln!(self.out, "parameters cleared")?;
                }
            }
            MetaCommand::Mode(format) => {
                self.options.format = format;
                if self.options.interactive {
                    writeln!(self.out, "output mode: {format}")?;
                }
            }
            MetaCommand::Timing(on) => {
                self.options.timing = on;
                if self.options.interactive {
                    writeln!(self.out, "timing {}", if on { "on" } else { "off" })?;
                }
            }
            MetaCommand::Timeout(ms) => {
                self.options.timeout = ms.map(Duration::from_millis);
                if self.options.interactive {
                    match ms {
                        Some(ms) => writeln!(self.out, "queries time out after {ms} ms")?,
                        None => writeln!(self.out, "no query time limit")?,
                    }
                }
            }
            MetaCommand::MemoryLimit(limit) => {
                if let Some(limit) = limit {
                    self.options.memory_limit = Some(limit);
                }
                if self.options.interactive || limit.is_none() {
                    let limit = self
                        .options
                        .memory_limit
                        .unwrap_or_else(crate::memory_budget::default_limit);
                    match limit {
                        crate::memory_budget::Limit::Unlimited => {
                            writeln!(self.out, "no memory limit per statement")?
                        }
                        l => writeln!(self.out, "a statement may hold at most {l}")?,
                    }
                }
            }
            MetaCommand::Why(cmd) => self.why(cmd)?,
            MetaCommand::Source(path) => return self.source(&path),
            MetaCommand::Export {
                format,
                file,
                query,
            } => {
                if query.is_none() && self.last_result.is_none() {
                    return Err(Reported::Message(
                        "nothing to export yet: no statement has returned a result in this \
                         session; run a query first, or give one: \
                         :export dot FILE MATCH p=()-->() RETURN p"
                            .to_string(),
                    ));
                }
                // Ctrl-C and the time limit stop the export's loops too (crate::interrupt).
                self.cancel.store(false, Ordering::SeqCst);
                let limits =
                    crate::interrupt::Limits::new(Some(self.cancel.clone()), self.options.timeout);
                let run = RunOptions {
                    cancel: Some(self.cancel.clone()),
                    timeout: self.options.timeout,
                    memory_limit: self.options.memory_limit,
                    ..RunOptions::default()
                };
                let db = self.local_db(":export")?;
                let params = &self.params;
                let last = &self.last_result;
                let Some(session) = self.session.local() else {
                    return Err(Reported::Message(":export needs a local database".into()));
                };
                let summary = crate::interrupt::scope(limits, || match (query, last) {
                    (Some(query), _) => {
                        export::export_query(db, session, &format, &file, &query, params, &run)
                    }
                    (None, Some((query, result))) => {
                        export::export_result(db, &format, &file, query, result, params)
                    }
                    (None, None) => Ok(String::new()),
                })
                .map_err(Reported::Query)?;
                writeln!(self.out, "{summary}")?;
            }
            MetaCommand::Begin => self.transaction("BEGIN", "transaction open")?,
            MetaCommand::Commit => self.transaction("COMMIT", "committed")?,
            MetaCommand::Rollback => self.transaction("ROLLBACK", "rolled back")?,
        }
        Ok(Control::Continue)
    }

    fn transaction(&mut self, stmt: &str, done: &str) -> Result<(), Reported> {
        self.session
            .run_with(stmt, &self.params, &RunOptions::default())
            .map_err(Reported::Query)?;
        if self.options.interactive {
            writeln!(self.out, "{done}")?;
        }
        Ok(())
    }

    fn source(&mut self, path: &Path) -> Result<Control, Reported> {
        if self.depth >= 16 {
            return Err(Reported::Message(format!(
                ":source nested too deeply at {}",
                path.display()
            )));
        }
        let text = fs::read_to_string(path)
            .map_err(|e| Reported::Message(format!("cannot read {}: {e}", path.display())))?;
        self.depth += 1;
        let name = path.display().to_string();
        let result = self.run_source(Some(&name), &text);
        self.depth -= 1;
        match result {
            Ok(c) => Ok(c),
            Err(ShellError::Io(e)) => Err(Reported::Io(e)),
            Err(ShellError::Failed) => Err(Reported::Done),
        }
    }

    fn help(&mut self) -> io::Result<()> {
        writeln!(
            self.out,
            "Type Cypher statements ended by `;` (they may span lines), or a meta command:"
        )?;
        for (cmd, what) in COMMANDS {
            writeln!(self.out, "  {cmd:<10} {what}")?;
        }
        writeln!(self.out)?;
        writeln!(self.out, "Examples:")?;
        for ex in HELP_EXAMPLES {
            writeln!(self.out, "  {ex}")?;
        }
        writeln!(
            self.out,
            "Tab completes keywords, functions, labels, types and keys; Ctrl-R searches history;\n\
             Ctrl-C cancels a running query or clears the input; Ctrl-D or :quit leaves."
        )
    }
}

/// The part of a long source line shown under an error: at most [`ERROR_WINDOW`] characters
/// around column `col` (1-based), with `…` where it was cut, and the column within it. A
/// statement of 40,000 characters on one line is not echoed whole.
fn error_window(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= ERROR_WINDOW {
        return (line.to_string(), col);
    }
    let at = col.saturating_sub(1).min(chars.len());
    let start = at.saturating_sub(ERROR_WINDOW / 2);
    let end = (start + ERROR_WINDOW).min(chars.len());
    let start = end.saturating_sub(ERROR_WINDOW);
    let mut text = String::new();
    let mut col = at - start + 1;
    if start > 0 {
        text.push('…');
        col += 1;
    }
    text.extend(&chars[start..end]);
    if end < chars.len() {
        text.push('…');
    }
    (text, col)
}

const ERROR_WINDOW: usize = 160;

const HELP_EXAMPLES: &[&str] = &[
    "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n ORDER BY n DESC;",
    "MATCH (l:Lab)-[r]->(x) RETURN l.name, type(r), x.name LIMIT 10;",
    ":param name => 'DeepSeek'",
    "MATCH (n {name: $name})-[r]-(m) RETURN n, r, m;",
    ":mode json",
    ":export dot graph.dot MATCH p=()-[]->() RETURN p LIMIT 50",
];

/// How a failed piece was (or is to be) reported.
enum Reported {
    Query(Error),
    Message(String),
    Io(io::Error),
    /// Already reported (a failing `:source` script).
    Done,
}

impl From<io::Error> for Reported {
    fn from(e: io::Error) -> Self {
        Reported::Io(e)
    }
}
