// The largest rounds and offerings, in US dollars (yuan converted at the rate implied by
//
// Rounds are `FundingRound` nodes, so private rounds and IPOs (done or planned) rank
// together. Yuan amounts are converted with the exchange rate implied by the SSE rule itself
// (`min_market_cap_usd / min_market_cap_cny`).
// the SSE floor: 4 billion yuan = 591 million dollars).
MATCH (rule:Policy {name: 'SSE rules for unprofitable AI labs'})
WITH rule.min_market_cap_usd / rule.min_market_cap_cny AS usd_per_cny
MATCH (o:Organization)-[:RAISED]->(f:FundingRound)
RETURN o.name AS company, f.name AS round, f.status AS status,
       coalesce(f.amount_usd, f.amount_cny * usd_per_cny) AS approx_usd,
       f.amount_usd IS NULL AS converted
ORDER BY approx_usd DESC, round;
