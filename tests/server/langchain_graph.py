"""langchain-neo4j's Neo4jGraph against `kg serve` (run by tests/server_langchain.rs).

Usage: python langchain_graph.py URL USER PASSWORD

Neo4jGraph connects, reads the schema on construction (refresh_schema: apoc.meta.data three
times, SHOW CONSTRAINTS, apoc.schema.nodes), formats it for an LLM
prompt, and runs queries with parameters.

"""
import sys

import langchain_neo4j
from langchain_neo4j import Neo4jGraph
from neo4j import GraphDatabase

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]


def check(name, cond, detail=""):
    if not cond:
        raise SystemExit(f"{name} failed: {detail}")
    print("ok", name)


with GraphDatabase.driver(url, auth=(user, password)) as driver:
    driver.execute_query("MATCH (n) DETACH DELETE n")
    driver.execute_query(
        "CREATE (k:Person {name: 'Keanu', born: 1964}), (c:Person {name: 'Carrie-Anne', born: 1967}), "
        "(m:Movie {title: 'The Matrix', released: date('1999-03-31'), rating: 8.7, tags: ['sci-fi']}), "
        "(k)-[:ACTED_IN {role: 'Neo'}]->(m), (c)-[:ACTED_IN {role: 'Trinity'}]->(m), "
        "(k)-[:KNOWS]->(c)"
    )
    driver.execute_query("CREATE CONSTRAINT movie_title IF NOT EXISTS FOR (m:Movie) REQUIRE m.title IS UNIQUE")

print("langchain-neo4j", getattr(langchain_neo4j, "__version__", "?"))
graph = Neo4jGraph(url=url, username=user, password=password)
s = graph.get_structured_schema
print(s)
props = {label: {p["property"]: p["type"] for p in ps} for label, ps in s["node_props"].items()}
check("node properties", props.get("Person") == {"name": "STRING", "born": "INTEGER"}, props)
check(
    "movie properties",
    props.get("Movie") == {"title": "STRING", "released": "DATE", "rating": "FLOAT", "tags": "LIST"},
    props,
)
rel_props = {t: {p["property"]: p["type"] for p in ps} for t, ps in s["rel_props"].items()}
check("relationship properties", rel_props == {"ACTED_IN": {"role": "STRING"}}, rel_props)
rels = sorted((r["start"], r["type"], r["end"]) for r in s["relationships"])
check(
    "relationships",
    rels == [("Person", "ACTED_IN", "Movie"), ("Person", "KNOWS", "Person")],
    rels,
)
constraints = s["metadata"]["constraint"]
# Constraints come from SHOW CONSTRAINTS, indexes from apoc.schema.nodes (RANGE ones only;
# ours are HASH, equality lookups, so none are listed).
check(
    "constraints",
    any(c.get("name") == "movie_title" and c.get("labelsOrTypes") == ["Movie"] and c.get("properties") == ["title"]
        for c in constraints),
    constraints,
)
check("indexes", s["metadata"]["index"] == [], s["metadata"])
print(graph.get_schema)
check("schema text", "(:Person)-[:ACTED_IN]->(:Movie)" in graph.get_schema, graph.get_schema)
check("schema text properties", "title: STRING" in graph.get_schema, graph.get_schema)

rows = graph.query(
    "MATCH (p:Person)-[r:ACTED_IN]->(m:Movie {title: $t}) RETURN p.name AS name, r.role AS role ORDER BY name",
    params={"t": "The Matrix"},
)
check("query", rows == [{"name": "Carrie-Anne", "role": "Trinity"}, {"name": "Keanu", "role": "Neo"}], rows)

graph.query("CREATE (:Person {name: 'Laurence', born: 1961, oscars: 0})")
graph.refresh_schema()
props = {p["property"] for p in graph.get_structured_schema["node_props"]["Person"]}
check("refresh_schema sees a new property", "oscars" in props, props)

# Not covered: enhanced_schema=True needs apoc.meta.graph (virtual nodes), apoc.any.property
# and apoc.schema.properties.distinct; add_graph_documents needs apoc.merge.node and
# apoc.merge.relationship. Those fail with a ClientError naming the missing function.
graph.close()
print("all checks passed")
