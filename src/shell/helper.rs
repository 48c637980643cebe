//! The line editor's helper: Tab completion (keywords, functions, catalog names, meta
//! commands, file paths), syntax highlighting, and the completeness check that keeps a
//! statement open until its `;` (continuation prompt `...>`).

use std::borrow::Cow;
use std::collections::BTreeSet;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use super::meta::COMMANDS;
use crate::parser::keywords::KEYWORDS;
use crate::script::Splitter;

/// Completable function names: the function table plus the list forms the grammar spells
/// like calls (`reduce(…)`, `all(…)`, …), so the list cannot fall behind the functions.
fn function_names() -> impl Iterator<Item = &'static str> {
    crate::functions::all()
        .iter()
        .map(|f| f.name)
        .chain(["reduce", "all", "any", "none", "single"])
}

/// Names read from the database catalog for completion.
#[derive(Clone, Debug, Default)]
pub struct CatalogNames {
    pub labels: Vec<String>,
    pub relationship_types: Vec<String>,
    pub property_keys: Vec<String>,
}

/// rustyline helper for the kg shell.
pub struct KgHelper {
    pub names: CatalogNames,
    pub colour: bool,
    files: FilenameCompleter,
    /// Built-in procedure names (`algo.pagerank`, `db.labels`, …) for `CALL` completion.
    procedures: Vec<String>,
}

impl KgHelper {
    pub fn new(names: CatalogNames, colour: bool) -> KgHelper {
        KgHelper {
            names,
            colour,
            files: FilenameCompleter::new(),
            procedures: crate::procedures::Registry::with_builtins()
                .signatures()
                .into_iter()
                .map(|p| p.name)
                .chain(
                    crate::algo::procedures()
                        .iter()
                        .map(|p| p.signature().name.clone()),
                )
                .collect(),
        }
    }

    /// Candidates for the word ending at `pos` (pure, for tests): (start, replacements).
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == ':'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        let trimmed = before.trim_start();

        // Meta command names at the start of the line.
        if trimmed.starts_with(':') && !trimmed.contains(char::is_whitespace) {
            let start = pos - trimmed.len();
            let list = COMMANDS
                .iter()
                .map(|(c, _)| c.to_string())
                .filter(|c| c.starts_with(trimmed))
                .collect();
            return (start, list);
        }
        // `(n:Lab`, `[r:TY`, or `:Lab` after another label.
        if let Some(colon) = word.rfind(':') {
            let prefix = &word[colon + 1..];
            let in_rel = before[..start + colon]
                .rfind(['[', '('])
                .is_some_and(|i| before.as_bytes()[i] == b'[');
            let pool = if in_rel {
                &self.names.relationship_types
            } else {
                &self.names.labels
            };
            let list = matching(pool.iter().map(String::as_str), prefix, false);
            return (start + colon + 1, list);
        }
        // `date.tr` → `date.truncate`, `algo.page` → `algo.pagerank`: a dotted prefix that
        // names a function or procedure namespace completes within it, before property keys.
        if start > 0 && before.as_bytes()[start - 1] == b'.' {
            let qualifier = dotted_qualifier(&before[..start - 1]);
            let list = if qualifier.is_empty() {
                Vec::new()
            } else {
                self.namespaced(qualifier, word)
            };
            if !list.is_empty() {
                return (start, list);
            }
        }
        // `n.key`
        if start > 0 && before.as_bytes()[start - 1] == b'.' {
            let list = matching(
                self.names.property_keys.iter().map(String::as_str),
                word,
                false,
            );
            return (start, list);
        }
        if word.is_empty() {
            return (start, Vec::new());
        }
        let mut list = matching(KEYWORDS.iter().copied(), word, true);
        list.extend(matching(function_names(), word, false));
        list.dedup();
        (start, list)
    }
}

impl KgHelper {
    /// The rest of every function and procedure named `qualifier.word…` (case-insensitively),
    /// e.g. `truncate` for `date` and `tr`.
    fn namespaced(&self, qualifier: &str, word: &str) -> Vec<String> {
        let prefix = format!("{}.", qualifier.to_lowercase());
        let procedures = self.procedures.iter().map(String::as_str);
        let rests = procedures
            .chain(function_names().map(|name| -> &str { name }))
            .filter_map(|name| {
                let lower = name.to_lowercase();
                lower.starts_with(&prefix).then(|| &name[prefix.len()..])
            });
        matching(rests, word, false)
    }
}

/// The dotted name ending `before` (`db.schema` in `CALL db.schema`), or "" when the text
/// before the dot is not a name (`)`, a number, a string).
fn dotted_qualifier(before: &str) -> &str {
    let start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let qualifier = &before[start..];
    if qualifier.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        qualifier
    } else {
        ""
    }
}

/// Names starting with `prefix` (case-insensitively); keywords keep the user's case style.
fn matching<'a>(pool: impl Iterator<Item = &'a str>, prefix: &str, keyword: bool) -> Vec<String> {
    let lower = prefix.to_lowercase();
    let set: BTreeSet<String> = pool
        .filter(|c| c.to_lowercase().starts_with(&lower))
        .map(|c| {
            if keyword && prefix.chars().all(|ch| ch.is_lowercase()) {
                c.to_lowercase()
            } else {
                c.to_string()
            }
        })
        .collect();
    set.into_iter().collect()
}

impl Completer for KgHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        let takes_file = [":source ", ":read "]
            .iter()
            .any(|p| trimmed.starts_with(p))
            || (trimmed.starts_with(":export ")
                && trimmed[":export ".len()..].trim_start().contains(' ')
                && trimmed.split_whitespace().count() <= 3);
        if takes_file {
            return self.files.complete(line, pos, ctx);
        }
        let (start, list) = self.candidates(line, pos);
        let pairs = list
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for KgHelper {
    type Hint = String;
}

// Statements are completed line by line by the REPL loop (for its `...>` prompt), so the
// editor itself accepts every line.
impl Validator for KgHelper {}

/// True when the input holds only complete statements (each ended by `;`), meta commands,
/// or nothing at all.
pub fn input_complete(input: &str) -> bool {
    let mut s = Splitter::new();
    s.feed(input);
    s.is_idle()
}

impl Highlighter for KgHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.colour {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlight(line))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        default: bool,
    ) -> Cow<'b, str> {
        if self.colour && default {
            Cow::Owned(format!("\x1b[1;32m{prompt}\x1b[0m"))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _forced: bool) -> bool {
        self.colour
    }
}

impl Helper for KgHelper {}

const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[90m";
const META: &str = "\x1b[35m";
const RESET: &str = "\x1b[0m";

/// ANSI-coloured copy of `line`: keywords, strings, numbers, comments, meta commands.
pub fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    if line.trim_start().starts_with(':') {
        out.push_str(META);
        out.push_str(line);
        out.push_str(RESET);
        return out;
    }
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let span_end = |j: usize| chars.get(j).map_or(line.len(), |(b, _)| *b);
        if c == '\'' || c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j].1 != c {
                if chars[j].1 == '\\' {
                    j += 1;
                }
                j += 1;
            }
            let end = span_end((j + 1).min(chars.len()));
            colour(&mut out, STRING, &line[at..end]);
            i = j + 1;
        } else if c == '/' && chars.get(i + 1).is_some_and(|(_, n)| *n == '/') {
            colour(&mut out, COMMENT, &line[at..]);
            break;
        } else if c.is_ascii_digit() {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || chars[j].1 == '.') {
                j += 1;
            }
            colour(&mut out, NUMBER, &line[at..span_end(j)]);
            i = j;
        } else if c.is_alphabetic() || c == '_' {
            let mut j = i;
            while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '_') {
                j += 1;
            }
            let word = &line[at..span_end(j)];
            if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                colour(&mut out, KEYWORD, word);
            } else {
                out.push_str(word);
            }
            i = j;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn colour(out: &mut String, code: &str, text: &str) {
    out.push_str(code);
    out.push_str(text);
    out.push_str(RESET);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> KgHelper {
        KgHelper::new(
            CatalogNames {
                labels: vec!["Company".into(), "Fund".into()],
                relationship_types: vec!["INVESTED_IN".into(), "OWNS".into()],
                property_keys: vec!["name".into(), "founded".into()],
            },
            false,
        )
    }

    #[test]
    fn completes_by_context() {
        let h = helper();
        let line = "MATCH (c:Com";
        assert_eq!(
            h.candidates(line, line.len()),
            (9, vec!["Company".to_string()])
        );
        let line = "MATCH (c)-[:O";
        assert_eq!(h.candidates(line, line.len()).1, vec!["OWNS".to_string()]);
        let line = "RETURN c.na";
        assert_eq!(h.candidates(line, line.len()).1, vec!["name".to_string()]);
        let line = "mat";
        assert_eq!(h.candidates(line, line.len()).1, vec!["match".to_string()]);
        let line = "RETURN toU";
        assert_eq!(
            h.candidates(line, line.len()).1,
            vec!["toUpper".to_string()]
        );
        // A function namespace wins over property keys (`date.trading_name` is a key here).
        let h = KgHelper {
            names: CatalogNames {
                property_keys: vec!["trading_name".into(), "name".into()],
                ..CatalogNames::default()
            },
            ..helper()
        };
        let line = "RETURN date.tr";
        assert_eq!(
            h.candidates(line, line.len()),
            (12, vec!["transaction".to_string(), "truncate".to_string()])
        );
        let line = "RETURN date.tru";
        assert_eq!(
            h.candidates(line, line.len()).1,
            vec!["truncate".to_string()]
        );
        let line = "RETURN DateTime.from";
        assert_eq!(
            h.candidates(line, line.len()).1,
            vec!["fromepoch".to_string(), "fromepochmillis".to_string()]
        );
        let line = "CALL db.schema.node";
        assert_eq!(
            h.candidates(line, line.len()).1,
            vec!["nodeTypeProperties".to_string()]
        );
        let line = "CALL algo.pager";
        assert_eq!(
            h.candidates(line, line.len()).1,
            vec!["pageRank".to_string()]
        );
        // A variable, or a namespace with no such member: property keys.
        let line = "MATCH (c) RETURN c.tr";
        assert_eq!(
            h.candidates(line, line.len()).1,
            vec!["trading_name".to_string()]
        );
        let line = "RETURN date.na";
        assert_eq!(h.candidates(line, line.len()).1, vec!["name".to_string()]);
        let line = "RETURN (x).na";
        assert_eq!(h.candidates(line, line.len()).1, vec!["name".to_string()]);
        let h = helper();
        let line = ":sc";
        assert_eq!(
            h.candidates(line, line.len()),
            (0, vec![":schema".to_string()])
        );
    }

    #[test]
    fn validator_waits_for_semicolon() {
        assert!(input_complete(""));
        assert!(input_complete(":help"));
        assert!(input_complete("MATCH (n) RETURN n;"));
        assert!(!input_complete("MATCH (n)\nRETURN n"));
        assert!(!input_complete("RETURN 'a;"));
        assert!(!input_complete("RETURN [1;"));
    }

    #[test]
    fn highlighting_keeps_text() {
        let line = "MATCH (n {name: 'x'}) RETURN 42 // c";
        let h = highlight(line);
        let plain = regex::Regex::new("\x1b\\[[0-9;]*m")
            .unwrap()
            .replace_all(&h, "");
        assert_eq!(plain, line);
        assert!(h.contains("\x1b[1;34mMATCH"));
        assert!(h.contains("\x1b[32m'x'"));
    }
}
