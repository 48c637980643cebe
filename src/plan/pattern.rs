//! Planning of MATCH patterns: pick the most selective start node (bound variable > id seek >
//! property index > label scan > all nodes), expand along the chain in both directions, and
//! apply each WHERE conjunct as soon as its variables are bound.

mod access;
mod rel_scan;
mod whole_index;

use access::Access;

use crate::ast::{
    BinaryOp, Expr, ExprKind, LabelExpr, LengthRange, PathKind, PatternPart, RelDirection, Span,
};
use crate::error::{QueryError, Result};
use crate::model::Direction;
use crate::plan::builder::{var_expr, Builder, Count};
use crate::plan::walk;
use crate::plan::{ExpandSpec, Hops, LogicalPlan, PathSearchSpec, PathStep, PlanOp, Segment};

pub(crate) struct PatternPlanner<'b, 'a> {
    pub(super) b: &'b mut Builder<'a>,
    /// WHERE conjuncts and pattern property equalities not yet applied.
    pub(super) preds: Vec<Pred>,
    /// Labels each variable must carry (checked when the variable is bound).
    labels: Vec<(String, Vec<String>)>,
    /// A dynamic label (`(n:$(x))`) each variable must carry, for `DynamicLabelScan`.
    dynamic: Vec<(String, crate::ast::DynamicLabel)>,
    /// Relationship variables matched so far by this MATCH (for uniqueness).
    pub(super) rels: Vec<String>,
    /// Every variable named in the pattern.
    pub(super) pattern_vars: Vec<String>,
}

pub(super) struct Pred {
    pub(super) expr: Expr,
    pub(super) vars: Vec<String>,
}

pub(super) struct NodeStep {
    pub(super) var: String,
}

pub(super) struct RelStep {
    /// The relationship variable; for a quantified path pattern, the column of all its
    /// relationships.
    var: String,
    types: Vec<String>,
    direction: RelDirection,
    length: Option<LengthRange>,
    properties: Option<Expr>,
    /// Dynamic types of a variable-length or shortest-path step, resolved per input row.
    dynamic_types: Vec<crate::ast::DynamicLabel>,
    /// The type expression (`[:!A*]`) of such a step, resolved per input row likewise.
    type_expr: Option<LabelExpr>,
    /// A quantified path pattern in this step's place.
    qpp: Option<Segment>,
}

/// A pattern part with its path variable, node steps and relationship steps, ready to plan.
type PartSteps<P> = (P, Option<String>, Vec<NodeStep>, Vec<RelStep>);

/// [`PatternPlanner::score`] of a node found only by its label's scan, and of one with nothing
/// to find it by (named: `storage_order_start` compares them).
const SCORE_LABEL_SCAN: u8 = 5;
const SCORE_ALL_NODES: u8 = 7;

impl<'b, 'a> PatternPlanner<'b, 'a> {
    pub fn new(b: &'b mut Builder<'a>) -> Self {
        PatternPlanner {
            b,
            preds: Vec::new(),
            labels: Vec::new(),
            dynamic: Vec::new(),
            rels: Vec::new(),
            pattern_vars: Vec::new(),
        }
    }

    pub fn plan(
        mut self,
        input: LogicalPlan,
        pattern: &[PatternPart],
        where_: Option<&Expr>,
    ) -> Result<LogicalPlan> {
        // Name anonymous elements and collect per-element predicates.
        let mut parts = Vec::new();
        let mut selective = Vec::new();
        for part in pattern {
            if let PathKind::Selector(sel) = part.kind {
                if pattern.len() > 1 {
                    // Neo4j 5: a selective path pattern is the only one in its graph pattern.
                    return Err(QueryError::syntax(
                        "InvalidSelectivePattern",
                        format!("a path pattern with the selector `{sel}` must be the only path pattern of its MATCH; write the others in another MATCH"),
                    )
                    .at(part.span)
                    .into());
                }
                selective.push(self.selective_part(part, sel)?);
                continue;
            }
            let mut nodes = Vec::new();
            let mut rels = Vec::new();
            let el = &part.element;
            nodes.push(self.node(&el.start)?);
            for (r, n) in &el.chain {
                let var = match &r.variable {
                    Some(v) => v.name.clone(),
                    None if r.quantified.is_some() => self.b.fresh("qpp_rels"),
                    None => self.b.fresh("anon_rel"),
                };
                self.pattern_vars.push(var.clone());
                let qpp = match &r.quantified {
                    Some(q) => Some(self.qpp_segment(q)?),
                    None => None,
                };
                let walks = r.length.is_some()
                    || matches!(part.kind, PathKind::Shortest | PathKind::AllShortest);
                let (types, dynamic_types, type_expr) = if walks {
                    // A walk follows the same types at every hop: their names are resolved
                    // once per input row, so they may only read what the row holds before
                    // this MATCH.
                    let dynamic = r.dynamic_types.iter().map(|d| &d.expr);
                    let in_expr = r.type_expr.iter().flat_map(LabelExpr::dynamic_exprs);
                    bound_before(dynamic.chain(in_expr), &input.columns)?;
                    (
                        r.types.clone(),
                        r.dynamic_types.clone(),
                        r.type_expr.clone(),
                    )
                } else {
                    let (types, dynamic) = rel_types(&var, r);
                    if let Some(test) = dynamic {
                        self.add_pred(test);
                    }
                    (types, Vec::new(), None)
                };
                rels.push(RelStep {
                    var,
                    types,
                    direction: r.direction,
                    length: r.length,
                    properties: r.properties.clone(),
                    dynamic_types,
                    type_expr,
                    qpp,
                });
                nodes.push(self.node(n)?);
            }
            let path = part.variable.as_ref().map(|v| v.name.clone());
            if let Some(p) = &path {
                self.pattern_vars.push(p.clone());
            }
            parts.push((part, path, nodes, rels));
        }
        if let Some(w) = where_ {
            let mut conj = Vec::new();
            split_and(w, &mut conj);
            for c in conj {
                // `MATCH (n) WHERE n:Person` means `MATCH (n:Person)`: the label joins the
                // node's pattern labels, so it can choose a label scan or an index as they do.
                if let ExprKind::HasLabels(subject, ls) = &c.kind {
                    if let ExprKind::Variable(v) = &subject.kind {
                        let is_node = parts.iter().any(|p| p.2.iter().any(|n| n.var == *v));
                        if is_node {
                            self.add_labels(v, ls);
                            continue;
                        }
                    }
                }
                self.add_pred(c.clone());
            }
        }

        let mut plan = input;
        plan = self.apply_ready(plan);
        for sp in selective {
            plan = self.plan_selective(plan, sp)?;
        }
        for (part, path, nodes, rels) in self.dependency_order(parts, &plan.columns) {
            match part.kind {
                PathKind::Normal => {
                    plan = self.chain(plan, &nodes, &rels)?;
                    if let Some(p) = path {
                        let mut steps = vec![PathStep::Node(nodes[0].var.clone())];
                        for (r, n) in rels.iter().zip(&nodes[1..]) {
                            steps.push(if r.length.is_some() || r.qpp.is_some() {
                                PathStep::RelList(r.var.clone())
                            } else {
                                PathStep::Rel(r.var.clone())
                            });
                            steps.push(PathStep::Node(n.var.clone()));
                        }
                        let mut columns = plan.columns.clone();
                        columns.push(p.clone());
                        plan = LogicalPlan::new(
                            PlanOp::BuildPath {
                                input: Box::new(plan),
                                var: p,
                                steps,
                            },
                            columns,
                        );
                        plan = self.apply_ready(plan);
                    }
                }
                PathKind::Selector(_) => {}
                PathKind::Shortest | PathKind::AllShortest => {
                    if rels.len() != 1 {
                        return Err(QueryError::syntax(
                            "InvalidShortestPath",
                            "shortestPath needs a pattern with exactly one relationship",
                        )
                        .at(part.span)
                        .into());
                    }
                    let r = &rels[0];
                    for n in &nodes {
                        if !plan.columns.contains(&n.var) {
                            plan = self.scan(plan, &n.var);
                            plan = self.apply_ready(plan);
                        }
                    }
                    let path = path.unwrap_or_else(|| self.b.fresh("anon_path"));
                    let (min, max) = match r.length {
                        Some(l) => (l.min.unwrap_or(1), l.max),
                        None => (1, Some(1)),
                    };
                    let spec = ExpandSpec {
                        from: nodes[0].var.clone(),
                        rel: r.var.clone(),
                        to: nodes[1].var.clone(),
                        types: r.types.clone(),
                        dynamic_types: r.dynamic_types.clone(),
                        type_expr: r.type_expr.clone(),
                        direction: direction(r.direction, false),
                        into: true,
                        hops: Some(Hops { min, max }),
                        unique_with: vec![],
                        properties: r.properties.clone(),
                        reversed: false,
                    };
                    let mut columns = plan.columns.clone();
                    columns.push(r.var.clone());
                    columns.push(path.clone());
                    plan = LogicalPlan::new(
                        PlanOp::ShortestPath {
                            input: Box::new(plan),
                            spec,
                            path,
                            all: part.kind == PathKind::AllShortest,
                        },
                        columns,
                    );
                    self.rels.push(r.var.clone());
                    plan = self.apply_ready(plan);
                }
            }
        }
        // Whatever is left (e.g. predicates on variables this pattern does not bind).
        let rest: Vec<Expr> = self.preds.drain(..).map(|p| p.expr).collect();
        if !rest.is_empty() {
            plan = filter(plan, rest);
        }
        Ok(plan)
    }

    /// The order in which to plan a MATCH's comma-separated parts: as written, except that a
    /// part whose best start needs a variable a later part binds (`MATCH (n:$(m.kind)),
    /// (m:Movie)`, `MATCH (b:Person {name: a.name}), (a:Company {id: 1})`) waits for that part.
    /// Parts that do not depend on one another keep their written order, so their rows come
    /// in the same order as before.
    fn dependency_order<P>(
        &self,
        mut parts: Vec<PartSteps<P>>,
        bound: &[String],
    ) -> Vec<PartSteps<P>> {
        let mut bound = bound.to_vec();
        let mut ordered = Vec::with_capacity(parts.len());
        while !parts.is_empty() {
            let first_score = self.part_score(&parts[0].2, &bound);
            let enabler = (1..parts.len()).find(|&j| {
                let mut with = bound.clone();
                with.extend(parts[j].2.iter().map(|n| n.var.clone()));
                self.part_score(&parts[0].2, &with) < first_score
                    && self.part_score(&parts[j].2, &bound) < first_score
            });
            let next = parts.remove(enabler.unwrap_or(0));
            bound.extend(next.2.iter().map(|n| n.var.clone()));
            bound.extend(next.3.iter().map(|r| r.var.clone()));
            ordered.push(next);
        }
        ordered
    }

    /// The best [`score`](Self::score) among a part's nodes, as `chain` would start it.
    fn part_score(&self, nodes: &[NodeStep], bound: &[String]) -> u8 {
        nodes
            .iter()
            .map(|n| self.score(&n.var, bound))
            .min()
            .unwrap_or(SCORE_ALL_NODES)
    }

    pub(super) fn node(&mut self, n: &crate::ast::NodePattern) -> Result<NodeStep> {
        let var = match &n.variable {
            Some(v) => v.name.clone(),
            None => self.b.fresh("anon_node"),
        };
        self.pattern_vars.push(var.clone());
        if !n.labels.is_empty() {
            self.add_labels(&var, &n.labels);
        }
        if let Some(test) = &n.label_expr {
            if let Some(d) = test.dynamic_conjuncts().and_then(|ds| ds.first().copied()) {
                self.dynamic.push((var.clone(), d.clone()));
            }
            self.add_pred(Expr {
                kind: ExprKind::LabelTest(Box::new(var_expr(&var, n.span)), test.clone()),
                span: n.span,
            });
        }
        if let Some(props) = &n.properties {
            for p in property_predicates(&var, props, n.span) {
                self.add_pred(p);
            }
        }
        Ok(NodeStep { var })
    }

    /// Adds labels `var` must have (once each) to those its node patterns give.
    fn add_labels(&mut self, var: &str, labels: &[String]) {
        match self.labels.iter_mut().find(|(v, _)| v == var) {
            Some((_, ls)) => {
                for l in labels {
                    if !ls.contains(l) {
                        ls.push(l.clone());
                    }
                }
            }
            None => self.labels.push((var.to_string(), labels.to_vec())),
        }
    }

    pub(super) fn add_pred(&mut self, expr: Expr) {
        let vars = walk::variables(&expr);
        self.preds.push(Pred { expr, vars });
    }

    /// Applies the label checks and predicates whose variables are all bound in `plan`.
    pub(super) fn apply_ready(&mut self, plan: LogicalPlan) -> LogicalPlan {
        let bound =
            |v: &String, cols: &[String], pv: &[String]| cols.contains(v) || !pv.contains(v);
        let mut ready = Vec::new();
        let mut i = 0;
        while i < self.labels.len() {
            if plan.columns.contains(&self.labels[i].0) {
                let (v, ls) = self.labels.remove(i);
                if !ls.is_empty() {
                    ready.push(Expr {
                        kind: ExprKind::HasLabels(Box::new(var_expr(&v, Span::default())), ls),
                        span: Span::default(),
                    });
                }
            } else {
                i += 1;
            }
        }
        let mut i = 0;
        while i < self.preds.len() {
            if self.preds[i]
                .vars
                .iter()
                .all(|v| bound(v, &plan.columns, &self.pattern_vars))
            {
                ready.push(self.preds.remove(i).expr);
            } else {
                i += 1;
            }
        }
        if ready.is_empty() {
            plan
        } else {
            filter(plan, ready)
        }
    }

    fn chain(
        &mut self,
        mut plan: LogicalPlan,
        nodes: &[NodeStep],
        rels: &[RelStep],
    ) -> Result<LogicalPlan> {
        if let Some((i, ids, list, element)) = self.relationship_seek(nodes, rels, &plan.columns) {
            plan = self.seek_relationship(
                plan,
                &nodes[i].var,
                &rels[i],
                &nodes[i + 1].var,
                ids,
                list,
                element,
            );
            for j in i + 1..rels.len() {
                plan = self.expand(plan, &nodes[j].var, &rels[j], &nodes[j + 1].var, false);
            }
            for j in (0..i).rev() {
                plan = self.expand(plan, &nodes[j + 1].var, &rels[j], &nodes[j].var, true);
            }
            return Ok(plan);
        }
        if self.relationship_type_scan(nodes, rels, &plan.columns) {
            return Ok(self.scan_relationships(plan, &nodes[0].var, &rels[0], &nodes[1].var));
        }
        let mut start = (0..nodes.len())
            .min_by_key(|&i| self.score(&nodes[i].var, &plan.columns))
            .unwrap_or(0);
        if let Some(other) = self.storage_order_start(nodes, rels, start, &plan.columns) {
            start = other;
        }
        if !plan.columns.contains(&nodes[start].var) {
            plan = self.scan(plan, &nodes[start].var);
            plan = self.apply_ready(plan);
        }
        for i in start..rels.len() {
            plan = self.expand(plan, &nodes[i].var, &rels[i], &nodes[i + 1].var, false);
        }
        for i in (0..start).rev() {
            plan = self.expand(plan, &nodes[i + 1].var, &rels[i], &nodes[i].var, true);
        }
        Ok(plan)
    }

    /// For `(a)-[r:T]->(b:L)` with `a` unconstrained, starting from every node instead of
    /// from `L`'s label scan, when the counts say it is cheaper (returns `a`'s index).
    ///
    /// Relationships are stored in start-node order. Expanding `r` backwards from each `b`
    /// reads their records (and then `a`'s) in random order, which costs several times
    /// reading them forwards from every node in storage order, where `b:L` is a bitmap test.
    /// Only worth it when the relationship is named (its record or its other end is then
    /// read; an anonymous one is often only counted, from the degrees) and when `L` covers
    /// enough of the graph that the scan of every node is not the larger cost.
    fn storage_order_start(
        &self,
        nodes: &[NodeStep],
        rels: &[RelStep],
        start: usize,
        bound: &[String],
    ) -> Option<usize> {
        /// The cost of a relationship read in random order, in sequential reads (measured on
        /// the analytics bench's A1: 0.9–1.3 s backwards against 0.39 s forwards).
        const RANDOM_READ: u64 = 3;
        let [r] = rels else { return None };
        let counts = self.b.catalog.counts?;
        // The labelled end must be the head of a directed relationship, the other end free.
        let (head, tail) = match r.direction {
            RelDirection::LeftToRight => (1, 0),
            RelDirection::RightToLeft => (0, 1),
            RelDirection::Undirected => return None,
        };
        if start != head
            || r.length.is_some()
            || r.qpp.is_some()
            || crate::plan::is_hidden(&r.var)
            || self.score(&nodes[head].var, bound) != SCORE_LABEL_SCAN
            || self.score(&nodes[tail].var, bound) != SCORE_ALL_NODES
        {
            return None;
        }
        let label = self
            .labels
            .iter()
            .find(|(v, _)| *v == nodes[head].var)
            .and_then(|(_, ls)| ls.first())?;
        let n = counts(Count::Nodes)?;
        let l = counts(Count::Label(label))?;
        let t = if r.types.is_empty() {
            counts(Count::Relationships)?
        } else {
            let mut sum = 0u64;
            for ty in &r.types {
                sum = sum.saturating_add(counts(Count::Type(ty))?);
            }
            sum
        };
        if n == 0 {
            return None;
        }
        // Backwards: the label's nodes plus their share of the relationships, read randomly.
        let share = (u128::from(t) * u128::from(l) / u128::from(n)) as u64;
        let backwards = l.saturating_add(share.saturating_mul(RANDOM_READ));
        // Forwards: every node plus every relationship of the types, in storage order.
        let forwards = n.saturating_add(t);
        (forwards < backwards).then_some(tail)
    }

    fn expand(
        &mut self,
        plan: LogicalPlan,
        from: &str,
        r: &RelStep,
        to: &str,
        reversed: bool,
    ) -> LogicalPlan {
        let into = plan.columns.iter().any(|c| c == to);
        if let Some(seg) = &r.qpp {
            let spec = PathSearchSpec {
                from: from.to_string(),
                to: to.to_string(),
                into,
                segments: vec![seg.clone()],
                junctions: Vec::new(),
                selector: None,
                predicate: None,
                unique_with: self.rels.clone(),
                rels_column: r.var.clone(),
                path: None,
                reversed,
            };
            let mut columns = plan.columns.clone();
            columns.extend(spec.output_columns());
            self.rels.push(r.var.clone());
            let plan = LogicalPlan::new(
                PlanOp::PathSearch {
                    input: Box::new(plan),
                    spec,
                },
                columns,
            );
            return self.apply_ready(plan);
        }
        let hops = r.length.map(|l| Hops {
            min: l.min.unwrap_or(1),
            max: l.max,
        });
        let spec = ExpandSpec {
            from: from.to_string(),
            rel: r.var.clone(),
            to: to.to_string(),
            types: r.types.clone(),
            dynamic_types: r.dynamic_types.clone(),
            type_expr: r.type_expr.clone(),
            direction: direction(r.direction, reversed),
            into,
            hops,
            unique_with: self.rels.iter().filter(|x| **x != r.var).cloned().collect(),
            properties: r.properties.clone(),
            reversed,
        };
        let mut columns = plan.columns.clone();
        if !columns.contains(&r.var) {
            columns.push(r.var.clone());
        }
        if !into {
            columns.push(to.to_string());
        }
        self.rels.push(r.var.clone());
        let plan = LogicalPlan::new(
            PlanOp::Expand {
                input: Box::new(plan),
                spec,
            },
            columns,
        );
        self.apply_ready(plan)
    }
}

pub(super) fn direction(d: RelDirection, reversed: bool) -> Direction {
    let dir = match d {
        RelDirection::LeftToRight => Direction::Outgoing,
        RelDirection::RightToLeft => Direction::Incoming,
        RelDirection::Undirected => Direction::Both,
    };
    if reversed {
        dir.reverse()
    } else {
        dir
    }
}

/// Splits `a AND b AND c` into its conjuncts.
pub(crate) fn split_and<'e>(e: &'e Expr, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, a, b) => {
            split_and(a, out);
            split_and(b, out);
        }
        _ => out.push(e),
    }
}

/// `(n {k: v, ...})` as equality predicates; a parameter map as "every key equal".
pub(crate) fn property_predicates(var: &str, props: &Expr, span: Span) -> Vec<Expr> {
    let target = var_expr(var, span);
    match &props.kind {
        ExprKind::Map(items) => items
            .iter()
            .map(|(k, v)| Expr {
                kind: ExprKind::Binary(
                    BinaryOp::Eq,
                    Box::new(Expr {
                        kind: ExprKind::Property(Box::new(target.clone()), k.clone()),
                        span: v.span,
                    }),
                    Box::new(v.clone()),
                ),
                span: v.span,
            })
            .collect(),
        _ => {
            // all(k IN keys(props) WHERE n[k] = props[k])
            let k = "  key".to_string();
            let kv = var_expr(&k, span);
            let pred = Expr {
                kind: ExprKind::Binary(
                    BinaryOp::Eq,
                    Box::new(Expr {
                        kind: ExprKind::Index(Box::new(target), Box::new(kv.clone())),
                        span,
                    }),
                    Box::new(Expr {
                        kind: ExprKind::Index(Box::new(props.clone()), Box::new(kv)),
                        span,
                    }),
                ),
                span,
            };
            vec![Expr {
                kind: ExprKind::Quantifier {
                    kind: crate::ast::Quantifier::All,
                    variable: crate::ast::Variable { name: k, span },
                    list: Box::new(Expr {
                        kind: ExprKind::Function {
                            name: "keys".into(),
                            distinct: false,
                            args: vec![props.clone()],
                        },
                        span,
                    }),
                    predicate: Some(Box::new(pred)),
                },
                span,
            }]
        }
    }
}

/// The conjunction of `preds`, if any.
pub(crate) fn filter_expr(preds: Vec<Expr>) -> Option<Expr> {
    let mut it = preds.into_iter();
    let mut e = it.next()?;
    for p in it {
        let span = p.span;
        e = Expr {
            kind: ExprKind::Binary(BinaryOp::And, Box::new(e), Box::new(p)),
            span,
        };
    }
    Some(e)
}

/// A Filter over the conjunction of `preds`.
pub(crate) fn filter(plan: LogicalPlan, preds: Vec<Expr>) -> LogicalPlan {
    let Some(e) = filter_expr(preds) else {
        return plan;
    };
    let columns = plan.columns.clone();
    LogicalPlan::new(
        PlanOp::Filter {
            input: Box::new(plan),
            predicate: e,
        },
        columns,
    )
}

/// A relationship pattern's types: the static ones the expand filters on, or, when some are
/// dynamic (`[r:$(t)]`, `[r:A|$any(ts)]`) or the pattern has a type expression (`[r:!A]`),
/// none there and a type test on `var` instead (the test a node's label expression gets).
pub(super) fn rel_types(var: &str, r: &crate::ast::RelPattern) -> (Vec<String>, Option<Expr>) {
    if let Some(test) = &r.type_expr {
        let test = Expr {
            kind: ExprKind::LabelTest(Box::new(var_expr(var, r.span)), test.clone()),
            span: r.span,
        };
        return (Vec::new(), Some(test));
    }
    if r.dynamic_types.is_empty() {
        return (r.types.clone(), None);
    }
    let mut alts: Vec<LabelExpr> = r.types.iter().cloned().map(LabelExpr::Label).collect();
    alts.extend(
        r.dynamic_types
            .iter()
            .map(|d| LabelExpr::Dynamic(Box::new(d.clone()))),
    );
    let test = if alts.len() == 1 {
        alts.remove(0)
    } else {
        LabelExpr::Or(alts)
    };
    let test = Expr {
        kind: ExprKind::LabelTest(Box::new(var_expr(var, r.span)), test),
        span: r.span,
    };
    (Vec::new(), Some(test))
}

/// Refuses a dynamic type of a variable-length or shortest-path relationship that reads a
/// variable the MATCH itself binds (`(a)-[:$(b.kind)*]->(b)`): its names are resolved once per
/// input row, before the walk binds anything.
fn bound_before<'e>(dynamic: impl Iterator<Item = &'e Expr>, columns: &[String]) -> Result<()> {
    for e in dynamic {
        if let Some(v) = walk::variables(e)
            .into_iter()
            .find(|v| !columns.contains(v))
        {
            return Err(QueryError::unsupported(format!(
                "a dynamic relationship type on a variable-length or shortest-path relationship that reads `{v}`, bound by the same MATCH (use a variable bound before it, or a parameter)"
            ))
            .at(e.span)
            .into());
        }
    }
    Ok(())
}
