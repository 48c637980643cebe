"""CALL { } IN TRANSACTIONS through the official neo4j Python driver (run by
tests/server_bolt.rs): it runs in an auto-commit `session.run`, and fails with Neo4j's
error inside `session.begin_transaction()`.

Usage: python in_transactions.py URL USER PASSWORD
Prints one line per check; any failure raises (non-zero exit).
"""
import sys

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import Neo4jError

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
print("driver", neo4j.__version__, "url", url)


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name} failed: {detail}")
    print("ok", name)


def count(session, label):
    return session.run(f"MATCH (n:{label}) RETURN count(n) AS n").single()["n"]


with GraphDatabase.driver(url, auth=(user, password)) as driver:
    with driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()

        summary = session.run(
            "UNWIND range(1, 95) AS i CALL (i) { CREATE (:Tx {i: i}) } IN TRANSACTIONS OF 10 ROWS"
        ).consume()
        check("auto-commit load", count(session, "Tx") == 95, count(session, "Tx"))
        check(
            "counters of every batch",
            summary.counters.nodes_created == 95,
            summary.counters,
        )

        rows = session.run(
            "UNWIND [1, 0, 2] AS i CALL (i) { CREATE (n:Rep {v: 10 / i}) RETURN n.v AS v } "
            "IN TRANSACTIONS OF 1 ROW ON ERROR CONTINUE REPORT STATUS AS s "
            "RETURN v, s"
        ).data()
        check(
            "report status",
            [r["v"] for r in rows] == [10, None, 5]
            and [r["s"]["committed"] for r in rows] == [True, False, True]
            and rows[1]["s"]["errorMessage"] == "integer division by zero",
            rows,
        )

        try:
            session.run(
                "UNWIND [1, 2, 0] AS i CALL (i) { CREATE (:Fail {v: 10 / i}) } "
                "IN TRANSACTIONS OF 2 ROWS"
            ).consume()
            check("ON ERROR FAIL raises", False)
        except Neo4jError as e:
            check(
                "ON ERROR FAIL says what stayed committed",
                "(Transactions committed: 1)" in (e.message or ""),
                e,
            )
        check("the first batch stays", count(session, "Fail") == 2, count(session, "Fail"))

        tx = session.begin_transaction()
        try:
            tx.run(
                "UNWIND range(1, 5) AS i CALL (i) { CREATE (:Explicit) } IN TRANSACTIONS"
            ).consume()
            check("explicit transaction refuses", False)
        except Neo4jError as e:
            check(
                "explicit transaction refuses as Neo4j does",
                e.code == "Neo.DatabaseError.Transaction.TransactionStartFailed"
                and "can only be executed in an implicit transaction" in (e.message or ""),
                (e.code, e.message),
            )
        finally:
            tx.close()
        check("nothing written", count(session, "Explicit") == 0)

print("all checks passed")
