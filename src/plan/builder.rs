//! The planner's state shared by every planning file: the [`Builder`] (source text, catalog,
//! fresh-name counter, provenance switch) and what it knows about the database ([`Catalog`]).

use crate::ast::{Expr, ExprKind, Span};
use crate::procedures::ProcedureSignature;
use crate::store::IndexDef;

/// What the planner needs to know about the database while compiling.
pub struct Catalog<'a> {
    pub indexes: &'a [IndexDef],
    pub procedure: &'a dyn Fn(&str) -> Option<ProcedureSignature>,
    /// The store's counters, asked lazily when a choice depends on them (`None` from the
    /// closure, or no closure: plan without them).
    pub counts: Option<&'a CountFn<'a>>,
}

/// How the planner asks for a counter (`None`: not known).
pub type CountFn<'a> = dyn Fn(Count<'_>) -> Option<u64> + 'a;

/// A counter the planner may weigh access paths with.
#[derive(Clone, Copy, Debug)]
pub enum Count<'s> {
    /// Every node.
    Nodes,
    /// Nodes carrying a label.
    Label(&'s str),
    /// Relationships of a type.
    Type(&'s str),
    /// Every relationship.
    Relationships,
}

pub(crate) struct Builder<'a> {
    pub source: &'a str,
    pub catalog: &'a Catalog<'a>,
    pub fresh: usize,
    /// Plan for provenance (`plan::provenance`).
    pub why: bool,
    /// The MATCH being planned feeds an aggregating WITH or RETURN directly: its pattern
    /// keeps the node scan and expansion (`plan/pattern/rel_scan.rs` says why).
    pub aggregated: bool,
}

/// A variable expression with the given name.
pub(crate) fn var_expr(name: &str, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Variable(name.to_string()),
        span,
    }
}

impl Builder<'_> {
    /// A hidden, unique helper column name.
    pub fn fresh(&mut self, what: &str) -> String {
        self.fresh += 1;
        format!("  {what}_{}", self.fresh)
    }

    /// The source text of a span with whitespace removed, for matching ORDER BY expressions
    /// against projection items.
    pub(super) fn text(&self, span: Span) -> String {
        self.source
            .get(span.start..span.end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect()
    }
}
