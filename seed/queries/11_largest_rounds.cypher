// The largest rounds and offerings, in billions of US dollars.
//
// Rounds are `FundingRound` nodes, so private rounds and IPOs (done or planned) rank
// together. Yuan amounts are converted with the exchange rate the documents imply, read from
// the SSE rule itself (4 billion yuan = 591 million dollars); `from_cny` flags converted rows
// and `approximate` the amounts the documents hedge.
MATCH (rule:Policy {name: 'SSE rules for unprofitable AI labs'})
WITH rule.min_market_cap_usd / rule.min_market_cap_cny AS usd_per_cny
MATCH (o:Organization)-[:RAISED]->(f:FundingRound)
RETURN o.name AS company, f.name AS round, f.status AS status,
       round(coalesce(f.amount_usd, f.amount_cny * usd_per_cny) / 1.0e9, 2) AS usd_bn,
       f.amount_usd IS NULL AS from_cny, f.approximate AS approximate
ORDER BY usd_bn DESC, round;
