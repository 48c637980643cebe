// What happened when? Every dated event in the graph, in order.
//
// Event times are always dates, each with a precision (`day`, `month`, `half`, …), so one
// `ORDER BY` sorts them all; a date known only to the month or half-year is the first day of
// that span, and `known_to` gives the precision. An `upper bound` row is a listing the
// document dates only as having come before that day.
CALL {
  MATCH (o)-[r:LISTED_ON]->(x:Exchange) WHERE r.since IS NOT NULL
  RETURN r.since AS date, r.since_precision AS known_to, o.name + ' lists on ' + coalesce(r.board, x.name) AS event
  UNION ALL
  MATCH (o)-[r:LISTED_ON]->(x:Exchange) WHERE r.before IS NOT NULL
  RETURN r.before AS date, 'upper bound' AS known_to, o.name + ' lists on ' + coalesce(r.board, x.name) AS event
  UNION ALL
  MATCH (o)-[r:PLANS_LISTING_ON]->(:Exchange) WHERE r.announced IS NOT NULL
  RETURN r.announced AS date, r.announced_precision AS known_to, o.name + ' announces a ' + r.board + ' listing' AS event
  UNION ALL
  MATCH (o)-[r:PLANS_LISTING_ON]->(:Exchange) WHERE r.application_accepted IS NOT NULL
  RETURN r.application_accepted AS date, r.application_accepted_precision AS known_to, o.name + ' has its ' + r.board + ' application accepted' AS event
  UNION ALL
  MATCH (o)-[r:PLANS_LISTING_ON]->(:Exchange) WHERE r.tutoring_completed IS NOT NULL
  RETURN r.tutoring_completed AS date, r.tutoring_completed_precision AS known_to, o.name + ' completes IPO tutoring' AS event
  UNION ALL
  MATCH (x)-[r:ISSUED]->(p:Policy) WHERE r.date IS NOT NULL
  RETURN r.date AS date, r.date_precision AS known_to, x.name + ' issues ' + p.name AS event
  UNION ALL
  MATCH (:Organization)-[:RAISED]->(f:FundingRound) WHERE f.date IS NOT NULL
  RETURN f.date AS date, f.date_precision AS known_to, f.name AS event
  UNION ALL
  MATCH (e:Event) WHERE e.began IS NOT NULL
  RETURN e.began AS date, e.began_precision AS known_to, e.name + ' begins' AS event
}
RETURN date, known_to, event
ORDER BY date, event;
