//! Auto-parameterisation for the plan cache: `MATCH (a:Person {id: 17})-->(b) RETURN …` and
//! `… {id: 18} …` share one plan because their literals become parameters.
//!
//! The literals are found on the parsed statement, not in its text: only number and string
//! literals in the reading part (the leading MATCH clauses of the first single query, before
//! any projection, update or UNION), and only where a parameter means the same plan — a value
//! of a property map (`{id: 17}`) or a direct operand of a comparison (`a.x = 17`,
//! `a.x < 2.5`). Nothing the planner reads as a constant is in those places: labels, types,
//! variable-length bounds, LIMIT/SKIP and column names (taken from RETURN text) are elsewhere.
//!
//! Parsing costs far more than planning a point lookup, so each lifted statement also leaves
//! its *shape* behind: its text cut at the lifted literals. A later statement that is the same
//! text with other literal tokens in those holes (ended by a hand copy of the grammar's literal
//! rules that a test holds to pest, decoded as the parser decodes them, see
//! [`crate::parser::literal_token`]) gets the cache key and values without being parsed.

use std::collections::{BTreeSet, HashMap};

use crate::ast::{BinaryOp, Clause, Expr, ExprKind, PatternElement, Span, Statement};
use crate::plan::walk;
use crate::value::Value;

/// Prefix of generated parameter names (not a name a user would pick).
pub const PREFIX: &str = "__kg_lit";

/// A statement with its literals lifted: the cache key (the text with each lifted literal
/// replaced by `$__kg_litN`, numbered in text order) and the values to bind.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifted {
    pub key: String,
    pub params: Vec<(String, Value)>,
}

/// Replaces the liftable literals of `stmt` (parsed from `query`) by parameters in place and
/// returns the key and values; `None` (and `stmt` untouched) when there is nothing to lift.
/// `spans` receives the lifted literals' spans in text order, for [`Shapes::remember`].
pub fn lift(stmt: &mut Statement, query: &str, spans: &mut Vec<Span>) -> Option<Lifted> {
    let Statement::Query(q) = stmt else {
        return None;
    };
    let mut found: Vec<(Span, Value)> = Vec::new();
    for clause in &mut q.first.clauses {
        let Clause::Match(m) = clause else {
            break;
        };
        for part in &mut m.pattern {
            element(&mut part.element, query, &mut found);
        }
        if let Some(w) = &mut m.where_ {
            expression(w, query, &mut found);
        }
    }
    if found.is_empty() {
        return None;
    }
    // Every lifted literal now reads `$__kg_lit<start offset>`; rename them in text order.
    found.sort_by_key(|(s, _)| s.start);
    let names: HashMap<String, String> = found
        .iter()
        .enumerate()
        .map(|(i, (s, _))| (format!("{PREFIX}@{}", s.start), format!("{PREFIX}{i}")))
        .collect();
    let mut rename = |e: &mut Expr| {
        if let ExprKind::Parameter(p) = &mut e.kind {
            if let Some(n) = names.get(p.as_str()) {
                *p = n.clone();
            }
        }
        true
    };
    for clause in &mut q.first.clauses {
        let Clause::Match(m) = clause else {
            break;
        };
        for part in &mut m.pattern {
            for e in element_exprs(&mut part.element) {
                walk::rewrite(e, &mut rename);
            }
        }
        if let Some(w) = &mut m.where_ {
            walk::rewrite(w, &mut rename);
        }
    }
    let mut key = String::with_capacity(query.len() + found.len() * 8);
    let mut params = Vec::with_capacity(found.len());
    let mut pos = 0;
    for (i, (span, value)) in found.into_iter().enumerate() {
        key.push_str(query.get(pos..span.start)?);
        let name = format!("{PREFIX}{i}");
        key.push('$');
        key.push_str(&name);
        params.push((name, value));
        spans.push(span);
        pos = span.end;
    }
    key.push_str(query.get(pos..)?);
    Some(Lifted { key, params })
}

/// The expressions of a pattern element a literal may be lifted from: property maps and
/// inline WHEREs (not quantified paths, which the planner expands itself).
fn element_exprs(el: &mut PatternElement) -> Vec<&mut Expr> {
    let mut out = Vec::new();
    let PatternElement { start, chain, .. } = el;
    out.extend(start.properties.as_mut());
    out.extend(start.where_.as_deref_mut());
    for (rel, node) in chain {
        if rel.quantified.is_none() {
            out.extend(rel.properties.as_mut());
            out.extend(rel.where_.as_deref_mut());
        }
        out.extend(node.properties.as_mut());
        out.extend(node.where_.as_deref_mut());
    }
    out
}

fn element(el: &mut PatternElement, query: &str, found: &mut Vec<(Span, Value)>) {
    for e in element_exprs(el) {
        expression(e, query, found);
    }
}

/// Lifts the map values and comparison operands in `e`, without entering subqueries or
/// pattern comprehensions (which have projections of their own).
fn expression(e: &mut Expr, query: &str, found: &mut Vec<(Span, Value)>) {
    walk::rewrite(e, &mut |e: &mut Expr| match &mut e.kind {
        ExprKind::Subquery(..) | ExprKind::PatternComprehension { .. } => false,
        ExprKind::Map(items) => {
            for (_, v) in items {
                take(v, query, found);
            }
            true
        }
        ExprKind::Binary(
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge,
            a,
            b,
        ) => {
            take(a, query, found);
            take(b, query, found);
            true
        }
        _ => true,
    });
}

/// Turns a number or string literal into a placeholder parameter, recording its value. A
/// negative number (`-1`, folded into one literal by the parser) stays: a shape could not be
/// filled at a hole that starts with an operator.
fn take(e: &mut Expr, query: &str, found: &mut Vec<(Span, Value)>) {
    let token = query.as_bytes().get(e.span.start);
    if !matches!(token, Some(b'\'' | b'"' | b'.' | b'0'..=b'9')) {
        return;
    }
    let value = match &e.kind {
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Float(f) => Value::Float(*f),
        ExprKind::String(s) => Value::String(s.clone()),
        _ => return,
    };
    found.push((e.span, value));
    e.kind = ExprKind::Parameter(format!("{PREFIX}@{}", e.span.start));
}

/// Is this value a string (rather than a number)? Shapes keep the kind of each hole.
fn is_string(v: &Value) -> bool {
    matches!(v, Value::String(_))
}

/// A lifted statement's text cut at its literals: `segments[0] lit segments[1] … lit
/// segments[n]`, with whether each hole held a string.
#[derive(Debug)]
struct Shape {
    segments: Vec<String>,
    strings: Vec<bool>,
    key: String,
}

/// The shapes of lifted statements, by the text before their first literal.
#[derive(Debug, Default)]
pub struct Shapes {
    by_prefix: HashMap<String, Vec<Shape>>,
    /// The lengths of those prefixes: a statement is only looked up where one could end.
    prefix_lens: BTreeSet<usize>,
    count: usize,
}

/// Shapes kept at most; the set is emptied when it would grow past this.
const MAX_SHAPES: usize = 1024;

impl Shapes {
    /// Remembers the shape of `query`, lifted at `spans` (text order) into `lifted`.
    pub fn remember(&mut self, query: &str, spans: &[Span], lifted: &Lifted) {
        let mut segments = Vec::with_capacity(spans.len() + 1);
        let mut pos = 0;
        for s in spans {
            match query.get(pos..s.start) {
                Some(t) => segments.push(t.to_string()),
                None => return,
            }
            pos = s.end;
        }
        match query.get(pos..) {
            Some(t) => segments.push(t.to_string()),
            None => return,
        }
        if self.count >= MAX_SHAPES {
            *self = Shapes::default();
        }
        let strings: Vec<bool> = lifted.params.iter().map(|(_, v)| is_string(v)).collect();
        self.prefix_lens.insert(segments[0].len());
        let list = self.by_prefix.entry(segments[0].clone()).or_default();
        if list
            .iter()
            .any(|s| s.key == lifted.key && s.strings == strings)
        {
            return;
        }
        list.push(Shape {
            segments,
            strings,
            key: lifted.key.clone(),
        });
        self.count += 1;
    }

    /// How many shapes are kept.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The key and values of `query` when it is a remembered shape with other literals.
    pub fn find(&self, query: &str) -> Option<Lifted> {
        for &p in &self.prefix_lens {
            let Some(prefix) = query.get(..p) else {
                break;
            };
            if !matches!(
                query.as_bytes().get(p),
                Some(b'\'' | b'"' | b'.' | b'0'..=b'9')
            ) {
                continue;
            }
            let Some(shapes) = self.by_prefix.get(prefix) else {
                continue;
            };
            for shape in shapes {
                if let Some(params) = shape.fill(&query[p..]) {
                    return Some(Lifted {
                        key: shape.key.clone(),
                        params,
                    });
                }
            }
        }
        None
    }
}

impl Shape {
    /// The literal values of `rest` (the text after the first segment) when it fills this
    /// shape's holes with literals of the same kinds.
    fn fill(&self, mut rest: &str) -> Option<Vec<(String, Value)>> {
        let mut params = Vec::with_capacity(self.strings.len());
        for (i, (seg, &string)) in self.segments[1..].iter().zip(&self.strings).enumerate() {
            let (len, value) = crate::parser::literal_token(rest)?;
            if is_string(&value) != string {
                return None;
            }
            rest = rest.get(len..)?.strip_prefix(seg.as_str())?;
            params.push((format!("{PREFIX}{i}"), value));
        }
        rest.is_empty().then_some(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lifted(q: &str) -> Option<Lifted> {
        let mut stmt = crate::parser::parse(q).ok()?;
        lift(&mut stmt, q, &mut Vec::new())
    }

    #[test]
    fn lifts_map_values_and_comparisons_only() {
        let l = lifted(
            "MATCH (a:Person {id: 17, name: 'x'})-[*1..3]->(b) WHERE b.v = 2.5 RETURN b.v = 3, 'k'",
        )
        .unwrap();
        assert_eq!(
            l.key,
            "MATCH (a:Person {id: $__kg_lit0, name: $__kg_lit1})-[*1..3]->(b) WHERE b.v = $__kg_lit2 RETURN b.v = 3, 'k'"
        );
        assert_eq!(
            l.params,
            vec![
                ("__kg_lit0".into(), Value::Int(17)),
                ("__kg_lit1".into(), Value::String("x".into())),
                ("__kg_lit2".into(), Value::Float(2.5)),
            ]
        );
    }

    #[test]
    fn the_statement_reads_the_parameters() {
        let q = "MATCH (a) WHERE 3 > a.x AND a.s <> 'it\\'s' RETURN a";
        let mut stmt = crate::parser::parse(q).unwrap();
        let l = lift(&mut stmt, q, &mut Vec::new()).unwrap();
        assert_eq!(
            l.key,
            "MATCH (a) WHERE $__kg_lit0 > a.x AND a.s <> $__kg_lit1 RETURN a"
        );
        assert_eq!(l.params[1].1, Value::String("it's".into()));
        let tree = format!("{stmt:?}");
        assert!(tree.contains("Parameter(\"__kg_lit0\")"), "{tree}");
        assert!(tree.contains("Parameter(\"__kg_lit1\")"), "{tree}");
        assert!(!tree.contains("String(\"it's\")"), "{tree}");
    }

    #[test]
    fn leaves_other_statements_and_expressions_alone() {
        assert_eq!(lifted("CREATE (:A {id: 1})"), None);
        assert_eq!(lifted("MATCH (a) WHERE a.x = 1 + 2 RETURN a"), None);
        assert_eq!(lifted("MATCH (a) WHERE a.x IN [1, 2] RETURN a"), None);
        assert_eq!(lifted("MATCH (a) RETURN a LIMIT 1"), None);
        assert_eq!(lifted("MATCH (a) WITH a WHERE a.x = 1 RETURN a"), None);
        assert_eq!(lifted("MATCH (a) WHERE a.x = -1 RETURN a"), None);
        assert_eq!(
            lifted("MATCH (a) WHERE EXISTS { MATCH (a)-->(b {id: 1}) } RETURN a"),
            None
        );
        assert_eq!(lifted("EXPLAIN MATCH (a {id: 1}) RETURN a"), None);
    }

    #[test]
    fn a_shape_fills_with_literals_of_the_same_kinds() {
        let q = "MATCH (a {id: 17, name: 'x'}) WHERE a.v < 2.5 RETURN a.v";
        let mut stmt = crate::parser::parse(q).unwrap();
        let mut spans = Vec::new();
        let l = lift(&mut stmt, q, &mut spans).unwrap();
        let mut shapes = Shapes::default();
        shapes.remember(q, &spans, &l);
        let other = "MATCH (a {id: 0x1F, name: \"y\\n\"}) WHERE a.v < 7 RETURN a.v";
        let found = shapes.find(other).unwrap();
        assert_eq!(found.key, l.key);
        let again = lifted(other).unwrap();
        assert_eq!(found, again);
        // A string where a number was, a token that is no literal, or more text: parsed instead.
        assert_eq!(
            shapes.find("MATCH (a {id: '17', name: 'x'}) WHERE a.v < 2.5 RETURN a.v"),
            None
        );
        assert_eq!(
            shapes.find("MATCH (a {id: 17a, name: 'x'}) WHERE a.v < 2.5 RETURN a.v"),
            None
        );
        assert_eq!(
            shapes.find("MATCH (a {id: 17, name: 'x'}) WHERE a.v < 2.5e RETURN a.v"),
            None
        );
        assert_eq!(
            shapes.find("MATCH (a {id: 17, name: 'x'}) WHERE a.v < 2.5 RETURN a.v, 1"),
            None
        );
        assert_eq!(
            shapes.find("MATCH (a {id: 99999999999999999999, name: 'x'}) WHERE a.v < 1 RETURN a.v"),
            None
        );
    }
}
