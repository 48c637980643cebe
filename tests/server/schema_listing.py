"""Constraints of every kind through the official neo4j Python driver against `kg serve`
(run by tests/server_bolt.rs): SHOW CONSTRAINTS, db.schema.visualization() and the APOC
procedures schema readers call (apoc.meta.data, apoc.schema.nodes, apoc.schema.relationships)
each list existence, type and key constraints, not only uniqueness.

Usage: python schema_listing.py URL USER PASSWORD
"""
import sys

from neo4j import GraphDatabase

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]


def check(name, cond, detail=""):
    if not cond:
        raise AssertionError(f"{name} failed: {detail!r}")
    print("ok", name)


with GraphDatabase.driver(url, auth=(user, password)) as driver:
    q = lambda text: driver.execute_query(text)[0]
    q("MATCH (n) DETACH DELETE n")
    q("CREATE (:Book {isbn: '1', title: 'A', pages: 10})-[:CITES {since: 2020}]->"
      "(:Book {isbn: '2', title: 'B', pages: 20})")
    for c in [
        "CREATE CONSTRAINT book_isbn IF NOT EXISTS FOR (b:Book) REQUIRE b.isbn IS UNIQUE",
        "CREATE CONSTRAINT book_title IF NOT EXISTS FOR (b:Book) REQUIRE b.title IS NOT NULL",
        "CREATE CONSTRAINT book_pages IF NOT EXISTS FOR (b:Book) REQUIRE b.pages IS :: INTEGER",
        "CREATE CONSTRAINT book_key IF NOT EXISTS FOR (b:Book) REQUIRE (b.title, b.isbn) IS NODE KEY",
        "CREATE CONSTRAINT cites_since IF NOT EXISTS FOR ()-[c:CITES]-() REQUIRE c.since IS NOT NULL",
    ]:
        q(c)

    shown = {r["name"]: r["type"] for r in q("SHOW CONSTRAINTS")}
    check("SHOW CONSTRAINTS", shown == {
        "book_isbn": "UNIQUENESS", "book_title": "NODE_PROPERTY_EXISTENCE",
        "book_pages": "NODE_PROPERTY_TYPE", "book_key": "NODE_KEY",
        "cites_since": "RELATIONSHIP_PROPERTY_EXISTENCE"}, shown)

    nodes = [(r["label"], r["properties"], r["type"]) for r in q("CALL apoc.schema.nodes()")]
    for row in [("Book", ["isbn"], "UNIQUENESS"), ("Book", ["title"], "NODE_PROPERTY_EXISTENCE"),
                ("Book", ["pages"], "NODE_PROPERTY_TYPE"), ("Book", ["title", "isbn"], "NODE_KEY")]:
        check(f"apoc.schema.nodes lists {row}", row in nodes, nodes)
    rels = [(r["type"], r["properties"]) for r in q("CALL apoc.schema.relationships()")]
    check("apoc.schema.relationships", rels == [("RELATIONSHIP_PROPERTY_EXISTENCE", ["since"])], rels)

    meta = {(r["label"], r["property"]): (r["unique"], r["existence"])
            for r in q("CALL apoc.meta.data()") if r["type"] != "RELATIONSHIP"}
    check("apoc.meta.data isbn", meta.get(("Book", "isbn")) == (True, True), meta)
    check("apoc.meta.data title", meta.get(("Book", "title")) == (False, True), meta)
    check("apoc.meta.data pages", meta.get(("Book", "pages")) == (False, False), meta)
    check("apoc.meta.data since", meta.get(("CITES", "since")) == (False, True), meta)

    viz = q("CALL db.schema.visualization()")[0]["nodes"]
    book = next(n for n in viz if n["name"] == "Book")
    described = sorted(book["constraints"])
    check("db.schema.visualization", len(described) == 4
          and any("type='NODE_PROPERTY_TYPE'" in d and "propertyType=INTEGER" in d for d in described)
          and any("name='book_title'" in d and "type='NODE_PROPERTY_EXISTENCE'" in d for d in described),
          described)
print("all checks passed")
