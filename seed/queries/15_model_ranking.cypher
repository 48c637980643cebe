// The Artificial Analysis intelligence ranking: who makes the top models.
//
// Only GLM-5.2 has an exact place (fourth); the three models above it share places one to
// three in an order the source does not give, so they carry `rank_at_most: 3`.
MATCH (lab)-[:DEVELOPS]->(m:Model)-[r:RANKED]->(:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
RETURN coalesce(r.rank, r.rank_at_most) AS place, r.rank IS NOT NULL AS exact, m.name AS model,
       lab.name AS lab, lab.country AS country
ORDER BY place, model;
