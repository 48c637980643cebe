// Zhipu's planned STAR Market IPO: what the money is for.
//
// The planned STAR Market offering is a `FundingRound` whose `FUNDS` relationships say
// where the money goes.
MATCH (:Organization {name: 'Zhipu AI'})-[:RAISED]->(f:FundingRound {status: 'planned'})-[u:FUNDS]->(p:Purpose)
RETURN p.name AS purpose, u.amount_cny / 1.0e9 AS amount_cny_bn,
       round(100.0 * u.amount_cny / f.amount_cny, 1) AS percent
ORDER BY amount_cny_bn DESC;
