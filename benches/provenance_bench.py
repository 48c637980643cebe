# Cost of provenance (docs/performance.md, "Provenance"). Build the graph first:
#   kg --db /tmp/prov/bench.db run benches/provenance_graph.cypher
# Alternated whole-process runs of `kg run` on /tmp/prov/bench.db: before (69df493), after
# without --why, after with --why. Prints the median wall time of each query per variant.
import statistics, subprocess, sys, time
Q = {
 "rows":  "MATCH (a:Item)-[r:LINKS]->(b) WHERE a.name STARTS WITH 'i1' RETURN a.name, b.name;",
 "count": "MATCH (a:Item)-[:LINKS]->(b) RETURN count(*);",
 "group": "MATCH (a:Item)-[:LINKS]->(b) RETURN a.source[0] AS d, count(*) AS n ORDER BY d;",
 "with":  "MATCH (a:Item)-[:LINKS]->(b) WITH a, count(b) AS out WHERE out > 1 RETURN count(a);",
}
V = [("before", "/tmp/kg-before-provenance", []), ("after", "/tmp/kg-after-provenance", []),
     ("after --why", "/tmp/kg-after-provenance", ["--why"])]
reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
res = {(q, v[0]): [] for q in Q for v in V}
for name, text in Q.items():
    open(f"/tmp/prov/q_{name}.cypher", "w").write(text * 5)
for _ in range(reps):
    for name in Q:
        for label, kg, extra in V:
            t = time.perf_counter()
            subprocess.run([kg, "--db", "/tmp/prov/bench.db", "run", "--format", "json", *extra,
                            f"/tmp/prov/q_{name}.cypher"], stdout=subprocess.DEVNULL, check=True)
            res[(name, label)].append((time.perf_counter() - t) / 5)
print("| query | " + " | ".join(v[0] for v in V) + " |")
print("|---|" + "---:|" * len(V))
for name in Q:
    print(f"| {name} | " + " | ".join(f"{statistics.median(res[(name, v[0])])*1000:.1f} ms" for v in V) + " |")
