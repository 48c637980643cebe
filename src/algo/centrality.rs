//! Centrality on a [`Projection`]: PageRank (NetworkX's definition), degree and Brandes
//! betweenness (directed, unnormalised).

use crate::error::Result;

use super::projection::{argument_error, Projection};

/// PageRank settings; defaults match NetworkX except the tighter tolerance.
#[derive(Clone, Copy, Debug)]
pub struct PageRankConfig {
    pub damping: f64,
    /// Convergence when the L1 change of the score vector in one iteration is below
    /// `n * tolerance` (NetworkX's criterion).
    pub tolerance: f64,
    pub max_iterations: u32,
}

impl Default for PageRankConfig {
    fn default() -> Self {
        PageRankConfig {
            damping: 0.85,
            tolerance: 1e-10,
            max_iterations: 1000,
        }
    }
}

/// PageRank scores by dense index, summing to 1 (empty for an empty projection).
///
/// As NetworkX's `pagerank` defines it: every relationship is one unit of weight (parallel
/// relationships count separately, a self-loop counts as an out-link to the node itself), the
/// mass of nodes without outgoing relationships is spread evenly over all nodes, and the
/// teleport distribution is uniform. Fails when it does not converge in `max_iterations`.
pub fn page_rank(proj: &Projection, cfg: &PageRankConfig) -> Result<Vec<f64>> {
    if !(0.0..=1.0).contains(&cfg.damping) {
        return Err(argument_error(format!(
            "algo.pageRank: dampingFactor must be between 0 and 1, got {}",
            cfg.damping
        )));
    }
    if cfg.tolerance.is_nan() || cfg.tolerance <= 0.0 {
        return Err(argument_error(format!(
            "algo.pageRank: tolerance must be positive, got {}",
            cfg.tolerance
        )));
    }
    let n = proj.node_count();
    if n == 0 {
        return Ok(Vec::new());
    }
    let nf = n as f64;
    let alpha = cfg.damping;
    let mut x = vec![1.0 / nf; n];
    let mut next = vec![0.0; n];
    let inv_out: Vec<f64> = (0..n as u32)
        .map(|v| match proj.out_degree(v) {
            0 => 0.0,
            d => 1.0 / d as f64,
        })
        .collect();
    for _ in 0..cfg.max_iterations {
        crate::interrupt::check()?;
        let dangling: f64 = (0..n).filter(|&v| inv_out[v] == 0.0).map(|v| x[v]).sum();
        let base = (alpha * dangling + (1.0 - alpha)) / nf;
        // Pull form: each node sums its in-neighbours' shares (cache-friendly on the CSR).
        for (v, slot) in next.iter_mut().enumerate() {
            let r = proj.inc.range(v as u32);
            let mut s = 0.0;
            for &u in &proj.inc.others[r] {
                s += x[u as usize] * inv_out[u as usize];
            }
            *slot = alpha * s + base;
        }
        let err: f64 = next.iter().zip(&x).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut x, &mut next);
        if err < nf * cfg.tolerance {
            return Ok(x);
        }
    }
    Err(argument_error(format!(
        "algo.pageRank did not converge within {} iterations (raise maxIterations or tolerance)",
        cfg.max_iterations
    )))
}

/// (in-degree, out-degree) by dense index, counting relationships inside the projection.
pub fn degrees(proj: &Projection) -> Vec<(usize, usize)> {
    (0..proj.node_count() as u32)
        .map(|v| (proj.in_degree(v), proj.out_degree(v)))
        .collect()
}

/// Distinct neighbours without self: shortest paths count node sequences, so parallel
/// relationships and self-loops do not change betweenness (as in NetworkX).
fn simple_adjacency(proj: &Projection, incoming: bool) -> (Vec<usize>, Vec<u32>) {
    let csr = if incoming { &proj.inc } else { &proj.out };
    let n = proj.node_count();
    let mut offsets = Vec::with_capacity(n + 1);
    let mut targets = Vec::with_capacity(csr.others.len());
    offsets.push(0);
    let mut buf = Vec::new();
    for v in 0..n as u32 {
        buf.clear();
        buf.extend(csr.others[csr.range(v)].iter().copied().filter(|&w| w != v));
        buf.sort_unstable();
        buf.dedup();
        targets.extend_from_slice(&buf);
        offsets.push(targets.len());
    }
    (offsets, targets)
}

/// Brandes betweenness by dense index: for every ordered pair (s, t), s ≠ v ≠ t, the fraction
/// of shortest directed s→t paths through v, summed. Unnormalised and directed, equal to
/// NetworkX `betweenness_centrality(G, normalized=False)` on a DiGraph. O(n·m).
/// Checks for cancellation and the time limit once per source ([`crate::interrupt`]).
pub fn betweenness(proj: &Projection) -> Result<Vec<f64>> {
    let n = proj.node_count();
    let (off, adj) = simple_adjacency(proj, false);
    let mut score = vec![0.0; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![u32::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    // Predecessors are recovered from the BFS order: w's predecessors are its in-neighbours at
    // distance dist[w] - 1, found through the reversed simple adjacency.
    let (ioff, iadj) = simple_adjacency(proj, true);
    for s in 0..n {
        crate::interrupt::check()?;
        order.clear();
        sigma.iter_mut().for_each(|x| *x = 0.0);
        dist.iter_mut().for_each(|x| *x = u32::MAX);
        sigma[s] = 1.0;
        dist[s] = 0;
        order.push(s as u32);
        let mut head = 0;
        while head < order.len() {
            let v = order[head] as usize;
            head += 1;
            let dv = dist[v];
            for &w in &adj[off[v]..off[v + 1]] {
                let w = w as usize;
                if dist[w] == u32::MAX {
                    dist[w] = dv + 1;
                    order.push(w as u32);
                }
                if dist[w] == dv + 1 {
                    sigma[w] += sigma[v];
                }
            }
        }
        for &w in &order {
            delta[w as usize] = 0.0;
        }
        for &w in order.iter().rev() {
            let w = w as usize;
            if dist[w] == 0 {
                continue;
            }
            let coeff = (1.0 + delta[w]) / sigma[w];
            for &v in &iadj[ioff[w]..ioff[w + 1]] {
                let v = v as usize;
                if dist[v] != u32::MAX && dist[v] + 1 == dist[w] {
                    delta[v] += sigma[v] * coeff;
                }
            }
            score[w] += delta[w];
        }
    }
    Ok(score)
}
