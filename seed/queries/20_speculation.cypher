// Facts the documents only guess at or report second-hand.
//
// A commentator's forecast is a `Forecast` node that `TIPS` its candidates, never a plan;
// a report from unnamed sources carries `confidence: 'unconfirmed'`. Everything else is
// stated as fact by at least one document.
MATCH (f:Forecast)-[:TIPS]->(o)
WITH f, o.name AS candidate
ORDER BY candidate
RETURN f.name AS forecast, collect(candidate) AS candidates, f.horizon_months AS within_months,
       f.confidence AS confidence, f.source AS source;

MATCH (a)-[r]->(b)
WHERE r.confidence IS NOT NULL
RETURN a.name AS subject, type(r) AS relation, b.name AS object, r.confidence AS confidence,
       r.reported_by AS reported_by, r.source AS source
ORDER BY subject;
