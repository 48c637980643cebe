"""The shared bench's read workloads through `kg run`, at two scales side by side (issue 21's
"reads at L within 2x of M"), and a cold start with the database evicted from the page cache.

    python3 benches/scale_reads.py KG REPS W0,W2,W3 M=DIR L=DIR [--bench ../shared/bench]
    python3 benches/scale_reads.py KG REPS W8 L=DIR --cold [--evict-binary]

Each DIR is a database imported from the bench's `data/<scale>/neo4j-admin` (`kg import
--format csv --id-type integer`); the statements are `queries/<scale>/cypher/W*.cypher`,
written by the harness. Runs are whole processes (`kg --db DIR run --format json FILE`),
alternated between the scales in every repetition; the table gives the median and minimum
wall time and CPU time (user + sys of the child, which is steadier than wall on a shared
machine). An answer that changes between repetitions is
reported.

`--cold`: before every run, each file of the database (and with `--evict-binary` the `kg`
binary) is dropped from the page cache with posix_fadvise(DONTNEED), so the run reads them
from the disk; this needs no privileges and leaves other processes' cache alone.
"""
import argparse
import hashlib
import os
import resource
import statistics
import subprocess
import time


def evict(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def evict_tree(root):
    for d, _, files in os.walk(root):
        for f in files:
            evict(os.path.join(d, f))


def run(kg, db, script):
    t = time.perf_counter()
    p = subprocess.Popen([kg, "--db", db, "run", "--format", "json", script],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit("%s on %s failed: %s" % (script, db, err.decode()[:500]))
    return wall, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kg")
    ap.add_argument("reps", type=int)
    ap.add_argument("workloads")
    ap.add_argument("dbs", nargs="+", help="SCALE=DIR")
    ap.add_argument("--bench", default=os.path.join(os.path.dirname(__file__), "..", "..",
                                                    "shared", "bench"))
    ap.add_argument("--cold", action="store_true")
    ap.add_argument("--evict-binary", action="store_true")
    a = ap.parse_args()
    dbs = [tuple(d.split("=", 1)) for d in a.dbs]
    results, digests = {}, {}
    for _ in range(a.reps):
        for w in a.workloads.split(","):
            for scale, db in dbs:
                script = os.path.join(a.bench, "queries", scale, "cypher", w + ".cypher")
                if a.cold:
                    evict_tree(db)
                    if a.evict_binary:
                        evict(a.kg)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall, out = run(a.kg, db, script)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                h = hashlib.md5(out).hexdigest()
                if digests.setdefault((scale, w), h) != h:
                    print("answer of %s at %s changed between repetitions" % (w, scale))
                results.setdefault((scale, w), []).append((wall, cpu))
    print("load average", " ".join(open("/proc/loadavg").read().split()[:3]),
          "(cold: database evicted before each run)" if a.cold else "")
    print("%-4s %-5s %12s %12s %12s %12s" % ("w", "scale", "wall median", "wall min",
                                             "cpu median", "cpu min"))
    for w in a.workloads.split(","):
        for scale, _ in dbs:
            r = results[(scale, w)]
            walls, cpus = [x[0] for x in r], [x[1] for x in r]
            print("%-4s %-5s %9.1f ms %9.1f ms %9.1f ms %9.1f ms" % (
                w, scale, statistics.median(walls) * 1e3, min(walls) * 1e3,
                statistics.median(cpus) * 1e3, min(cpus) * 1e3))


if __name__ == "__main__":
    main()
