"""langchain-neo4j's Neo4jGraph against `kg serve` (run by tests/server_bolt.rs).

Usage: python langchain.py URL USER PASSWORD
Connects, reads the schema (apoc.meta.data, SHOW CONSTRAINTS, apoc.schema.nodes, as the
package sends them) and runs a query.
"""
import sys

from langchain_neo4j import Neo4jGraph

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
graph = Neo4jGraph(url=url, username=user, password=password)
graph.query("MATCH (n) DETACH DELETE n")
graph.query(
    "CREATE (:Lab {name: 'DeepSeek', founded: 2023})-[:DEVELOPS {since: date('2024-01-01')}]->"
    "(:Model {name: 'R1', params: 671.0})"
)
graph.refresh_schema()
schema = graph.get_structured_schema
print(graph.schema)
assert schema["node_props"]["Lab"] == [
    {"property": "founded", "type": "INTEGER"},
    {"property": "name", "type": "STRING"},
], schema["node_props"]
assert {"property": "since", "type": "DATE"} in schema["rel_props"]["DEVELOPS"], schema["rel_props"]
assert {"start": "Lab", "type": "DEVELOPS", "end": "Model"} in schema["relationships"], schema
assert "DEVELOPS" in graph.schema
rows = graph.query("MATCH (l:Lab)-[:DEVELOPS]->(m) RETURN l.name AS lab, m.name AS model")
assert rows == [{"lab": "DeepSeek", "model": "R1"}], rows
print("all checks passed")
