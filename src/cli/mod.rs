//! The `kg` command line (clap): global options, subcommands and their examples, exit codes.
//!
//! Exit codes: 0 success, 1 a query, script or command failed, 2 the database cannot be
//! opened (e.g. held by another process), a write, import or check is refused because other
//! processes are reading it, or the command line is wrong.

mod commands;
mod exit;
mod interchange;
mod open;
mod seeding;
mod serve;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::params::{from_json, parse_literal};
use crate::render::Format;
use crate::value::Value;

pub use open::{resolve_db_path, DbLocation};

const MAIN_EXAMPLES: &str = "\
Examples:
  kg                                    open the shell on ./kg.db (created with the seed graph)
  kg query 'MATCH (l:Lab) RETURN l.name LIMIT 5'
  kg --db my.db run schema.cypher data.cypher
  echo 'MATCH (n) RETURN count(n);' | kg --format json
  kg export --format dot -o graph.dot";

/// kgstore: an embedded knowledge-graph database with an openCypher shell.
#[derive(Debug, Parser)]
#[command(name = "kg", version, after_help = MAIN_EXAMPLES)]
pub struct Cli {
    /// Database directory [default: $KG_DB, else ./kg.db]
    #[arg(long, global = true, value_name = "DIR")]
    pub db: Option<PathBuf>,
    /// full: a statement is reported only once it is on disk (fdatasync), so it survives a
    /// crash or power loss; relaxed: for bulk loads, statements are synced in the background
    /// and a crash may lose the last half second of them (never part of one)
    #[arg(long, global = true, value_enum, default_value_t = DurabilityArg::Full)]
    pub durability: DurabilityArg,
    /// Cancel any query that runs longer than this many milliseconds
    #[arg(long, global = true, value_name = "MS")]
    pub timeout: Option<u64>,
    /// The most memory one statement may hold (e.g. 512MB, 4GiB; 0 or none: no limit); a
    /// statement past it fails with an error and changes nothing [default: half the machine's
    /// memory]. Applies to every statement of kg serve, each on its own
    #[arg(long, global = true, env = "KG_MEMORY_LIMIT", value_name = "SIZE")]
    pub memory_limit: Option<crate::memory_budget::Limit>,
    /// Threads one read-only statement may use to scan and aggregate many rows [default: the
    /// machine's cores, at most 8]; 1 runs every statement on one thread
    #[arg(long, global = true, env = "KG_THREADS", value_name = "N")]
    pub threads: Option<usize>,
    /// Page cache of the storage engine in MiB [default: 256]; the main knob on the process's
    /// memory (see docs/performance.md)
    #[arg(long, global = true, env = "KG_CACHE_MB", value_name = "MIB")]
    pub cache_mb: Option<u64>,
    /// Run queries, scripts and the shell through the Bolt server at URL (bolt://HOST:PORT);
    /// without it they go through the server that holds --db, if one does
    #[arg(long, global = true, value_name = "URL", env = "KG_CONNECT")]
    pub connect: Option<String>,
    /// User name for the server (with --connect or a server found on --db)
    #[arg(long, global = true, value_name = "USER", env = "KG_USER")]
    pub user: Option<String>,
    /// Password for the server (prefer the KG_PASSWORD environment variable)
    #[arg(
        long,
        global = true,
        value_name = "PASSWORD",
        env = "KG_PASSWORD",
        hide_env_values = true
    )]
    pub password: Option<String>,
    #[command(flatten)]
    pub shell: ShellArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DurabilityArg {
    Full,
    Relaxed,
}

/// Options of every command that runs Cypher.
#[derive(Clone, Debug, Default, Args)]
pub struct ShellArgs {
    /// Output format
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<Format>,
    /// A query parameter, the value a Cypher literal: --param name="'DeepSeek'" --param n=5
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param_arg)]
    pub param: Vec<(String, Value)>,
    /// Query parameters from a JSON object file
    #[arg(long = "params", value_name = "FILE.json", value_parser = parse_params_file)]
    pub params: Vec<ParamFile>,
    /// Show each statement's time in the table footer
    #[arg(long)]
    pub timing: bool,
    /// Provenance: show with each row the facts it rests on and the documents they cite (a
    /// `sources` column and each row's facts by document; `why` in json and jsonl)
    #[arg(long)]
    pub why: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Interactive shell (the default command)
    #[command(after_help = "Example:\n  kg --db my.db repl\n  kg> MATCH (n) RETURN count(n);")]
    Repl(#[command(flatten)] ShellArgs),
    /// Run one Cypher statement (or several separated by `;`)
    #[command(after_help = "Examples:\n  \
        kg query 'MATCH (l:Lab) RETURN l.name ORDER BY l.name LIMIT 3'\n  \
        kg query --format json --param name=\"'DeepSeek'\" 'MATCH (n {name: $name}) RETURN n'")]
    Query {
        /// The Cypher text
        query: String,
        #[command(flatten)]
        shell: ShellArgs,
    },
    /// Run script files (statements ended by `;`, `//` comments, meta commands); `-` is stdin
    #[command(after_help = "Examples:\n  \
        kg run schema.cypher data.cypher\n  \
        kg run --format csv --continue-on-error report.cypher > report.csv\n  \
        cat script.cypher | kg run -")]
    Run {
        /// Script files, `-` for standard input
        #[arg(required = true, value_name = "FILE")]
        files: Vec<String>,
        /// Keep going after a failed statement (the exit code is still 1)
        #[arg(long)]
        continue_on_error: bool,
        #[command(flatten)]
        shell: ShellArgs,
    },
    /// Import a graph (jsonl, graphml, neo4j-admin csv, cypher)
    #[command(after_help = "Examples:\n  \
        kg --db new.db import --format csv --id-type integer dump/\n  \
        kg import --format jsonl graph.jsonl\n  \
        kg import --format graphml --skip-bad graph.graphml")]
    Import(ImportArgs),
    /// Export the graph or a query's subgraph (dot, svg, png, jsonl, graphml, csv, cypher)
    #[command(after_help = "Examples:\n  \
        kg export --format dot -o graph.dot\n  \
        kg export --format svg --query 'MATCH p=(:Lab)-[:DEVELOPS]->() RETURN p' -o owns.svg\n  \
        kg export --format png --color-by source --query 'MATCH p=(:Lab {name: \"DeepSeek\"})--() RETURN p' -o sources.png\n  \
        kg export --format csv -o dump/")]
    Export(ExportArgs),
    /// Load the built-in seed graph (China's AI capital markets 2026)
    #[command(after_help = "Example:\n  kg --db demo.db seed")]
    Seed,
    /// Verify the store's indexes, adjacency and counters; exit 1 on any inconsistency
    #[command(after_help = "Example:\n  kg --db my.db check")]
    Check,
    /// Counts per label and relationship type, property keys and indexes
    #[command(after_help = "Example:\n  kg --db my.db stats")]
    Stats,
    /// Rewrite the database's files compactly and write its read image (`kg import` does
    /// this after a large import)
    #[command(after_help = "\
        The copy is written beside the database (as .NAME.compact) and swapped in atomically,\n\
        so it needs free disk space for one compact copy plus the read image (about the size\n\
        of the data). The read image (kg.image, sealed by kg.seal) lets a new process read\n\
        without opening the store's log or loading its pages, and lets several processes read\n\
        at once. Writes keep it: what they change goes into a small delta (kg.delta) that\n\
        the writing process leaves when it closes; a process killed while writing, or more\n\
        than 4 MiB changed, drops it until the next compaction.\n\n\
        Example:\n  kg --db my.db compact")]
    Compact,
    /// Serve the database to many clients: Bolt for every Neo4j driver (and HTTP)
    #[command(after_help = serve::SERVE_EXAMPLES)]
    Serve(serve::ServeArgs),
    /// Add or replace a user in an auth file for `kg serve --auth-file` (password on stdin)
    #[command(
        after_help = "Example:\n  echo 's3cret' | kg passwd users.txt alice\n  kg serve --auth-file users.txt"
    )]
    Passwd {
        /// The auth file (created when missing, readable by its owner only)
        file: PathBuf,
        /// The user name
        user: String,
    },
    /// A Model Context Protocol server on stdin/stdout, for AI agents (read-only unless
    /// --allow-writes)
    #[command(after_help = MCP_HELP)]
    Mcp(McpArgs),
}

const MCP_HELP: &str = "\
Tools: query (run Cypher; read-only unless --allow-writes), schema (labels and relationship
types with counts, property keys, indexes), explain (a statement's plan), find_nodes (nodes by
name or alias).

An agent's MCP configuration (Claude Desktop, Claude Code, Cursor, …):
  {\"mcpServers\": {\"kgstore\": {\"command\": \"kg\", \"args\": [\"mcp\", \"--db\", \"/path/to/kg.db\"]}}}

While kg serve holds the database, kg mcp runs its tools through it (over Bolt, in read access
mode unless --allow-writes); --connect bolt://HOST:PORT names a server elsewhere.

Examples:
  kg --db kg.db mcp
  kg --db my.db mcp --allow-writes";

#[derive(Clone, Debug, Args)]
pub struct McpArgs {
    /// Let the query tool write (CREATE, MERGE, SET, DELETE, …)
    #[arg(long)]
    pub allow_writes: bool,
}

#[derive(Clone, Debug, Args)]
pub struct ImportArgs {
    /// Input format
    #[arg(long, short = 'f', default_value = "jsonl", value_parser = ["jsonl", "graphml", "csv", "cypher"])]
    pub format: String,
    /// How csv `:ID` values are read, as in neo4j-admin
    #[arg(long, default_value = "string", value_parser = ["string", "integer"])]
    pub id_type: String,
    /// Skip malformed lines (and report how many) instead of rejecting the file
    #[arg(long)]
    pub skip_bad: bool,
    /// Files, or directories of csv files (nodes before relationships)
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Clone, Debug, Args)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, short = 'f', default_value = "dot", value_parser = ["dot", "svg", "png", "jsonl", "graphml", "csv", "cypher"])]
    pub format: String,
    /// Export only the nodes, relationships and paths this query returns
    #[arg(long, short = 'q', value_name = "CYPHER")]
    pub query: Option<String>,
    /// Output file (a directory for csv) [default: stdout]
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// GraphViz rank direction: LR, TB, RL or BT
    #[arg(long)]
    pub rankdir: Option<String>,
    /// Cluster nodes by this property (e.g. exchange)
    #[arg(long, value_name = "PROPERTY")]
    pub cluster_by: Option<String>,
    /// Per-label style overrides
    #[arg(long, value_name = "FILE")]
    pub style: Option<PathBuf>,
    /// Colour every node and relationship by the values of this property instead of nodes by
    /// label, with a legend of the values (`source`: each fact in its document's colour)
    #[arg(long, value_name = "PROPERTY", visible_alias = "colour-by")]
    pub color_by: Option<String>,
    /// Leave out the legend
    #[arg(long)]
    pub no_legend: bool,
    /// GraphViz layout engine [default: dot up to 40 nodes or with --rankdir/--cluster-by,
    /// neato (near-square) for larger pictures, sfdp from 1000 nodes]
    #[arg(long, value_name = "ENGINE", value_parser = ["dot", "neato", "fdp", "sfdp", "circo", "twopi"])]
    pub layout: Option<String>,
    /// A parameter of --query, the value a Cypher literal
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param_arg)]
    pub param: Vec<(String, Value)>,
    /// Parameters of --query from a JSON object file
    #[arg(long = "params", value_name = "FILE.json", value_parser = parse_params_file)]
    pub params: Vec<ParamFile>,
}

fn parse_param_arg(s: &str) -> Result<(String, Value), String> {
    let (name, value) = s
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got `{s}`"))?;
    let name = name.trim().trim_start_matches('$');
    if name.is_empty() {
        return Err(format!("expected NAME=VALUE, got `{s}`"));
    }
    let value = parse_literal(value).map_err(|e| format!("parameter `{name}`: {e}"))?;
    Ok((name.to_string(), value))
}

/// The parameters of one `--params FILE.json`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamFile(pub Vec<(String, Value)>);

fn parse_params_file(path: &str) -> Result<ParamFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{path} is not valid JSON: {e}"))?;
    match from_json(&json) {
        Value::Map(m) => Ok(ParamFile(m.into_iter().collect())),
        _ => Err(format!("{path} must hold a JSON object of parameters")),
    }
}

/// Runs the `kg` program; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    commands::dispatch(cli)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_parse_as_literals() {
        assert_eq!(
            parse_param_arg("name='DeepSeek'"),
            Ok(("name".to_string(), Value::from("DeepSeek")))
        );
        assert_eq!(
            parse_param_arg("$n=1"),
            Ok(("n".to_string(), Value::Int(1)))
        );
        assert!(parse_param_arg("n").is_err());
        assert!(parse_param_arg("=1").is_err());
    }
}
