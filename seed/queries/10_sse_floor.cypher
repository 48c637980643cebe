// Which Chinese labs clear the SSE market-cap floor for unprofitable AI labs?
//
// The SSE listing route for loss-making labs needs an anticipated market value of at least
// 4 billion yuan. Comparing each Chinese lab's latest valuation with the policy's threshold
// answers the question straight from the graph; most labs have no published valuation, and
// DeepSeek's is an approximate figure ("about 400 billion yuan").
MATCH (p:Policy {name: 'SSE rules for unprofitable AI labs'})
MATCH (l:Lab {country: 'China'})
RETURN l.name AS lab, l.valuation_cny / 1.0e9 AS valuation_cny_bn, l.approximate AS approximate,
       p.min_market_cap_cny / 1.0e9 AS floor_cny_bn,
       CASE
         WHEN l.valuation_cny IS NULL THEN 'valuation not reported'
         WHEN l.valuation_cny >= p.min_market_cap_cny THEN 'clears'
         ELSE 'below'
       END AS verdict,
       l.valuation_cny / p.min_market_cap_cny AS times_floor
ORDER BY verdict, lab;
