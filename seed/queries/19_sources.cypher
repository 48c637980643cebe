// The source documents behind the graph.
//
// Every fact in the graph names its document in `source`; the `Source` nodes describe
// the documents themselves.
MATCH (s:Source)
OPTIONAL MATCH (s)-[:PUBLISHED_BY]->(p)
OPTIONAL MATCH (a:Person)-[:AUTHORED]->(s)
RETURN s.name AS file, s.date AS date, p.name AS publisher, a.name AS author, s.title AS title
ORDER BY file;
