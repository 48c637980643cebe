//! What each `kg` subcommand does, on top of the shell engine, the store and the interchange
//! modules.

use std::io::{self, BufWriter, IsTerminal, Write};

use crate::db::{Database, Durability, Params};
use crate::render::Format;
use crate::server::bolt::client::{Client, Credentials};
use crate::shell::interactive;
use crate::shell::repl::{Repl, ShellError, ShellOptions};
use crate::shell::signal;

use super::exit::failure_code;
use super::open::{open_database, resolve_db_path};
use super::{Cli, Command, DurabilityArg, ShellArgs};

pub fn dispatch(cli: Cli) -> i32 {
    let loc = resolve_db_path(cli.db.as_deref(), std::env::var_os("KG_DB").as_deref());
    let durability = match cli.durability {
        DurabilityArg::Full => Durability::Full,
        DurabilityArg::Relaxed => Durability::Relaxed,
    };
    let cache = cli.cache_mb.map(|mb| mb.saturating_mul(1 << 20));
    if let Some(limit) = cli.memory_limit {
        crate::memory_budget::set_default(limit);
    }
    if let Some(n) = cli.threads {
        crate::exec::set_default_threads(n);
    }
    if let Some(Command::Compact) = cli.command {
        // Needs the database closed, so it never opens (nor creates or seeds) it here.
        return super::interchange::compact(&loc.path);
    }
    let timeout = cli.timeout.map(std::time::Duration::from_millis);
    if let Some(Command::Passwd { file, user }) = &cli.command {
        return super::serve::passwd(file, user);
    }
    if let Some(Command::Serve(args)) = &cli.command {
        // The command line is checked before the database is opened (or created).
        let cfg = match super::serve::config(args, &loc.path, timeout) {
            Ok(c) => c,
            Err(why) => {
                eprintln!("error: {why}");
                return 2;
            }
        };
        return match open_database(&loc, durability, cache) {
            Ok(db) => super::serve::serve(db, cfg),
            Err(code) => code,
        };
    }
    if let Some(code) = through_server(&cli, &loc.path, timeout) {
        return code;
    }
    let db = match open_database(&loc, durability, cache) {
        Ok(db) => db,
        Err(code) => return code,
    };
    match cli.command {
        None => {
            if io::stdin().is_terminal() {
                repl(&db, &loc.path, &cli.shell, timeout)
            } else {
                script(&db, &["-".to_string()], &cli.shell, timeout, false)
            }
        }
        Some(Command::Repl(args)) => {
            let args = merge(&cli.shell, &args);
            if io::stdin().is_terminal() {
                repl(&db, &loc.path, &args, timeout)
            } else {
                script(&db, &["-".to_string()], &args, timeout, false)
            }
        }
        Some(Command::Query { query, shell }) => {
            let args = merge(&cli.shell, &shell);
            query_command(&db, &query, &args, timeout)
        }
        Some(Command::Run {
            files,
            continue_on_error,
            shell,
        }) => {
            let args = merge(&cli.shell, &shell);
            script(&db, &files, &args, timeout, continue_on_error)
        }
        Some(Command::Import(args)) => {
            let before = crate::store::disk_bytes(&loc.path);
            let code = super::interchange::import(&db, &args);
            if code == 0 {
                // Compacts from the log the import has open (or closes the database).
                super::interchange::compact_after_import(db, &loc.path, before);
            }
            code
        }
        Some(Command::Export(args)) => {
            let export_params = ShellArgs {
                param: args.param.clone(),
                params: args.params.clone(),
                ..ShellArgs::default()
            };
            let params = params_of(&merge(&cli.shell, &export_params));
            super::interchange::export(&db, &args, &params)
        }
        Some(Command::Mcp(args)) => {
            let opts = crate::server::mcp::McpOptions {
                allow_writes: args.allow_writes,
                timeout,
                db_path: Some(loc.path.clone()),
            };
            crate::server::mcp::run_stdio(db, &opts)
        }
        Some(Command::Seed) => seed(&db),
        Some(Command::Check) => check(&db),
        Some(Command::Compact) => super::interchange::compact(&loc.path),
        Some(Command::Serve(_)) | Some(Command::Passwd { .. }) => 0,
        Some(Command::Stats) => match crate::shell::catalog::stats_text(&db) {
            Ok(text) => {
                print!("{text}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
    }
}

/// Options given before the subcommand apply unless the subcommand repeats them.
fn merge(outer: &ShellArgs, inner: &ShellArgs) -> ShellArgs {
    ShellArgs {
        format: inner.format.or(outer.format),
        param: outer.param.iter().chain(&inner.param).cloned().collect(),
        params: outer.params.iter().chain(&inner.params).cloned().collect(),
        timing: outer.timing || inner.timing,
        why: outer.why || inner.why,
    }
}

/// `--params` files first, then `--param` values (which win).
pub fn params_of(args: &ShellArgs) -> Params {
    let mut params = Params::new();
    for file in &args.params {
        params.extend(file.0.iter().cloned());
    }
    params.extend(args.param.iter().cloned());
    params
}

fn options(args: &ShellArgs, timeout: Option<std::time::Duration>) -> ShellOptions {
    ShellOptions {
        format: args.format.unwrap_or(Format::Table),
        timing: args.timing,
        timeout,
        memory_limit: None,
        max_width: if io::stdout().is_terminal() {
            signal::terminal_width()
        } else {
            None
        },
        continue_on_error: false,
        interactive: false,
        flush_each: io::stdout().is_terminal(),
        why: args.why,
    }
}

fn repl(
    db: &Database,
    path: &std::path::Path,
    args: &ShellArgs,
    timeout: Option<std::time::Duration>,
) -> i32 {
    let mut opts = options(args, timeout);
    // Interactive users want to see how long a query took.
    opts.timing = true;
    opts.interactive = true;
    let mut shell = Repl::new(db, opts, io::stdout(), io::stderr());
    shell.params = params_of(args);
    interactive::run(&mut shell, path)
}

fn exit_code(result: Result<(), ShellError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(ShellError::Failed) => 1,
        Err(ShellError::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(ShellError::Io(e)) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn query_command(
    db: &Database,
    query: &str,
    args: &ShellArgs,
    timeout: Option<std::time::Duration>,
) -> i32 {
    let out = BufWriter::new(io::stdout().lock());
    let mut shell = Repl::new(db, options(args, timeout), out, io::stderr());
    shell.params = params_of(args);
    let result = shell.run_source(None, query).map(|_| ());
    let flushed = shell.out().flush();
    locked_exit(
        &shell,
        exit_code(result.and(flushed.map_err(ShellError::Io))),
    )
}

/// A failure because another process holds the database exits 2, like a failed open.
fn locked_exit<W: Write, E: Write>(shell: &Repl<'_, W, E>, code: i32) -> i32 {
    if code == 1 && shell.locked {
        2
    } else {
        code
    }
}

fn script(
    db: &Database,
    files: &[String],
    args: &ShellArgs,
    timeout: Option<std::time::Duration>,
    continue_on_error: bool,
) -> i32 {
    let out = BufWriter::new(io::stdout().lock());
    let mut opts = options(args, timeout);
    opts.continue_on_error = continue_on_error;
    let mut shell = Repl::new(db, opts, out, io::stderr());
    shell.params = params_of(args);
    run_files(&mut shell, files, continue_on_error)
}

/// Runs script files (`-`: stdin) in order; returns the exit code.
fn run_files<W: Write>(
    shell: &mut Repl<'_, W, io::Stderr>,
    files: &[String],
    continue_on_error: bool,
) -> i32 {
    let mut failed = false;
    for file in files {
        let result = if file == "-" {
            let stdin = io::stdin();
            let mut input = stdin.lock();
            shell.run_stream("<stdin>", &mut input)
        } else {
            // Invalid UTF-8 is reported with its line, column and byte (`import::read_text`).
            match crate::import::read_text(std::path::Path::new(file)) {
                Ok(text) => shell.run_source(Some(file), &text).map(|_| ()),
                Err(e) => {
                    let _ = shell.out().flush();
                    eprintln!("error: {e}");
                    Err(ShellError::Failed)
                }
            }
        };
        match result {
            Ok(()) => {}
            Err(ShellError::Failed) if continue_on_error => failed = true,
            Err(e) => {
                let _ = shell.out().flush();
                return locked_exit(shell, exit_code(Err(e)));
            }
        }
    }
    let flushed = shell.out().flush().map_err(ShellError::Io);
    match flushed {
        Err(e) => exit_code(Err(e)),
        Ok(()) if failed => locked_exit(shell, 1),
        Ok(()) => 0,
    }
}

fn seed(db: &Database) -> i32 {
    match super::seeding::load(db) {
        Ok(report) => {
            println!("{report}");
            0
        }
        Err(e) => {
            eprintln!("error: loading the seed graph: {e}");
            failure_code(&e)
        }
    }
}

fn check(db: &Database) -> i32 {
    match db.store().check() {
        Ok(report) => {
            println!("{report}");
            if report.is_clean() {
                0
            } else {
                1
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            failure_code(&e)
        }
    }
}

/// Runs `kg query`, `kg run` and the shell through a server: the one `--connect` names, or the
/// one whose address file (`kg.server`) is in the database directory. `None`: no server, run
/// locally. Other commands need the store itself and open it as usual (and are told the
/// database is in use while a server holds it).
fn through_server(
    cli: &Cli,
    db_path: &std::path::Path,
    timeout: Option<std::time::Duration>,
) -> Option<i32> {
    let shell_command = matches!(
        cli.command,
        None | Some(Command::Repl(_))
            | Some(Command::Query { .. })
            | Some(Command::Run { .. })
            | Some(Command::Mcp(_))
    );
    let address = match &cli.connect {
        Some(url) => url.clone(),
        None if shell_command => {
            let found = crate::server::address::find(db_path)?;
            format!("bolt://{}", found.bolt?)
        }
        None => return None,
    };
    if !shell_command {
        eprintln!("error: --connect works with kg query, kg run, kg mcp and the shell only");
        return Some(2);
    }
    let credentials = cli.user.as_ref().map(|user| Credentials {
        user: user.clone(),
        password: cli.password.clone().unwrap_or_default(),
    });
    let client = match Client::connect(&address, credentials.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot use the server at {address}: {e}");
            return Some(2);
        }
    };
    let code = match &cli.command {
        Some(Command::Mcp(args)) => {
            let opts = crate::server::mcp::McpOptions {
                allow_writes: args.allow_writes,
                timeout,
                db_path: Some(db_path.to_path_buf()),
            };
            crate::server::mcp::run_stdio_remote(client, &opts)
        }
        Some(Command::Query { query, shell }) => {
            let args = merge(&cli.shell, shell);
            let out = BufWriter::new(io::stdout().lock());
            let mut repl =
                Repl::remote(client, &address, options(&args, timeout), out, io::stderr());
            repl.params = params_of(&args);
            let result = repl.run_source(None, query).map(|_| ());
            let flushed = repl.out().flush();
            exit_code(result.and(flushed.map_err(ShellError::Io)))
        }
        Some(Command::Run {
            files,
            continue_on_error,
            shell,
        }) => {
            let args = merge(&cli.shell, shell);
            let mut opts = options(&args, timeout);
            opts.continue_on_error = *continue_on_error;
            let out = BufWriter::new(io::stdout().lock());
            let mut repl = Repl::remote(client, &address, opts, out, io::stderr());
            repl.params = params_of(&args);
            run_files(&mut repl, files, *continue_on_error)
        }
        other => {
            let args = match other {
                Some(Command::Repl(args)) => merge(&cli.shell, args),
                _ => cli.shell.clone(),
            };
            if io::stdin().is_terminal() {
                let mut opts = options(&args, timeout);
                opts.timing = true;
                opts.interactive = true;
                let mut repl = Repl::remote(client, &address, opts, io::stdout(), io::stderr());
                repl.params = params_of(&args);
                interactive::run(&mut repl, db_path)
            } else {
                let out = BufWriter::new(io::stdout().lock());
                let mut repl =
                    Repl::remote(client, &address, options(&args, timeout), out, io::stderr());
                repl.params = params_of(&args);
                run_files(&mut repl, &["-".to_string()], false)
            }
        }
    };
    Some(code)
}
