//! The typed syntax tree of a Cypher statement: what `parser` produces and `plan` consumes.
//!
//! Nothing here knows about pest or storage. Every node that can be the subject of an error
//! carries a byte [`Span`] into the query text; line and column are computed only when an error
//! is rendered.

pub mod walk;

/// Byte range `[start, end)` in the query text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// One statement, as ended by `;` in a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Query(Query),
    /// `CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.prop)`.
    CreateIndex {
        name: Option<String>,
        label: String,
        property: String,
        if_not_exists: bool,
        /// `CREATE TEXT INDEX` (else `CREATE [RANGE] INDEX`).
        text: bool,
    },
    /// `DROP INDEX name [IF EXISTS]` or `DROP INDEX ON :Label(prop)`.
    DropIndex {
        target: SchemaTarget,
        if_exists: bool,
    },
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:Label) REQUIRE n.prop IS UNIQUE`
    /// (also the older `ON (n:Label) ASSERT n.prop IS UNIQUE`).
    CreateUniqueConstraint {
        name: Option<String>,
        label: String,
        property: String,
        if_not_exists: bool,
    },
    /// Neo4j 5's other constraints (existence, type, keys, composite or relationship
    /// uniqueness): `CREATE CONSTRAINT … FOR (n:L) | ()-[r:T]-() REQUIRE … IS …`.
    CreateConstraint(ConstraintSpec),
    /// `DROP CONSTRAINT name [IF EXISTS]`.
    DropConstraint {
        target: SchemaTarget,
        if_exists: bool,
    },
    Begin,
    Commit,
    Rollback,
    /// `EXPLAIN statement`: the plan, not executed.
    Explain(Box<Statement>),
    /// `PROFILE statement`: executed, with rows and time per operator.
    Profile(Box<Statement>),
}

/// A `CREATE CONSTRAINT` other than a single node property's uniqueness.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstraintSpec {
    pub name: Option<String>,
    pub if_not_exists: bool,
    /// `FOR ()-[r:T]-()` rather than `FOR (n:L)`.
    pub on_relationships: bool,
    /// The label or relationship type.
    pub label: String,
    pub properties: Vec<String>,
    pub requirement: ConstraintRequirement,
    pub span: Span,
}

/// What `REQUIRE … IS …` asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintRequirement {
    Unique,
    Key,
    NotNull,
    Typed(CypherType),
}

/// How a schema object is named in DROP.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaTarget {
    Name(String),
    LabelProperty { label: String, property: String },
}

/// A query: one or more single queries joined by UNION / UNION ALL.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub first: SingleQuery,
    /// `(all, query)`: `all` is true for `UNION ALL`.
    pub unions: Vec<(bool, SingleQuery)>,
    pub span: Span,
}

/// A sequence of clauses, e.g. `MATCH … WHERE … WITH … RETURN …`.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Match(Match),
    Unwind(Unwind),
    With(With),
    Return(Return),
    Create(Create),
    Merge(Merge),
    Set(Set),
    Remove(Remove),
    Delete(Delete),
    Call(Call),
    Foreach(Foreach),
    LoadCsv(LoadCsv),
    CallSubquery(CallSubquery),
    /// `FINISH` (Neo4j 5): the last clause of a query that returns nothing.
    Finish(Span),
}

impl Clause {
    pub fn span(&self) -> Span {
        match self {
            Clause::Match(c) => c.span,
            Clause::Unwind(c) => c.span,
            Clause::With(c) => c.span,
            Clause::Return(c) => c.span,
            Clause::Create(c) => c.span,
            Clause::Merge(c) => c.span,
            Clause::Set(c) => c.span,
            Clause::Remove(c) => c.span,
            Clause::Delete(c) => c.span,
            Clause::Call(c) => c.span,
            Clause::Foreach(c) => c.span,
            Clause::LoadCsv(c) => c.span,
            Clause::CallSubquery(c) => c.span,
            Clause::Finish(span) => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub optional: bool,
    pub pattern: Pattern,
    pub where_: Option<Expr>,
    pub span: Span,
}

/// Comma-separated pattern parts: `(a)-->(b), p = (c)`.
pub type Pattern = Vec<PatternPart>;

#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    /// The path variable in `p = (a)-->(b)`.
    pub variable: Option<Variable>,
    pub kind: PathKind,
    pub element: PatternElement,
    /// `SHORTEST 1 (p = (a)-->+(b) WHERE pred)`: the predicate of a parenthesized path pattern,
    /// which a selective selector applies before selecting (elsewhere MATCH adds it to its WHERE).
    pub where_: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    Normal,
    /// `shortestPath(...)`
    Shortest,
    /// `allShortestPaths(...)`
    AllShortest,
    /// A selective GQL path selector (`SHORTEST k`, `ANY k`, ...); `ALL` is `Normal`.
    Selector(PathSelector),
}

/// A selective GQL path selector: which paths of each (start node, end node) partition are kept,
/// in ascending order of length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathSelector {
    /// `ANY k`: any k paths (kgstore returns k of the shortest).
    Any(u64),
    /// `SHORTEST k` (`ANY SHORTEST` is `SHORTEST 1`): the k shortest paths.
    Shortest(u64),
    /// `SHORTEST k GROUPS` (`ALL SHORTEST` is `SHORTEST 1 GROUPS`): every path whose length is
    /// among the k smallest lengths.
    ShortestGroups(u64),
}

impl std::fmt::Display for PathSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSelector::Any(k) => write!(f, "ANY {k}"),
            PathSelector::Shortest(k) => write!(f, "SHORTEST {k}"),
            PathSelector::ShortestGroups(k) => write!(f, "SHORTEST {k} GROUPS"),
        }
    }
}

/// A chain `(a)-[r]->(b)<-[s]-(c)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<(RelPattern, NodePattern)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<Variable>,
    /// `(n:A:B)`: the node must carry all of them.
    pub labels: Vec<String>,
    /// The rest of a GQL label expression that is not a plain conjunction of labels
    /// (`(n:A|B)`, `(n:!A)`); `None` for `(n:A:B)` and `(n:A&B)`.
    pub label_expr: Option<LabelExpr>,
    /// `{k: v}` (an `ExprKind::Map`) or a parameter `$props`.
    pub properties: Option<Expr>,
    /// Neo4j 5's `(n WHERE pred)`; MATCH moves it into its WHERE, elsewhere it is an error.
    pub where_: Option<Box<Expr>>,
    pub span: Span,
}

/// A GQL label expression over a node's labels.
#[derive(Clone, Debug, PartialEq)]
pub enum LabelExpr {
    Label(String),
    /// `%`: at least one label.
    Any,
    Not(Box<LabelExpr>),
    And(Vec<LabelExpr>),
    Or(Vec<LabelExpr>),
    /// Neo4j 5's `$(expr)` / `$all(expr)` / `$any(expr)`: names computed per row.
    Dynamic(Box<DynamicLabel>),
}

/// A dynamic label or type, `:$(expr)`: the expression gives a name or a list of names
/// (`STRING NOT NULL | LIST<STRING NOT NULL> NOT NULL`); `$(…)` and `$all(…)` need every
/// name, `$any(…)` one of them.
#[derive(Clone, Debug, PartialEq)]
pub struct DynamicLabel {
    pub expr: Expr,
    pub any: bool,
    pub span: Span,
}

impl LabelExpr {
    /// Whether a node with these labels (a relationship: `[its type]`) satisfies the
    /// expression; `names` evaluates a dynamic label's expression to its names.
    pub fn matches<E>(
        &self,
        labels: &[String],
        names: &mut dyn FnMut(&DynamicLabel) -> Result<Vec<String>, E>,
    ) -> Result<bool, E> {
        Ok(match self {
            LabelExpr::Label(l) => labels.contains(l),
            LabelExpr::Any => !labels.is_empty(),
            LabelExpr::Not(e) => !e.matches(labels, names)?,
            LabelExpr::And(es) => {
                for e in es {
                    if !e.matches(labels, names)? {
                        return Ok(false);
                    }
                }
                true
            }
            LabelExpr::Or(es) => {
                for e in es {
                    if e.matches(labels, names)? {
                        return Ok(true);
                    }
                }
                false
            }
            LabelExpr::Dynamic(d) => {
                let wanted = names(d)?;
                if d.any {
                    wanted.iter().any(|w| labels.contains(w))
                } else {
                    wanted.iter().all(|w| labels.contains(w))
                }
            }
        })
    }

    /// The expressions of the dynamic labels inside, in order.
    pub fn dynamic_exprs(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        self.each_dynamic(&mut |d| out.push(&d.expr));
        out
    }

    fn each_dynamic<'e>(&'e self, f: &mut dyn FnMut(&'e DynamicLabel)) {
        match self {
            LabelExpr::Dynamic(d) => f(d),
            LabelExpr::Not(e) => e.each_dynamic(f),
            LabelExpr::And(es) | LabelExpr::Or(es) => es.iter().for_each(|e| e.each_dynamic(f)),
            LabelExpr::Label(_) | LabelExpr::Any => {}
        }
    }

    /// Mutable access to the dynamic labels' expressions (for rewrites).
    pub fn dynamic_exprs_mut(&mut self) -> Vec<&mut Expr> {
        fn go<'e>(e: &'e mut LabelExpr, out: &mut Vec<&'e mut Expr>) {
            match e {
                LabelExpr::Dynamic(d) => out.push(&mut d.expr),
                LabelExpr::Not(e) => go(e, out),
                LabelExpr::And(es) | LabelExpr::Or(es) => es.iter_mut().for_each(|e| go(e, out)),
                LabelExpr::Label(_) | LabelExpr::Any => {}
            }
        }
        let mut out = Vec::new();
        go(self, &mut out);
        out
    }

    /// The dynamic labels of a plain conjunction (`:$(a)`, `:$(a)&$(b)`), the only label
    /// expression CREATE, MERGE and SET accept besides static labels; `None` for anything else.
    pub fn dynamic_conjuncts(&self) -> Option<Vec<&DynamicLabel>> {
        match self {
            LabelExpr::Dynamic(d) => Some(vec![d]),
            LabelExpr::And(es) => {
                let mut out = Vec::new();
                for e in es {
                    out.extend(e.dynamic_conjuncts()?);
                }
                Some(out)
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for LabelExpr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, es: &[LabelExpr], sep: &str| {
            f.write_str("(")?;
            for (i, e) in es.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{e}")?;
            }
            f.write_str(")")
        };
        match self {
            LabelExpr::Label(l) => f.write_str(l),
            LabelExpr::Any => f.write_str("%"),
            LabelExpr::Not(e) => write!(f, "!{e}"),
            LabelExpr::And(es) => join(f, es, "&"),
            LabelExpr::Or(es) => join(f, es, "|"),
            LabelExpr::Dynamic(d) => f.write_str(if d.any { "$any(…)" } else { "$(…)" }),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    pub variable: Option<Variable>,
    /// `[:A|B]`: any of them; empty means any type (unless `dynamic_types` has some).
    pub types: Vec<String>,
    /// `[:$(expr)]`, `[:A|$any(expr)]`: alternatives whose names are computed per row.
    pub dynamic_types: Vec<DynamicLabel>,
    /// A GQL type expression that is not a disjunction of names (`[:!A]`, `[:%]`,
    /// `[:(A|B)&!C]`, `[:A&B]`), tested against the relationship's one type as a node's label
    /// expression is against its labels; `types` and `dynamic_types` are then empty. MATCH
    /// only: CREATE and MERGE refuse it.
    pub type_expr: Option<LabelExpr>,
    /// Direction as written, from the left node to the right node.
    pub direction: RelDirection,
    /// `Some` for a variable-length relationship (`*`, `*2`, `*1..3`, `*..5`, `*2..`).
    pub length: Option<LengthRange>,
    pub properties: Option<Expr>,
    /// Neo4j 5's `-[r WHERE pred]->`; MATCH moves it into its WHERE, elsewhere it is an error.
    pub where_: Option<Box<Expr>>,
    /// A GQL quantified path pattern standing in this relationship's place, from the node before
    /// it to the node after it; the other fields are then empty.
    pub quantified: Option<Box<QuantifiedPath>>,
    pub span: Span,
}

/// `((a)-[r:R]->(b) WHERE pred){m,n}`: a fixed path repeated m to n times, each iteration's
/// last node being the next one's first. Variables inside are singletons within an iteration
/// and lists (group variables) outside.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantifiedPath {
    /// The repeated path, with its node and relationship WHEREs kept in place.
    pub element: PatternElement,
    /// The WHERE after the repeated path, checked on every iteration.
    pub where_: Option<Box<Expr>>,
    /// `min` is always set; `max` is `None` when unbounded.
    pub range: LengthRange,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelDirection {
    /// `-[]->`
    LeftToRight,
    /// `<-[]-`
    RightToLeft,
    /// `-[]-` (also `<-[]->`, which openCypher treats as either direction)
    Undirected,
}

/// Bounds of a variable-length relationship; `None` means unbounded on that side
/// (`*` is `{min: None, max: None}`, which means 1..∞; `*2` is `{Some(2), Some(2)}`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LengthRange {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Unwind {
    pub expr: Expr,
    pub variable: Variable,
    pub span: Span,
}

/// `WITH projection [WHERE expr]`.
#[derive(Clone, Debug, PartialEq)]
pub struct With {
    pub projection: Projection,
    pub where_: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    pub projection: Projection,
    pub span: Span,
}

/// The body shared by WITH and RETURN.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `RETURN *` / `WITH *` (items may follow: `RETURN *, n.x AS y`).
    pub star: bool,
    pub items: Vec<ProjectionItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    pub expr: Expr,
    pub alias: Option<Variable>,
    /// The expression's source text as written (whitespace kept as in the query), used as the
    /// column name when there is no alias: `RETURN n.name` has the column `n.name`.
    pub text: String,
}

impl ProjectionItem {
    /// The output column name.
    pub fn name(&self) -> &str {
        match &self.alias {
            Some(a) => &a.name,
            None => &self.text,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Create {
    pub pattern: Pattern,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    pub part: PatternPart,
    pub on_create: Vec<SetItem>,
    pub on_match: Vec<SetItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    pub items: Vec<SetItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `n.prop = expr` (the target is any expression followed by `.prop`, usually a variable),
    /// or Neo4j 5's `n[keyExpr] = expr` (`key` is then empty and `dynamic_key` computes it).
    Property {
        target: Expr,
        key: String,
        dynamic_key: Option<Box<Expr>>,
        value: Expr,
        span: Span,
    },
    /// `n = expr` (replace all properties) or `n += expr` (merge).
    Properties {
        variable: Variable,
        value: Expr,
        merge: bool,
        span: Span,
    },
    /// `n:A:B`, also `n:$(expr)` (Neo4j 5: the names it evaluates to).
    Labels {
        variable: Variable,
        labels: Vec<String>,
        dynamic: Vec<Expr>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Remove {
    pub items: Vec<RemoveItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    /// `REMOVE n.prop`, or Neo4j 5's `REMOVE n[keyExpr]` (`key` empty, `dynamic_key` set).
    Property {
        target: Expr,
        key: String,
        dynamic_key: Option<Box<Expr>>,
        span: Span,
    },
    /// `REMOVE n:A:B`, also `REMOVE n:$(expr)`.
    Labels {
        variable: Variable,
        labels: Vec<String>,
        dynamic: Vec<Expr>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    pub detach: bool,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

/// `CALL ns.name(args) [YIELD a, b AS c [WHERE expr]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `OPTIONAL CALL` (Neo4j 5): a row with nulls when the procedure yields none.
    pub optional: bool,
    /// Dotted name as written, e.g. `db.labels`.
    pub procedure: String,
    /// `None` when called without parentheses (arguments then come from parameters of the
    /// same name, as openCypher specifies for standalone calls).
    pub args: Option<Vec<Expr>>,
    /// `None` without YIELD; `Some(vec![])` never happens (`YIELD *` sets `yield_star`).
    pub yields: Option<Vec<YieldItem>>,
    pub yield_star: bool,
    pub where_: Option<Expr>,
    pub span: Span,
}

/// `FOREACH (variable IN list | clauses)`: updating clauses run once per list element.
#[derive(Clone, Debug, PartialEq)]
pub struct Foreach {
    pub variable: Variable,
    pub list: Expr,
    /// Only updating clauses (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH).
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// `LOAD CSV [WITH HEADERS] FROM source AS variable [FIELDTERMINATOR 'c']`.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadCsv {
    /// Rows become maps keyed by the first line instead of lists of strings.
    pub headers: bool,
    /// A `file:` URL or a path.
    pub source: Expr,
    pub variable: Variable,
    pub terminator: Option<String>,
    pub span: Span,
}

/// `CALL [(scope)] { query } [IN TRANSACTIONS]`.
#[derive(Clone, Debug, PartialEq)]
pub struct CallSubquery {
    pub query: Box<Query>,
    /// Neo4j 5's scope clause `CALL (a, b) { … }`; `None` when the subquery imports with a
    /// leading `WITH a, b` instead.
    pub scope: Option<SubqueryScope>,
    /// `IN TRANSACTIONS …`: each batch of input rows runs and commits in a transaction of its
    /// own.
    pub in_transactions: Option<InTransactions>,
    /// `OPTIONAL CALL { … }` (Neo4j 5): an outer row the subquery returns nothing for goes on
    /// with nulls in the returned columns.
    pub optional: bool,
    pub span: Span,
}

/// `IN [[n] CONCURRENT] TRANSACTIONS [OF n ROWS] [ON ERROR …] [REPORT STATUS AS s]`.
#[derive(Clone, Debug, PartialEq)]
pub struct InTransactions {
    /// `OF n ROWS`; `None` means Neo4j's default of 1000.
    pub batch_size: Option<Expr>,
    /// `IN [n] CONCURRENT TRANSACTIONS`: `Some(None)` without a number. Batches still run one
    /// after the other (docs/query-language.md).
    pub concurrency: Option<Option<Expr>>,
    pub on_error: OnError,
    /// `ON ERROR …` was written (a second one is an error).
    pub on_error_span: Option<Span>,
    /// `REPORT STATUS AS s`.
    pub report: Option<Variable>,
    pub span: Span,
}

/// What `CALL { } IN TRANSACTIONS` does when a batch fails (its writes are rolled back in
/// every case; batches committed before stay committed).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnError {
    /// The statement fails (the default).
    #[default]
    Fail,
    /// The failed batch's rows go on with nulls; later batches run.
    Continue,
    /// The failed batch's rows and every later row go on with nulls; no batch runs again.
    Break,
}

impl CallSubquery {
    /// The outer variables (of `outer`, in that order) this subquery imports: those named by
    /// its scope clause, or else those a leading `WITH` of each UNION part refers to by name
    /// (`WITH *` imports everything). Hidden helper columns (starting with a space) never.
    pub fn imports(&self, outer: &[String]) -> Vec<String> {
        let visible = outer.iter().filter(|c| !c.starts_with(' '));
        match &self.scope {
            Some(SubqueryScope::All) => visible.cloned().collect(),
            Some(SubqueryScope::Vars(vars)) => visible
                .filter(|c| vars.iter().any(|v| &v.name == *c))
                .cloned()
                .collect(),
            None => {
                let parts = std::iter::once(&self.query.first)
                    .chain(self.query.unions.iter().map(|(_, sq)| sq));
                let mut names: Vec<&str> = Vec::new();
                let mut star = false;
                for sq in parts {
                    if let Some(Clause::With(w)) = sq.clauses.first() {
                        star |= w.projection.star;
                        for item in &w.projection.items {
                            if let ExprKind::Variable(v) = &item.expr.kind {
                                names.push(v);
                            }
                        }
                    }
                }
                visible
                    .filter(|c| star || names.contains(&c.as_str()))
                    .cloned()
                    .collect()
            }
        }
    }
}

/// The variables a `CALL (…) { }` subquery imports.
#[derive(Clone, Debug, PartialEq)]
pub enum SubqueryScope {
    /// `CALL (*) { … }`.
    All,
    /// `CALL (a, b) { … }`; empty for `CALL () { … }`.
    Vars(Vec<Variable>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct YieldItem {
    /// The procedure's output column.
    pub column: String,
    /// The variable it binds (`YIELD node AS n`), else the column name.
    pub alias: Option<Variable>,
    pub span: Span,
}

/// A variable occurrence, with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    pub name: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// `$name` (also `$0` style positional names, kept as text).
    Parameter(String),
    Variable(String),
    List(Vec<Expr>),
    /// `{a: 1, b: x}`, keys in written order.
    Map(Vec<(String, Expr)>),
    /// `expr.key`
    Property(Box<Expr>, String),
    /// `expr[index]` (list index or dynamic map/property access `n['key']`).
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`, either bound optional.
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `expr IS NULL` (`negated`: `IS NOT NULL`).
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    /// `expr IS :: TYPE` (`negated`: `IS NOT :: TYPE`), Neo4j 5's type predicate.
    TypeTest {
        expr: Box<Expr>,
        ty: CypherType,
        negated: bool,
    },
    /// `expr IS [NOT] [form] NORMALIZED` (Neo4j 5): null unless `expr` is a string.
    Normalized {
        expr: Box<Expr>,
        form: NormalForm,
        negated: bool,
    },
    /// `n:A:B` used as a predicate.
    HasLabels(Box<Expr>, Vec<String>),
    /// A GQL label expression as a predicate: `n:A|B`, `n:!A`, `r:%`, `n IS A&B`, or a node
    /// pattern's `(n:A|B)` made a filter by the planner.
    LabelTest(Box<Expr>, LabelExpr),
    /// A function call; `name` as written, possibly namespaced (`date.truncate`). Matching
    /// function names is case-insensitive.
    Function {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    /// `[x IN list WHERE pred | proj]`
    ListComprehension {
        variable: Variable,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
        projection: Option<Box<Expr>>,
    },
    /// `[p = (a)-->(b) WHERE pred | proj]`
    PatternComprehension {
        variable: Option<Variable>,
        pattern: Box<PatternElement>,
        predicate: Option<Box<Expr>>,
        projection: Box<Expr>,
    },
    /// `all/any/none/single(x IN list WHERE pred)`
    Quantifier {
        kind: Quantifier,
        variable: Variable,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, x IN list | expr)`
    Reduce {
        accumulator: Variable,
        init: Box<Expr>,
        variable: Variable,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// `n {.name, .*, key: expr, other}`
    MapProjection {
        variable: Variable,
        items: Vec<MapProjectionItem>,
    },
    /// A bare pattern used as a predicate: `WHERE (a)-->(b)`.
    PatternPredicate(Box<PatternElement>),
    /// `EXISTS { … }`, `COUNT { … }` or `COLLECT { … }` around a read-only query (the
    /// pattern form `EXISTS { (a)-->(b) WHERE … }` is stored as its MATCH).
    Subquery(SubqueryKind, Box<Query>),
}

/// What a subquery expression makes of its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubqueryKind {
    /// `EXISTS { }`: whether there is a row.
    Exists,
    /// `COUNT { }`: how many rows.
    Count,
    /// `COLLECT { … RETURN x }`: the list of the single returned column.
    Collect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    In,
    StartsWith,
    EndsWith,
    Contains,
    /// `=~`
    Regex,
    /// `||`: string or list concatenation (Neo4j 5, GQL).
    Concat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.name`
    Property(String),
    /// `.*`
    AllProperties,
    /// `key: expr`
    Literal(String, Expr),
    /// `other` (a variable: `other: other`)
    Variable(Variable),
}

/// A value type as type predicates write it: one type or a closed union (`INTEGER | STRING`;
/// `ANY<…>` is flattened into its members).
#[derive(Clone, Debug, PartialEq)]
pub struct CypherType {
    pub alts: Vec<TypeAlt>,
}

/// One member of a [`CypherType`]; `not_null` for `… NOT NULL`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeAlt {
    pub base: BaseType,
    pub not_null: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BaseType {
    Nothing,
    Null,
    Bool,
    String,
    Int,
    Float,
    Date,
    LocalTime,
    ZonedTime,
    LocalDateTime,
    ZonedDateTime,
    Duration,
    Point,
    Node,
    Relationship,
    Map,
    Path,
    PropertyValue,
    Any,
    List(Box<CypherType>),
}

/// A Unicode normalization form, as `normalize(s, NFKC)` and `s IS NFD NORMALIZED` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum NormalForm {
    /// Canonical decomposition, then canonical composition (the default).
    #[default]
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl NormalForm {
    /// The form a (case-insensitive) name gives: `NFC`, `NFD`, `NFKC`, `NFKD`.
    pub fn parse(name: &str) -> Option<NormalForm> {
        Some(match name.to_ascii_uppercase().as_str() {
            "NFC" => NormalForm::Nfc,
            "NFD" => NormalForm::Nfd,
            "NFKC" => NormalForm::Nfkc,
            "NFKD" => NormalForm::Nfkd,
            _ => return None,
        })
    }
}
