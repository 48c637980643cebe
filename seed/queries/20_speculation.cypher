// Facts the documents only guess at or report second-hand.
//
// Anything a document only guesses at, or reports from unnamed sources, carries a
// `confidence` property; everything else is stated as fact by at least one document.
MATCH (a)-[r]->(b)
WHERE r.confidence IS NOT NULL
RETURN a.name AS subject, type(r) AS relation, b.name AS object, r.confidence AS confidence,
       r.source AS source
ORDER BY subject;
