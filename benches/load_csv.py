"""LOAD CSV at scale through `kg`, whole process, answers checked (docs/performance.md,
"LOAD CSV as a stream").

    python3 benches/load_csv.py bound  [--kg target/release/kg] [--rows 1000000] [--work DIR]
    python3 benches/load_csv.py ingest [--kg target/release/kg] [--rows 1000000] [--work DIR]
                                       [--data ../shared/bench/data/M] [--batch N]
    python3 benches/load_csv.py drivers [--kg …] [--rows 1000000] [--work DIR] [--data …]
                                       [--batch 10000]

`bound`: a file of ROWS rows of about 105 bytes (1M rows: 105 MB) loaded into a fresh database
by `LOAD CSV … CALL (row) { CREATE … } IN TRANSACTIONS OF 1000 ROWS`; prints wall, CPU and
peak RSS (`/usr/bin/time`) and checks count(n) and sum(n.id).

`ingest`: issue 21's incremental ingest: ROWS rows `src,dst` (src an existing Company id of the
bench graph, dst uniform in [0, 400000), seed 21) loaded into a copy of the imported graph by
`LOAD CSV WITH HEADERS … MERGE (a:Company …) MERGE (b:Company …) MERGE (a)-[:R]->(b)` (with
`--batch N` inside `CALL (row) { … } IN TRANSACTIONS OF N ROWS`); checks
the Company count and the R count against the file (distinct pairs, computed here).

`drivers`: the shape drivers send, `UNWIND $rows AS row MERGE (n:Company {id: row.id}) ON CREATE
SET n += row`, ROWS rows `{id: dst, src: src}` of the same pairs in statements of BATCH rows
(default 10,000), each with its list as a parameter (`:param rows => [...]` in one `kg run`
script); checks the Company count against the distinct ids.

All exit 1 when an answer is wrong, and print wall, CPU, peak RSS and the bytes the process
wrote (`/usr/bin/time` %O × 512). The graph is imported once into WORK/m.db and copied.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


WRITTEN = {"mib": 0.0}


def timed(cmd):
    """Runs cmd under /usr/bin/time; returns (stdout, wall s, CPU s, peak RSS MiB) and keeps
    the MiB it wrote to storage in WRITTEN."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-o", tf.name, "-f", "%U %S %M %O"] + cmd,
                           capture_output=True, text=True)
        wall = time.perf_counter() - t
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}{p.stderr}")
        user, sys_, rss, out = tf.read().split()[-4:]
    WRITTEN["mib"] = int(out) * 512 / 2**20
    return p.stdout, wall, float(user) + float(sys_), int(rss) / 1024


def scalar(kg, db, q):
    p = subprocess.run([kg, "--db", db, "query", "--format", "csv", q],
                       capture_output=True, text=True, check=True)
    return p.stdout.splitlines()[1]


def check(what, got, want):
    ok = str(got) == str(want)
    print(f"  {what}: {got} ({'ok' if ok else f'WRONG, expected {want}'})")
    return ok


def bound(a):
    path = os.path.join(a.work, f"rows{a.rows}.csv")
    if not os.path.exists(path):
        rnd = random.Random(21)
        with open(path, "w") as f:
            f.write("id,name,city,note\n")
            for i in range(a.rows):
                f.write(f'{i},"Person {i:07d}",City{rnd.randrange(1000):04d},'
                        f'"{"note text " * 6}{rnd.randrange(10**9):09d}"\n')
    db = os.path.join(a.work, "bound.db")
    shutil.rmtree(db, ignore_errors=True)
    q = (f"LOAD CSV WITH HEADERS FROM 'file://{path}' AS row CALL (row) {{ CREATE (:Row {{id: "
         "toInteger(row.id), name: row.name, city: row.city, note: row.note}) } "
         "IN TRANSACTIONS OF 1000 ROWS")
    _, wall, cpu, rss = timed([a.kg, "--db", db, "query", q])
    print(f"bound {a.rows} rows, {os.path.getsize(path) / 1e6:.0f} MB: "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB peak RSS")
    ok = check("count", scalar(a.kg, db, "MATCH (n:Row) RETURN count(n)"), a.rows)
    ok &= check("sum(id)", scalar(a.kg, db, "MATCH (n:Row) RETURN sum(n.id)"),
                a.rows * (a.rows - 1) // 2)
    shutil.rmtree(db, ignore_errors=True)
    return ok


def ingest_data(a):
    """The bench graph's Company ids, the ROWS (src, dst) pairs and the copy of the graph."""
    with open(os.path.join(a.data, "neo4j-admin", "nodes", "Company.csv")) as f:
        next(f)
        companies = [int(line.split(",", 1)[0]) for line in f]
    rnd = random.Random(21)
    pairs = [(rnd.choice(companies), rnd.randrange(400_000)) for _ in range(a.rows)]
    base = os.path.join(a.work, "m.db")
    if not os.path.exists(base):
        subprocess.run([a.kg, "--db", base, "import", "--format", "csv", "--id-type", "integer",
                        os.path.join(a.data, "neo4j-admin")], check=True, capture_output=True)
    db = os.path.join(a.work, "ingest.db")
    shutil.rmtree(db, ignore_errors=True)
    shutil.copytree(base, db)
    return companies, pairs, db


def ingest(a):
    companies, pairs, db = ingest_data(a)
    path = os.path.join(a.work, f"ingest{a.rows}.csv")
    if not os.path.exists(path):
        with open(path, "w") as f:
            f.write("src,dst\n")
            f.writelines(f"{s},{d}\n" for s, d in pairs)
    want_companies = len(set(companies) | {d for _, d in pairs})
    want_rels = len(set(pairs))
    merge = ("MERGE (a:Company {id: toInteger(row.src)}) MERGE (b:Company {id: "
             "toInteger(row.dst)}) MERGE (a)-[:R]->(b)")
    q = f"LOAD CSV WITH HEADERS FROM 'file://{path}' AS row "
    q += f"CALL (row) {{ {merge} }} IN TRANSACTIONS OF {a.batch} ROWS" if a.batch else merge
    _, wall, cpu, rss = timed([a.kg, "--db", db, "query", q])
    how = f" in transactions of {a.batch} rows" if a.batch else ""
    print(f"ingest {a.rows} rows into {os.path.basename(a.data)}{how}: "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB peak RSS, "
          f"{WRITTEN['mib']:.0f} MiB written")
    ok = check("Company nodes", scalar(a.kg, db, "MATCH (c:Company) RETURN count(c)"),
               want_companies)
    ok &= check("R relationships", scalar(a.kg, db, "MATCH ()-[r:R]->() RETURN count(r)"),
                want_rels)
    shutil.rmtree(db, ignore_errors=True)
    return ok


def drivers(a):
    companies, pairs, db = ingest_data(a)
    batch = a.batch or 10_000
    script = os.path.join(a.work, f"drivers{a.rows}-{batch}.cypher")
    if not os.path.exists(script):
        with open(script, "w") as f:
            for i in range(0, len(pairs), batch):
                rows = ", ".join(f"{{id: {d}, src: {s}}}" for s, d in pairs[i:i + batch])
                f.write(f":param rows => [{rows}]\n")
                f.write("UNWIND $rows AS row MERGE (n:Company {id: row.id}) "
                        "ON CREATE SET n += row;\n")
    _, wall, cpu, rss = timed([a.kg, "--db", db, "run", script])
    print(f"drivers {a.rows} rows into {os.path.basename(a.data)}, {batch} per statement: "
          f"{wall:.1f} s wall, {cpu:.1f} s CPU, {rss:.0f} MiB peak RSS, "
          f"{WRITTEN['mib']:.0f} MiB written")
    created = {d for _, d in pairs} - set(companies)
    ok = check("Company nodes", scalar(a.kg, db, "MATCH (c:Company) RETURN count(c)"),
               len(set(companies) | created))
    ok &= check("created with src", scalar(
        a.kg, db, "MATCH (c:Company) WHERE c.src IS NOT NULL RETURN count(c)"), len(created))
    shutil.rmtree(db, ignore_errors=True)
    return ok


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["bound", "ingest", "drivers"])
    p.add_argument("--kg", default=os.path.join(REPO, "target", "release", "kg"))
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--work", default=tempfile.gettempdir())
    p.add_argument("--batch", type=int, default=0,
                   help="ingest: run the MERGEs in CALL { } IN TRANSACTIONS OF this many rows")
    # The shared bench data beside the checkout (../shared/bench/data/M).
    p.add_argument("--data", default=os.path.join(REPO, "..", "shared", "bench", "data", "M"))
    a = p.parse_args()
    a.work = os.path.abspath(a.work)
    a.data = os.path.abspath(a.data)
    os.makedirs(a.work, exist_ok=True)
    ok = {"bound": bound, "ingest": ingest, "drivers": drivers}[a.what](a)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
