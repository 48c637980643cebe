//! Ownership and control analytics over `OWNS` / `CONTROLS` / `SUPPLIES` chains: effective
//! (look-through) stakes solved exactly through cycles, ultimate controllers, and supply
//! dependents.
//!
//! Conventions (also in docs/query-language.md, "Algorithms and procedures"):
//! - `OWNS` runs parent → holding with `stake` as a fraction in 0..1. A stake that is missing,
//!   not a number, or outside 0..1 is *unknown*.
//! - Effective stake of P in C = sum over every ownership walk P → … → C of the product of
//!   stakes, which is entry (P, C) of W(I − W)⁻¹. Walks never re-enter P (P's interest in itself
//!   through a cross-holding is treasury stock, not more interest of P). It is solved exactly:
//!   strongly connected groups of cross-holdings by Gaussian elimination, the rest in
//!   topological order. It is unknown (null) when a walk to C crosses an unknown stake or a
//!   closed cycle of 100% holdings (the series diverges).
//! - Control: `CONTROLS` (voting or contractual control) takes precedence; without it a
//!   holding with more than half of the votes (`voting_stake` when present, else `stake`)
//!   controls, and an `OWNS` whose stake is unknown counts as a parent link (the vocabulary
//!   defines `OWNS` as parent → subsidiary). Economic interest alone never implies control.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::graph::DiGraph;

use crate::error::Result;
use crate::model::{Direction, NodeId, RelId};
use crate::store::GraphRead;
use crate::value::{PathRef, Value};

use super::projection::IdMap;

/// Outgoing `OWNS` of each reached node: (relationship, holding, stake if known).
type OwnsEdges = IdMap<NodeId, Vec<(RelId, NodeId, Option<f64>)>>;

pub const OWNS: &str = "OWNS";
pub const CONTROLS: &str = "CONTROLS";
pub const SUPPLIES: &str = "SUPPLIES";

/// Nodes whose `name` equals `name` (or, when none does, whose `aliases` list contains it).
/// Uses a `name` index on a common label when one exists, else scans.
pub fn find_by_name(graph: &dyn GraphRead, name: &str) -> Result<Vec<NodeId>> {
    let key = Value::String(name.to_string());
    let mut found = BTreeSet::new();
    let mut indexed_labels = Vec::new();
    for def in graph.indexes()? {
        if def.property == "name" {
            indexed_labels.push(def.label);
        }
    }
    // An index only answers for its label; it is complete only if every node carries one of
    // the indexed labels, which we cannot know cheaply — so an index hit is trusted, a miss
    // falls through to the scan.
    for label in &indexed_labels {
        if let Some(ids) = graph.index_lookup(label, "name", &key)? {
            found.extend(ids);
        }
    }
    if !found.is_empty() {
        return Ok(found.into_iter().collect());
    }
    let mut by_alias = BTreeSet::new();
    for id in graph.node_ids()? {
        let id = id?;
        match graph.node_property(id, "name")? {
            Some(Value::String(s)) if s == name => {
                found.insert(id);
            }
            _ => {
                if let Some(Value::List(aliases)) = graph.node_property(id, "aliases")? {
                    if aliases
                        .iter()
                        .any(|a| matches!(a, Value::String(s) if s == name))
                    {
                        by_alias.insert(id);
                    }
                }
            }
        }
    }
    Ok(if found.is_empty() { by_alias } else { found }
        .into_iter()
        .collect())
}

/// A stake read from a relationship: `Some(f)` for a number in 0..1, `None` when unknown.
fn stake_of(graph: &dyn GraphRead, rel: RelId, key: &str) -> Result<Option<f64>> {
    Ok(match graph.relationship_property(rel, key)? {
        Some(Value::Float(f)) if (0.0..=1.0).contains(&f) => Some(f),
        Some(Value::Int(i)) if (0..=1).contains(&i) => Some(i as f64),
        _ => None,
    })
}

/// One row of `kg.ownership.effective`.
#[derive(Clone, Debug, PartialEq)]
pub struct Holding {
    pub company: NodeId,
    /// `None` when unknown (see the module docs).
    pub stake: Option<f64>,
    /// Simple ownership paths from the party to the company (at most [`MAX_PATHS`]).
    pub paths: Vec<PathRef>,
}

/// Evidence paths listed per company; the stake itself is always computed over all walks.
pub const MAX_PATHS: usize = 100;

/// Every organisation `party` owns directly or indirectly, by descending stake (unknown last),
/// then node id.
pub fn effective_stakes(graph: &dyn GraphRead, party: NodeId) -> Result<Vec<Holding>> {
    // Reachable ownership subgraph, never re-entering the party.
    let mut out_edges: OwnsEdges = IdMap::default();
    let mut order = vec![party];
    let mut seen: BTreeSet<NodeId> = [party].into();
    let mut i = 0;
    while i < order.len() {
        let u = order[i];
        i += 1;
        let mut list = Vec::new();
        for e in graph.edges(u, Direction::Outgoing, &[OWNS])? {
            if e.other == party {
                continue;
            }
            list.push((e.rel, e.other, stake_of(graph, e.rel, "stake")?));
            if seen.insert(e.other) {
                order.push(e.other);
            }
        }
        out_edges.insert(u, list);
    }
    let members: Vec<NodeId> = order[1..].to_vec();
    if members.is_empty() {
        return Ok(Vec::new());
    }
    let index: IdMap<NodeId, usize> = members.iter().enumerate().map(|(k, &v)| (v, k)).collect();

    // Condense cross-holdings into strongly connected groups; kosaraju_scc lists them in
    // reverse topological order.
    let mut g = DiGraph::<(), ()>::with_capacity(members.len(), 0);
    for _ in &members {
        g.add_node(());
    }
    for &u in &members {
        for &(_, v, _) in &out_edges[&u] {
            g.add_edge((index[&u] as u32).into(), (index[&v] as u32).into(), ());
        }
    }
    let mut groups = petgraph::algo::kosaraju_scc(&g);
    groups.reverse();

    // Incoming edges per member, from the party or other members.
    let mut incoming: Vec<Vec<(usize, Option<f64>)>> = vec![Vec::new(); members.len()];
    const PARTY: usize = usize::MAX;
    for (&u, list) in &out_edges {
        let from = if u == party { PARTY } else { index[&u] };
        for &(_, v, s) in list {
            incoming[index[&v]].push((from, s));
        }
    }

    let mut stake: Vec<Option<f64>> = vec![None; members.len()];
    let mut solved = vec![false; members.len()];
    for group in &groups {
        let group: Vec<usize> = group.iter().map(|n| n.index()).collect();
        let pos: BTreeMap<usize, usize> = group.iter().enumerate().map(|(k, &v)| (v, k)).collect();
        let k = group.len();
        // (I − Mᵀ) x = b, M the stakes inside the group, b the inflow from solved holders.
        let mut a = vec![vec![0.0; k + 1]; k];
        let mut unknown = false;
        for (row, &c) in group.iter().enumerate() {
            a[row][row] += 1.0;
            for &(from, s) in &incoming[c] {
                let Some(s) = s else {
                    unknown = true;
                    break;
                };
                if from == PARTY {
                    a[row][k] += s;
                } else if let Some(&col) = pos.get(&from) {
                    a[row][col] -= s;
                } else if solved[from] {
                    match stake[from] {
                        Some(x) => a[row][k] += x * s,
                        None => unknown = true,
                    }
                }
            }
        }
        for &c in &group {
            solved[c] = true;
        }
        if unknown {
            continue;
        }
        if let Some(x) = solve(a) {
            for (row, &c) in group.iter().enumerate() {
                // A feasible system (holdings of each company at most 100%) yields stakes in
                // 0..1; anything else means inconsistent data, reported as unknown.
                if x[row].is_finite() && x[row] >= -1e-12 && x[row] <= 1.0 + 1e-9 {
                    stake[c] = Some(x[row].clamp(0.0, 1.0));
                }
            }
        }
    }

    let mut rows: Vec<Holding> = members
        .iter()
        .enumerate()
        .map(|(k, &c)| Holding {
            company: c,
            stake: stake[k],
            paths: Vec::new(),
        })
        .collect();
    let mut paths: IdMap<NodeId, Vec<PathRef>> = IdMap::default();
    let mut nodes = vec![party];
    let mut rels = Vec::new();
    let mut budget = 100_000usize;
    simple_paths(&out_edges, &mut nodes, &mut rels, &mut paths, &mut budget);
    for row in &mut rows {
        row.paths = paths.remove(&row.company).unwrap_or_default();
    }
    rows.sort_by(|a, b| match (a.stake, b.stake) {
        (Some(x), Some(y)) => y.total_cmp(&x).then(a.company.cmp(&b.company)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.company.cmp(&b.company),
    });
    Ok(rows)
}

/// Gaussian elimination with partial pivoting on an augmented k×(k+1) matrix; `None` when
/// singular (a closed cycle of full holdings).
fn solve(mut a: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let k = a.len();
    for col in 0..k {
        let pivot = (col..k).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        for row in col + 1..k {
            let f = a[row][col] / a[col][col];
            if f != 0.0 {
                let (upper, lower) = a.split_at_mut(row);
                for (x, p) in lower[0][col..].iter_mut().zip(&upper[col][col..]) {
                    *x -= f * p;
                }
            }
        }
    }
    let mut x = vec![0.0; k];
    for row in (0..k).rev() {
        let s: f64 = (row + 1..k).map(|c| a[row][c] * x[c]).sum();
        x[row] = (a[row][k] - s) / a[row][row];
    }
    Some(x)
}

fn simple_paths(
    out_edges: &OwnsEdges,
    nodes: &mut Vec<NodeId>,
    rels: &mut Vec<RelId>,
    found: &mut IdMap<NodeId, Vec<PathRef>>,
    budget: &mut usize,
) {
    let Some(&u) = nodes.last() else { return };
    for &(rel, v, _) in out_edges.get(&u).map_or(&[][..], Vec::as_slice) {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        if nodes.contains(&v) {
            continue;
        }
        nodes.push(v);
        rels.push(rel);
        let list = found.entry(v).or_default();
        if list.len() < MAX_PATHS {
            list.push(PathRef {
                nodes: nodes.clone(),
                rels: rels.clone(),
            });
        }
        simple_paths(out_edges, nodes, rels, found, budget);
        nodes.pop();
        rels.pop();
    }
}

/// The relationships through which `node` is controlled: (controller, relationship).
/// `CONTROLS` takes precedence over ownership; see the module docs.
fn control_edges(graph: &dyn GraphRead, node: NodeId) -> Result<Vec<(NodeId, RelId)>> {
    let explicit = graph.edges(node, Direction::Incoming, &[CONTROLS])?;
    if !explicit.is_empty() {
        return Ok(explicit.into_iter().map(|e| (e.other, e.rel)).collect());
    }
    let mut out = Vec::new();
    for e in graph.edges(node, Direction::Incoming, &[OWNS])? {
        let voting = match graph.relationship_property(e.rel, "voting_stake")? {
            Some(_) => stake_of(graph, e.rel, "voting_stake")?,
            None => stake_of(graph, e.rel, "stake")?,
        };
        let stake_missing = graph.relationship_property(e.rel, "stake")?.is_none()
            && graph
                .relationship_property(e.rel, "voting_stake")?
                .is_none();
        if voting.is_some_and(|v| v > 0.5) || stake_missing {
            out.push((e.other, e.rel));
        }
    }
    Ok(out)
}

/// The ultimate controllers of `company` with one control chain each (controller first,
/// `company` last), ordered by chain length then controller id. Walks control upwards; a
/// party nobody controls is ultimate, and so is every member of a control cycle that nobody
/// outside it controls.
pub fn ultimate_controllers(
    graph: &dyn GraphRead,
    company: NodeId,
) -> Result<Vec<(NodeId, PathRef)>> {
    // BFS upwards; `down[v]` = (the node v controls on the way to `company`, relationship).
    let mut down: IdMap<NodeId, (NodeId, RelId)> = IdMap::default();
    let mut up: IdMap<NodeId, Vec<NodeId>> = IdMap::default();
    let mut order = vec![company];
    let mut queue = VecDeque::from([company]);
    while let Some(v) = queue.pop_front() {
        let edges = control_edges(graph, v)?;
        up.insert(v, edges.iter().map(|&(c, _)| c).collect());
        for (c, rel) in edges {
            if c != company && !down.contains_key(&c) {
                down.insert(c, (v, rel));
                order.push(c);
                queue.push_back(c);
            }
        }
    }
    if order.len() == 1 {
        return Ok(Vec::new());
    }
    // Source groups of the upward control graph: nobody outside the group controls a member.
    let index: IdMap<NodeId, usize> = order.iter().enumerate().map(|(k, &v)| (v, k)).collect();
    let mut g = DiGraph::<(), ()>::with_capacity(order.len(), 0);
    for _ in &order {
        g.add_node(());
    }
    for (&v, controllers) in &up {
        for c in controllers {
            // Edge v → controller (upwards).
            g.add_edge((index[&v] as u32).into(), (index[c] as u32).into(), ());
        }
    }
    let mut rows = Vec::new();
    for group in petgraph::algo::kosaraju_scc(&g) {
        let members: BTreeSet<usize> = group.iter().map(|n| n.index()).collect();
        let escapes = members
            .iter()
            .any(|&m| up[&order[m]].iter().any(|c| !members.contains(&index[c])));
        if escapes || members.contains(&0) {
            continue;
        }
        for &m in &members {
            rows.push((order[m], chain(&down, order[m], company)));
        }
    }
    rows.sort_by(|a, b| a.1.rels.len().cmp(&b.1.rels.len()).then(a.0.cmp(&b.0)));
    Ok(rows)
}

fn chain(down: &IdMap<NodeId, (NodeId, RelId)>, from: NodeId, company: NodeId) -> PathRef {
    let mut nodes = vec![from];
    let mut rels = Vec::new();
    let mut v = from;
    while v != company {
        let Some(&(next, rel)) = down.get(&v) else {
            break;
        };
        nodes.push(next);
        rels.push(rel);
        v = next;
    }
    PathRef { nodes, rels }
}

/// `SUPPLIES.status` values that say no supply is under way: the customer only wants the
/// supplier's goods, a supply is planned or guessed at, or it has stopped. Compared without
/// regard to case.
pub const NOT_A_SUPPLY: &[&str] = &[
    "sought",
    "wanted",
    "planned",
    "proposed",
    "considering",
    "speculated",
    "rumoured",
    "rumored",
    "ended",
    "stopped",
    "terminated",
    "cancelled",
    "canceled",
    "banned",
];

/// True when a `SUPPLIES` relationship states an actual supply: its `status` (if any) is not
/// one of [`NOT_A_SUPPLY`] and it is not marked `confidence: 'speculative'`.
pub fn is_actual_supply(graph: &dyn GraphRead, rel: RelId) -> Result<bool> {
    if let Some(Value::String(status)) = graph.relationship_property(rel, "status")? {
        let status = status.trim();
        if NOT_A_SUPPLY.iter().any(|s| s.eq_ignore_ascii_case(status)) {
            return Ok(false);
        }
    }
    if let Some(Value::String(c)) = graph.relationship_property(rel, "confidence")? {
        if c.trim().eq_ignore_ascii_case("speculative") {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Who depends on `supplier` through outgoing `SUPPLIES` chains (supplier → customer), with
/// the number of hops of the shortest chain, ordered by depth then node id. Only actual
/// supplies count ([`is_actual_supply`]): a customer that merely seeks a supplier's hardware,
/// or a supply that is planned, guessed at or ended, makes nobody a dependent.
pub fn supply_dependents(graph: &dyn GraphRead, supplier: NodeId) -> Result<Vec<(NodeId, u32)>> {
    let mut depth: IdMap<NodeId, u32> = IdMap::default();
    depth.insert(supplier, 0);
    let mut queue = VecDeque::from([supplier]);
    let mut rows = Vec::new();
    while let Some(u) = queue.pop_front() {
        let d = depth[&u];
        for e in graph.edges(u, Direction::Outgoing, &[SUPPLIES])? {
            if depth.contains_key(&e.other) || !is_actual_supply(graph, e.rel)? {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = depth.entry(e.other) {
                slot.insert(d + 1);
                rows.push((e.other, d + 1));
                queue.push_back(e.other);
            }
        }
    }
    rows.sort_by_key(|&(v, d)| (d, v));
    Ok(rows)
}
