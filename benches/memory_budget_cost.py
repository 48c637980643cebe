"""Two kg builds run alternately on statement files: median wall and CPU (user+sys) per file.

Usage: BEFORE=kg-old AFTER=kg-new DB=dir CYPHER=dir python3 benches/memory_budget_cost.py ROUNDS W2,W3,...
CYPHER holds W2.cypher … as ../shared/bench/harness/cli_engine.py writes them (docs/performance.md,
"The per-statement memory limit", has the figures and the ALLOC script).
"""
import os, resource, statistics, subprocess, sys, time
try:
    bins = {"before": os.environ["BEFORE"], "after": os.environ["AFTER"]}
    db, cypher = os.environ["DB"], os.environ["CYPHER"]
except KeyError as missing:
    sys.exit(f"set {missing} (see the usage line at the top of this file)")
ws = sys.argv[2].split(",") if len(sys.argv) > 2 else ["W0", "W2", "W3", "W4", "W5", "W6"]
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
res = {(w, b): ([], []) for w in ws for b in bins}
for r in range(rounds):
    for w in ws:
        order = list(bins) if r % 2 == 0 else list(bins)[::-1]
        for b in order:
            cmd = [bins[b], "--db", db, "run", "--format", "json", f"{cypher}/{w}.cypher"]
            u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            t = time.perf_counter() - t0
            u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            assert out.returncode == 0, out.stderr
            cpu = (u1.ru_utime - u0.ru_utime) + (u1.ru_stime - u0.ru_stime)
            res[(w, b)][0].append(t); res[(w, b)][1].append(cpu)
print("| workload | before wall | after wall | before CPU | after CPU | CPU after/before |")
print("|---|---|---|---|---|---|")
for w in ws:
    bw, bc = map(statistics.median, res[(w, "before")])
    aw, ac = map(statistics.median, res[(w, "after")])
    print(f"| {w} | {bw*1000:.0f} ms | {aw*1000:.0f} ms | {bc*1000:.0f} ms | {ac*1000:.0f} ms | {ac/bc:.3f} |")
