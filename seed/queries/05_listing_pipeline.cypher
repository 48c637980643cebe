// The listing pipeline: who plans to list where, and how far along each plan is.
//
// Plans move through stages; `CASE` maps each status to its step so the pipeline sorts from
// the most advanced plan down. The last row is a commentator's guess, marked
// `confidence: 'speculative'` rather than stated as a fact.
MATCH (o:Organization)-[p:PLANS_LISTING_ON]->(m:Market)
WITH o, p, m,
     CASE p.status
       WHEN 'speculated' THEN 0
       WHEN 'announced' THEN 1
       WHEN 'tutoring' THEN 2
       WHEN 'tutoring completed' THEN 3
       WHEN 'application accepted' THEN 4
     END AS step
RETURN step, p.status AS stage, o.name AS company, m.name AS market, p.as_of AS as_of,
       p.raise_cny / 1.0e9 AS raise_cny_bn, p.confidence AS confidence
ORDER BY step DESC, company;
