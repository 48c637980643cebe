//! Measures the algorithm layer on a generated capital-markets-like graph (zipf-skewed degrees,
//! 4 labels, 4 relationship types, no self-loops): projection build cost and size, cached
//! lookup, W6-style undirected shortest paths (≤ 10 hops) on storage and on the projection,
//! and PageRank / WCC / SCC / degree on the projection.
//!
//!     cargo bench --bench algo -- [NODES] [RELS] [PAIRS]
//!
//! Defaults: 200000 nodes, 2000000 relationships, 100 pairs. The graph lives in an in-memory
//! `GraphRead` with per-node adjacency lists (so the figures isolate the algorithm layer; the
//! storage engine's own `edges` cost adds to the projection build and the storage BFS).

use std::collections::BTreeMap;
use std::time::Instant;

use kgstore::algo::centrality::{self, PageRankConfig};
use kgstore::algo::{
    components, shortest_paths, shortest_paths_projected, Projection, ProjectionCache,
    ProjectionSpec,
};
use kgstore::error::Result;
use kgstore::model::{Direction, Node, NodeId, RelId, Relationship};
use kgstore::store::{Edge, GraphRead, GraphStats, IndexDef};
use kgstore::value::Value;

const LABELS: [&str; 4] = ["Company", "Investor", "Person", "Exchange"];
const TYPES: [&str; 4] = ["INVESTED_IN", "LISTED_ON", "OWNS", "SUPPLIES"];

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// Zipf-like sampler: weight rank^-alpha over a random permutation of 0..n.
struct Zipf {
    cum: Vec<f64>,
    perm: Vec<u32>,
}
impl Zipf {
    fn new(n: usize, alpha: f64, rng: &mut Rng) -> Zipf {
        let mut perm: Vec<u32> = (0..n as u32).collect();
        for i in (1..n).rev() {
            perm.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let mut acc = 0.0;
        let cum = (1..=n)
            .map(|r| {
                acc += (r as f64).powf(-alpha);
                acc
            })
            .collect();
        Zipf { cum, perm }
    }
    fn sample(&self, rng: &mut Rng) -> u32 {
        let x = rng.unit() * self.cum[self.cum.len() - 1];
        let i = self.cum.partition_point(|&c| c < x).min(self.cum.len() - 1);
        self.perm[i]
    }
}

/// Per node: outgoing and incoming (type, rel, other), sorted by (type, rel).
struct AdjGraph {
    labels: Vec<u8>,
    out: Vec<Vec<(u8, RelId, NodeId)>>,
    inc: Vec<Vec<(u8, RelId, NodeId)>>,
}

impl GraphRead for AdjGraph {
    fn node(&self, id: NodeId) -> Result<Option<Node>> {
        Ok(self.labels.get(id as usize).map(|&l| Node {
            id,
            labels: vec![LABELS[l as usize].into()],
            properties: BTreeMap::new(),
        }))
    }
    fn relationship(&self, _: RelId) -> Result<Option<Relationship>> {
        Ok(None)
    }
    fn node_ids(&self) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        Ok(Box::new((0..self.labels.len() as u64).map(Ok)))
    }
    fn nodes_with_label(
        &self,
        label: &str,
    ) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        let l = LABELS.iter().position(|x| *x == label).unwrap_or(99) as u8;
        Ok(Box::new(
            (0..self.labels.len() as u64)
                .filter(move |&i| self.labels[i as usize] == l)
                .map(Ok),
        ))
    }
    fn relationship_ids(&self) -> Result<Box<dyn Iterator<Item = Result<RelId>> + '_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn edges(&self, node: NodeId, direction: Direction, types: &[&str]) -> Result<Vec<Edge>> {
        let ok = |t: u8| types.is_empty() || types.contains(&TYPES[t as usize]);
        let mut v = Vec::new();
        let Some(out) = self.out.get(node as usize) else {
            return Ok(v);
        };
        if direction != Direction::Incoming {
            v.extend(out.iter().filter(|e| ok(e.0)).map(|e| Edge {
                rel: e.1,
                other: e.2,
                outgoing: true,
            }));
        }
        if direction != Direction::Outgoing {
            v.extend(
                self.inc[node as usize]
                    .iter()
                    .filter(|e| ok(e.0))
                    .map(|e| Edge {
                        rel: e.1,
                        other: e.2,
                        outgoing: false,
                    }),
            );
        }
        Ok(v)
    }
    fn index_lookup(&self, _: &str, _: &str, _: &Value) -> Result<Option<Vec<NodeId>>> {
        Ok(None)
    }
    fn indexes(&self) -> Result<Vec<IndexDef>> {
        Ok(Vec::new())
    }
    fn labels(&self) -> Result<Vec<String>> {
        Ok(LABELS.iter().map(|s| s.to_string()).collect())
    }
    fn relationship_types(&self) -> Result<Vec<String>> {
        Ok(TYPES.iter().map(|s| s.to_string()).collect())
    }
    fn property_keys(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn node_count(&self) -> Result<u64> {
        Ok(self.labels.len() as u64)
    }
    fn relationship_count(&self) -> Result<u64> {
        Ok(self.out.iter().map(Vec::len).sum::<usize>() as u64)
    }
    fn stats(&self) -> Result<GraphStats> {
        Ok(GraphStats::default())
    }
}

fn generate(n: usize, m: usize) -> AdjGraph {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let labels: Vec<u8> = (0..n)
        .map(|_| match rng.unit() {
            x if x < 0.6 => 0,
            x if x < 0.75 => 1,
            x if x < 0.9995 => 2,
            _ => 3,
        })
        .collect();
    let src = Zipf::new(n, 0.7, &mut rng);
    let dst = Zipf::new(n, 0.9, &mut rng);
    let mut seen = std::collections::HashSet::with_capacity(m);
    let mut out = vec![Vec::new(); n];
    let mut inc = vec![Vec::new(); n];
    let mut rel: RelId = 0;
    while (rel as usize) < m {
        let (s, d) = (src.sample(&mut rng), dst.sample(&mut rng));
        if s == d || !seen.insert((s, d)) {
            continue;
        }
        let t = (rng.next() % 4) as u8;
        out[s as usize].push((t, rel, d as NodeId));
        inc[d as usize].push((t, rel, s as NodeId));
        rel += 1;
    }
    for v in out.iter_mut().chain(inc.iter_mut()) {
        v.sort_unstable();
    }
    AdjGraph { labels, out, inc }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let (n, m, pairs) = (
        args.first().copied().unwrap_or(200_000),
        args.get(1).copied().unwrap_or(2_000_000),
        args.get(2).copied().unwrap_or(100),
    );
    let t = Instant::now();
    let g = generate(n, m);
    println!("generated {n} nodes / {m} relationships in {:.0} ms", ms(t));

    let spec = ProjectionSpec::default();
    let t = Instant::now();
    let proj = Projection::build(&g, &spec)?;
    println!(
        "projection build (all labels, all types): {:.0} ms, {:.1} MiB",
        ms(t),
        proj.heap_bytes() as f64 / 1048576.0
    );
    let t = Instant::now();
    let sub = Projection::build(
        &g,
        &ProjectionSpec::new(&["Company", "Investor"], &["OWNS", "INVESTED_IN"]),
    )?;
    println!("projection build (Company+Investor, OWNS+INVESTED_IN): {:.0} ms, {} nodes / {} relationships", ms(t), sub.node_count(), sub.relationship_count());
    if std::env::var("STORE").is_ok() {
        store_figures(&g, n, pairs)?;
    }
    let cache = ProjectionCache::new();
    cache.get(&g, Some(1), &spec)?;
    let t = Instant::now();
    for _ in 0..1000 {
        cache.get(&g, Some(1), &spec)?;
    }
    println!("cached projection lookup: {:.2} µs", ms(t));

    let mut rng = Rng(42);
    let qs: Vec<(NodeId, NodeId)> = (0..pairs)
        .map(|_| (rng.next() % n as u64, rng.next() % n as u64))
        .collect();
    let mut found = 0;
    let t = Instant::now();
    let mut lens = Vec::new();
    for &(a, b) in &qs {
        let p = shortest_paths(&g, a, b, Direction::Both, &[], 0, Some(10), false)?;
        lens.push(p.first().map(|p| p.rels.len()));
        found += p.len();
    }
    let per = ms(t) / pairs as f64;
    println!(
        "W6 shortestPath undirected ≤10 hops via GraphRead: {:.1} µs/pair ({found}/{pairs} found)",
        per * 1000.0
    );
    for _ in 0..3 {
        let t = Instant::now();
        for (k, &(a, b)) in qs.iter().enumerate() {
            let p =
                shortest_paths_projected(&proj, a, b, Direction::Both, &[], 0, Some(10), false)?;
            assert_eq!(p.first().map(|p| p.rels.len()), lens[k]);
        }
        println!(
            "W6 shortestPath undirected ≤10 hops on the projection: {:.1} µs/pair",
            ms(t) / pairs as f64 * 1000.0
        );
    }
    if std::env::var("DIAG").is_ok() {
        let t = Instant::now();
        let mut tot = 0;
        for &(a, b) in &qs {
            let (sc, vi, l) = scanned(&proj, a as u32, b as u32);
            tot += sc;
            let _ = (vi, l);
        }
        println!(
            "array BFS: {:.1} µs/pair, {} edges scanned/pair",
            ms(t) / pairs as f64 * 1000.0,
            tot / pairs
        );
    }
    let t = Instant::now();
    let mut total = 0;
    for &(a, b) in &qs {
        total +=
            shortest_paths_projected(&proj, a, b, Direction::Both, &[], 0, Some(10), true)?.len();
    }
    println!(
        "allShortestPaths undirected ≤10 hops on the projection: {:.1} µs/pair ({total} paths)",
        ms(t) / pairs as f64 * 1000.0
    );

    let t = Instant::now();
    let deg = centrality::degrees(&proj);
    let mut top: Vec<(usize, u32)> = deg
        .iter()
        .enumerate()
        .map(|(v, d)| (d.0, v as u32))
        .collect();
    top.select_nth_unstable_by(9, |a, b| b.cmp(a));
    println!("degree + top-10 in-degree: {:.1} ms", ms(t));
    let t = Instant::now();
    let pr = centrality::page_rank(&proj, &PageRankConfig::default())?;
    println!(
        "PageRank (tolerance 1e-10): {:.0} ms, sum {:.6}",
        ms(t),
        pr.iter().sum::<f64>()
    );
    let t = Instant::now();
    let w = components::weakly_connected(&proj);
    println!(
        "WCC: {:.0} ms ({} components)",
        ms(t),
        w.iter()
            .enumerate()
            .filter(|&(v, &c)| proj.node_id(v as u32) == c)
            .count()
    );
    let t = Instant::now();
    let s = components::strongly_connected(&proj);
    println!(
        "SCC: {:.0} ms ({} components)",
        ms(t),
        s.iter()
            .enumerate()
            .filter(|&(v, &c)| proj.node_id(v as u32) == c)
            .count()
    );
    Ok(())
}

/// The same graph in the real sled-backed store: load, projection build, storage BFS.
fn store_figures(g: &AdjGraph, n: usize, pairs: usize) -> Result<()> {
    use kgstore::store::{GraphWrite, Store};
    let store = Store::open_temporary()?;
    let t = Instant::now();
    let mut txn = store.begin();
    let mut ids = Vec::with_capacity(n);
    for (i, &l) in g.labels.iter().enumerate() {
        let mut props = BTreeMap::new();
        props.insert("name".to_string(), Value::String(format!("n{i}")));
        ids.push(txn.create_node(&[LABELS[l as usize].to_string()], props)?);
        if i % 50_000 == 49_999 {
            txn.commit()?;
            txn = store.begin();
        }
    }
    let mut k = 0;
    for (s, list) in g.out.iter().enumerate() {
        for &(t, _, d) in list {
            txn.create_relationship(TYPES[t as usize], ids[s], ids[d as usize], BTreeMap::new())?;
            k += 1;
            if k % 100_000 == 0 {
                txn.commit()?;
                txn = store.begin();
            }
        }
    }
    txn.commit()?;
    println!("[store] loaded through GraphWrite in {:.0} ms", ms(t));
    let view = store.begin();
    let t = Instant::now();
    let proj = Projection::build(&view, &ProjectionSpec::default())?;
    println!(
        "[store] projection build (all): {:.0} ms, {} nodes / {} relationships, {:.1} MiB",
        ms(t),
        proj.node_count(),
        proj.relationship_count(),
        proj.heap_bytes() as f64 / 1048576.0
    );
    let t = Instant::now();
    let sub = Projection::build(
        &view,
        &ProjectionSpec::new(&["Company", "Investor"], &["OWNS", "INVESTED_IN"]),
    )?;
    println!(
        "[store] projection build (Company+Investor, OWNS+INVESTED_IN): {:.0} ms, {} relationships",
        ms(t),
        sub.relationship_count()
    );
    let mut rng = Rng(42);
    let qs: Vec<(NodeId, NodeId)> = (0..pairs)
        .map(|_| {
            (
                ids[(rng.next() % n as u64) as usize],
                ids[(rng.next() % n as u64) as usize],
            )
        })
        .collect();
    for _ in 0..2 {
        let t = Instant::now();
        let mut found = 0;
        for &(a, b) in &qs {
            found += shortest_paths(&view, a, b, Direction::Both, &[], 0, Some(10), false)?.len();
        }
        println!("[store] W6 shortestPath undirected ≤10 hops via Txn (storage): {:.1} µs/pair ({found} found)", ms(t) / pairs as f64 * 1000.0);
    }
    Ok(())
}

#[allow(dead_code)]
fn scanned(proj: &Projection, a: u32, b: u32) -> (usize, usize, u32) {
    // Array-based reference BFS for diagnostics: (edges scanned, nodes visited, length).
    let n = proj.node_count();
    let (mut ds, mut dt) = (vec![u32::MAX; n], vec![u32::MAX; n]);
    ds[a as usize] = 0;
    dt[b as usize] = 0;
    let (mut fs, mut ft) = (vec![a], vec![b]);
    let (mut ls, mut lt) = (0, 0);
    let mut scanned = 0;
    let mut visited = 2;
    while !fs.is_empty() && !ft.is_empty() && ls + lt < 10 {
        let c = |f: &Vec<u32>| {
            f.iter()
                .map(|&v| proj.out_degree(v) + proj.in_degree(v))
                .sum::<usize>()
        };
        let s_side = c(&fs) <= c(&ft);
        let (f, d, o, l) = if s_side {
            (&mut fs, &mut ds, &dt, &mut ls)
        } else {
            (&mut ft, &mut dt, &ds, &mut lt)
        };
        *l += 1;
        let mut next = Vec::new();
        let mut best = u32::MAX;
        for &v in f.iter() {
            for (w, _, _) in proj.adjacent(v, Direction::Both) {
                scanned += 1;
                if d[w as usize] == u32::MAX {
                    d[w as usize] = *l;
                    visited += 1;
                    if o[w as usize] != u32::MAX {
                        best = best.min(*l + o[w as usize]);
                    }
                    next.push(w);
                }
            }
        }
        if best != u32::MAX {
            return (scanned, visited, best);
        }
        *f = next;
    }
    (scanned, visited, u32::MAX)
}
