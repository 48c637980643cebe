// The Artificial Analysis intelligence ranking: who makes the top models.
MATCH (lab)-[:DEVELOPS]->(m:Model)-[r:RANKED]->(:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
RETURN coalesce(r.rank, r.rank_at_most) AS place, r.rank IS NOT NULL AS exact, m.name AS model,
       lab.name AS lab, lab.country AS country
ORDER BY place, model;
