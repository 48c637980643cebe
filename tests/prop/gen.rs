//! A generator of mostly valid Cypher statements driven by a stream of choices, so proptest
//! shrinks a failing statement by shrinking the stream (a choice of 0 is the simplest option).

pub const LABELS: &[&str] = &["A", "B", "C"];
pub const TYPES: &[&str] = &["R", "S", "T"];
const DIRECTIONS: &[(&str, &str)] = &[("-", "->"), ("<-", "-"), ("-", "-")];
const LENGTHS: &[&str] = &["", "*", "*1..2", "*0..1", "*2", "*..3", "*3..1"];

/// What a variable holds, as far as the generator knows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Node,
    Rel,
    Path,
    Value,
}

/// The variables bound at a point of the statement, in binding order.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    vars: Vec<(String, Kind)>,
}

impl Scope {
    pub fn any(&self, g: &mut Gen, kind: Kind) -> Option<String> {
        let vs: Vec<&String> = self
            .vars
            .iter()
            .filter(|(_, k)| *k == kind)
            .map(|(v, _)| v)
            .collect();
        if vs.is_empty() {
            return None;
        }
        Some(vs[g.pick(vs.len())].clone())
    }

    pub fn any_entity(&self, g: &mut Gen) -> Option<String> {
        let kind = if g.chance(30) { Kind::Rel } else { Kind::Node };
        self.any(g, kind).or_else(|| self.any(g, Kind::Node))
    }

    pub fn with_value(&self, name: &str) -> Scope {
        let mut s = self.clone();
        s.vars.push((name.to_string(), Kind::Value));
        s
    }

    fn bind(&mut self, name: &str, kind: Kind) {
        if !self.vars.iter().any(|(v, _)| v == name) {
            self.vars.push((name.to_string(), kind));
        }
    }

    fn names(&self) -> Vec<String> {
        self.vars.iter().map(|(v, _)| v.clone()).collect()
    }
}

/// The choice stream; past its end every choice is 0.
pub struct Gen {
    choices: Vec<u32>,
    pos: usize,
    fresh: usize,
}

impl Gen {
    pub fn new(choices: Vec<u32>) -> Gen {
        Gen {
            choices,
            pos: 0,
            fresh: 0,
        }
    }

    /// A number below `n` (0 when the stream is exhausted).
    pub fn pick(&mut self, n: usize) -> usize {
        let c = self.choices.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        c as usize % n.max(1)
    }

    /// True with about `percent`% probability; false for the choice 0.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.pick(100) >= 100 - percent
    }

    pub fn one_of<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.pick(items.len())]
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    /// One statement: a chain of clauses ending in RETURN, or in an updating clause; sometimes
    /// a UNION of two reading queries or a schema command.
    pub fn statement(&mut self) -> String {
        // Rarely, a very long statement: deep input must give a result or a clear error, never
        // overflow the stack (the property test runs on a default 2 MiB thread).
        if self.pick(40) == 39 {
            return self.deep();
        }
        match self.pick(20) {
            18 => {
                let all = self.one_of(&["UNION", "UNION ALL"]);
                let s = Scope::default();
                let (a, b) = (self.expr(&s, 2), self.expr(&s, 2));
                return format!("RETURN {a} AS u {all} MATCH (n) RETURN {b} AS u");
            }
            19 => return self.schema(),
            _ => {}
        }
        self.clauses()
    }

    /// A chain of thousands of operators, clauses or lookups; some past the parser's limits.
    pub fn deep(&mut self) -> String {
        let n = [3_000usize, 12_000, 25_000][self.pick(3)];
        let key = self.one_of(super::expr_gen::KEYS);
        match self.pick(6) {
            0 => {
                let terms: Vec<String> = (0..n).map(|i| format!("n.{key} = {i}")).collect();
                format!(
                    "MATCH (n) WHERE {} RETURN count(n) AS c",
                    terms.join(" OR ")
                )
            }
            1 => format!("RETURN {} AS s", vec!["1"; n].join(" + ")),
            2 => format!("WITH 1 AS a {} RETURN a", vec!["WITH a"; n / 2].join(" ")),
            3 => format!("RETURN {}true AS t", "NOT ".repeat(n)),
            4 => format!("WITH {{a: 1}} AS m RETURN m{} AS v", ".a".repeat(n)),
            _ => format!(
                "MATCH (n) SET n.{key} = {} RETURN count(n) AS c",
                vec!["1"; n].join("+")
            ),
        }
    }

    fn schema(&mut self) -> String {
        let label = self.one_of(LABELS);
        let key = self.one_of(super::expr_gen::KEYS);
        match self.pick(4) {
            0 => format!("CREATE INDEX IF NOT EXISTS FOR (n:{label}) ON (n.{key})"),
            1 => {
                format!("CREATE CONSTRAINT IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE")
            }
            2 => format!("DROP INDEX ON :{label}({key})"),
            _ => format!("DROP CONSTRAINT ON (n:{label}) ASSERT n.{key} IS UNIQUE"),
        }
    }

    fn clauses(&mut self) -> String {
        let mut scope = Scope::default();
        let mut parts: Vec<String> = Vec::new();
        let mut updated = false;
        let n = self.pick(5);
        for _ in 0..n {
            let c = self.pick(16);
            let reading = matches!(c, 0 | 1 | 3 | 9 | 10 | 12 | 13 | 15);
            if reading && updated && c != 4 {
                parts.push("WITH *".into());
            }
            let clause = match c {
                0 | 9 | 10 => self.matching(&mut scope, false),
                1 => self.unwind(&mut scope),
                2 => self.create(&mut scope),
                3 => self.matching(&mut scope, true),
                4 => self.with(&mut scope),
                12 => self.call(&mut scope),
                13 => self.shortest(&mut scope),
                14 => self.foreach(&scope),
                15 => self.subquery(&mut scope),
                5 => self.merge(&mut scope),
                6 => self.set(&mut scope),
                7 => self.remove(&mut scope),
                _ => self.delete(&scope),
            };
            updated = matches!(c, 2 | 5..=8 | 11 | 14);
            parts.push(clause);
        }
        if !updated || self.chance(50) {
            parts.push(self.ret(&scope));
        }
        parts.join(" ")
    }

    fn node(&mut self, scope: &mut Scope, create: bool) -> String {
        let var = match scope.any(self, Kind::Node) {
            Some(v) if !create && self.chance(40) => return format!("({v})"),
            _ if self.chance(20) && !create => String::new(),
            _ => self.fresh("n"),
        };
        let mut s = format!("({var}");
        if !create && self.chance(15) {
            s.push(':');
            s.push_str(self.one_of(&["A|B", "A&B", "!A", "%", "(A|B)&!C", "!%"]));
        } else if self.chance(60) {
            s.push(':');
            s.push_str(self.one_of(LABELS));
        }
        if self.chance(create as usize * 40 + 20) {
            let key = self.one_of(super::expr_gen::KEYS);
            let v = self.expr(scope, 1);
            s.push_str(&format!(" {{{key}: {v}}}"));
        }
        s.push(')');
        if !var.is_empty() {
            scope.bind(&var, Kind::Node);
        }
        s
    }

    fn rel(&mut self, scope: &mut Scope, create: bool) -> String {
        let var = if self.chance(60) || create {
            self.fresh("r")
        } else {
            String::new()
        };
        let (l, r) = if create {
            DIRECTIONS[self.pick(2)]
        } else {
            DIRECTIONS[self.pick(3)]
        };
        let mut types = String::new();
        if create || self.chance(60) {
            types = format!(":{}", self.one_of(TYPES));
            if !create && self.chance(20) {
                types.push_str(&format!("|{}", self.one_of(TYPES)));
            }
        }
        let len = if create { "" } else { self.one_of(LENGTHS) };
        let props = if self.chance(20) {
            format!(" {{w: {}}}", self.expr(scope, 1))
        } else {
            String::new()
        };
        if !var.is_empty() {
            // A variable-length relationship binds a list of relationships.
            let kind = if len.is_empty() {
                Kind::Rel
            } else {
                Kind::Value
            };
            scope.bind(&var, kind);
        }
        format!("{l}[{var}{types}{len}{props}]{r}")
    }

    fn pattern(&mut self, scope: &mut Scope, create: bool) -> String {
        let path = !create && self.chance(15);
        let mut s = self.node(scope, create);
        for _ in 0..self.pick(3) {
            s.push_str(&self.rel(scope, create));
            s.push_str(&self.node(scope, create));
        }
        if path {
            let p = self.fresh("p");
            scope.bind(&p, Kind::Path);
            s = format!("{p} = {s}");
        }
        s
    }

    fn matching(&mut self, scope: &mut Scope, optional: bool) -> String {
        let mut s = String::from(if optional {
            "OPTIONAL MATCH "
        } else {
            "MATCH "
        });
        s.push_str(&self.pattern(scope, false));
        if self.chance(20) {
            s.push_str(", ");
            s.push_str(&self.pattern(scope, false));
        }
        if self.chance(40) {
            s.push_str(" WHERE ");
            s.push_str(&self.predicate(scope, 2));
        }
        s
    }

    fn call(&mut self, scope: &mut Scope) -> String {
        let v = self.fresh("x");
        scope.bind(&v, Kind::Value);
        let (proc, col) = match self.pick(3) {
            0 => ("db.labels()", "label"),
            1 => ("db.relationshipTypes()", "relationshipType"),
            _ => ("db.propertyKeys()", "propertyKey"),
        };
        format!("CALL {proc} YIELD {col} AS {v}")
    }

    fn foreach(&mut self, scope: &Scope) -> String {
        let list = self.list(scope, 1);
        let inner = scope.with_value("i");
        let body = match (self.pick(4), scope.any(self, Kind::Node)) {
            (1, Some(n)) => format!("SET {n}.num = i"),
            (2, Some(n)) => format!("MERGE ({n})-[:T {{w: i}}]->(:C {{name: toString(i)}})"),
            (3, _) => format!(
                "FOREACH (j IN [i, {}] | CREATE (:B {{num: j}}))",
                self.expr(&inner, 1)
            ),
            _ => format!("CREATE (:A {{num: i, s: {}}})", self.expr(&inner, 1)),
        };
        format!("FOREACH (i IN {list} | {body})")
    }

    /// A `CALL { }` subquery: correlated (importing one variable) or not, returning or unit.
    fn subquery(&mut self, scope: &mut Scope) -> String {
        let import = scope.any(self, Kind::Node);
        let head = match &import {
            Some(n) if self.chance(50) => format!("CALL ({n}) {{ MATCH ({n})-->(m) "),
            Some(n) if self.chance(50) => format!("CALL {{ WITH {n} MATCH ({n})--(m) "),
            _ => "CALL { MATCH (m) ".to_string(),
        };
        if self.chance(30) {
            return format!("{head}SET m.f = {} }}", self.literal());
        }
        let v = self.fresh("v");
        scope.bind(&v, Kind::Value);
        let item = if self.chance(50) {
            "count(m)".to_string()
        } else {
            format!("m.{}", self.one_of(super::expr_gen::KEYS))
        };
        format!("{head}RETURN {item} AS {v} }}")
    }

    fn shortest(&mut self, scope: &mut Scope) -> String {
        let a = self.node(scope, false);
        let b = self.node(scope, false);
        let p = self.fresh("p");
        scope.bind(&p, Kind::Path);
        let f = self.one_of(&["shortestPath", "allShortestPaths"]);
        let len = self.one_of(&["*", "*..3", "*1..2", "*2..4"]);
        format!("MATCH {p} = {f}({a}-[{len}]-{b})")
    }

    fn unwind(&mut self, scope: &mut Scope) -> String {
        let list = if self.chance(80) {
            self.list(scope, 2)
        } else {
            self.expr(scope, 2)
        };
        let v = self.fresh("x");
        scope.bind(&v, Kind::Value);
        format!("UNWIND {list} AS {v}")
    }

    fn create(&mut self, scope: &mut Scope) -> String {
        format!("CREATE {}", self.pattern(scope, true))
    }

    fn merge(&mut self, scope: &mut Scope) -> String {
        let mut s = String::from("MERGE ");
        match (scope.any(self, Kind::Node), scope.any(self, Kind::Node)) {
            (Some(a), Some(b)) if self.chance(50) => {
                let r = self.fresh("r");
                let t = self.one_of(TYPES);
                s.push_str(&format!("({a})-[{r}:{t}]->({b})"));
                scope.bind(&r, Kind::Rel);
            }
            _ => {
                let n = self.fresh("n");
                let label = self.one_of(LABELS);
                let key = self.one_of(super::expr_gen::KEYS);
                let v = self.expr(scope, 1);
                s.push_str(&format!("({n}:{label} {{{key}: {v}}})"));
                scope.bind(&n, Kind::Node);
            }
        }
        if self.chance(50) {
            s.push_str(" ON CREATE SET ");
            s.push_str(&self.set_item(scope));
        }
        if self.chance(50) {
            s.push_str(" ON MATCH SET ");
            s.push_str(&self.set_item(scope));
        }
        s
    }

    /// A node or relationship variable to update, creating a node when none is bound.
    fn target(&mut self, scope: &mut Scope, prefix: &mut String) -> String {
        if let Some(v) = scope.any_entity(self) {
            return v;
        }
        let n = self.fresh("n");
        prefix.push_str(&format!("CREATE ({n}:{}) ", self.one_of(LABELS)));
        scope.bind(&n, Kind::Node);
        n
    }

    fn set_item(&mut self, scope: &Scope) -> String {
        let Some(v) = scope.any_entity(self) else {
            return "x.k = 1".into();
        };
        match self.pick(6) {
            0 | 1 => format!(
                "{v}.{} = {}",
                self.one_of(super::expr_gen::KEYS),
                self.expr(scope, 2)
            ),
            2 => format!(
                "{v} = {{num: {}, s: {}}}",
                self.expr(scope, 1),
                self.literal()
            ),
            3 => format!("{v} += {{f: {}}}", self.expr(scope, 1)),
            4 => format!("{v}:{}", self.one_of(LABELS)),
            _ => match scope.any_entity(self) {
                Some(w) => format!("{v} = {w}"),
                None => format!("{v} = null"),
            },
        }
    }

    fn set(&mut self, scope: &mut Scope) -> String {
        let mut s = String::new();
        self.target(scope, &mut s);
        s.push_str(&format!("SET {}", self.set_item(scope)));
        if self.chance(30) {
            s.push_str(", ");
            s.push_str(&self.set_item(scope));
        }
        s
    }

    fn remove(&mut self, scope: &mut Scope) -> String {
        let mut s = String::new();
        let v = self.target(scope, &mut s);
        if self.chance(50) {
            s.push_str(&format!("REMOVE {v}:{}", self.one_of(LABELS)));
        } else {
            s.push_str(&format!(
                "REMOVE {v}.{}",
                self.one_of(super::expr_gen::KEYS)
            ));
        }
        s
    }

    fn delete(&mut self, scope: &Scope) -> String {
        let detach = if self.chance(50) { "DETACH " } else { "" };
        let target = match self.pick(4) {
            0 => scope.any(self, Kind::Node),
            1 => scope.any(self, Kind::Rel),
            2 => scope.any(self, Kind::Path),
            _ => Some(self.expr(scope, 1)),
        };
        format!("{detach}DELETE {}", target.unwrap_or_else(|| "null".into()))
    }

    fn with(&mut self, scope: &mut Scope) -> String {
        if self.chance(20) {
            return "WITH *".into();
        }
        let (items, next) = self.projection(scope);
        *scope = next;
        let mut s = format!("WITH {items}");
        if self.chance(30) {
            s.push_str(" WHERE ");
            s.push_str(&self.predicate(scope, 1));
        }
        s
    }

    /// Projection items (some variables kept, an expression, maybe an aggregate), and the
    /// scope they leave.
    fn projection(&mut self, scope: &Scope) -> (String, Scope) {
        let mut next = Scope::default();
        let mut items = Vec::new();
        for name in scope.names() {
            if self.chance(60) {
                let kind = scope
                    .vars
                    .iter()
                    .find(|(v, _)| *v == name)
                    .map_or(Kind::Value, |(_, k)| *k);
                next.bind(&name, kind);
                items.push(name);
            }
        }
        if items.is_empty() || self.chance(50) {
            let v = self.fresh("v");
            items.push(format!("{} AS {v}", self.expr(scope, 2)));
            next.bind(&v, Kind::Value);
        }
        if self.chance(30) {
            let v = self.fresh("v");
            items.push(format!("{} AS {v}", self.aggregate(scope)));
            next.bind(&v, Kind::Value);
        }
        let distinct = if self.chance(15) { "DISTINCT " } else { "" };
        (format!("{distinct}{}", items.join(", ")), next)
    }

    fn ret(&mut self, scope: &Scope) -> String {
        if !scope.vars.is_empty() && self.chance(15) {
            return "RETURN *".into();
        }
        let (items, out) = self.projection(scope);
        let mut s = format!("RETURN {items}");
        if self.chance(40) {
            if let Some(v) = out.vars.first().map(|(v, _)| v.clone()) {
                let dir = self.one_of(&["", " DESC"]);
                s.push_str(&format!(" ORDER BY {v}{dir}"));
            }
        }
        if self.chance(25) {
            s.push_str(&format!(" SKIP {}", self.one_of(&["1", "0", "-1", "$p"])));
        }
        if self.chance(25) {
            s.push_str(&format!(" LIMIT {}", self.one_of(&["2", "0", "-1", "1.5"])));
        }
        s
    }
}
