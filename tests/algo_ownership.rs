//! Ownership, control and supply analytics on hand-built graphs whose answers are worked out
//! by hand (closed forms in the comments): chains, diamonds, cross-holdings, cycles back to the
//! party, unknown stakes, singular cycles; control precedence and cycles; supply depth.

#[path = "algo/mem_graph.rs"]
mod mem_graph;

use std::sync::Arc;

use kgstore::algo::ownership::{
    effective_stakes, find_by_name, supply_dependents, ultimate_controllers,
};
use kgstore::algo::{AlgoProcedure, Kind, ProjectionCache};
use kgstore::model::NodeId;
use kgstore::value::{PathRef, Value};
use mem_graph::MemGraph;

fn owns(g: &mut MemGraph, a: NodeId, b: NodeId, stake: f64) -> u64 {
    g.rel("OWNS", a, b, &[("stake", Value::Float(stake))])
}

fn stakes(g: &MemGraph, party: NodeId) -> Vec<(NodeId, Option<f64>, usize)> {
    effective_stakes(g, party)
        .unwrap()
        .into_iter()
        .map(|h| (h.company, h.stake, h.paths.len()))
        .collect()
}

fn assert_close(got: Option<f64>, want: f64) {
    let got = got.expect("a known stake");
    assert!((got - want).abs() < 1e-12, "got {got}, want {want}");
}

#[test]
fn chain_and_diamond() {
    let mut g = MemGraph::new();
    let p = g.named("Person", "P");
    let [a, b, c, d] = ["A", "B", "C", "D"].map(|n| g.named("Organization", n));
    owns(&mut g, p, a, 0.6);
    owns(&mut g, p, b, 0.4);
    owns(&mut g, a, c, 0.5);
    owns(&mut g, b, c, 0.5);
    owns(&mut g, c, d, 0.5);
    let rows = stakes(&g, p);
    // A 0.6; C = 0.6·0.5 + 0.4·0.5 = 0.5; B 0.4; D = 0.5·0.5 = 0.25. Descending stake.
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![a, c, b, d]
    );
    assert_close(rows[0].1, 0.6);
    assert_close(rows[1].1, 0.5);
    assert_close(rows[2].1, 0.4);
    assert_close(rows[3].1, 0.25);
    assert_eq!(rows[1].2, 2, "two ownership paths reach C");
    assert_eq!(rows[3].2, 2, "and two reach D through C");
    let c_paths = &effective_stakes(&g, p).unwrap()[1].paths;
    assert!(c_paths
        .iter()
        .all(|path| path.nodes[0] == p && *path.nodes.last().unwrap() == c));
}

#[test]
fn cross_holdings_are_solved_exactly() {
    let mut g = MemGraph::new();
    let p = g.named("Organization", "P");
    let [a, b] = ["A", "B"].map(|n| g.named("Organization", n));
    owns(&mut g, p, a, 0.5);
    owns(&mut g, a, b, 0.4);
    owns(&mut g, b, a, 0.3);
    // s_A = 0.5 + 0.3·s_B, s_B = 0.4·s_A  ⇒  s_A = 0.5 / (1 − 0.12), s_B = 0.4·s_A.
    let rows = stakes(&g, p);
    assert_eq!(rows[0].0, a);
    assert_close(rows[0].1, 0.5 / 0.88);
    assert_close(rows[1].1, 0.2 / 0.88);
    // Simple paths only as evidence: P→A, P→A→B.
    assert_eq!((rows[0].2, rows[1].2), (1, 1));
}

#[test]
fn three_way_cycle_with_outside_holders() {
    let mut g = MemGraph::new();
    let p = g.named("Organization", "P");
    let [a, b, c] = ["A", "B", "C"].map(|n| g.named("Organization", n));
    owns(&mut g, p, a, 0.6);
    owns(&mut g, p, c, 0.1);
    owns(&mut g, a, b, 0.5);
    owns(&mut g, b, c, 0.5);
    owns(&mut g, c, a, 0.2);
    // a = 0.6 + 0.2c, b = 0.5a, c = 0.1 + 0.5b  ⇒  a = 0.6 + 0.02 + 0.05a ⇒ a = 0.62/0.95.
    let a_s = 0.62 / 0.95;
    let rows = stakes(&g, p);
    let get = |n| rows.iter().find(|r| r.0 == n).unwrap().1;
    assert_close(get(a), a_s);
    assert_close(get(b), 0.5 * a_s);
    assert_close(get(c), 0.1 + 0.25 * a_s);
}

#[test]
fn cycles_back_to_the_party_and_self_holdings() {
    let mut g = MemGraph::new();
    let p = g.named("Organization", "P");
    let [a, b] = ["A", "B"].map(|n| g.named("Organization", n));
    owns(&mut g, p, a, 0.5);
    owns(&mut g, a, p, 0.2); // A holds P: never re-enters P
    owns(&mut g, p, b, 0.9);
    owns(&mut g, b, b, 0.1); // treasury shares: b = 0.9 + 0.1b = 1.0
    let rows = stakes(&g, p);
    assert_eq!(rows.len(), 2, "the party itself is not listed");
    assert_eq!(rows[0].0, b);
    assert_close(rows[0].1, 1.0);
    assert_close(rows[1].1, 0.5);
}

#[test]
fn unknown_stakes_are_null_downstream_only() {
    let mut g = MemGraph::new();
    let p = g.named("Organization", "P");
    let [a, b, c, d, e] = ["A", "B", "C", "D", "E"].map(|n| g.named("Organization", n));
    owns(&mut g, p, a, 0.6);
    g.rel("OWNS", a, b, &[]); // no stake
    owns(&mut g, b, c, 1.0);
    g.rel("OWNS", p, d, &[("stake", Value::from("lots"))]); // not a number
    g.rel("OWNS", p, e, &[("stake", Value::Float(60.0))]); // a percentage, not a fraction
    owns(&mut g, a, c, 0.5); // C also reached through known stakes, still unknown in total
    let rows = stakes(&g, p);
    assert_eq!(rows[0].0, a);
    assert_close(rows[0].1, 0.6);
    for r in &rows[1..] {
        assert_eq!(r.1, None, "node {} must be unknown, not 0 or 1", r.0);
    }
    assert_eq!(rows.len(), 5);
}

#[test]
fn closed_full_cycle_is_undefined() {
    let mut g = MemGraph::new();
    let p = g.named("Organization", "P");
    let [a, b, c] = ["A", "B", "C"].map(|n| g.named("Organization", n));
    owns(&mut g, p, a, 0.5);
    owns(&mut g, a, b, 1.0);
    owns(&mut g, b, a, 1.0); // the walk sum diverges
    owns(&mut g, b, c, 0.5);
    let rows = stakes(&g, p);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.1.is_none()), "{rows:?}");
}

#[test]
fn controllers_follow_control_not_economic_interest() {
    let mut g = MemGraph::new();
    let liang = g.named("Person", "Liang Wenfeng");
    let lab = g.named("Organization", "DeepSeek");
    let tencent = g.named("Organization", "Tencent");
    g.rel("CONTROLS", liang, lab, &[]);
    g.rel("INVESTED_IN", tencent, lab, &[]);
    owns(&mut g, tencent, lab, 0.9); // large economic interest, zero votes: CONTROLS wins
    let rows = ultimate_controllers(&g, lab).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, liang);
    assert_eq!(rows[0].1.nodes, vec![liang, lab]);

    // Majority chain upwards; minority holders are not controllers.
    let [x, y, z, w] = ["X", "Y", "Z", "W"].map(|n| g.named("Organization", n));
    owns(&mut g, x, y, 0.8);
    let yz = owns(&mut g, y, z, 0.51);
    owns(&mut g, w, z, 0.49);
    let rows = ultimate_controllers(&g, z).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].0, x);
    assert_eq!(rows[0].1.nodes, vec![x, y, z]);
    assert_eq!(rows[0].1.rels[1], yz);

    // voting_stake decides over stake.
    let [v, t] = ["V", "T"].map(|n| g.named("Organization", n));
    g.rel(
        "OWNS",
        v,
        t,
        &[
            ("stake", Value::Float(0.7)),
            ("voting_stake", Value::Float(0.1)),
        ],
    );
    assert!(ultimate_controllers(&g, t).unwrap().is_empty());
    // Nobody controls X itself.
    assert!(ultimate_controllers(&g, x).unwrap().is_empty());
}

#[test]
fn parent_with_unknown_stake_and_control_cycles() {
    let mut g = MemGraph::new();
    let baidu = g.named("Organization", "Baidu");
    let kunlun = g.named("Organization", "Kunlunxin");
    g.rel("OWNS", baidu, kunlun, &[]);
    let rows = ultimate_controllers(&g, kunlun).unwrap();
    assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), vec![baidu]);

    let [a, b, z] = ["A", "B", "Z"].map(|n| g.named("Organization", n));
    g.rel("CONTROLS", a, b, &[]);
    g.rel("CONTROLS", b, a, &[]);
    owns(&mut g, a, z, 0.6);
    let rows = ultimate_controllers(&g, z).unwrap();
    let mut who: Vec<NodeId> = rows.iter().map(|r| r.0).collect();
    who.sort();
    assert_eq!(
        who,
        vec![a, b],
        "a control cycle nobody outside controls: all its members"
    );
    let b_row = rows.iter().find(|r| r.0 == b).unwrap();
    assert_eq!(b_row.1.nodes, vec![b, a, z]);
}

#[test]
fn supply_dependents_by_depth() {
    let mut g = MemGraph::new();
    let [s, c1, c2, c3, other] = ["S", "C1", "C2", "C3", "O"].map(|n| g.named("Organization", n));
    g.rel("SUPPLIES", s, c1, &[]);
    g.rel("SUPPLIES", c1, c2, &[]);
    g.rel("SUPPLIES", s, c2, &[]);
    g.rel("SUPPLIES", c2, c3, &[]);
    g.rel("SUPPLIES", c3, s, &[]); // cycle back: the supplier is not its own dependent
    g.rel("OWNS", s, other, &[]);
    assert_eq!(
        supply_dependents(&g, s).unwrap(),
        vec![(c1, 1), (c2, 1), (c3, 2)]
    );
    assert!(supply_dependents(&g, other).unwrap().is_empty());
}

/// Only an actual supply makes a dependent: a customer that merely seeks the supplier's
/// hardware, a planned or ended supply, or a speculative one is not followed (issue 17).
#[test]
fn supply_dependents_skip_what_is_not_a_supply() {
    let mut g = MemGraph::new();
    let [s, active, sought, planned, ended, guessed, shrinking, downstream] = [
        "S",
        "Active",
        "Sought",
        "Planned",
        "Ended",
        "Guessed",
        "Shrinking",
        "Down",
    ]
    .map(|n| g.named("Organization", n));
    g.rel("SUPPLIES", s, active, &[("status", Value::from("active"))]);
    g.rel("SUPPLIES", s, sought, &[("status", Value::from("sought"))]);
    g.rel(
        "SUPPLIES",
        s,
        planned,
        &[("status", Value::from("Planned"))],
    );
    g.rel("SUPPLIES", s, ended, &[("status", Value::from("ended"))]);
    g.rel(
        "SUPPLIES",
        s,
        guessed,
        &[("confidence", Value::from("speculative"))],
    );
    g.rel(
        "SUPPLIES",
        s,
        shrinking,
        &[("status", Value::from("reducing"))],
    );
    // Reached through a real supply, so it counts, even though `sought` also leads there.
    g.rel("SUPPLIES", sought, downstream, &[]);
    g.rel("SUPPLIES", active, downstream, &[("status", Value::Int(3))]);
    assert_eq!(
        supply_dependents(&g, s).unwrap(),
        vec![(active, 1), (shrinking, 1), (downstream, 2)]
    );
}

#[test]
fn names_and_aliases() {
    let mut g = MemGraph::new();
    let z = g.node(
        &["Organization"],
        &[
            ("name", Value::from("Zhipu AI")),
            (
                "aliases",
                Value::List(vec![Value::from("Knowledge Atlas Technology")]),
            ),
        ],
    );
    assert_eq!(find_by_name(&g, "Zhipu AI").unwrap(), vec![z]);
    assert_eq!(
        find_by_name(&g, "Knowledge Atlas Technology").unwrap(),
        vec![z]
    );
    assert!(find_by_name(&g, "zhipu ai").unwrap().is_empty());
}

fn run(g: &MemGraph, kind: Kind, args: &[Value]) -> kgstore::Result<Vec<Vec<Value>>> {
    let proc_ = AlgoProcedure {
        kind,
        cache: Arc::new(ProjectionCache::new()),
    };
    proc_.run(g, Some(1), args)
}

#[test]
fn procedures_yield_rows_in_signature_order() {
    let mut g = MemGraph::new();
    let p = g.named("Person", "P");
    let a = g.named("Organization", "A");
    let b = g.named("Organization", "B");
    owns(&mut g, p, a, 0.75);
    g.rel("OWNS", a, b, &[]);
    g.rel("SUPPLIES", a, b, &[]);
    let rows = run(&g, Kind::OwnershipEffective, &[Value::from("P")]).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][0], Value::NodeRef(a));
    assert_eq!(rows[0][1], Value::Float(0.75));
    assert!(matches!(&rows[0][2], Value::List(ps) if ps.len() == 1));
    assert_eq!(rows[1][1], Value::Null);
    let rows = run(&g, Kind::OwnershipControllers, &[Value::from("B")]).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0][0],
        Value::NodeRef(p),
        "A's parent link is unknown-stake, P holds 75% of A"
    );
    assert_eq!(
        rows[0][1],
        Value::PathRef(Box::new(PathRef {
            nodes: vec![p, a, b],
            rels: rows_rels(&rows[0][1])
        }))
    );
    let rows = run(&g, Kind::SupplyDependents, &[Value::from("A")]).unwrap();
    assert_eq!(rows, vec![vec![Value::NodeRef(b), Value::Int(1)]]);
    assert!(run(&g, Kind::SupplyDependents, &[Value::from("nobody")])
        .unwrap()
        .is_empty());
    assert!(run(&g, Kind::SupplyDependents, &[Value::Null])
        .unwrap()
        .is_empty());
    // Wrong arity and types are argument errors, not panics.
    assert!(run(&g, Kind::SupplyDependents, &[]).is_err());
    assert!(run(&g, Kind::SupplyDependents, &[Value::Int(3)]).is_err());
}

fn rows_rels(v: &Value) -> Vec<u64> {
    match v {
        Value::PathRef(p) => p.rels.clone(),
        _ => Vec::new(),
    }
}

#[test]
fn algorithm_procedures_and_config() {
    let mut g = MemGraph::new();
    let [a, b, c] = ["A", "B", "C"].map(|n| g.named("Organization", n));
    let x = g.named("Person", "X");
    g.rel("OWNS", a, b, &[("w", Value::Float(5.0))]);
    g.rel("OWNS", b, c, &[("w", Value::Float(1.0))]);
    g.rel("SUPPLIES", a, c, &[("w", Value::Float(10.0))]);
    g.rel("KNOWS", x, a, &[]);

    let rows = run(&g, Kind::Degree, &[]).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        rows[0],
        vec![
            Value::NodeRef(a),
            Value::Int(1),
            Value::Int(2),
            Value::Int(3)
        ]
    );
    let cfg = |pairs: &[(&str, Value)]| {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    };
    let rows = run(
        &g,
        Kind::Degree,
        &[cfg(&[
            ("labels", Value::from("Organization")),
            ("relationshipTypes", Value::List(vec![Value::from("OWNS")])),
        ])],
    )
    .unwrap();
    assert_eq!(rows.len(), 3, "the Person is not projected");
    assert_eq!(
        rows[0],
        vec![
            Value::NodeRef(a),
            Value::Int(0),
            Value::Int(1),
            Value::Int(1)
        ]
    );

    let rows = run(
        &g,
        Kind::Wcc,
        &[cfg(&[("relationshipTypes", Value::from("OWNS"))])],
    )
    .unwrap();
    assert_eq!(
        rows.iter().map(|r| r[1].clone()).collect::<Vec<_>>(),
        vec![
            Value::Int(a as i64),
            Value::Int(a as i64),
            Value::Int(a as i64),
            Value::Int(x as i64)
        ]
    );
    let rows = run(&g, Kind::Scc, &[]).unwrap();
    assert!(rows.iter().all(|r| r[1] == r[0].clone().into_id()));

    let rows = run(
        &g,
        Kind::PageRank,
        &[cfg(&[("dampingFactor", Value::Float(0.5))])],
    )
    .unwrap();
    let sum: f64 = rows
        .iter()
        .map(|r| if let Value::Float(f) = r[1] { f } else { 0.0 })
        .sum();
    assert!((sum - 1.0).abs() < 1e-9);
    assert!(run(
        &g,
        Kind::PageRank,
        &[cfg(&[("dampingFactor", Value::Float(1.5))])]
    )
    .is_err());
    assert!(
        run(
            &g,
            Kind::PageRank,
            &[cfg(&[("dampingfactor", Value::Float(0.5))])]
        )
        .is_err(),
        "typo in a key"
    );
    assert!(run(&g, Kind::PageRank, &[Value::Int(1)]).is_err());

    let rows = run(&g, Kind::Betweenness, &[]).unwrap();
    assert_eq!(
        rows[1],
        vec![Value::NodeRef(b), Value::Float(0.0)],
        "A→C is direct, so B lies on no shortest path"
    );

    // Hop count prefers the direct SUPPLIES; weights prefer A→B→C.
    let rows = run(
        &g,
        Kind::ShortestPath,
        &[Value::NodeRef(a), Value::NodeRef(c)],
    )
    .unwrap();
    assert_eq!(rows[0][1], Value::Float(1.0));
    let rows = run(
        &g,
        Kind::ShortestPath,
        &[
            Value::NodeRef(a),
            Value::NodeRef(c),
            cfg(&[("weight", Value::from("w"))]),
        ],
    )
    .unwrap();
    assert_eq!(rows[0][1], Value::Float(6.0));
    assert!(matches!(&rows[0][0], Value::PathRef(p) if p.nodes == vec![a, b, c]));
    // Against the direction there is no path unless asked for BOTH.
    assert!(run(
        &g,
        Kind::ShortestPath,
        &[Value::NodeRef(c), Value::NodeRef(a)]
    )
    .unwrap()
    .is_empty());
    let rows = run(
        &g,
        Kind::ShortestPath,
        &[
            Value::NodeRef(c),
            Value::NodeRef(x),
            cfg(&[("direction", Value::from("both"))]),
        ],
    )
    .unwrap();
    assert_eq!(rows[0][1], Value::Float(2.0));
    // A missing weight is an error unless a default is given.
    assert!(run(
        &g,
        Kind::ShortestPath,
        &[
            Value::NodeRef(x),
            Value::NodeRef(c),
            cfg(&[("weight", Value::from("w"))])
        ]
    )
    .is_err());
    let rows = run(
        &g,
        Kind::ShortestPath,
        &[
            Value::NodeRef(x),
            Value::NodeRef(c),
            cfg(&[
                ("weight", Value::from("w")),
                ("defaultWeight", Value::Int(1)),
            ]),
        ],
    )
    .unwrap();
    assert_eq!(rows[0][1], Value::Float(7.0));
    assert!(
        run(&g, Kind::ShortestPath, &[Value::Null, Value::NodeRef(c)])
            .unwrap()
            .is_empty()
    );
    assert!(run(
        &g,
        Kind::ShortestPath,
        &[Value::from("A"), Value::NodeRef(c)]
    )
    .is_err());
}

trait IntoId {
    fn into_id(self) -> Value;
}
impl IntoId for Value {
    fn into_id(self) -> Value {
        match self {
            Value::NodeRef(id) => Value::Int(id as i64),
            other => other,
        }
    }
}
