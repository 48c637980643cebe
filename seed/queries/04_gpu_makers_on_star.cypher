// GPU makers on the STAR Market: listed, or with an application in.
//
// China's GPU designers are converging on the STAR Market: two already trade there and a
// third has had its application accepted. `coalesce` turns a missing status into 'listed'.
// The document dates the application but not the two debuts, only that both came before
// 8 January 2026 (`before`).
MATCH (c:ChipMaker)-[r:LISTED_ON|PLANS_LISTING_ON]->(:Exchange {name: 'Shanghai Stock Exchange'})
WHERE c.product = 'GPU' AND r.board = 'STAR Market'
RETURN c.name AS chip_maker, type(r) AS relation, coalesce(r.status, 'listed') AS stage,
       coalesce(r.since, r.application_accepted) AS dated, r.before AS before
ORDER BY relation, chip_maker;
