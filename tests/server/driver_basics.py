"""The official neo4j Python driver against `kg serve` (run by tests/server_bolt.rs).

Usage: python driver_basics.py URL USER PASSWORD
Prints one line per check; any failure raises (non-zero exit).
"""
import datetime
import sys

import neo4j
from neo4j import GraphDatabase, RoutingControl
from neo4j.exceptions import (
    ClientError,
    ConstraintError,
    CypherSyntaxError,
    CypherTypeError,
    Neo4jError,
)
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Duration, Time

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
print("driver", neo4j.__version__, "url", url)


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name} failed: {detail}")
    print("ok", name)


with GraphDatabase.driver(url, auth=(user, password)) as driver:
    driver.verify_connectivity()
    info = driver.get_server_info()
    check("server agent", info.agent.startswith("Neo4j/"), info.agent)
    check("protocol 5.x", info.protocol_version[0] == 5, info.protocol_version)

    driver.execute_query("MATCH (n) DETACH DELETE n")

    # Writes report Neo4j's counters.
    records, summary, keys = driver.execute_query(
        "CREATE (a:Person {name: $a})-[r:KNOWS {since: 2020}]->(b:Person {name: $b}) "
        "RETURN a, r, b",
        a="Ada",
        b="Bob",
    )
    c = summary.counters
    check(
        "counters",
        c.nodes_created == 2 and c.relationships_created == 1 and c.labels_added == 2
        and c.properties_set == 3 and c.contains_updates,
        c,
    )
    check("keys", keys == ["a", "r", "b"], keys)
    check("query type", summary.query_type == "rw", summary.query_type)
    a, r, b = records[0]["a"], records[0]["r"], records[0]["b"]
    check("node hydrated", isinstance(a, Node) and a.labels == {"Person"} and a["name"] == "Ada", a)
    check(
        "relationship hydrated",
        isinstance(r, Relationship) and r.type == "KNOWS" and r["since"] == 2020
        and r.start_node.element_id == a.element_id and r.end_node.element_id == b.element_id,
        r,
    )
    # Element ids go back into queries.
    records, _, _ = driver.execute_query(
        "MATCH (n) WHERE elementId(n) = $id RETURN n.name AS name", id=a.element_id
    )
    check("element id round trip", records[0]["name"] == "Ada", records)

    # Paths, also traversed against a relationship's direction.
    records, _, _ = driver.execute_query(
        "MATCH p = (:Person {name: 'Bob'})<-[:KNOWS]-(:Person {name: 'Ada'}) RETURN p"
    )
    p = records[0]["p"]
    check(
        "path hydrated",
        isinstance(p, Path) and p.start_node["name"] == "Bob" and p.end_node["name"] == "Ada"
        and len(p.relationships) == 1 and p.relationships[0].start_node["name"] == "Ada",
        p,
    )

    # Every temporal type, returned by the server.
    records, _, _ = driver.execute_query(
        "RETURN date('2026-06-30') AS d, localtime('12:34:56.789') AS lt, "
        "time('12:34:56+01:00') AS t, localdatetime('2026-06-30T12:34:56.000000001') AS ldt, "
        "datetime('2026-06-30T12:34:56-05:00') AS dt, "
        "datetime('2026-01-15T08:00[Europe/Stockholm]') AS dz, "
        "duration('P1Y2M3DT4H5M6.7S') AS du"
    )
    rec = records[0]
    check("date", rec["d"] == Date(2026, 6, 30), rec["d"])
    check("localtime", rec["lt"] == Time(12, 34, 56, 789000000), rec["lt"])
    check("time", rec["t"].utcoffset() == datetime.timedelta(hours=1) and rec["t"].hour == 12, rec["t"])
    check("localdatetime", rec["ldt"] == DateTime(2026, 6, 30, 12, 34, 56, 1), rec["ldt"])
    check(
        "datetime offset",
        rec["dt"].utcoffset() == datetime.timedelta(hours=-5) and rec["dt"].hour == 12,
        rec["dt"],
    )
    check(
        "datetime zone",
        rec["dz"].tzinfo.zone == "Europe/Stockholm" and rec["dz"].hour == 8
        and rec["dz"].utcoffset() == datetime.timedelta(hours=1),
        rec["dz"],
    )
    check(
        "duration",
        rec["du"] == Duration(months=14, days=3, seconds=14706, nanoseconds=700000000),
        rec["du"],
    )

    # Parameters of every type come back unchanged.
    import pytz

    params = {
        "null": None,
        "bool": True,
        "int": -(2**63),
        "big": 2**63 - 1,
        "float": 1.5,
        "string": "héllo 世界",
        "list": [1, "two", 3.0, None, [4]],
        "map": {"k": [1, {"x": "y"}]},
        "date": Date(1969, 7, 20),
        "localtime": Time(23, 59, 59, 999999999),
        "time": Time(1, 2, 3, 4, tzinfo=pytz.FixedOffset(-150)),
        "localdatetime": DateTime(1900, 1, 1, 0, 0, 0, 5),
        "datetime": DateTime(2026, 3, 29, 2, 30, 0, 0, tzinfo=pytz.FixedOffset(540)),
        "datetimezone": pytz.timezone("America/New_York").localize(DateTime(2026, 11, 1, 1, 30, 0, 0)),
        "duration": Duration(months=-1, days=40, seconds=-3, nanoseconds=5),
        "pydate": datetime.date(2000, 2, 29),
        "pydatetime": datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.timezone.utc),
        "timedelta": datetime.timedelta(days=1, microseconds=7),
    }
    records, _, _ = driver.execute_query("RETURN $p AS p", p=params)
    back = records[0]["p"]
    for k, v in params.items():
        got = back[k]
        if k == "pydate":
            v = Date.from_native(v)
        if k == "pydatetime":
            v = DateTime.from_native(v)
        if k == "timedelta":
            v = Duration(days=1, nanoseconds=7000)
        same = got == v
        if k in ("time", "datetime", "datetimezone", "pydatetime"):
            same = same and got.utcoffset() == v.utcoffset()
        check(f"parameter {k}", same, f"{v!r} came back as {got!r}")
    check("parameter zone name", back["datetimezone"].tzinfo.zone == "America/New_York", back["datetimezone"])

    # Stored temporal properties read back exactly.
    driver.execute_query("CREATE (:T $props)", props={k: params[k] for k in (
        "date", "localtime", "time", "localdatetime", "datetime", "datetimezone", "duration")})
    records, _, _ = driver.execute_query("MATCH (t:T) RETURN properties(t) AS p")
    stored = records[0]["p"]
    for k in ("date", "localtime", "time", "localdatetime", "datetime", "datetimezone", "duration"):
        check(f"stored {k}", stored[k] == params[k], f"{params[k]!r} stored as {stored[k]!r}")

    # Paging: the driver pulls 1000 records at a time.
    with driver.session(fetch_size=100) as s:
        res = s.run("UNWIND range(1, 2345) AS i RETURN i")
        total = sum(r["i"] for r in res)
        check("paged result", total == 2345 * 2346 // 2, total)
        # Two results open at once in one transaction (qid).
        with s.begin_transaction() as tx:
            r1 = tx.run("UNWIND range(1, 250) AS i RETURN i")
            r2 = tx.run("UNWIND range(1, 300) AS j RETURN j")
            a1 = [r["i"] for r in r1]
            a2 = [r["j"] for r in r2]
            check("two open results", len(a1) == 250 and len(a2) == 300, (len(a1), len(a2)))
            tx.commit()

    # Explicit transactions: commit and rollback.
    with driver.session() as s:
        tx = s.begin_transaction()
        tx.run("CREATE (:Tx {n: 1})").consume()
        tx.commit()
        tx = s.begin_transaction()
        tx.run("CREATE (:Tx {n: 2})").consume()
        inside = tx.run("MATCH (t:Tx) RETURN count(t) AS c").single()["c"]
        check("own writes visible in the transaction", inside == 2, inside)
        tx.rollback()
        n = s.run("MATCH (t:Tx) RETURN collect(t.n) AS ns").single()["ns"]
        check("commit kept, rollback undone", n == [1], n)
        bookmarks = s.last_bookmarks()
        check("bookmarks", bookmarks is not None, bookmarks)

    # Managed transactions, retried by the driver.
    attempts = []

    def work(tx):
        attempts.append(1)
        tx.run("MERGE (c:Counter {id: 1}) SET c.n = coalesce(c.n, 0) + 1")
        return tx.run("MATCH (c:Counter {id: 1}) RETURN c.n AS n").single()["n"]

    with driver.session() as s:
        n1 = s.execute_write(work)
        n2 = s.execute_write(work)
        check("execute_write", (n1, n2) == (1, 2), (n1, n2))
        c = s.execute_read(lambda tx: tx.run("MATCH (c:Counter) RETURN c.n AS n").single()["n"])
        check("execute_read", c == 2, c)

    # A read transaction refuses writes.
    try:
        read = getattr(RoutingControl, "READ", None) or RoutingControl.READERS  # READERS in older 5.x
        driver.execute_query("CREATE (:Nope)", routing_=read)
        raise AssertionError("a write in a read transaction succeeded")
    except ClientError as e:
        check("write refused in read mode", "AccessMode" in e.code or "read" in str(e).lower(), e.code)

    # Errors arrive as the driver's exception classes.
    def expect(name, query, cls, code, **params):
        try:
            driver.execute_query(query, **params)
        except cls as e:
            check(name, e.code == code, (e.code, str(e)))
            return e
        raise AssertionError(f"{name}: no {cls.__name__} for {query}")

    e = expect("syntax error", "MATCH (n RETURN n", CypherSyntaxError, "Neo.ClientError.Statement.SyntaxError")
    check("error position", "line 1, column" in e.message, e.message)
    expect("type error", "WITH $x AS x RETURN x - 1", CypherTypeError, "Neo.ClientError.Statement.TypeError", x="a")
    # Neo4j too reports an undefined variable as a syntax error.
    expect("undefined variable", "RETURN x", CypherSyntaxError, "Neo.ClientError.Statement.SyntaxError")
    expect("missing parameter", "RETURN $nope", ClientError, "Neo.ClientError.Statement.ParameterMissing")
    driver.execute_query("CREATE CONSTRAINT person_name IF NOT EXISTS FOR (p:Person) REQUIRE p.name IS UNIQUE")
    expect(
        "constraint violation",
        "CREATE (:Person {name: 'Ada'})",
        ConstraintError,
        "Neo.ClientError.Schema.ConstraintValidationFailed",
    )
    try:
        driver.execute_query("RETURN 1", database_="nosuchdb")
        raise AssertionError("an unknown database was accepted")
    except Neo4jError as e:
        check("unknown database", e.code == "Neo.ClientError.Database.DatabaseNotFound", e.code)
    # After errors the connection pool still works.
    records, _, _ = driver.execute_query("RETURN 1 AS one", database_="neo4j")
    check("database neo4j", records[0]["one"] == 1, records)

    # What tools ask on connect.
    records, _, _ = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition "
        "UNWIND versions AS version RETURN name, version, edition"
    )
    check("dbms.components", records[0]["name"] == "Neo4j Kernel", records)
    records, _, _ = driver.execute_query("SHOW DATABASES", database_="system")
    check("show databases", records[0]["name"] == "neo4j", records)
    records, _, _ = driver.execute_query("CALL db.labels() YIELD label RETURN collect(label) AS ls")
    check("db.labels", "Person" in records[0]["ls"], records)

print("all checks passed")
