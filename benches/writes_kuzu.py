"""The write workloads of benches/writes.rs in Kuzu, for the same run (docs/performance.md).

    ../shared/bench/.venv12/bin/python benches/writes_kuzu.py [small large]

Kuzu needs a schema: Hub and Leaf node tables keyed by id, R from Hub to Leaf.
"""
import os
import shutil
import sys
import tempfile
import time

import kuzu

FANOUT = "CREATE (h:Hub {id:0}) WITH h UNWIND range(1,$n) AS i CREATE (h)-[:R]->(:Leaf {id:i})"
APPEND = "MATCH (h:Hub {id:$h}) CREATE (h)-[:R]->(:Leaf {id:$i})"


def fresh():
    d = tempfile.mkdtemp(prefix="kuzu-writes-")
    db = kuzu.Database(os.path.join(d, "db"))
    c = kuzu.Connection(db)
    c.execute("CREATE NODE TABLE Hub(id INT64, PRIMARY KEY(id))")
    c.execute("CREATE NODE TABLE Leaf(id INT64, PRIMARY KEY(id))")
    c.execute("CREATE REL TABLE R(FROM Hub TO Leaf)")
    return d, db, c


def scalar(c, q, p=None):
    r = c.execute(q, p or {})
    return r.get_next()[0]


def fanout(n):
    d, db, c = fresh()
    t = time.perf_counter()
    c.execute(FANOUT, {"n": n})
    secs = time.perf_counter() - t
    assert scalar(c, "MATCH (:Hub {id:0})-[r:R]->(:Leaf) RETURN count(r)") == n
    assert scalar(c, "MATCH (l:Leaf) RETURN sum(l.id)") == n * (n + 1) // 2
    return secs, d, db, c


def main():
    args = [int(a) for a in sys.argv[1:] if a.isdigit()]
    small, large = (args + [100_000, 1_000_000])[:2] if len(args) >= 2 else (100_000, 1_000_000)
    ts, d, db, c = fanout(small)
    del c, db
    shutil.rmtree(d)
    tl, d, db, c = fanout(large)
    print(f"kuzu fanout {small:>8} rels {ts:8.2f} s   {large:>8} rels {tl:8.2f} s   ratio {tl / ts:.1f}x")
    c.execute("CREATE (s:Hub {id:1})")
    for i in range(1, 11):
        c.execute("MATCH (s:Hub {id:1}) CREATE (s)-[:R]->(:Leaf {id:$i})", {"i": -i})
    hub, small_t = [], []
    nxt = 10_000_000
    for _ in range(200):
        for h, times in ((0, hub), (1, small_t)):
            nxt += 1
            t = time.perf_counter()
            c.execute(APPEND, {"h": h, "i": nxt})
            times.append((time.perf_counter() - t) * 1e3)
    hub.sort()
    small_t.sort()
    print(f"kuzu append onto degree {large}: {hub[100]:.3f} ms   onto degree 10: {small_t[100]:.3f} ms")
    del c, db
    shutil.rmtree(d)
    for k in (10_000, 40_000):
        d, db, c = fresh()
        c.execute("CREATE (:Hub {id:0})")
        t = time.perf_counter()
        c.execute("BEGIN TRANSACTION")
        for i in range(1, k + 1):
            c.execute(APPEND, {"h": 0, "i": i})
        c.execute("COMMIT")
        secs = time.perf_counter() - t
        assert scalar(c, "MATCH (:Hub)-[r]->() RETURN count(r)") == k
        print(f"kuzu txn {k} appends in one transaction {secs:.2f} s")
        del c, db
        shutil.rmtree(d)


if __name__ == "__main__":
    main()
