//! Planning of quantified path patterns and selective path patterns (`SHORTEST k`, `ANY k`,
//! `SHORTEST k GROUPS`) into `PlanOp::PathSearch`.
//!
//! A quantified path pattern becomes a [`Segment`] whose predicate holds everything inside it
//! (labels, properties, WHEREs), checked on every iteration. A selective path pattern becomes
//! one search over all its segments: the conditions on its first and last node are ordinary
//! predicates (the selector partitions by those two nodes, so filtering them before or after
//! selecting is the same), while the ones on the nodes and relationships between, and the WHERE
//! of a parenthesized pattern, are checked before selecting, as Neo4j does. The MATCH WHERE
//! stays a filter after the search.

use crate::ast::{Expr, ExprKind, NodePattern, PathSelector, PatternPart, QuantifiedPath};
use crate::error::{QueryError, Result};
use crate::plan::builder::var_expr;
use crate::plan::pattern::{direction, filter_expr, property_predicates, PatternPlanner};
use crate::plan::{LogicalPlan, PathSearchSpec, PlanOp, Segment, SegmentRel, SegmentSlot};

/// A selective path pattern, named and split into its search and its endpoint conditions.
pub(super) struct SelectivePart {
    start: String,
    end: String,
    segments: Vec<Segment>,
    junctions: Vec<String>,
    predicate: Option<Expr>,
    path: Option<String>,
    rels_column: String,
    selector: PathSelector,
}

impl PatternPlanner<'_, '_> {
    /// Names the variables of a selective pattern part and gathers its conditions.
    pub(super) fn selective_part(
        &mut self,
        part: &PatternPart,
        selector: PathSelector,
    ) -> Result<SelectivePart> {
        let el = &part.element;
        let mut start_node = el.start.clone();
        let mut pre = Vec::new();
        // Endpoint WHEREs are endpoint conditions like the others.
        if let Some(w) = start_node.where_.take() {
            pre.push(*w);
        }
        let start = self.node(&start_node)?.var;
        let mut end = start.clone();
        let mut segments = Vec::new();
        let mut junctions = Vec::new();
        for (i, (r, n)) in el.chain.iter().enumerate() {
            segments.push(match &r.quantified {
                Some(q) => self.qpp_segment(q)?,
                None => self.rel_segment(r, &mut pre),
            });
            if i + 1 == el.chain.len() {
                let mut last = n.clone();
                let w = last.where_.take();
                end = self.node(&last)?.var;
                pre.extend(w.map(|w| *w));
            } else {
                let var = self.name_node(n);
                pre.extend(node_conditions(&var, n));
                junctions.push(var);
            }
        }
        if el.chain.is_empty() {
            return Err(QueryError::syntax(
                "InvalidSelectivePattern",
                format!("the path selector `{selector}` needs a pattern with a relationship"),
            )
            .at(part.span)
            .into());
        }
        pre.extend(part.where_.as_deref().cloned());
        let path = part.variable.as_ref().map(|v| v.name.clone());
        if let Some(p) = &path {
            self.pattern_vars.push(p.clone());
        }
        let rels_column = self.b.fresh("path_rels");
        // Endpoint-only WHERE conditions can be checked before or after the search; the
        // others are checked during it.
        let mut predicate = Vec::new();
        for e in pre {
            let vars = crate::plan::walk::variables(&e);
            if vars
                .iter()
                .all(|v| *v == start || *v == end || !self.pattern_vars.contains(v))
            {
                self.add_pred(e);
            } else {
                predicate.push(e);
            }
        }
        Ok(SelectivePart {
            start,
            end,
            segments,
            junctions,
            predicate: filter_expr(predicate),
            path,
            rels_column,
            selector,
        })
    }

    /// Plans the search of a selective pattern part from its first node.
    pub(super) fn plan_selective(
        &mut self,
        mut plan: LogicalPlan,
        sp: SelectivePart,
    ) -> Result<LogicalPlan> {
        if !plan.columns.contains(&sp.start) {
            plan = self.scan(plan, &sp.start);
            plan = self.apply_ready(plan);
        }
        // Search into the last node when it is cheap to bind or filtered on its own: the
        // search then stops once that node's selection is complete.
        let end = &sp.end;
        let own_filter = self.preds.iter().any(|p| {
            p.vars.contains(end)
                && p.vars
                    .iter()
                    .all(|v| v == end || plan.columns.contains(v) || !self.pattern_vars.contains(v))
        });
        let into = plan.columns.contains(end) || own_filter || self.score(end, &plan.columns) <= 3;
        if into && !plan.columns.contains(end) {
            plan = self.scan(plan, end);
            plan = self.apply_ready(plan);
        }
        let spec = PathSearchSpec {
            from: sp.start,
            to: sp.end,
            into,
            segments: sp.segments,
            junctions: sp.junctions,
            selector: Some(sp.selector),
            predicate: sp.predicate,
            unique_with: Vec::new(),
            rels_column: sp.rels_column.clone(),
            path: sp.path,
            reversed: false,
        };
        let mut columns = plan.columns.clone();
        columns.extend(spec.output_columns());
        self.rels.push(sp.rels_column);
        let plan = LogicalPlan::new(
            PlanOp::PathSearch {
                input: Box::new(plan),
                spec,
            },
            columns,
        );
        Ok(self.apply_ready(plan))
    }

    /// A quantified path pattern as a segment: its variables are group variables, and all its
    /// conditions are checked on every iteration.
    pub(super) fn qpp_segment(&mut self, q: &QuantifiedPath) -> Result<Segment> {
        let el = &q.element;
        let mut preds = Vec::new();
        let mut nodes = Vec::new();
        let mut rels = Vec::new();
        let mut outputs: Vec<(String, SegmentSlot)> = Vec::new();
        let named = |v: &Option<crate::ast::Variable>, slot, out: &mut Vec<_>| -> Result<()> {
            if let Some(v) = v {
                if out
                    .iter()
                    .any(|(n, _): &(String, SegmentSlot)| *n == v.name)
                {
                    return Err(QueryError::unsupported(format!(
                        "the variable `{}` twice in one quantified path pattern",
                        v.name
                    ))
                    .at(v.span)
                    .into());
                }
                out.push((v.name.clone(), slot));
            }
            Ok(())
        };
        let first = self.inner_name(&el.start);
        preds.extend(node_conditions(&first, &el.start));
        named(&el.start.variable, SegmentSlot::Node(0), &mut outputs)?;
        nodes.push(first);
        for (i, (r, n)) in el.chain.iter().enumerate() {
            let var = match &r.variable {
                Some(v) => v.name.clone(),
                None => self.b.fresh("anon_rel"),
            };
            if let Some(props) = &r.properties {
                preds.extend(property_predicates(&var, props, r.span));
            }
            preds.extend(r.where_.as_deref().cloned());
            named(&r.variable, SegmentSlot::Rel(i), &mut outputs)?;
            let (types, dynamic) = super::pattern::rel_types(&var, r);
            preds.extend(dynamic);
            rels.push(SegmentRel {
                var,
                types,
                direction: direction(r.direction, false),
            });
            let nv = self.inner_name(n);
            preds.extend(node_conditions(&nv, n));
            named(&n.variable, SegmentSlot::Node(i + 1), &mut outputs)?;
            nodes.push(nv);
        }
        preds.extend(q.where_.as_deref().cloned());
        for (n, _) in &outputs {
            self.pattern_vars.push(n.clone());
        }
        Ok(Segment {
            min: q.range.min.unwrap_or(0),
            max: q.range.max,
            group: true,
            nodes,
            rels,
            predicate: filter_expr(preds),
            outputs,
        })
    }

    /// One relationship of a selective pattern: a quantified or variable-length one is a
    /// segment of one relationship between anonymous nodes; a plain one binds a singleton and
    /// leaves its conditions in `pre`.
    fn rel_segment(&mut self, r: &crate::ast::RelPattern, pre: &mut Vec<Expr>) -> Segment {
        let var = match &r.variable {
            Some(v) => v.name.clone(),
            None => self.b.fresh("anon_rel"),
        };
        let outputs = match &r.variable {
            Some(v) => {
                self.pattern_vars.push(v.name.clone());
                vec![(v.name.clone(), SegmentSlot::Rel(0))]
            }
            None => Vec::new(),
        };
        let mut conds: Vec<Expr> = Vec::new();
        if let Some(props) = &r.properties {
            conds.extend(property_predicates(&var, props, r.span));
        }
        conds.extend(r.where_.as_deref().cloned());
        let (types, dynamic) = super::pattern::rel_types(&var, r);
        conds.extend(dynamic);
        let nodes = vec![self.b.fresh("anon_node"), self.b.fresh("anon_node")];
        let rels = vec![SegmentRel {
            var,
            types,
            direction: direction(r.direction, false),
        }];
        match r.length {
            Some(l) => Segment {
                min: l.min.unwrap_or(1),
                max: l.max,
                group: true,
                nodes,
                rels,
                predicate: filter_expr(conds),
                outputs,
            },
            None => {
                pre.extend(conds);
                Segment {
                    min: 1,
                    max: Some(1),
                    group: false,
                    nodes,
                    rels,
                    predicate: None,
                    outputs,
                }
            }
        }
    }

    /// The name of a node inside a quantified path pattern (hidden when anonymous).
    fn inner_name(&mut self, n: &NodePattern) -> String {
        match &n.variable {
            Some(v) => v.name.clone(),
            None => self.b.fresh("anon_node"),
        }
    }

    /// The name of a node between the segments of a selective pattern.
    fn name_node(&mut self, n: &NodePattern) -> String {
        let var = self.inner_name(n);
        self.pattern_vars.push(var.clone());
        var
    }
}

/// A node pattern's labels, label expression, properties and WHERE as predicates on `var`.
fn node_conditions(var: &str, n: &NodePattern) -> Vec<Expr> {
    let mut out = Vec::new();
    let target = || Box::new(var_expr(var, n.span));
    if !n.labels.is_empty() {
        out.push(Expr {
            kind: ExprKind::HasLabels(target(), n.labels.clone()),
            span: n.span,
        });
    }
    if let Some(test) = &n.label_expr {
        out.push(Expr {
            kind: ExprKind::LabelTest(target(), test.clone()),
            span: n.span,
        });
    }
    if let Some(props) = &n.properties {
        out.extend(property_predicates(var, props, n.span));
    }
    out.extend(n.where_.as_deref().cloned());
    out
}
