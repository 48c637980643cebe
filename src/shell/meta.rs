//! Shell meta commands (`:help`, `:param x => 1`, `:mode csv`, …): parsing only, so every
//! command can be tested without a terminal or a database.

use std::path::PathBuf;

use crate::render::Format;
use crate::value::Value;

use crate::params::parse_literal;

/// A parsed meta command.
#[derive(Clone, Debug, PartialEq)]
pub enum MetaCommand {
    Help,
    Quit,
    Schema,
    /// `:param name => value`
    Param {
        name: String,
        value: Value,
    },
    /// `:params` lists the parameters.
    Params,
    /// `:clear` forgets every parameter.
    Clear,
    Mode(Format),
    Timing(bool),
    Source(PathBuf),
    /// `:export FORMAT FILE [query]` (the last result when no query is given).
    Export {
        format: String,
        file: PathBuf,
        query: Option<String>,
    },
    Begin,
    Commit,
    Rollback,
    Stats,
    /// `:timeout MS`, `None` for `:timeout off` / `:timeout 0`.
    Timeout(Option<u64>),
    /// `:memory-limit SIZE` (`none` or `0`: no limit); `None` for `:memory-limit` alone,
    /// which shows the limit.
    MemoryLimit(Option<crate::memory_budget::Limit>),
    /// `:why on|off` (provenance for the next statements) or `:why N` (row N's facts).
    Why(Why),
}

/// What `:why` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    On,
    Off,
    /// A row of the last result, 1-based.
    Row(usize),
}

/// Every meta command with a one-line description, for `:help` and Tab completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help", "show this help"),
    (":quit", "leave the shell (also Ctrl-D)"),
    (
        ":schema",
        "labels, relationship types and property keys with counts, indexes",
    ),
    (":param", "set a parameter: :param name => 'value'"),
    (":params", "list the parameters"),
    (":clear", "forget every parameter"),
    (
        ":mode",
        "output format: :mode table|line|csv|tsv|json|jsonl|markdown (line: one field per line)",
    ),
    (":timing", "show query times: :timing on|off"),
    (":source", "run a script file: :source FILE"),
    (
        ":export",
        "export to GraphViz: :export dot FILE [query] (default: the last result)",
    ),
    (":begin", "open an explicit transaction"),
    (":commit", "commit the open transaction"),
    (":rollback", "roll the open transaction back"),
    (":stats", "node and relationship counts"),
    (
        ":timeout",
        "bound every query: :timeout MS (0 or off: no limit)",
    ),
    (
        ":memory-limit",
        "bound what one statement may hold: :memory-limit 512MB (0 or none: no limit)",
    ),
    (
        ":why",
        "provenance: :why on|off (sources of every row), :why N (row N's facts by document)",
    ),
];

impl MetaCommand {
    /// Parses one meta command line (with its leading `:`; a trailing `;` is ignored).
    pub fn parse(line: &str) -> Result<MetaCommand, String> {
        let line = line.trim().trim_end_matches(';').trim_end();
        let Some(body) = line.strip_prefix(':') else {
            return Err(format!(
                "`{line}` is not a meta command (they start with `:`)"
            ));
        };
        let (name, args) = match body.find(char::is_whitespace) {
            Some(i) => (&body[..i], body[i..].trim()),
            None => (body, ""),
        };
        let no_args = |cmd: MetaCommand| {
            if args.is_empty() {
                Ok(cmd)
            } else {
                Err(format!(":{name} takes no arguments"))
            }
        };
        match name.to_ascii_lowercase().as_str() {
            "help" | "h" | "?" => Ok(MetaCommand::Help),
            "quit" | "exit" | "q" => no_args(MetaCommand::Quit),
            "schema" => no_args(MetaCommand::Schema),
            "params" if args.eq_ignore_ascii_case("clear") => Ok(MetaCommand::Clear),
            "params" => no_args(MetaCommand::Params),
            "param" if args.is_empty() => Ok(MetaCommand::Params),
            "param" => parse_param(args),
            "clear" => no_args(MetaCommand::Clear),
            "mode" | "format" => args.parse::<Format>().map(MetaCommand::Mode),
            "timing" => match args.to_ascii_lowercase().as_str() {
                "on" => Ok(MetaCommand::Timing(true)),
                "off" => Ok(MetaCommand::Timing(false)),
                _ => Err("usage: :timing on|off".to_string()),
            },
            "source" | "read" if !args.is_empty() => {
                Ok(MetaCommand::Source(PathBuf::from(unquote(args))))
            }
            "source" | "read" => Err("usage: :source FILE".to_string()),
            "export" => parse_export(args),
            "begin" => no_args(MetaCommand::Begin),
            "commit" => no_args(MetaCommand::Commit),
            "rollback" => no_args(MetaCommand::Rollback),
            "stats" => no_args(MetaCommand::Stats),
            "timeout" => match args.to_ascii_lowercase().as_str() {
                "off" | "0" | "none" => Ok(MetaCommand::Timeout(None)),
                a => a
                    .trim_end_matches("ms")
                    .trim()
                    .parse::<u64>()
                    .map(|ms| MetaCommand::Timeout(Some(ms)))
                    .map_err(|_| "usage: :timeout MS (or :timeout off)".to_string()),
            },
            "memory-limit" | "memory_limit" | "memorylimit" if args.is_empty() => {
                Ok(MetaCommand::MemoryLimit(None))
            }
            "memory-limit" | "memory_limit" | "memorylimit" => args
                .parse()
                .map(|l| MetaCommand::MemoryLimit(Some(l)))
                .map_err(|e| format!("{e} (usage: :memory-limit SIZE, or :memory-limit none)")),
            "why" => match args.to_ascii_lowercase().as_str() {
                "on" => Ok(MetaCommand::Why(Why::On)),
                "off" => Ok(MetaCommand::Why(Why::Off)),
                a => match a.parse::<usize>() {
                    Ok(n) if n > 0 => Ok(MetaCommand::Why(Why::Row(n))),
                    _ => Err("usage: :why on|off, or :why N for row N of the last result".into()),
                },
            },
            _ => Err(format!(
                "unknown command `:{name}` (type :help for the list)"
            )),
        }
    }
}

fn parse_param(args: &str) -> Result<MetaCommand, String> {
    // cypher-shell writes `name => value`; also accept `name = value`, `name: value`, `name value`.
    let args = args.trim_start_matches('$');
    let name_len = if let Some(quoted) = args.strip_prefix('`') {
        quoted.find('`').map_or(args.len(), |i| i + 2)
    } else {
        args.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(args.len())
    };
    let (name, rest) = args.split_at(name_len);
    let rest = rest.trim_start();
    let value = ["=>", "=", ":"]
        .iter()
        .find_map(|sep| rest.strip_prefix(sep))
        .unwrap_or(rest);
    let name = name.trim().trim_start_matches('$').trim_matches('`');
    if name.is_empty() {
        return Err("usage: :param name => value".to_string());
    }
    let value = parse_literal(value).map_err(|e| format!("parameter `{name}`: {e}"))?;
    Ok(MetaCommand::Param {
        name: name.to_string(),
        value,
    })
}

fn parse_export(args: &str) -> Result<MetaCommand, String> {
    let usage = || "usage: :export dot FILE [query] (quote a FILE with spaces)".to_string();
    let args = args.trim_start();
    let (format, rest) = args.split_once(char::is_whitespace).ok_or_else(usage)?;
    let rest = rest.trim_start();
    // `"my file.dot"` or `'my file.dot'`: the name runs to the closing quote.
    let (file, query) = match rest.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let end = rest[1..]
                .find(q)
                .ok_or_else(|| format!(":export: the file name {rest} has no closing {q}"))?;
            (&rest[1..1 + end], &rest[2 + end..])
        }
        _ => rest.split_once(char::is_whitespace).unwrap_or((rest, "")),
    };
    if format.is_empty() || file.is_empty() {
        return Err(usage());
    }
    let query = Some(query.trim())
        .filter(|q| !q.is_empty())
        .map(String::from);
    Ok(MetaCommand::Export {
        format: format.to_ascii_lowercase(),
        file: PathBuf::from(file),
        query,
    })
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['"', '\''] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_takes_a_quoted_file_name_with_spaces() {
        assert_eq!(
            MetaCommand::parse(":export dot \"my file.dot\" MATCH (n) RETURN n"),
            Ok(MetaCommand::Export {
                format: "dot".into(),
                file: "my file.dot".into(),
                query: Some("MATCH (n) RETURN n".into())
            })
        );
        assert_eq!(
            MetaCommand::parse(":export dot 'my file.dot'"),
            Ok(MetaCommand::Export {
                format: "dot".into(),
                file: "my file.dot".into(),
                query: None
            })
        );
        assert!(MetaCommand::parse(":export dot \"my file.dot").is_err());
        assert!(MetaCommand::parse(":export dot").is_err());
    }

    #[test]
    fn parses_every_command() {
        use MetaCommand as M;
        assert_eq!(M::parse(":help"), Ok(M::Help));
        assert_eq!(M::parse(" :quit; "), Ok(M::Quit));
        assert_eq!(
            M::parse(":param name => 'DeepSeek'"),
            Ok(M::Param {
                name: "name".into(),
                value: Value::from("DeepSeek")
            })
        );
        assert_eq!(
            M::parse(":param limit 5"),
            Ok(M::Param {
                name: "limit".into(),
                value: Value::Int(5)
            })
        );
        assert_eq!(
            M::parse(":param m {a: 'x=>y'}"),
            M::parse(":param m => {a: 'x=>y'}")
        );
        assert_eq!(M::parse(":params"), Ok(M::Params));
        assert_eq!(M::parse(":clear"), Ok(M::Clear));
        assert_eq!(M::parse(":mode csv"), Ok(M::Mode(Format::Csv)));
        assert_eq!(M::parse(":why on"), Ok(M::Why(super::Why::On)));
        assert_eq!(M::parse(":why 3;"), Ok(M::Why(super::Why::Row(3))));
        assert!(M::parse(":why 0").is_err());
        assert!(M::parse(":why").is_err());
        assert_eq!(M::parse(":timing off"), Ok(M::Timing(false)));
        assert_eq!(
            M::parse(":source 'my file.cypher'"),
            Ok(M::Source("my file.cypher".into()))
        );
        assert_eq!(
            M::parse(":export dot g.dot MATCH p=()-->() RETURN p"),
            Ok(M::Export {
                format: "dot".into(),
                file: "g.dot".into(),
                query: Some("MATCH p=()-->() RETURN p".into())
            })
        );
        assert_eq!(
            M::parse(":export dot g.dot"),
            Ok(M::Export {
                format: "dot".into(),
                file: "g.dot".into(),
                query: None
            })
        );
        assert_eq!(M::parse(":begin"), Ok(M::Begin));
        assert_eq!(M::parse(":commit"), Ok(M::Commit));
        assert_eq!(M::parse(":rollback"), Ok(M::Rollback));
        assert_eq!(M::parse(":stats"), Ok(M::Stats));
        assert_eq!(M::parse(":schema"), Ok(M::Schema));
        assert_eq!(M::parse(":timeout 500"), Ok(M::Timeout(Some(500))));
        assert_eq!(M::parse(":timeout off"), Ok(M::Timeout(None)));
        use crate::memory_budget::Limit;
        assert_eq!(
            M::parse(":memory-limit 64MiB"),
            Ok(M::MemoryLimit(Some(Limit::Bytes(64 << 20))))
        );
        assert_eq!(
            M::parse(":memory-limit none"),
            Ok(M::MemoryLimit(Some(Limit::Unlimited)))
        );
        assert_eq!(M::parse(":memory-limit"), Ok(M::MemoryLimit(None)));
    }

    #[test]
    fn bad_commands_are_errors() {
        for bad in [
            ":nope",
            ":mode xml",
            ":timing maybe",
            ":param",
            ":param x => DeepSeek",
            ":export dot",
            ":source",
            ":quit now",
            ":memory-limit lots",
            "help",
        ] {
            if bad == ":param" {
                continue;
            }
            assert!(MetaCommand::parse(bad).is_err(), "{bad} parsed");
        }
    }
}
