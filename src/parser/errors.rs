//! Turns pest's "expected one of these rules at byte N" into a sentence a user understands:
//! "expected `)` to close the node pattern opened at 1:7", "expected an expression".

use pest::error::{ErrorVariant, InputLocation};

use super::Rule;
use crate::ast::Span;
use crate::diagnostic::line_col;
use crate::error::QueryError;

/// What a rule stands for in an error message.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Expect {
    Close(char),
    Expression,
    Clause,
    Token(&'static str),
    Name,
    Label,
    NodePattern,
    Other,
}

fn classify(rule: Rule) -> Expect {
    use Rule::*;
    match rule {
        rparen => Expect::Close(')'),
        rbracket => Expect::Close(']'),
        rbrace => Expect::Close('}'),
        expression
        | primary
        | float
        | integer
        | string
        | boolean
        | null
        | parameter
        | map_literal
        | list_literal
        | case_expression
        | count_star
        | list_comprehension
        | pattern_comprehension
        | quantifier
        | reduce
        | subquery_expression
        | pattern_predicate
        | parenthesized
        | function_call
        | map_projection
        | op_not
        | op_neg
        | op_pos
        | slice_from => Expect::Expression,
        MATCH | OPTIONAL | UNWIND | WITH | RETURN | CREATE | MERGE | SET | REMOVE | DELETE
        | DETACH | CALL | UNION | match_clause | unwind_clause | with_clause | return_clause
        | create_clause | merge_clause | set_clause | remove_clause | delete_clause
        | call_clause | foreach_clause | load_csv_clause | call_subquery | FOREACH | LOAD
        | single_query => Expect::Clause,
        variable | symbolic_name | schema_name | property_key_name | schema_object_name
        | procedure_name | function_name | yield_item => Expect::Name,
        label_name
        | rel_type_name
        | node_labels
        | label_expression
        | label_or
        | label_and
        | label_not
        | label_atom
        | where_label_expression
        | where_label_or => Expect::Label,
        node_pattern | pattern | pattern_part | pattern_element => Expect::NodePattern,
        lparen => Expect::Token("`(`"),
        lbracket => Expect::Token("`[`"),
        lbrace => Expect::Token("`{`"),
        comma => Expect::Token("`,`"),
        colon => Expect::Token("`:`"),
        eq => Expect::Token("`=`"),
        pipe => Expect::Token("`|`"),
        dash => Expect::Token("`-`"),
        dot => Expect::Token("`.`"),
        AS => Expect::Token("`AS`"),
        BY => Expect::Token("`BY`"),
        IN => Expect::Token("`IN`"),
        THEN => Expect::Token("`THEN`"),
        WHEN => Expect::Token("`WHEN`"),
        END => Expect::Token("`END`"),
        NULL => Expect::Token("`NULL`"),
        UNIQUE => Expect::Token("`UNIQUE`"),
        FOR => Expect::Token("`FOR`"),
        ON => Expect::Token("`ON`"),
        INDEX => Expect::Token("`INDEX`"),
        CONSTRAINT => Expect::Token("`CONSTRAINT`"),
        EOI => Expect::Token("the end of the query"),
        _ => Expect::Other,
    }
}

/// Converts a pest error into a `SyntaxError` with the TCK detail `UnexpectedSyntax`.
pub fn from_pest(src: &str, e: pest::error::Error<Rule>) -> QueryError {
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = pos.min(src.len());
    let found = describe_found(src, pos);
    let span = Span::new(pos, next_token_end(src, pos));
    if let Some(feature) = known_unsupported(src, pos) {
        return QueryError::unsupported(feature).at(span);
    }
    if let Some(feature) = administration_command(src) {
        let start = src.len() - src.trim_start().len();
        let first = Span::new(start, next_token_end(src, start));
        return QueryError::unsupported(feature).at(first);
    }
    let mut detail = "UnexpectedSyntax";
    if let Some(c) = src.get(pos..).and_then(|s| s.chars().next()) {
        if !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() {
            detail = "InvalidUnicodeCharacter";
        }
    }
    let message = match &e.variant {
        ErrorVariant::CustomError { message } => {
            format!("the query is too complex to parse ({message})")
        }
        ErrorVariant::ParsingError { positives, .. } => {
            let mut kinds: Vec<Expect> = positives.iter().map(|r| classify(*r)).collect();
            kinds.sort();
            kinds.dedup();
            message_for(src, pos, &kinds, &found)
        }
    };
    if message.contains("relationship pattern opened at") {
        detail = "InvalidRelationshipPattern";
    }
    QueryError::syntax(detail, message).at(span)
}

/// Syntax Neo4j accepts that kgstore lacks, recognised where the parse stopped, so the error
/// names the feature instead of listing what was expected.
fn known_unsupported(src: &str, pos: usize) -> Option<String> {
    let rest = src.get(pos..)?;
    let word = |w: &str| {
        rest.get(..w.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(w))
            && !rest[w.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
    };
    // Cypher 25's `n IS NOT [LABELED] Label`: Neo4j 5's grammar has no negated label
    // predicate, so the parse stops after `IS NOT` (checked here, where it costs nothing,
    // rather than by a grammar rule tried after every operand).
    let before: Vec<&str> = src[..pos].split_whitespace().rev().take(2).collect();
    if matches!(before[..], [not, is] if not.eq_ignore_ascii_case("NOT") && is.eq_ignore_ascii_case("IS"))
        && rest.starts_with(|c: char| c.is_alphabetic() || matches!(c, '`' | '(' | '!' | '%' | '_'))
    {
        return Some(
            "`x IS NOT Label` (a Cypher 25 label predicate, not Neo4j 5's; write `NOT x:Label`)"
                .into(),
        );
    }
    if word("NULLS") {
        return Some(
            "`NULLS FIRST` / `NULLS LAST` in ORDER BY (nulls sort last in ascending order and \
             first in descending order, as in Neo4j)"
                .into(),
        );
    }
    None
}

/// Neo4j's administration commands (databases, aliases, users, roles and privileges, servers,
/// settings, transactions), named by what they administer: kgstore is one embedded database,
/// its users live in `kg serve --auth-file`, and several are Enterprise Edition or cluster
/// features. `None` when `src` does not start like one.
pub(crate) fn administration_command(src: &str) -> Option<String> {
    // Whole words split on white space, so `CREATE (user)` is no `CREATE USER`.
    let words: Vec<String> = src
        .split_whitespace()
        .take(5)
        .map(|w| w.trim_end_matches(';').to_ascii_uppercase())
        .collect();
    let w = |i: usize| words.get(i).map_or("", String::as_str);
    // `CREATE OR REPLACE DATABASE x`, `CREATE COMPOSITE DATABASE x`: the object is a word or
    // two after the verb.
    let object = |from: usize| {
        (from..from + 3)
            .map(w)
            .find(|x| !matches!(*x, "OR" | "REPLACE" | "COMPOSITE" | "IF"))
            .unwrap_or("")
    };
    let what = match w(0) {
        "CREATE" | "DROP" | "ALTER" | "RENAME" | "START" | "STOP" => match object(1) {
            "DATABASE" => "database administration (`CREATE`/`DROP`/`START`/`STOP DATABASE`): a kgstore database is its directory (`kg --db DIR`)",
            "ALIAS" => "database aliases",
            "USER" => "user management (`CREATE USER`): users of `kg serve` are set with `kg passwd` in its auth file",
            "ROLE" => "roles and privileges (Neo4j Enterprise Edition)",
            "SERVER" => "cluster administration (servers)",
            _ => return None,
        },
        "GRANT" | "DENY" | "REVOKE" => "roles and privileges (Neo4j Enterprise Edition)",
        "ENABLE" | "DEALLOCATE" | "REALLOCATE" | "DRYRUN" => "cluster administration (servers)",
        "TERMINATE" => "transaction management (`TERMINATE TRANSACTIONS`)",
        "SHOW" => match (w(1), w(2)) {
            ("DATABASE" | "DATABASES" | "DEFAULT" | "HOME", _) => "`SHOW DATABASES`: a kgstore database is its directory (`kg --db DIR`)",
            ("ALIAS" | "ALIASES", _) => "database aliases",
            ("USER" | "USERS" | "CURRENT", _) => "user management (`SHOW USERS`): users of `kg serve` are set with `kg passwd` in its auth file",
            ("ROLE" | "ROLES" | "PRIVILEGE" | "PRIVILEGES" | "SUPPORTED" | "POPULATED", _) => {
                "roles and privileges (Neo4j Enterprise Edition)"
            }
            ("SERVER" | "SERVERS", _) => "cluster administration (servers)",
            ("SETTING" | "SETTINGS", _) => "`SHOW SETTINGS` (kgstore's settings are its command-line options)",
            ("TRANSACTION" | "TRANSACTIONS", _) => "transaction management (`SHOW TRANSACTIONS`)",
            (_, "EXECUTABLE") => "`EXECUTABLE BY` (privileges, Neo4j Enterprise Edition)",
            _ => return None,
        },
        _ => return None,
    };
    Some(what.to_string())
}

fn message_for(src: &str, pos: usize, kinds: &[Expect], found: &str) -> String {
    // A missing closing bracket is the most useful thing to say, with where it was opened.
    for k in kinds {
        if let Expect::Close(c) = k {
            if let Some((open_at, what)) = unclosed_opener(src, pos, *c) {
                let (l, col) = line_col(src, open_at);
                return format!(
                    "expected `{c}` to close the {what} opened at {l}:{col}, found {found}"
                );
            }
        }
    }
    let mut wanted: Vec<String> = Vec::new();
    for k in kinds {
        let s = match k {
            Expect::Close(c) => format!("`{c}`"),
            Expect::Expression => "an expression".to_string(),
            Expect::Clause => "a clause (MATCH, RETURN, WITH, CREATE, …)".to_string(),
            Expect::Token(t) => t.to_string(),
            Expect::Name => "a name".to_string(),
            Expect::Label => "a label or relationship type".to_string(),
            Expect::NodePattern => "a node pattern such as `(n)`".to_string(),
            Expect::Other => continue,
        };
        if !wanted.contains(&s) {
            wanted.push(s);
        }
    }
    // An expression is expected: that dominates names and stray tokens at the same spot.
    if kinds.contains(&Expect::Expression) && !kinds.iter().any(|k| matches!(k, Expect::Close(_))) {
        return format!("expected an expression, found {found}");
    }
    if kinds.contains(&Expect::Clause) {
        return format!(
            "unexpected {found}: expected a clause such as MATCH, WITH or RETURN, or the end of the query"
        );
    }
    match wanted.len() {
        0 => format!("unexpected {found}"),
        1 => format!("expected {}, found {found}", wanted[0]),
        _ => {
            let last = wanted.pop().unwrap_or_default();
            format!("expected {} or {last}, found {found}", wanted.join(", "))
        }
    }
}

/// The innermost bracket opened before `pos` and not closed, if it is the kind `close`
/// matches, with a word for what it opened.
fn unclosed_opener(src: &str, pos: usize, close: char) -> Option<(usize, &'static str)> {
    let open = match close {
        ')' => b'(',
        ']' => b'[',
        _ => b'{',
    };
    let mut stack: Vec<usize> = Vec::new();
    for (i, b) in super::Brackets::new(src, pos) {
        if matches!(b, b'(' | b'[' | b'{') {
            stack.push(i);
        } else {
            stack.pop();
        }
    }
    let at = *stack.last()?;
    if src.as_bytes()[at] != open {
        return None;
    }
    Some((at, opener_kind(src, at)))
}

/// Names what a bracket at `at` opens, judging by what precedes it.
fn opener_kind(src: &str, at: usize) -> &'static str {
    let ch = src.as_bytes()[at];
    let before = src[..at].trim_end();
    let prev_word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let upper = prev_word.to_ascii_uppercase();
    match ch {
        b'[' => {
            if before.ends_with('-') || before.ends_with("<-") {
                "relationship pattern"
            } else {
                "list"
            }
        }
        b'{' => {
            if upper == "EXISTS" {
                "EXISTS subquery"
            } else {
                "map"
            }
        }
        _ => {
            let pattern_keyword = matches!(upper.as_str(), "MATCH" | "CREATE" | "MERGE");
            if pattern_keyword
                || before.ends_with('-')
                || before.ends_with('>')
                || (before.ends_with(',') && in_pattern_clause(before))
                || (before.ends_with('=') && in_pattern_clause(before))
            {
                "node pattern"
            } else if !prev_word.is_empty()
                && !matches!(
                    upper.as_str(),
                    "WHERE"
                        | "RETURN"
                        | "WITH"
                        | "AND"
                        | "OR"
                        | "XOR"
                        | "NOT"
                        | "IN"
                        | "WHEN"
                        | "THEN"
                        | "ELSE"
                        | "CASE"
                        | "UNWIND"
                        | "DELETE"
                        | "SET"
                        | "BY"
                )
            {
                "argument list"
            } else {
                "parenthesised expression"
            }
        }
    }
}

/// Whether the last clause keyword before this point starts a pattern (MATCH/CREATE/MERGE).
fn in_pattern_clause(before: &str) -> bool {
    let upper = before.to_ascii_uppercase();
    let last_of = |kw: &str| upper.rfind(kw);
    let pattern = ["MATCH", "CREATE", "MERGE"]
        .iter()
        .filter_map(|k| last_of(k))
        .max();
    let other = ["WHERE", "RETURN", "WITH", "SET", "UNWIND", "DELETE"]
        .iter()
        .filter_map(|k| last_of(k))
        .max();
    match (pattern, other) {
        (Some(p), Some(o)) => p > o,
        (Some(_), None) => true,
        _ => false,
    }
}

/// A short description of the token at `pos` for "found …".
fn describe_found(src: &str, pos: usize) -> String {
    let end = next_token_end(src, pos);
    if pos >= src.len() || end <= pos {
        return "the end of the query".to_string();
    }
    format!("`{}`", src.get(pos..end).unwrap_or_default())
}

/// The end of the token starting at `pos` (a word, or one character).
fn next_token_end(src: &str, pos: usize) -> usize {
    let Some(rest) = src.get(pos..) else {
        return src.len();
    };
    let mut chars = rest.char_indices();
    match chars.next() {
        None => pos,
        Some((_, c)) if c.is_alphanumeric() || c == '_' => {
            let len = rest
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map(|(i, _)| i)
                .unwrap_or(rest.len());
            pos + len
        }
        Some((_, c)) => pos + c.len_utf8(),
    }
}
