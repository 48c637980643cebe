// The listing pipeline: who plans to list where, and how far along each plan is.
//
// Plans move through stages; `CASE` maps each status to its step so the pipeline sorts from
// the most advanced plan down. Only plans a document states are here: a commentator's guess
// that DeepSeek may file first is a `Forecast` (question 20), not a plan.
MATCH (o:Organization)-[p:PLANS_LISTING_ON]->(x:Exchange)
WITH o, p, x,
     CASE p.status
       WHEN 'announced' THEN 1
       WHEN 'tutoring' THEN 2
       WHEN 'tutoring completed' THEN 3
       WHEN 'application accepted' THEN 4
     END AS step
RETURN step, p.status AS stage, o.name AS company, p.board AS board, x.name AS exchange,
       coalesce(p.application_accepted, p.announced) AS dated, p.raise_cny / 1.0e9 AS raise_cny_bn
ORDER BY step DESC, company;
