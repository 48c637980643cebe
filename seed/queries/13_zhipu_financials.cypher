// Zhipu AI's reported figures: costs, losses and revenue.
//
// Reported figures are `Metric` nodes, each with the period it covers (`period`, a date with
// its precision) and the date it was reported (`as_of`), so costs, losses and revenue sit side
// by side with their dates.
MATCH (:Organization {name: 'Zhipu AI'})-[:REPORTED]->(m:Metric)
RETURN m.metric AS metric, m.scope AS scope, m.period AS period, m.period_precision AS period_is,
       m.amount_cny / 1.0e9 AS amount_cny_bn, m.growth_multiple_12m AS growth_12m,
       m.gross_margin AS gross_margin
ORDER BY metric;
