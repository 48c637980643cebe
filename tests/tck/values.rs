//! The TCK's value notation (result and parameter tables): a parser into [`Expected`] and the
//! matching of actual `Value`s against it (labels as sets, map keys unordered, optionally
//! lists as multisets, floats compared as written).

use std::collections::BTreeMap;

use kgstore::model::{Node, Path, Relationship};
use kgstore::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Expected>),
    Map(BTreeMap<String, Expected>),
    Node {
        labels: Vec<String>,
        props: BTreeMap<String, Expected>,
    },
    Rel {
        rel_type: String,
        props: BTreeMap<String, Expected>,
    },
    /// Nodes, and for each step the relationship and whether it points forward (`->`).
    Path {
        start: Box<Expected>,
        steps: Vec<(Expected, bool, Expected)>,
    },
}

struct P<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl<'a> P<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && (self.s[self.i] as char).is_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "expected `{}` at {} in {}",
                c as char, self.i, self.text
            ))
        }
    }
    fn starts(&mut self, w: &str) -> bool {
        self.ws();
        self.text[self.i..].starts_with(w)
    }
    fn name(&mut self) -> Result<String, String> {
        self.ws();
        if self.eat(b'`') {
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i] != b'`' {
                self.i += 1;
            }
            let n = self.text[start..self.i].to_string();
            self.i += 1;
            return Ok(n);
        }
        let start = self.i;
        while self.i < self.s.len() {
            let c = self.text[self.i..].chars().next().unwrap_or(' ');
            if c.is_alphanumeric() || c == '_' {
                self.i += c.len_utf8();
            } else {
                break;
            }
        }
        if start == self.i {
            return Err(format!("expected a name at {} in {}", self.i, self.text));
        }
        Ok(self.text[start..self.i].to_string())
    }

    fn value(&mut self) -> Result<Expected, String> {
        match self.peek() {
            None => Err(format!("unexpected end of {}", self.text)),
            Some(b'\'') => self.string().map(Expected::String),
            Some(b'[') => {
                let save = self.i;
                self.i += 1;
                if self.peek() == Some(b':') {
                    self.i = save;
                    return self.rel();
                }
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b']') {
                            break;
                        }
                        self.expect(b',')?;
                    }
                }
                Ok(Expected::List(items))
            }
            Some(b'{') => self.map().map(Expected::Map),
            Some(b'(') => self.node(),
            Some(b'<') => self.path(),
            _ => self.scalar(),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.expect(b'\'')?;
        let mut out = String::new();
        let rest = &self.text[self.i..];
        let mut chars = rest.char_indices();
        while let Some((k, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, e)) => out.push(e),
                    None => break,
                },
                '\'' => {
                    self.i += k + 1;
                    return Ok(out);
                }
                _ => out.push(c),
            }
        }
        Err(format!("unterminated string in {}", self.text))
    }

    fn map(&mut self) -> Result<BTreeMap<String, Expected>, String> {
        self.expect(b'{')?;
        let mut m = BTreeMap::new();
        if self.eat(b'}') {
            return Ok(m);
        }
        loop {
            let k = self.name()?;
            self.expect(b':')?;
            let v = self.value()?;
            m.insert(k, v);
            if self.eat(b'}') {
                return Ok(m);
            }
            self.expect(b',')?;
        }
    }

    fn node(&mut self) -> Result<Expected, String> {
        self.expect(b'(')?;
        let mut labels = Vec::new();
        while self.eat(b':') {
            labels.push(self.name()?);
        }
        let props = if self.peek() == Some(b'{') {
            self.map()?
        } else {
            BTreeMap::new()
        };
        self.expect(b')')?;
        Ok(Expected::Node { labels, props })
    }

    fn rel(&mut self) -> Result<Expected, String> {
        self.expect(b'[')?;
        self.expect(b':')?;
        let rel_type = self.name()?;
        let props = if self.peek() == Some(b'{') {
            self.map()?
        } else {
            BTreeMap::new()
        };
        self.expect(b']')?;
        Ok(Expected::Rel { rel_type, props })
    }

    fn path(&mut self) -> Result<Expected, String> {
        self.expect(b'<')?;
        let start = Box::new(self.node()?);
        let mut steps = Vec::new();
        loop {
            if self.eat(b'>') {
                return Ok(Expected::Path { start, steps });
            }
            let backward = self.starts("<-");
            self.i += if backward { 2 } else { 1 };
            let rel = self.rel()?;
            let forward = self.starts("->");
            self.i += if forward { 2 } else { 1 };
            let node = self.node()?;
            steps.push((rel, forward && !backward, node));
        }
    }

    fn scalar(&mut self) -> Result<Expected, String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len() && !matches!(self.s[self.i], b',' | b']' | b'}' | b')' | b' ') {
            self.i += 1;
        }
        let t = &self.text[start..self.i];
        Ok(match t {
            "null" => Expected::Null,
            "true" => Expected::Bool(true),
            "false" => Expected::Bool(false),
            "NaN" => Expected::Float(f64::NAN),
            "Inf" | "Infinity" => Expected::Float(f64::INFINITY),
            "-Inf" | "-Infinity" => Expected::Float(f64::NEG_INFINITY),
            _ => {
                if let Ok(v) = t.parse::<i64>() {
                    Expected::Int(v)
                } else if let Ok(v) = t.parse::<f64>() {
                    Expected::Float(v)
                } else {
                    return Err(format!("cannot read value `{t}` in {}", self.text));
                }
            }
        })
    }
}

pub fn parse(text: &str) -> Result<Expected, String> {
    let mut p = P {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != text.len() {
        return Err(format!("trailing text in `{text}`"));
    }
    Ok(v)
}

/// Converts an expected value into a `Value` (for parameters and procedure tables).
pub fn to_value(e: &Expected) -> Value {
    match e {
        Expected::Null => Value::Null,
        Expected::Bool(b) => Value::Bool(*b),
        Expected::Int(i) => Value::Int(*i),
        Expected::Float(f) => Value::Float(*f),
        Expected::String(s) => Value::String(s.clone()),
        Expected::List(l) => Value::List(l.iter().map(to_value).collect()),
        Expected::Map(m) | Expected::Node { props: m, .. } | Expected::Rel { props: m, .. } => {
            Value::Map(m.iter().map(|(k, v)| (k.clone(), to_value(v))).collect())
        }
        Expected::Path { .. } => Value::Null,
    }
}

fn floats_match(e: f64, a: f64) -> bool {
    if e.is_nan() || a.is_nan() {
        return e.is_nan() && a.is_nan();
    }
    if e == a {
        return true;
    }
    // "As written": the expected text has limited digits; accept the nearest rounding.
    let scale = e.abs().max(a.abs());
    (e - a).abs() <= scale * 1e-14
}

fn props_match(
    e: &BTreeMap<String, Expected>,
    a: &BTreeMap<String, Value>,
    lists_unordered: bool,
) -> bool {
    e.len() == a.len()
        && e.iter()
            .all(|(k, ev)| a.get(k).is_some_and(|av| matches(ev, av, lists_unordered)))
}

fn node_matches(e: &Expected, n: &Node, lu: bool) -> bool {
    match e {
        Expected::Node { labels, props } => {
            let mut el = labels.clone();
            el.sort();
            el.dedup();
            let mut al = n.labels.clone();
            al.sort();
            al.dedup();
            el == al && props_match(props, &n.properties, lu)
        }
        _ => false,
    }
}

fn rel_matches(e: &Expected, r: &Relationship, lu: bool) -> bool {
    match e {
        Expected::Rel { rel_type, props } => {
            *rel_type == r.rel_type && props_match(props, &r.properties, lu)
        }
        _ => false,
    }
}

fn path_matches(
    start: &Expected,
    steps: &[(Expected, bool, Expected)],
    p: &Path,
    lu: bool,
) -> bool {
    if p.nodes.len() != steps.len() + 1 || p.relationships.len() != steps.len() {
        return false;
    }
    if !node_matches(start, &p.nodes[0], lu) {
        return false;
    }
    steps.iter().enumerate().all(|(i, (rel, forward, node))| {
        let r = &p.relationships[i];
        let from = p.nodes[i].id;
        let dir_ok = if *forward {
            r.start == from
        } else {
            r.end == from
        };
        dir_ok && rel_matches(rel, r, lu) && node_matches(node, &p.nodes[i + 1], lu)
    })
}

/// Whether `actual` matches `expected`; `lists_unordered` compares lists as multisets.
pub fn matches(expected: &Expected, actual: &Value, lists_unordered: bool) -> bool {
    match (expected, actual) {
        (Expected::Null, Value::Null) => true,
        (Expected::Bool(e), Value::Bool(a)) => e == a,
        (Expected::Int(e), Value::Int(a)) => e == a,
        (Expected::Float(e), Value::Float(a)) => floats_match(*e, *a),
        (Expected::String(e), Value::String(a)) => e == a,
        // The TCK writes temporal values as their ISO text in quotes.
        (Expected::String(e), a) if a.is_temporal() => a.temporal_text().as_deref() == Some(e),
        (Expected::List(e), Value::List(a)) => {
            if e.len() != a.len() {
                return false;
            }
            if lists_unordered {
                multiset_match(e, a, |x, y| matches(x, y, true))
            } else {
                e.iter().zip(a).all(|(x, y)| matches(x, y, false))
            }
        }
        (Expected::Map(e), Value::Map(a)) => props_match(e, a, lists_unordered),
        (Expected::Node { .. }, Value::Node(n)) => node_matches(expected, n, lists_unordered),
        (Expected::Rel { .. }, Value::Relationship(r)) => rel_matches(expected, r, lists_unordered),
        (Expected::Path { start, steps }, Value::Path(p)) => {
            path_matches(start, steps, p, lists_unordered)
        }
        _ => false,
    }
}

/// Matches every expected item to a distinct actual item (greedy with backtracking).
pub fn multiset_match<E, A>(
    expected: &[E],
    actual: &[A],
    eq: impl Fn(&E, &A) -> bool + Copy,
) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    let mut used = vec![false; actual.len()];
    fn go<E, A>(
        i: usize,
        e: &[E],
        a: &[A],
        used: &mut [bool],
        eq: impl Fn(&E, &A) -> bool + Copy,
        budget: &mut u32,
    ) -> bool {
        if i == e.len() {
            return true;
        }
        for j in 0..a.len() {
            if !used[j] && eq(&e[i], &a[j]) {
                used[j] = true;
                if go(i + 1, e, a, used, eq, budget) {
                    return true;
                }
                used[j] = false;
                *budget = budget.saturating_sub(1);
                if *budget == 0 {
                    return false;
                }
            }
        }
        false
    }
    let mut budget = 100_000;
    go(0, expected, actual, &mut used, eq, &mut budget)
}
