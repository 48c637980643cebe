//! The relationship type scan (`DirectedRelationshipTypeScan` / `UndirectedRelationshipTypeScan`
//! in Neo4j's EXPLAIN): a single-hop pattern `(a)-[r:T]->(b)` with neither end bound nor
//! found by a seek, bound from a pass over the relationship records of `T` in storage order
//! instead of a scan of every node (or of a label) and an expansion of each node's adjacency.
//!
//! The choice weighs the store's counters: the type scan reads every relationship block
//! (records of other types are skipped by their head, `store/rel_scan.rs`) and has each
//! kept relationship's record, with its properties, in hand; the node scan reads the scanned
//! nodes and the adjacency of the type, and reads a relationship's record only when a filter
//! or a projection asks for it (a random read when expanding backwards).

use super::{NodeStep, PatternPlanner, RelStep, SCORE_ALL_NODES, SCORE_LABEL_SCAN};
use crate::ast::RelDirection;
use crate::plan::builder::Count;
use crate::plan::{ExpandSpec, LogicalPlan, PlanOp};

// Costs in nanoseconds, measured at M (200k nodes, 2M relationships) through whole `kg`
// processes (docs/performance.md, "Relationship type scans"): the type scan costs ≈ 37 ns per
// relationship record read or skipped plus ≈ 30 ns per kept one; the node plan ≈ 390 ns per
// scanned node (its node and adjacency blocks), ≈ 90 ns per expanded relationship, and
// ≈ 160 ns more when the relationship's record is then read (three times that backwards).
const SKIP_NS: u64 = 40;
const SCAN_ROW_NS: u64 = 30;
const NODE_NS: u64 = 400;
const EXPAND_NS: u64 = 90;
const RECORD_NS: u64 = 160;
/// Records read against storage order cost this many in-order reads
/// (`storage_order_start`'s measurement).
const RANDOM_READ: u64 = 3;

impl PatternPlanner<'_, '_> {
    /// Whether the single-hop part `nodes`/`rels` is cheaper to bind by a scan of its
    /// relationship's types than from a node scan: neither end bound, seekable, or of a
    /// dynamic label, the relationship typed, single-hop, not bound.
    pub(in crate::plan) fn relationship_type_scan(
        &self,
        nodes: &[NodeStep],
        rels: &[RelStep],
        bound: &[String],
    ) -> bool {
        let ([a, b], [r]) = (nodes, rels) else {
            return false;
        };
        // Under an aggregation the node plan is kept whatever the counters say: the count
        // rewrites (`plan/counts.rs`, `plan/optimize.rs`) and the fused aggregation (`exec/expand_agg.rs`, one
        // grouping key per scanned node, not per relationship) take that shape; A1 at M ran
        // 0.12 s CPU fused against 0.55 s through the type scan (docs/performance.md,
        // "Relationship type scans").
        if self.b.aggregated {
            return false;
        }
        if r.types.is_empty()
            || r.length.is_some()
            || r.qpp.is_some()
            || !r.dynamic_types.is_empty()
            || r.type_expr.is_some()
            || bound.contains(&r.var)
        {
            return false;
        }
        let scores = [self.score(&a.var, bound), self.score(&b.var, bound)];
        if scores
            .iter()
            .any(|s| *s != SCORE_LABEL_SCAN && *s != SCORE_ALL_NODES)
        {
            return false;
        }
        let Some(counts) = self.b.catalog.counts else {
            return false;
        };
        let (Some(n), Some(all)) = (counts(Count::Nodes), counts(Count::Relationships)) else {
            return false;
        };
        let mut t = 0u64;
        for ty in &r.types {
            let Some(c) = counts(Count::Type(ty)) else {
                return false;
            };
            t = t.saturating_add(c);
        }
        if n == 0 || t == 0 {
            // Nothing to find: either plan is as cheap; keep the node scan's.
            return false;
        }
        // A named relationship is usually read (a filter or a projection of its properties;
        // an anonymous one only counted or passed through), as `storage_order_start` assumes.
        let record = if crate::plan::is_hidden(&r.var) {
            0
        } else {
            RECORD_NS
        };
        // The node plan from each end: its scan, then its share of the relationships.
        let from_end = |i: usize, var: &str| -> Option<u64> {
            let l = match self
                .labels
                .iter()
                .find(|(v, _)| v == var)
                .and_then(|(_, ls)| ls.first())
            {
                Some(label) => counts(Count::Label(label))?,
                None => n,
            };
            let mut share = (u128::from(t) * u128::from(l) / u128::from(n)) as u64;
            // A test of this end alone (`{k: v}`, `WHERE a.k < v`) is applied before the
            // expansion: one in ten nodes kept, Neo4j's default equality selectivity.
            let tested = self.preds.iter().any(|p| {
                p.vars.iter().any(|v| v == var)
                    && p.vars.iter().all(|v| v == var || bound.contains(v))
            });
            if tested {
                share /= 10;
            }
            let per_rel = match (r.direction, i) {
                (RelDirection::LeftToRight, 0) | (RelDirection::RightToLeft, 1) => {
                    EXPAND_NS + record
                }
                // Both directions: each relationship from its start and from its end.
                (RelDirection::Undirected, _) => 2 * EXPAND_NS + record * (1 + RANDOM_READ),
                _ => EXPAND_NS + record * RANDOM_READ,
            };
            Some(
                l.saturating_mul(NODE_NS)
                    .saturating_add(share.saturating_mul(per_rel)),
            )
        };
        let (Some(ca), Some(cb)) = (from_end(0, &a.var), from_end(1, &b.var)) else {
            return false;
        };
        let scan = all
            .saturating_mul(SKIP_NS)
            .saturating_add(t.saturating_mul(SCAN_ROW_NS));
        // Where the two are close, the node plan: its costs vary less with the type's share.
        scan.saturating_add(scan / 4) < ca.min(cb)
    }

    /// What binding `(from)-[r]-(to)` from the relationship itself (an id seek, a type scan)
    /// expands to, and the columns after it; `r` joins the pattern's relationships.
    pub(super) fn whole_relationship(
        &mut self,
        plan: &LogicalPlan,
        from: &str,
        r: &RelStep,
        to: &str,
    ) -> (ExpandSpec, Vec<String>) {
        let spec = ExpandSpec {
            from: from.to_string(),
            rel: r.var.clone(),
            to: to.to_string(),
            types: r.types.clone(),
            dynamic_types: Vec::new(),
            type_expr: None,
            direction: super::direction(r.direction, false),
            into: false,
            hops: None,
            unique_with: self.rels.iter().filter(|x| **x != r.var).cloned().collect(),
            properties: r.properties.clone(),
            reversed: false,
        };
        let mut columns = plan.columns.clone();
        columns.push(from.to_string());
        columns.push(r.var.clone());
        if to != from {
            columns.push(to.to_string());
        }
        self.rels.push(r.var.clone());
        (spec, columns)
    }

    /// Binds `(from)-[r]-(to)` from a scan of `r`'s types (`relationship_type_scan`).
    pub(in crate::plan) fn scan_relationships(
        &mut self,
        plan: LogicalPlan,
        from: &str,
        r: &RelStep,
        to: &str,
    ) -> LogicalPlan {
        let (spec, columns) = self.whole_relationship(&plan, from, r, to);
        let plan = LogicalPlan::new(
            PlanOp::RelationshipTypeScan {
                input: Box::new(plan),
                spec,
            },
            columns,
        );
        self.apply_ready(plan)
    }
}
