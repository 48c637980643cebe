// How much of the graph does each document support?
//
// `source` is always a list of file names, so one `IN` test finds every entity a document
// backs. Counts overlap where documents agree.
MATCH (s:Source)
OPTIONAL MATCH (n) WHERE s.name IN n.source
WITH s, count(n) AS nodes
OPTIONAL MATCH ()-[r]->() WHERE s.name IN r.source
RETURN s.name AS file, s.publisher AS publisher, nodes, count(r) AS relationships
ORDER BY file;
