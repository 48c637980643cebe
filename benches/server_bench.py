#!/usr/bin/env python3
"""Throughput and latency of `kg serve` through the official neo4j Python driver, beside
FalkorDB (the embedded server of the `falkordblite` package) in the same run.

    python benches/server_bench.py --kg target/release/kg [--persons 10000] [--degree 5]
        [--clients 1,8,32] [--seconds 5] [--no-falkordb]

Both engines get the same graph: PERSONS :Person {id, name, age} nodes, each with DEGREE
outgoing :KNOWS relationships to random others, and an index on :Person(id). Two queries:

    point  MATCH (p:Person {id: $id}) RETURN p.name, p.age
    hop    MATCH (:Person {id: $id})-[:KNOWS]->(f) RETURN f.name

For every engine, query and client count, CLIENTS processes (each its own connection, so the
Python GIL of one client does not throttle the others) run the query with random ids for
SECONDS after a short warm-up; the output is total queries per second and the p50/p99 of the
per-query latency seen by the client (driver round trip, result consumed).

kg serve runs on a fresh database in a temporary directory on free loopback ports; FalkorDB
runs as the redis-server child process falkordblite starts on a unix socket. Everything is
stopped at the end.
"""
import argparse
import json
import multiprocessing as mp
import os
import random
import subprocess
import sys
import tempfile
import time

POINT = "MATCH (p:Person {id: $id}) RETURN p.name, p.age"
HOP = "MATCH (:Person {id: $id})-[:KNOWS]->(f) RETURN f.name"
QUERIES = [("point", POINT), ("1-hop", HOP)]


def graph_batches(persons, degree, seed=7, batch=2000):
    rng = random.Random(seed)
    nodes = [{"id": i, "name": f"person{i}", "age": 18 + i % 60} for i in range(persons)]
    # Distinct neighbours, no self-loops: FalkorDB answers a pattern with an anonymous
    # relationship once per neighbour even over parallel relationships, where Cypher (and
    # kgstore) give a row per relationship, so parallel edges would make the answers differ.
    edges = []
    for i in range(persons):
        out = set()
        while len(out) < min(degree, persons - 1):
            b = rng.randrange(persons)
            if b != i:
                out.add(b)
        edges.extend({"a": i, "b": b} for b in sorted(out))
    for k in range(0, len(nodes), batch):
        yield "nodes", nodes[k : k + batch]
    for k in range(0, len(edges), batch):
        yield "edges", edges[k : k + batch]


# ---- kg serve through the neo4j driver ----


def start_kg(kg, tmp):
    db = os.path.join(tmp, "db")
    log = open(os.path.join(tmp, "serve.log"), "w")
    proc = subprocess.Popen(
        [kg, "--db", db, "serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with open(os.path.join(db, "kg.server")) as f:
                info = json.load(f)
            if info.get("pid") == proc.pid and info.get("bolt"):
                return proc, "bolt://" + info["bolt"]
        except (OSError, ValueError):
            pass
        if proc.poll() is not None:
            raise SystemExit(f"kg serve exited: {open(os.path.join(tmp, 'serve.log')).read()}")
        time.sleep(0.05)
    raise SystemExit("kg serve did not start")


def load_kg(url, persons, degree):
    from neo4j import GraphDatabase

    with GraphDatabase.driver(url, auth=("neo4j", "x")) as d:
        d.execute_query("CREATE INDEX person_id IF NOT EXISTS FOR (p:Person) ON (p.id)")
        for kind, rows in graph_batches(persons, degree):
            if kind == "nodes":
                d.execute_query("UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name, age: r.age})", rows=rows)
            else:
                d.execute_query(
                    "UNWIND $rows AS r MATCH (a:Person {id: r.a}), (b:Person {id: r.b}) CREATE (a)-[:KNOWS]->(b)",
                    rows=rows,
                )
        n = d.execute_query("MATCH (p:Person) RETURN count(p) AS n").records[0]["n"]
        r = d.execute_query("MATCH ()-[k:KNOWS]->() RETURN count(k) AS n").records[0]["n"]
        answers = [
            sorted(rec[0] for rec in d.execute_query(HOP, id=i).records) for i in range(0, persons, max(1, persons // 50))
        ]
        return n, r, answers


def kg_worker(url, query, persons, start_at, stop_at, seed, out):
    from neo4j import GraphDatabase

    rng = random.Random(seed)
    lat = []
    with GraphDatabase.driver(url, auth=("neo4j", "x")) as d:
        with d.session() as s:
            while time.time() < start_at:  # warm-up
                s.run(query, id=rng.randrange(persons)).consume()
            while True:
                t0 = time.perf_counter()
                if t0 and time.time() >= stop_at:
                    break
                list(s.run(query, id=rng.randrange(persons)))
                lat.append(time.perf_counter() - t0)
    out.put(lat)


# ---- FalkorDB (falkordblite) ----


def start_falkor(tmp):
    from redislite.falkordb_client import FalkorDB

    db = FalkorDB(os.path.join(tmp, "falkor.rdb"))
    return db


def load_falkor(db, persons, degree):
    g = db.select_graph("bench")
    g.query("CREATE INDEX FOR (p:Person) ON (p.id)")
    for kind, rows in graph_batches(persons, degree):
        if kind == "nodes":
            g.query("UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name, age: r.age})", {"rows": rows})
        else:
            g.query(
                "UNWIND $rows AS r MATCH (a:Person {id: r.a}), (b:Person {id: r.b}) CREATE (a)-[:KNOWS]->(b)",
                {"rows": rows},
            )
    n = g.query("MATCH (p:Person) RETURN count(p)").result_set[0][0]
    r = g.query("MATCH ()-[k:KNOWS]->() RETURN count(k)").result_set[0][0]
    answers = [
        sorted(row[0] for row in g.query(HOP, {"id": i}).result_set) for i in range(0, persons, max(1, persons // 50))
    ]
    return n, r, answers


def falkor_worker(socket, query, persons, start_at, stop_at, seed, out):
    from falkordb import FalkorDB as Client

    rng = random.Random(seed)
    g = Client(unix_socket_path=socket).select_graph("bench")
    lat = []
    while time.time() < start_at:
        g.ro_query(query, {"id": rng.randrange(persons)})
    while True:
        t0 = time.perf_counter()
        if time.time() >= stop_at:
            break
        g.ro_query(query, {"id": rng.randrange(persons)}).result_set
        lat.append(time.perf_counter() - t0)
    out.put(lat)


def measure(worker, target, query, persons, clients, seconds, warmup=1.0):
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    start_at = time.time() + 1.0 + warmup + 0.05 * clients  # time for every process to connect
    stop_at = start_at + seconds
    procs = [
        ctx.Process(target=worker, args=(target, query, persons, start_at, stop_at, 1000 + i, out))
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    lat = []
    for _ in procs:
        lat.extend(out.get(timeout=seconds + 120))
    for p in procs:
        p.join()
    lat.sort()
    pct = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    return len(lat) / seconds, pct(0.50), pct(0.99)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kg", default="target/release/kg")
    ap.add_argument("--persons", type=int, default=10000)
    ap.add_argument("--degree", type=int, default=5)
    ap.add_argument("--clients", default="1,8,32")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--no-falkordb", action="store_true")
    args = ap.parse_args()
    clients = [int(c) for c in args.clients.split(",")]

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_kg(os.path.abspath(args.kg), tmp)
        try:
            t0 = time.time()
            n, r, kg_answers = load_kg(url, args.persons, args.degree)
            print(f"kg serve {url}: {n} nodes, {r} relationships loaded in {time.time() - t0:.1f} s", flush=True)
            for name, q in QUERIES:
                for c in clients:
                    qps, p50, p99 = measure(kg_worker, url, q, args.persons, c, args.seconds)
                    results.append(("kgstore (kg serve, Bolt)", name, c, qps, p50, p99))
                    print(f"  kgstore  {name:6} {c:3} clients: {qps:9.0f} q/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms", flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

        if not args.no_falkordb:
            try:
                import falkordb  # noqa: F401
                from redislite.falkordb_client import FalkorDB  # noqa: F401
            except ImportError as e:
                print(f"FalkorDB skipped: {e} (pip install falkordblite; needs Python >= 3.12)")
            else:
                db = start_falkor(tmp)
                try:
                    socket = db.client.socket_file if hasattr(db, "client") else db.socket_file
                    t0 = time.time()
                    n, r, falkor_answers = load_falkor(db, args.persons, args.degree)
                    print(f"FalkorDB (falkordblite, {socket}): {n} nodes, {r} relationships loaded in {time.time() - t0:.1f} s", flush=True)
                    agree = falkor_answers == kg_answers
                    print(f"  1-hop answers for {len(kg_answers)} sample ids {'agree' if agree else 'DIFFER'} between the engines", flush=True)
                    if not agree:
                        raise SystemExit("the engines answer the 1-hop query differently")
                    for name, q in QUERIES:
                        for c in clients:
                            qps, p50, p99 = measure(falkor_worker, socket, q, args.persons, c, args.seconds)
                            results.append(("FalkorDB (falkordblite, RESP)", name, c, qps, p50, p99))
                            print(f"  falkordb {name:6} {c:3} clients: {qps:9.0f} q/s  p50 {p50:7.3f} ms  p99 {p99:7.3f} ms", flush=True)
                finally:
                    db.close() if hasattr(db, "close") else None

    print()
    print("| engine | query | clients | queries/s | p50 ms | p99 ms |")
    print("|---|---|---:|---:|---:|---:|")
    for eng, name, c, qps, p50, p99 in results:
        print(f"| {eng} | {name} | {c} | {qps:.0f} | {p50:.2f} | {p99:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
