//! Logical plans: the operator tree a statement compiles to, with `Display` as the indented
//! EXPLAIN text. `build` turns the AST into a plan, `optimize` applies pure rewrite passes.

pub mod autoparam;
pub mod build;
pub mod builder;
mod call;
mod constraint;
mod counts;
mod grouping;
pub mod nested;
pub mod optimize;
pub(crate) mod pattern;
mod projection;
pub mod provenance;
pub mod scan_predicate;
mod search;
pub mod transactions;
/// Expression traversal lives with the AST (the semantic pass walks expressions too).
pub use crate::ast::walk;

use std::fmt;
use std::sync::Arc;

use crate::ast::{Expr, PatternPart, RemoveItem, SetItem};
use crate::model::Direction;

pub use build::{build, Compiled};

/// A plan node: the operation and the names of the columns of the rows it produces (hidden
/// helper columns start with a space and never reach the user).
#[derive(Clone, Debug)]
pub struct LogicalPlan {
    pub op: PlanOp,
    pub columns: Vec<String>,
    /// The expression subqueries this node evaluates, planned with the statement (empty until
    /// `nested::plan_subqueries` runs, after the optimiser has placed every expression).
    pub nested: Vec<Arc<nested::SubPlan>>,
}

/// How a variable-length or fixed-length expansion is bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hops {
    pub min: u64,
    /// `None`: unbounded.
    pub max: Option<u64>,
}

/// What an [`PlanOp::IndexRangeSeek`] looks for; the expressions are evaluated per input row.
#[derive(Clone, Debug, PartialEq)]
pub enum RangeSeek {
    /// `lower <= n.p <= upper`, either bound optional (strict bounds re-checked above).
    Range {
        lower: Option<Expr>,
        upper: Option<Expr>,
    },
    /// `n.p STARTS WITH x`.
    Prefix(Expr),
    /// `n.p CONTAINS x`.
    Contains(Expr),
    /// `n.p ENDS WITH x`.
    Suffix(Expr),
}

/// One relationship step of a pattern.
#[derive(Clone, Debug)]
pub struct ExpandSpec {
    pub from: String,
    /// Relationship variable (a list of relationships for a variable-length step).
    pub rel: String,
    pub to: String,
    pub types: Vec<String>,
    /// Dynamic types (`[:$(t)*1..3]`, `[:A|$any(ts)]`) of a step over many relationships,
    /// alternatives to `types`: resolved once per input row into the types the walk follows.
    pub dynamic_types: Vec<crate::ast::DynamicLabel>,
    /// The type expression of such a step (`[:!A*]`, `[:(A|B)&!C*]`): resolved once per input
    /// row into the graph's types it admits.
    pub type_expr: Option<crate::ast::LabelExpr>,
    pub direction: Direction,
    /// True when `to` is already bound: the step only checks the connection.
    pub into: bool,
    /// `Some` for a variable-length step.
    pub hops: Option<Hops>,
    /// Relationship variables bound earlier in the same MATCH: a relationship is used at most
    /// once per match (openCypher relationship isomorphism). Var-length lists are included.
    pub unique_with: Vec<String>,
    /// Property map of the relationship pattern (checked on every traversed relationship).
    pub properties: Option<Expr>,
    /// The step was planned right-to-left: a var-length list is reversed before binding so it
    /// reads in pattern order.
    pub reversed: bool,
}

impl ExpandSpec {
    /// Where, among an operator's input columns `cols`, the relationships this step must
    /// differ from stand (relationship uniqueness within a MATCH).
    pub fn unique_columns(&self, cols: &[String]) -> Vec<usize> {
        self.unique_with
            .iter()
            .filter_map(|u| cols.iter().position(|c| c == u))
            .collect()
    }
}

/// A path pattern matched by searching from a bound node (`PlanOp::PathSearch`): quantified
/// path patterns, and whole path patterns under a selective selector (`SHORTEST k`, `ANY k`,
/// `SHORTEST k GROUPS`). Relationships are never reused within a match (TRAIL).
#[derive(Clone, Debug)]
pub struct PathSearchSpec {
    pub from: String,
    /// The last node: checked when `into`, bound by the search otherwise.
    pub to: String,
    pub into: bool,
    pub segments: Vec<Segment>,
    /// The node variables where one segment ends and the next begins (`segments.len() - 1`),
    /// bound as singletons.
    pub junctions: Vec<String>,
    /// `None`: every match (no selector or `ALL`).
    pub selector: Option<crate::ast::PathSelector>,
    /// Checked on each complete match before selection: the pattern's predicates that are not
    /// local to one iteration, over the input and every output column.
    pub predicate: Option<Expr>,
    /// Relationship variables bound earlier in the same MATCH (uniqueness).
    pub unique_with: Vec<String>,
    /// Output column with every relationship of the match in pattern order (for named paths and
    /// the uniqueness of later steps).
    pub rels_column: String,
    /// The path variable, when the search builds the path (selective patterns).
    pub path: Option<String>,
    /// Planned right-to-left (a one-segment search from `to`'s side): the search runs on the
    /// reversed pattern and outputs are put back in pattern order.
    pub reversed: bool,
}

/// One part of a searched path pattern: a quantified path pattern (`group`), or one plain
/// relationship (`min = max = 1`, not `group`).
#[derive(Clone, Debug)]
pub struct Segment {
    pub min: u64,
    /// `None`: unbounded.
    pub max: Option<u64>,
    /// Variables are lists outside the segment (group variables).
    pub group: bool,
    /// Node names at each position of one iteration (`rels.len() + 1`; hidden names for
    /// anonymous nodes).
    pub nodes: Vec<String>,
    pub rels: Vec<SegmentRel>,
    /// Checked on every iteration with its variables as singletons: the labels, properties and
    /// WHEREs inside a quantified path pattern.
    pub predicate: Option<Expr>,
    /// The named variables the segment outputs, in column order.
    pub outputs: Vec<(String, SegmentSlot)>,
}

/// Where a segment output comes from within one iteration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentSlot {
    Node(usize),
    Rel(usize),
}

/// One relationship pattern of a segment.
#[derive(Clone, Debug)]
pub struct SegmentRel {
    pub var: String,
    pub types: Vec<String>,
    pub direction: Direction,
}

impl PathSearchSpec {
    /// The columns the search appends to its input row, in order.
    pub fn output_columns(&self) -> Vec<String> {
        let mut out = self.junctions.clone();
        if !self.into {
            out.push(self.to.clone());
        }
        for s in &self.segments {
            out.extend(s.outputs.iter().map(|(n, _)| n.clone()));
        }
        out.push(self.rels_column.clone());
        out.extend(self.path.iter().cloned());
        out
    }
}

/// An aggregate call extracted from a projection.
#[derive(Clone, Debug)]
pub struct AggSpec {
    pub column: String,
    /// Lower-case function name; `count` with no args for `count(*)`.
    pub name: String,
    pub distinct: bool,
    pub args: Vec<Expr>,
    pub star: bool,
}

/// One element of a named path, in pattern order.
#[derive(Clone, Debug)]
pub enum PathStep {
    Node(String),
    /// A single relationship variable.
    Rel(String),
    /// A variable-length relationship list variable.
    RelList(String),
}

#[derive(Clone, Debug)]
pub enum PlanOp {
    /// Produces the argument row once (the outer row for subqueries; empty at the top).
    Argument,
    AllNodesScan {
        input: Box<LogicalPlan>,
        var: String,
    },
    LabelScan {
        input: Box<LogicalPlan>,
        var: String,
        label: String,
    },
    /// Neo4j 5's `(n:$(expr))` / `(n:$any(expr))`: `expr` is evaluated per input row and the
    /// label scans it names are read (`$(…)`: the first name's; `$any`: each name's; every node
    /// for `$([])`). A superset: the full label test stays in a filter above.
    DynamicLabelScan {
        input: Box<LogicalPlan>,
        var: String,
        label: crate::ast::DynamicLabel,
    },
    /// `WHERE id(n) = x` / `id(n) IN list` / `elementId(n) = x`: a superset of the rows the
    /// predicate keeps (it stays in a filter above).
    NodeById {
        input: Box<LogicalPlan>,
        var: String,
        ids: Expr,
        /// True when `ids` is a list (IN).
        list: bool,
        /// True for `elementId(n)`: the ids are strings.
        element: bool,
    },
    /// `MATCH (a)-[r:T]->(b) WHERE id(r) = x` (or `IN`, or `elementId(r)`) with `a`, `b` and `r`
    /// unbound: binds `spec.from`, `spec.rel` and `spec.to` from the relationship found by its
    /// id, in the step's direction (both ways for an undirected step). Only `spec`'s types,
    /// properties and `unique_with` are checked here; the predicate stays in a filter above.
    RelationshipById {
        input: Box<LogicalPlan>,
        spec: ExpandSpec,
        ids: Expr,
        list: bool,
        element: bool,
    },
    /// `MATCH (a)-[r:T]->(b)` with neither end bound: binds `spec.from`, `spec.rel` and
    /// `spec.to` from every relationship of `spec.types` in storage order, in the step's
    /// direction (both ways for an undirected step, a self-loop once). Only `spec`'s types,
    /// properties and `unique_with` are checked here; end labels stay in filters above.
    RelationshipTypeScan {
        input: Box<LogicalPlan>,
        spec: ExpandSpec,
    },
    /// Equality lookup through a property index; `label` empty = the any-label index.
    IndexSeek {
        input: Box<LogicalPlan>,
        var: String,
        label: String,
        property: String,
        value: Expr,
        /// True when `value` is a list whose every item is looked up (`n.p IN list`).
        list: bool,
    },
    /// A scan of a property index's ordered pages (`label` empty = the any-label index): a
    /// range of values, or strings by prefix, substring or suffix. The predicates it serves
    /// stay in a filter above it (a range's bounds are inclusive here).
    IndexRangeSeek {
        input: Box<LogicalPlan>,
        var: String,
        label: String,
        property: String,
        seek: RangeSeek,
    },
    Expand {
        input: Box<LogicalPlan>,
        spec: ExpandSpec,
    },
    /// Distinct end nodes reachable within `hops` (replaces var-length Expand + DISTINCT when
    /// neither the path nor the relationships are observed).
    Reach {
        input: Box<LogicalPlan>,
        spec: ExpandSpec,
    },
    ShortestPath {
        input: Box<LogicalPlan>,
        spec: ExpandSpec,
        path: String,
        all: bool,
    },
    /// Quantified path patterns and selective path selectors (see [`PathSearchSpec`]).
    PathSearch {
        input: Box<LogicalPlan>,
        spec: PathSearchSpec,
    },
    Filter {
        input: Box<LogicalPlan>,
        predicate: Expr,
    },
    /// Evaluates `items` and prepends them to the row (`keep`) or replaces the row.
    Project {
        input: Box<LogicalPlan>,
        items: Vec<(String, Expr)>,
        keep: bool,
    },
    /// Keeps the first `count` columns.
    Select {
        input: Box<LogicalPlan>,
        count: usize,
    },
    Aggregate {
        input: Box<LogicalPlan>,
        keys: Vec<(String, Expr)>,
        aggs: Vec<AggSpec>,
    },
    /// `count(x)` over one expansion from a bound node: the node's degree.
    DegreeCount {
        input: Box<LogicalPlan>,
        node: String,
        types: Vec<String>,
        direction: Direction,
        column: String,
    },
    /// `count(*)` grouped by expressions of `var` over `(var)-[:T]-()` with an unobserved
    /// other end: per-node degrees from one pass over the adjacency, degree-0 nodes skipped.
    /// Columns: the keys, then `counts` count columns (all the group's degree sum).
    DegreeGroup {
        input: Box<LogicalPlan>,
        var: String,
        label: Option<String>,
        types: Vec<String>,
        direction: Direction,
        keys: Vec<(String, Expr)>,
        counts: usize,
    },
    /// `count(n)` over `MATCH (n)` / `MATCH (n:L)`: the node or label counter, one column per
    /// count.
    CountNodes {
        input: Box<LogicalPlan>,
        var: String,
        label: Option<String>,
    },
    Distinct {
        input: Box<LogicalPlan>,
    },
    Sort {
        input: Box<LogicalPlan>,
        keys: Vec<(Expr, bool)>,
    },
    /// Sort + LIMIT fused: keeps only the best `limit` (+ `skip`) rows.
    Top {
        input: Box<LogicalPlan>,
        keys: Vec<(Expr, bool)>,
        limit: Expr,
    },
    Skip {
        input: Box<LogicalPlan>,
        count: Expr,
    },
    Limit {
        input: Box<LogicalPlan>,
        count: Expr,
    },
    Unwind {
        input: Box<LogicalPlan>,
        expr: Expr,
        var: String,
    },
    /// OPTIONAL MATCH: rows of `inner` (run with each input row as its argument), or the input
    /// row padded with nulls when `inner` has none.
    Optional {
        input: Box<LogicalPlan>,
        inner: Box<LogicalPlan>,
    },
    /// Runs `inner` for every input row (its argument) and emits its rows.
    Apply {
        input: Box<LogicalPlan>,
        inner: Box<LogicalPlan>,
    },
    Union {
        left: Box<LogicalPlan>,
        right: Box<LogicalPlan>,
        all: bool,
    },
    BuildPath {
        input: Box<LogicalPlan>,
        var: String,
        steps: Vec<PathStep>,
    },
    Create {
        input: Box<LogicalPlan>,
        parts: Vec<PatternPart>,
    },
    Merge {
        input: Box<LogicalPlan>,
        part: PatternPart,
        /// Matches the pattern with the input row as argument.
        matcher: Box<LogicalPlan>,
        on_create: Vec<SetItem>,
        on_match: Vec<SetItem>,
    },
    SetProps {
        input: Box<LogicalPlan>,
        items: Vec<SetItem>,
    },
    Remove {
        input: Box<LogicalPlan>,
        items: Vec<RemoveItem>,
    },
    Delete {
        input: Box<LogicalPlan>,
        exprs: Vec<Expr>,
        detach: bool,
    },
    /// Consumes all input (for write clauses that end a query without RETURN).
    Discard {
        input: Box<LogicalPlan>,
    },
    /// `CALL { … }` and FOREACH: runs `inner` for every input row with the columns at
    /// `imports` as its argument row, and emits the input row extended by each inner row; a
    /// unit subquery (`unit`, no RETURN) emits each input row once after running `inner`.
    Subquery {
        input: Box<LogicalPlan>,
        inner: Box<LogicalPlan>,
        imports: Vec<usize>,
        unit: bool,
        /// Planned from FOREACH (only changes the EXPLAIN name).
        foreach: bool,
        /// `OPTIONAL CALL { … }`: an input row the inner plan has no rows for is emitted once,
        /// padded with nulls.
        optional: bool,
        /// `CALL { … } IN TRANSACTIONS`: batches of invocations commit on their own.
        transactions: Option<Box<transactions::TxBatches>>,
    },
    /// `LOAD CSV`: for every input row, appends one row per record of the file `source`
    /// names, as a list of strings or (with `headers`) a map.
    LoadCsv {
        input: Box<LogicalPlan>,
        source: Expr,
        var: String,
        headers: bool,
        delimiter: u8,
    },
    /// Provenance plans only (`plan::provenance`): prepends the column ` why`, the facts
    /// (node and relationship ids) found anywhere in the input row, before a projection drops
    /// the columns that hold them.
    Lineage {
        input: Box<LogicalPlan>,
    },
    Call {
        input: Box<LogicalPlan>,
        procedure: String,
        /// `None`: arguments come from parameters named like the inputs.
        args: Option<Vec<Expr>>,
        /// (output column index, variable).
        yields: Vec<(usize, String)>,
        /// `OPTIONAL CALL`: one row of nulls when the procedure yields none.
        optional: bool,
    },
}

/// The child plans of a `PlanOp`, by shared or mutable reference (one list of variants for
/// `inputs` and `inputs_mut`).
macro_rules! plan_inputs {
    ($op:expr) => {{
        use PlanOp::*;
        match $op {
            Argument => vec![],
            AllNodesScan { input, .. }
            | LabelScan { input, .. }
            | DynamicLabelScan { input, .. }
            | NodeById { input, .. }
            | RelationshipById { input, .. }
            | RelationshipTypeScan { input, .. }
            | IndexSeek { input, .. }
            | IndexRangeSeek { input, .. }
            | Expand { input, .. }
            | Reach { input, .. }
            | ShortestPath { input, .. }
            | PathSearch { input, .. }
            | Filter { input, .. }
            | Project { input, .. }
            | Select { input, .. }
            | Aggregate { input, .. }
            | DegreeCount { input, .. }
            | DegreeGroup { input, .. }
            | CountNodes { input, .. }
            | Distinct { input }
            | Sort { input, .. }
            | Top { input, .. }
            | Skip { input, .. }
            | Limit { input, .. }
            | Unwind { input, .. }
            | BuildPath { input, .. }
            | Create { input, .. }
            | SetProps { input, .. }
            | Remove { input, .. }
            | Delete { input, .. }
            | Discard { input }
            | LoadCsv { input, .. }
            | Lineage { input }
            | Call { input, .. } => vec![input],
            Merge { input, matcher, .. } => vec![input, matcher],
            Optional { input, inner } | Apply { input, inner } | Subquery { input, inner, .. } => {
                vec![input, inner]
            }
            Union { left, right, .. } => vec![left, right],
        }
    }};
}

impl LogicalPlan {
    pub fn new(op: PlanOp, columns: Vec<String>) -> LogicalPlan {
        LogicalPlan {
            op,
            columns,
            nested: Vec::new(),
        }
    }

    pub fn argument(columns: Vec<String>) -> LogicalPlan {
        LogicalPlan::new(PlanOp::Argument, columns)
    }

    /// The inputs of this node (for generic passes).
    pub fn inputs(&self) -> Vec<&LogicalPlan> {
        let children: Vec<&Box<LogicalPlan>> = plan_inputs!(&self.op);
        children.into_iter().map(|b| &**b).collect()
    }

    /// The inputs of this node, for passes that rewrite them in place.
    pub fn inputs_mut(&mut self) -> Vec<&mut Box<LogicalPlan>> {
        plan_inputs!(&mut self.op)
    }

    /// True when the plan contains a write operator.
    pub fn writes(&self) -> bool {
        matches!(
            self.op,
            PlanOp::Create { .. }
                | PlanOp::Merge { .. }
                | PlanOp::SetProps { .. }
                | PlanOp::Remove { .. }
                | PlanOp::Delete { .. }
        ) || self.inputs().iter().any(|p| p.writes())
    }

    fn describe(&self) -> String {
        use PlanOp::*;
        match &self.op {
            Argument => {
                if self.columns.is_empty() {
                    "Start".into()
                } else {
                    format!("Argument({})", shown(&self.columns).join(", "))
                }
            }
            AllNodesScan { var, .. } => format!("AllNodesScan({})", show(var)),
            LabelScan { var, label, .. } => format!("NodeByLabelScan({}:{label})", show(var)),
            DynamicLabelScan { var, label, .. } => format!(
                "NodeByDynamicLabelScan({}:{})",
                show(var),
                crate::ast::LabelExpr::Dynamic(Box::new(label.clone()))
            ),
            NodeById { var, .. } => format!("NodeByIdSeek({})", show(var)),
            RelationshipById { spec, .. } => format!(
                "{}RelationshipByIdSeek({})",
                match spec.direction {
                    crate::model::Direction::Both => "Undirected",
                    _ => "Directed",
                },
                show(&spec.rel)
            ),
            RelationshipTypeScan { spec, .. } => format!(
                "{}{}({})",
                match spec.direction {
                    crate::model::Direction::Both => "Undirected",
                    _ => "Directed",
                },
                // Neo4j's names: one type, or a union of several.
                if spec.types.len() > 1 {
                    "UnionRelationshipTypesScan"
                } else {
                    "RelationshipTypeScan"
                },
                step(spec)
            ),
            IndexSeek {
                var,
                label,
                property,
                ..
            } => {
                if label.is_empty() {
                    format!("NodeIndexSeek({}.{property})", show(var))
                } else {
                    format!("NodeIndexSeek({}:{label}.{property})", show(var))
                }
            }
            IndexRangeSeek {
                var,
                label,
                property,
                seek,
                ..
            } => {
                // Neo4j's operator names.
                let (name, test) = match seek {
                    RangeSeek::Range { .. } => ("NodeIndexSeekByRange", ""),
                    RangeSeek::Prefix(_) => ("NodeIndexSeekByRange", " STARTS WITH"),
                    RangeSeek::Contains(_) => ("NodeIndexContainsScan", " CONTAINS"),
                    RangeSeek::Suffix(_) => ("NodeIndexEndsWithScan", " ENDS WITH"),
                };
                let on = if label.is_empty() {
                    String::new()
                } else {
                    format!(":{label}")
                };
                format!("{name}({}{on}.{property}{test})", show(var))
            }
            Expand { spec, .. } => {
                let kind = match (spec.hops.is_some(), spec.into) {
                    (true, false) => "VarLengthExpand",
                    (true, true) => "VarLengthExpandInto",
                    (false, true) => "ExpandInto",
                    (false, false) => "Expand",
                };
                format!("{kind}({})", step(spec))
            }
            Reach { spec, .. } => format!("DistinctReach({})", step(spec)),
            ShortestPath {
                spec, path, all, ..
            } => format!(
                "{}({} = {})",
                if *all {
                    "AllShortestPaths"
                } else {
                    "ShortestPath"
                },
                show(path),
                step(spec)
            ),
            PathSearch { spec, .. } => search(spec),
            Filter { .. } => "Filter".into(),
            Project { items, .. } => format!(
                "Projection({})",
                items
                    .iter()
                    .map(|(n, _)| show(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Select { .. } => format!("Produce({})", shown(&self.columns).join(", ")),
            Lineage { .. } => "Lineage".into(),
            Aggregate { keys, aggs, .. } => format!(
                "Aggregate(keys: [{}], aggregates: [{}])",
                keys.iter()
                    .map(|(n, _)| show(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                aggs.iter()
                    .map(|a| format!(
                        "{}({}{})",
                        a.name,
                        if a.distinct { "DISTINCT " } else { "" },
                        if a.star { "*" } else { "…" }
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            DegreeCount {
                node,
                types,
                direction,
                ..
            } => format!(
                "DegreeCount({}, {:?}{})",
                show(node),
                direction,
                if types.is_empty() {
                    String::new()
                } else {
                    format!(", :{}", types.join("|"))
                }
            ),
            DegreeGroup {
                var,
                label,
                types,
                direction,
                keys,
                ..
            } => {
                let node = match label {
                    Some(l) => format!("{}:{l}", show(var)),
                    None => show(var),
                };
                let types = if types.is_empty() {
                    String::new()
                } else {
                    format!("[:{}]", types.join("|"))
                };
                let rel = match direction {
                    Direction::Outgoing => format!("-{types}->"),
                    Direction::Incoming => format!("<-{types}-"),
                    Direction::Both => format!("-{types}-"),
                };
                let keys: Vec<String> = keys.iter().map(|(n, _)| show(n)).collect();
                format!("DegreeGroup(({node}){rel}(), keys: [{}])", keys.join(", "))
            }
            CountNodes { var, label, .. } => match label {
                Some(l) => format!("CountNodes({}:{l})", show(var)),
                None => format!("CountNodes({})", show(var)),
            },
            Distinct { .. } => "Distinct".into(),
            Sort { keys, .. } => format!("Sort({} keys)", keys.len()),
            Top { keys, .. } => format!("Top({} keys)", keys.len()),
            Skip { .. } => "Skip".into(),
            Limit { .. } => "Limit".into(),
            Unwind { var, .. } => format!("Unwind({})", show(var)),
            Optional { .. } => "Optional".into(),
            Apply { .. } => "Apply".into(),
            Union { all, .. } => {
                if *all {
                    "UnionAll".into()
                } else {
                    "Union".into()
                }
            }
            BuildPath { var, .. } => format!("NamedPath({})", show(var)),
            Create { .. } => "Create".into(),
            Merge { .. } => "Merge".into(),
            SetProps { .. } => "Set".into(),
            Remove { .. } => "Remove".into(),
            Delete { detach, .. } => {
                if *detach {
                    "DetachDelete".into()
                } else {
                    "Delete".into()
                }
            }
            Discard { .. } => "EmptyResult".into(),
            Call {
                procedure,
                optional,
                ..
            } => format!(
                "{}ProcedureCall({procedure})",
                if *optional { "Optional" } else { "" }
            ),
            Subquery { foreach: true, .. } => "Foreach".into(),
            Subquery {
                unit,
                transactions: Some(tx),
                ..
            } => tx.describe(*unit),
            Subquery { unit, optional, .. } => format!(
                "{}{}",
                if *optional { "Optional" } else { "" },
                if *unit { "UnitSubquery" } else { "Subquery" }
            ),
            LoadCsv { var, headers, .. } => format!(
                "LoadCsv({}{})",
                show(var),
                if *headers { ", with headers" } else { "" }
            ),
        }
    }

    /// Writes the tree, one operator per line, children indented below their parent.
    pub fn write_tree(
        &self,
        out: &mut String,
        depth: usize,
        extra: &dyn Fn(&LogicalPlan) -> String,
    ) {
        for _ in 0..depth {
            out.push_str("  ");
        }
        out.push_str(&self.describe());
        out.push_str(&extra(self));
        out.push('\n');
        for c in self.inputs() {
            c.write_tree(out, depth + 1, extra);
        }
        // A nested plan shows below the operator that evaluates its expression, after the
        // operator's inputs, headed by the kind of subquery and the variables it imports.
        for sub in &self.nested {
            for _ in 0..=depth {
                out.push_str("  ");
            }
            out.push_str(&sub.describe());
            out.push('\n');
            sub.plan.write_tree(out, depth + 2, extra);
        }
    }
}

impl fmt::Display for LogicalPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_tree(&mut s, 0, &|_| String::new());
        f.write_str(&s)
    }
}

fn step(spec: &ExpandSpec) -> String {
    let (l, r) = match spec.direction {
        Direction::Outgoing => ("-", "->"),
        Direction::Incoming => ("<-", "-"),
        Direction::Both => ("-", "-"),
    };
    let mut alts = spec.types.clone();
    alts.extend(
        spec.dynamic_types
            .iter()
            .map(|d| (if d.any { "$any(…)" } else { "$(…)" }).to_string()),
    );
    alts.extend(spec.type_expr.iter().map(|t| t.to_string()));
    let types = if alts.is_empty() {
        String::new()
    } else {
        format!(":{}", alts.join("|"))
    };
    let hops = match spec.hops {
        None => String::new(),
        Some(h) => match h.max {
            Some(m) => format!("*{}..{}", h.min, m),
            None => format!("*{}..", h.min),
        },
    };
    format!(
        "({}){l}[{}{types}{hops}]{r}({})",
        show(&spec.from),
        show(&spec.rel),
        show(&spec.to)
    )
}

/// Hidden variables print as `anon_N`.
fn show(name: &str) -> String {
    match name.strip_prefix(' ') {
        Some(rest) => rest.trim().to_string(),
        None => name.to_string(),
    }
}

fn shown(cols: &[String]) -> Vec<String> {
    cols.iter().map(|c| show(c)).collect()
}

/// True for planner-generated helper columns.
pub fn is_hidden(name: &str) -> bool {
    name.starts_with(' ')
}

/// `PathSearch(All|Into, SHORTEST 2: (a) ((x)-[r:R]->(y)){1,} (b))` for EXPLAIN.
fn search(spec: &PathSearchSpec) -> String {
    let arrows = |d: Direction| match d {
        Direction::Outgoing => ("-", "->"),
        Direction::Incoming => ("<-", "-"),
        Direction::Both => ("-", "-"),
    };
    let mut text = format!("({})", show(&spec.from));
    for (i, seg) in spec.segments.iter().enumerate() {
        let mut body = String::new();
        if seg.group {
            body.push_str(&format!("({})", show(&seg.nodes[0])));
        }
        for (j, r) in seg.rels.iter().enumerate() {
            let (l, rr) = arrows(r.direction);
            let types = if r.types.is_empty() {
                String::new()
            } else {
                format!(":{}", r.types.join("|"))
            };
            body.push_str(&format!("{l}[{}{types}]{rr}", show(&r.var)));
            if seg.group {
                body.push_str(&format!("({})", show(&seg.nodes[j + 1])));
            }
        }
        if seg.group {
            let max = seg.max.map(|m| m.to_string()).unwrap_or_default();
            text.push_str(&format!(" ({body}){{{},{max}}} ", seg.min));
        } else {
            text.push_str(&body);
        }
        let end = spec.junctions.get(i).unwrap_or(&spec.to);
        text.push_str(&format!("({})", show(end)));
    }
    let mode = if spec.into { "Into" } else { "All" };
    match spec.selector {
        Some(sel) => format!("PathSearch({mode}, {sel}: {text})"),
        None => format!("PathSearch({mode}: {text})"),
    }
}
