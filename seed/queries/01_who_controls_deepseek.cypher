// Who controls DeepSeek, how, and what did the controller put in?
//
// Control and money are separate relationships: `CONTROLS` records who holds the votes,
// `INVESTED_IN` what they paid. DeepSeek's Series A sold shares without voting rights, so
// the founder keeps control while outsiders supply most of the cash.
MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'})
OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o)
RETURN p.name AS controller, c.kind AS control, c.via AS via, i.round AS round,
       i.amount_usd / 1.0e9 AS invested_usd_bn, c.source AS source
ORDER BY controller;
