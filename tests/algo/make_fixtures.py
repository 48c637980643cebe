#!/usr/bin/env python3
"""Writes the NetworkX reference fixtures for tests/algo_reference.rs.

Run from the crate root:  python3 tests/algo/make_fixtures.py   (networkx 3.x)
Each fixture is a seeded random typed multigraph (with self-loops, parallel relationships and
dangling nodes) plus what NetworkX computes on it: PageRank, unnormalised directed
betweenness, weakly/strongly connected components, and shortest-path lengths and counts for
sampled pairs in both the directed and the undirected sense.
"""
import json
import os
import random

import networkx as nx
from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

TYPES = ["OWNS", "INVESTED_IN", "SUPPLIES"]
HERE = os.path.dirname(os.path.abspath(__file__))


def make(seed, n, m, loops=True):
    rnd = random.Random(seed)
    edges = []
    for _ in range(m):
        a = rnd.randrange(n)
        # Skewed targets give hubs, dangling nodes and several components.
        b = int(n * rnd.random() ** 2)
        if a == b and not loops:
            continue
        edges.append([a, b, rnd.choice(TYPES), rnd.randint(1, 9)])
    return edges


def reference(n, edges, seed):
    rnd = random.Random(seed + 1)
    multi = nx.MultiDiGraph()
    multi.add_nodes_from(range(n))
    for a, b, t, w in edges:
        multi.add_edge(a, b, type=t, w=w)
    simple = nx.DiGraph(multi)
    # The pure-Python reference implementation (no numpy/scipy needed); same definition.
    pr = _pagerank_python(multi, alpha=0.85, tol=1e-14, max_iter=10000)
    bc = nx.betweenness_centrality(simple, normalized=False)
    wcc = sorted(sorted(c) for c in nx.weakly_connected_components(multi))
    scc = sorted(sorted(c) for c in nx.strongly_connected_components(multi))
    und = nx.Graph(multi)
    pairs = []
    for _ in range(60):
        s, t = rnd.randrange(n), rnd.randrange(n)
        if s == t:
            continue
        row = {"source": s, "target": t}
        for name, g in (("directed", simple), ("undirected", und)):
            try:
                row[name + "_length"] = nx.shortest_path_length(g, s, t)
                # Paths counted over relationships (parallel ones are distinct paths).
                row[name + "_count"] = sum(
                    count_rel_paths(multi, p, name == "directed")
                    for p in nx.all_shortest_paths(g, s, t)
                )
            except nx.NetworkXNoPath:
                row[name + "_length"] = None
                row[name + "_count"] = 0
        try:
            row["weighted_cost"] = nx.dijkstra_path_length(
                nx.DiGraph([(a, b, {"w": min(multi[a][b][k]["w"] for k in multi[a][b])}) for a, b in simple.edges()]),
                s, t, weight="w")
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            row["weighted_cost"] = None
        pairs.append(row)
    return {
        "n": n,
        "edges": edges,
        "pagerank": [pr[i] for i in range(n)],
        "betweenness": [bc[i] for i in range(n)],
        "wcc": wcc,
        "scc": scc,
        "pairs": pairs,
    }


def count_rel_paths(multi, nodes, directed):
    total = 1
    for a, b in zip(nodes, nodes[1:]):
        k = multi.number_of_edges(a, b)
        if not directed and a != b:
            k += multi.number_of_edges(b, a)
        total *= k
    return total


def main():
    for name, seed, n, m in (("small", 7, 40, 90), ("medium", 11, 300, 1200), ("sparse", 13, 400, 380)):
        data = reference(n, make(seed, n, m), seed)
        with open(os.path.join(HERE, f"nx_{name}.json"), "w") as f:
            json.dump(data, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
