"""Many clients at once through the official Python driver (run by tests/server_bolt.rs).

Usage: python concurrency.py URL USER PASSWORD CLIENTS SECONDS

Each client thread loops for SECONDS: half its rounds write a batch of two nodes in one
managed transaction (acknowledged when execute_write returns), half read every batch and
check that none is half there. One more thread keeps opening a transaction that writes a
:Pending node and rolls it back; no reader may ever see it. Afterwards every acknowledged
batch must be present. Any exception the driver does not retry away is a failure.
"""
import random
import sys
import threading
import time
import uuid

from neo4j import GraphDatabase

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
clients, seconds = int(sys.argv[4]), float(sys.argv[5])

acked = []
errors = []
reads = [0]
lock = threading.Lock()
stop_at = time.monotonic() + seconds


def write_batch(tx, batch, client):
    tx.run("CREATE (:W {batch: $b, client: $c, half: 1})", b=batch, c=client).consume()
    tx.run("CREATE (:W {batch: $b, client: $c, half: 2})", b=batch, c=client).consume()


def check_reads(tx):
    rows = tx.run(
        "MATCH (w:W) WITH w.batch AS b, count(*) AS c WHERE c <> 2 RETURN b, c LIMIT 1"
    ).data()
    pending = tx.run("MATCH (p:Pending) RETURN count(p) AS n").single()["n"]
    return rows, pending


def client(i, driver):
    rng = random.Random(i)
    with driver.session() as s:
        while time.monotonic() < stop_at:
            try:
                if rng.random() < 0.5:
                    batch = str(uuid.uuid4())
                    s.execute_write(write_batch, batch, i)
                    with lock:
                        acked.append(batch)
                else:
                    half, pending = s.execute_read(check_reads)
                    if half:
                        errors.append(f"client {i} saw half a batch: {half}")
                    if pending:
                        errors.append(f"client {i} saw an uncommitted :Pending node")
                    with lock:
                        reads[0] += 1
            except Exception as e:  # noqa: BLE001 - any escaping error is a failure
                errors.append(f"client {i}: {type(e).__name__}: {e}")
                return


def rollbacker(driver):
    with driver.session() as s:
        while time.monotonic() < stop_at:
            try:
                tx = s.begin_transaction()
                tx.run("CREATE (:Pending)").consume()
                time.sleep(0.05)
                tx.rollback()
            except Exception as e:  # noqa: BLE001
                errors.append(f"rollbacker: {type(e).__name__}: {e}")
                return


with GraphDatabase.driver(url, auth=(user, password), max_connection_pool_size=clients + 4) as driver:
    driver.verify_connectivity()
    threads = [threading.Thread(target=client, args=(i, driver)) for i in range(clients)]
    threads.append(threading.Thread(target=rollbacker, args=(driver,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print("\n".join(errors[:20]))
        raise SystemExit(f"{len(errors)} errors")
    records, _, _ = driver.execute_query("MATCH (w:W) RETURN collect(DISTINCT w.batch) AS bs, count(w) AS n")
    present = set(records[0]["bs"])
    missing = [b for b in acked if b not in present]
    assert not missing, f"{len(missing)} acknowledged batches missing"
    assert records[0]["n"] == 2 * len(present), records[0]["n"]
    pending = driver.execute_query("MATCH (p:Pending) RETURN count(p) AS n").records[0]["n"]
    assert pending == 0, pending
    print(f"{clients} clients, {seconds} s: {len(acked)} batches written, {reads[0]} reads")
print("all checks passed")
