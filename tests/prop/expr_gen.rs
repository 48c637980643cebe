//! Random Cypher expressions for the property test, drawn from a choice stream.

use super::gen::{Gen, Kind, Scope};

const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "3",
    "9223372036854775807",
    "-9223372036854775808",
    "4611686018427387904",
    "100",
];
const FLOATS: &[&str] = &["0.0", "1.5", "-2.5", "1e308", "-0.0", "0.1"];
const STRINGS: &[&str] = &[
    "'a'", "''", "'abc'", "'x,y'", "'Ünï'", "' pad '", "'1'", "'2.5'",
];
pub const KEYS: &[&str] = &["name", "num", "s", "l", "f"];
const STRING_FNS: &[&str] = &[
    "toUpper", "toLower", "trim", "ltrim", "rtrim", "reverse", "toString", "size",
];
const NUM_FNS: &[&str] = &[
    "abs",
    "sign",
    "sqrt",
    "ceil",
    "floor",
    "round",
    "toInteger",
    "toFloat",
    "exp",
    "log",
];
const LIST_FNS: &[&str] = &["head", "last", "tail", "size", "reverse"];
const ARITH: &[&str] = &["+", "-", "*", "/", "%", "^"];
const COMPARE: &[&str] = &["=", "<>", "<", ">", "<=", ">="];
const BOOL_OPS: &[&str] = &["AND", "OR", "XOR"];
pub const AGGREGATES: &[&str] = &["count", "sum", "avg", "min", "max", "collect"];

impl Gen {
    /// A literal: the simplest expressions.
    pub fn literal(&mut self) -> String {
        match self.pick(6) {
            0 => self.one_of(INTS).to_string(),
            1 => "null".into(),
            2 => self.one_of(STRINGS).to_string(),
            3 => self.one_of(FLOATS).to_string(),
            4 => self.one_of(&["true", "false"]).to_string(),
            // A mixed list is a value, not a storable property (Neo4j refuses it in SET): keep
            // one kind of each, so writes still store lists.
            _ if self.pick(2) == 0 => format!("[{}, {}]", self.one_of(INTS), self.one_of(STRINGS)),
            _ => format!("[{}, {}]", self.one_of(INTS), self.one_of(INTS)),
        }
    }

    /// Any expression over the variables in `scope`, at most `depth` levels deep.
    pub fn expr(&mut self, scope: &Scope, depth: u32) -> String {
        if depth == 0 {
            return self.leaf(scope);
        }
        let d = depth - 1;
        match self.pick(24) {
            0..=3 => self.leaf(scope),
            20 => self.graph_expr(scope, d),
            21 => match scope.any_entity(self) {
                Some(v) => v,
                None => self.leaf(scope),
            },
            4 => format!(
                "{} {} {}",
                self.expr(scope, d),
                self.one_of(ARITH),
                self.expr(scope, d)
            ),
            5 => format!(
                "{} {} {}",
                self.expr(scope, d),
                self.one_of(COMPARE),
                self.expr(scope, d)
            ),
            6 => format!(
                "({} {} {})",
                self.predicate(scope, d),
                self.one_of(BOOL_OPS),
                self.predicate(scope, d)
            ),
            7 => format!("NOT ({})", self.predicate(scope, d)),
            8 => self.list(scope, d),
            9 => format!("{{k: {}, m: {}}}", self.expr(scope, d), self.expr(scope, d)),
            10 => self.function(scope, d),
            11 => self.case(scope, d),
            12 => self.comprehension(scope, d),
            13 => format!(
                "{} IS {}NULL",
                self.expr(scope, d),
                self.one_of(&["", "NOT "])
            ),
            14 => format!("{} IN {}", self.expr(scope, d), self.list(scope, d)),
            15 => format!("({})[{}]", self.list(scope, d), self.expr(scope, d)),
            16 => format!(
                "({})[{}..{}]",
                self.list(scope, d),
                self.one_of(INTS),
                self.one_of(INTS)
            ),
            17 => format!(
                "{} {} {}",
                self.expr(scope, d),
                self.one_of(&["STARTS WITH", "ENDS WITH", "CONTAINS", "=~"]),
                self.one_of(STRINGS)
            ),
            18 => format!(
                "{}(i IN {} WHERE {})",
                self.one_of(&["all", "any", "none", "single"]),
                self.list(scope, d),
                self.predicate_on_i(scope, d)
            ),
            19 => format!(
                "reduce(acc = {}, i IN {} | acc {} i)",
                self.one_of(INTS),
                self.list(scope, d),
                self.one_of(ARITH)
            ),
            // Doubling: strings and lists must stop at their length limits.
            _ => format!(
                "reduce(acc = {}, i IN range(1, {}) | acc + acc)",
                self.one_of(&["'ab'", "[1]", "1"]),
                self.one_of(&["3", "40"])
            ),
        }
    }

    /// Expressions that run a pattern or read a whole entity.
    fn graph_expr(&mut self, scope: &Scope, d: u32) -> String {
        let Some(n) = scope.any(self, Kind::Node) else {
            return self.leaf(scope);
        };
        match self.pick(7) {
            5 => format!("COUNT {{ MATCH ({n})-[*0..2]-(m) RETURN m }}"),
            6 => format!(
                "COLLECT {{ MATCH ({n})--(m) RETURN m.{} }}",
                self.one_of(KEYS)
            ),
            0 => format!("[({n})-->(m) | m.{}]", self.one_of(KEYS)),
            1 => format!(
                "EXISTS {{ MATCH ({n})-[:{}]-(m) WHERE m.num > {} }}",
                self.one_of(super::gen::TYPES),
                self.one_of(INTS)
            ),
            2 => format!("{n} {{.name, .*, k: {}}}", self.expr(scope, d)),
            3 => format!("size([({n})-[*0..2]-(m) | m])"),
            _ => format!("exists(({n})<--())"),
        }
    }

    /// A predicate (what WHERE and comprehensions filter on).
    pub fn predicate(&mut self, scope: &Scope, depth: u32) -> String {
        match self.pick(4) {
            0 => format!(
                "{} {} {}",
                self.expr(scope, depth),
                self.one_of(COMPARE),
                self.expr(scope, depth)
            ),
            1 => format!("{} IN {}", self.expr(scope, depth), self.list(scope, depth)),
            2 => match scope.any(self, Kind::Node) {
                Some(n) => format!("{n}:{}", self.one_of(super::gen::LABELS)),
                None => "true".into(),
            },
            _ => format!("{} IS NOT NULL", self.expr(scope, depth)),
        }
    }

    fn predicate_on_i(&mut self, scope: &Scope, depth: u32) -> String {
        format!(
            "i {} {}",
            self.one_of(COMPARE),
            self.expr(scope, depth.min(1))
        )
    }

    /// A variable, a property of an entity, an entity function, or a literal.
    fn leaf(&mut self, scope: &Scope) -> String {
        match self.pick(12) {
            0..=2 => self.literal(),
            3 | 4 => scope
                .any(self, Kind::Value)
                .unwrap_or_else(|| self.literal()),
            5..=7 => match scope.any_entity(self) {
                Some(v) => format!("{v}.{}", self.one_of(KEYS)),
                None => self.literal(),
            },
            8 => match scope.any(self, Kind::Node) {
                Some(v) => format!(
                    "{}({v})",
                    self.one_of(&["id", "properties", "keys", "labels"])
                ),
                None => self.literal(),
            },
            9 => match scope.any(self, Kind::Rel) {
                Some(v) => format!(
                    "{}({v})",
                    self.one_of(&["type", "id", "properties", "startNode", "endNode"])
                ),
                None => self.literal(),
            },
            10 => match scope.any(self, Kind::Path) {
                Some(p) => format!(
                    "{}({p})",
                    self.one_of(&["length", "nodes", "relationships"])
                ),
                None => self.literal(),
            },
            _ => format!("${}", self.one_of(&["p", "p", "p", "missing"])),
        }
    }

    pub fn list(&mut self, scope: &Scope, depth: u32) -> String {
        // Rarely a long list, so nested comprehensions meet the time limit.
        if self.chance(2) {
            return "range(1, 1000000)".into();
        }
        match self.pick(5) {
            0 => format!("[{}, {}]", self.one_of(INTS), self.one_of(INTS)),
            1 => format!("range({}, {})", self.one_of(INTS), self.pick(6)),
            2 => format!(
                "[{}, {}, {}]",
                self.expr(scope, depth),
                self.expr(scope, depth),
                self.literal()
            ),
            3 => "[]".into(),
            _ => format!("split({}, ',')", self.one_of(STRINGS)),
        }
    }

    fn function(&mut self, scope: &Scope, d: u32) -> String {
        match self.pick(8) {
            0 => format!("{}({})", self.one_of(STRING_FNS), self.expr(scope, d)),
            1 => format!("{}({})", self.one_of(NUM_FNS), self.expr(scope, d)),
            2 => format!("{}({})", self.one_of(LIST_FNS), self.list(scope, d)),
            3 => format!(
                "substring({}, {}, {})",
                self.expr(scope, d),
                self.one_of(INTS),
                self.one_of(INTS)
            ),
            4 => format!(
                "{}({}, {})",
                self.one_of(&["left", "right", "split"]),
                self.expr(scope, d),
                self.expr(scope, d)
            ),
            5 => format!(
                "replace({}, {}, {})",
                self.expr(scope, d),
                self.one_of(STRINGS),
                self.expr(scope, d)
            ),
            6 => format!("coalesce({}, {})", self.expr(scope, d), self.expr(scope, d)),
            _ => format!(
                "range({}, {}, {})",
                self.one_of(INTS),
                self.one_of(INTS),
                self.one_of(INTS)
            ),
        }
    }

    fn case(&mut self, scope: &Scope, d: u32) -> String {
        if self.chance(50) {
            format!(
                "CASE {} WHEN {} THEN {} ELSE {} END",
                self.expr(scope, d),
                self.literal(),
                self.expr(scope, d),
                self.expr(scope, d)
            )
        } else {
            format!(
                "CASE WHEN {} THEN {} END",
                self.predicate(scope, d),
                self.expr(scope, d)
            )
        }
    }

    fn comprehension(&mut self, scope: &Scope, d: u32) -> String {
        let inner = scope.with_value("i");
        let list = self.list(scope, d);
        let filter = if self.chance(50) {
            format!(" WHERE {}", self.predicate(&inner, d))
        } else {
            String::new()
        };
        let map = if self.chance(60) {
            format!(" | {}", self.expr(&inner, d))
        } else {
            String::new()
        };
        format!("[i IN {list}{filter}{map}]")
    }

    /// An aggregate call for WITH / RETURN.
    pub fn aggregate(&mut self, scope: &Scope) -> String {
        if self.chance(20) {
            return "count(*)".into();
        }
        let distinct = if self.chance(20) { "DISTINCT " } else { "" };
        format!(
            "{}({distinct}{})",
            self.one_of(AGGREGATES),
            self.expr(scope, 1)
        )
    }
}
