"""Authentication through the official neo4j Python driver (run by tests/server_bolt.rs).

Usage: python auth.py URL USER GOOD_PASSWORD
"""
import sys

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

url, user, good = sys.argv[1], sys.argv[2], sys.argv[3]

with GraphDatabase.driver(url, auth=(user, good)) as d:
    d.verify_connectivity()
    records, _, _ = d.execute_query("RETURN 41 + 1 AS x")
    assert records[0]["x"] == 42, records
    print("ok good password")

for who, pw in ((user, good + "x"), ("nobody", good)):
    with GraphDatabase.driver(url, auth=(who, pw)) as d:
        try:
            d.verify_connectivity()
        except AuthError as e:
            assert e.code == "Neo.ClientError.Security.Unauthorized", e.code
            print("ok refused", who)
        else:
            raise AssertionError(f"{who} was let in with a wrong password")

with GraphDatabase.driver(url, auth=None) as d:
    try:
        d.verify_connectivity()
    except AuthError:
        print("ok refused without credentials")
    else:
        raise AssertionError("let in without credentials")
print("all checks passed")
