// The source documents behind the graph.
//
// Every fact in the graph lists its documents in `source`; the `Source` nodes describe
// the documents themselves. Three are undated: their month follows from what they report
// (`date_precision: 'month'`, `date_inferred: true`).
MATCH (s:Source)
OPTIONAL MATCH (s)-[:PUBLISHED_BY]->(p)
OPTIONAL MATCH (a:Person)-[:AUTHORED]->(s)
RETURN s.name AS file, s.date AS date, s.date_precision AS precision, p.name AS publisher,
       a.name AS author, s.title AS title
ORDER BY file;
