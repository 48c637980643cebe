//! Constant expressions: recognising them and evaluating them without a graph or a row, for
//! compile-time checks (a literal `1 AND 'a'`), SKIP/LIMIT values and constant folding.

use std::collections::BTreeMap;

use crate::ast::{Expr, ExprKind};
use crate::error::Result;
use crate::functions::FunctionContext;
use crate::model::{Direction, Node, NodeId, RelId, Relationship};
use crate::store::{Edge, GraphRead, GraphStats, IndexDef};
use crate::value::Value;

use super::{eval, EmptyScope, EvalContext, Scope};

/// True when `expr` reads no variables, no graph, no parameters (unless `allow_parameters`)
/// and calls only deterministic non-aggregate functions, so it has one value per query.
pub fn is_constant(expr: &Expr, allow_parameters: bool) -> bool {
    let c = |e: &Expr| is_constant(e, allow_parameters);
    match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::String(_) => true,
        ExprKind::Parameter(_) => allow_parameters,
        ExprKind::Variable(_)
        | ExprKind::CountStar
        | ExprKind::PatternPredicate(_)
        | ExprKind::PatternComprehension { .. }
        | ExprKind::Subquery(..)
        | ExprKind::MapProjection { .. }
        // Comprehension bodies refer to their own variable; treat them as non-constant.
        | ExprKind::ListComprehension { .. }
        | ExprKind::Quantifier { .. }
        | ExprKind::Reduce { .. } => false,
        ExprKind::List(items) => items.iter().all(c),
        ExprKind::Map(entries) => entries.iter().all(|(_, e)| c(e)),
        ExprKind::Property(b, _) => c(b),
        ExprKind::Index(b, i) => c(b) && c(i),
        ExprKind::Slice(b, f, t) => {
            c(b) && f.as_deref().is_none_or(c) && t.as_deref().is_none_or(c)
        }
        ExprKind::Unary(_, e) => c(e),
        ExprKind::Binary(_, l, r) => c(l) && c(r),
        ExprKind::IsNull { expr, .. } | ExprKind::TypeTest { expr, .. }
        | ExprKind::Normalized { expr, .. } => c(expr),
        ExprKind::HasLabels(e, _) => c(e),
        ExprKind::LabelTest(e, test) => c(e) && test.dynamic_exprs().into_iter().all(c),
        ExprKind::Function { name, args, .. } => {
            let volatile = |f: &crate::functions::FunctionInfo| {
                matches!(
                    f.name,
                    "rand" | "timestamp" | "randomUUID" | "linenumber" | "file"
                )
                    || crate::functions::reads_clock(f, args.len())
            };
            let deterministic = crate::functions::lookup(name)
                .is_some_and(|f| !f.aggregate && !volatile(&f));
            deterministic && args.iter().all(c)
        }
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            operand.as_deref().is_none_or(c)
                && whens.iter().all(|(w, t)| c(w) && c(t))
                && else_.as_deref().is_none_or(c)
        }
    }
}

/// Evaluates a constant expression (see [`is_constant`]); `None` when it is not constant.
pub fn eval_constant(expr: &Expr, params: &BTreeMap<String, Value>) -> Option<Result<Value>> {
    if !is_constant(expr, true) {
        return None;
    }
    let ctx = NoGraph { params };
    Some(eval(expr, &EmptyScope, &ctx))
}

/// An evaluation context with parameters and an empty graph.
struct NoGraph<'a> {
    params: &'a BTreeMap<String, Value>,
}

impl FunctionContext for NoGraph<'_> {
    fn graph(&self) -> &dyn GraphRead {
        &EmptyGraph
    }
}

impl EvalContext for NoGraph<'_> {
    fn parameter(&self, name: &str) -> Option<&Value> {
        self.params.get(name)
    }
    fn subquery(&self, _expr: &Expr, _scope: &dyn Scope) -> Result<Value> {
        Ok(Value::Null)
    }
}

/// A graph with nothing in it.
pub struct EmptyGraph;

impl GraphRead for EmptyGraph {
    fn node(&self, _: NodeId) -> Result<Option<Node>> {
        Ok(None)
    }
    fn relationship(&self, _: RelId) -> Result<Option<Relationship>> {
        Ok(None)
    }
    fn node_ids(&self) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn nodes_with_label(&self, _: &str) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn relationship_ids(&self) -> Result<Box<dyn Iterator<Item = Result<RelId>> + '_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn edges(&self, _: NodeId, _: Direction, _: &[&str]) -> Result<Vec<Edge>> {
        Ok(Vec::new())
    }
    fn index_lookup(&self, _: &str, _: &str, _: &Value) -> Result<Option<Vec<NodeId>>> {
        Ok(None)
    }
    fn indexes(&self) -> Result<Vec<IndexDef>> {
        Ok(Vec::new())
    }
    fn labels(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn relationship_types(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn property_keys(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn node_count(&self) -> Result<u64> {
        Ok(0)
    }
    fn relationship_count(&self) -> Result<u64> {
        Ok(0)
    }
    fn stats(&self) -> Result<GraphStats> {
        Ok(GraphStats::default())
    }
}
