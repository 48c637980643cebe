"""The per-statement memory budget through the official Python driver (run by
tests/memory_budget.rs against `kg serve --memory-limit 48MB`).

Usage: python memory_budget.py URL

A statement past the limit fails with Neo4j's MemoryPoolOutOfMemoryError and changes nothing;
the same session and the server go on. While one client's statement grows to the limit, another
client's statements of ~13 MB each all succeed: the budget is per statement, not per process.
"""
import sys
import threading

from neo4j import GraphDatabase
from neo4j.exceptions import Neo4jError

url = sys.argv[1]
CODE = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
GIANT_READ = "RETURN size([x IN range(1, 100000) | [y IN range(1, 100000) | y]]) AS n"
GIANT_WRITE = "UNWIND range(1, 2000) AS i UNWIND range(1, 1000) AS j CREATE (:N {i: i, j: j})"
MODEST = "RETURN size([x IN range(1, 400000) | x]) AS n"


def expect_memory_error(session, query):
    try:
        session.run(query).consume()
    except Neo4jError as e:
        assert e.code == CODE, (e.code, e.message)
        assert "48 MB" in e.message and "IN TRANSACTIONS OF" in e.message, e.message
        return
    raise AssertionError(f"{query} succeeded under a 48 MB limit")


with GraphDatabase.driver(url, auth=None) as driver:
    with driver.session() as s:
        s.run("CREATE (:Keep)").consume()
        expect_memory_error(s, GIANT_READ)
        expect_memory_error(s, GIANT_WRITE)
        # The same session goes on, and the failed write left nothing.
        n = s.run("MATCH (n) RETURN count(n) AS n").single()["n"]
        assert n == 1, n
        # In an explicit transaction the failed statement is undone and the transaction
        # fails, as Neo4j's do; the graph stays as it was.
        tx = s.begin_transaction()
        tx.run("CREATE (:InTx)").consume()
        try:
            tx.run(GIANT_WRITE).consume()
            raise AssertionError("the giant write succeeded in a transaction")
        except Neo4jError as e:
            assert e.code == CODE, e.code
        finally:
            tx.close()
        n = s.run("MATCH (n) RETURN count(n) AS n").single()["n"]
        assert n == 1, n

    # One client's giant statement does not fail another client's modest ones.
    errors, modest_runs = [], [0]
    done = threading.Event()

    def giant():
        try:
            with driver.session() as s:
                for _ in range(3):
                    expect_memory_error(s, GIANT_READ)
        except BaseException as e:  # reported below
            errors.append(repr(e))
        finally:
            done.set()

    def modest():
        try:
            with driver.session() as s:
                while not done.is_set() or modest_runs[0] < 3:
                    assert s.run(MODEST).single()["n"] == 400000
                    modest_runs[0] += 1
        except BaseException as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=giant), threading.Thread(target=modest)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    print(f"modest statements beside the giant one: {modest_runs[0]}")

print("all checks passed")
