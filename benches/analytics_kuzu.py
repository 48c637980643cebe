#!/usr/bin/env python3
"""Kuzu's side of the analytics bench (benches/analytics.rs runs it; see docs/performance.md).

Usage: PY analytics_kuzu.py DATA_DIR KUZU_DB QUERIES_JSON REPS

Loads DATA_DIR (a scale of the shared bench, raw CSVs and manifest.json, loaded the way
../shared/bench/harness/engines.py loads Kuzu) into KUZU_DB unless it exists, then runs each
query of QUERIES_JSON ([{"name", "kuzu", "destructive", "verify"}]) REPS times and prints one
JSON object {name: {"secs": [...], "rows": [...], "verify": [...]}} on stdout. Times are the
statement's execution inside the process (open excluded, which favours Kuzu). A destructive
query runs on a fresh copy of the database each time (synced before the timed statement);
its "verify" query runs after it, untimed, on the last copy."""
import json
import os
import shutil
import sys
import time

import kuzu


def load(data, db):
    man = json.load(open(os.path.join(data, "manifest.json")))
    conn = kuzu.Connection(kuzu.Database(db))
    for n in man["nodes"]:
        cols = ", ".join("%s %s" % (k, "BOOLEAN" if t == "BOOL" else t) for k, t in n["columns"])
        conn.execute("CREATE NODE TABLE %s(%s, PRIMARY KEY(id))" % (n["label"], cols))
    rels = {}
    for e in man["edges"]:
        rels.setdefault(e["type"], {"pairs": [], "props": e["columns"][2:]})["pairs"].append(
            (e["src_label"], e["dst_label"]))
    for t, r in rels.items():
        parts = ["FROM %s TO %s" % p for p in r["pairs"]] + ["%s %s" % (k, v) for k, v in r["props"]]
        conn.execute("CREATE REL TABLE %s(%s)" % (t, ", ".join(parts)))
    for n in man["nodes"]:
        conn.execute("COPY %s FROM '%s' (header=true)" % (n["label"], os.path.join(data, n["path"])))
    for e in man["edges"]:
        opts = "header=true"
        if len(rels[e["type"]]["pairs"]) > 1:
            opts += ", from='%s', to='%s'" % (e["src_label"], e["dst_label"])
        conn.execute("COPY %s FROM '%s' (%s)" % (e["type"], os.path.join(data, e["path"]), opts))
    conn.close()


def rows(res):
    out = []
    while res.has_next():
        out.append(res.get_next())
    return out


def copy_db(src, dst):
    for p in (dst, dst + ".wal"):
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.remove(p)
    if os.path.isdir(src):
        shutil.copytree(src, dst)
    else:
        shutil.copy2(src, dst)
    # The copy's pages are written out before the timed statement, as kg's are (analytics.rs).
    os.sync()


def main():
    data, db, queries, reps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if not os.path.exists(db):
        t = time.perf_counter()
        load(data, db)
        print("kuzu: loaded %s in %.1f s" % (data, time.perf_counter() - t), file=sys.stderr)
    out = {}
    for q in json.load(open(queries)):
        secs, got, verify = [], [], []
        for _ in range(reps):
            path = db
            if q["destructive"]:
                path = db + ".work"
                copy_db(db, path)
            kdb = kuzu.Database(path)
            conn = kuzu.Connection(kdb)
            t = time.perf_counter()
            got = rows(conn.execute(q["kuzu"]))
            secs.append(time.perf_counter() - t)
            if q.get("verify"):
                verify = rows(conn.execute(q["verify"]))
            conn.close()
            kdb.close()
        out[q["name"]] = {"secs": secs, "rows": got, "verify": verify}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
