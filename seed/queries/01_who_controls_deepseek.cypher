// Who controls DeepSeek, how, and according to whom?
//
// Control and money are separate relationships: `CONTROLS` records who holds the votes,
// `INVESTED_IN` what they paid. DeepSeek's Series A sold shares without voting rights, so
// the founder keeps control while outsiders supply most of the cash. `reported_by` names the
// outlet the document cites for each fact, `source` the document itself.
MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'})
OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o)
RETURN p.name AS controller, c.kind AS control, c.via AS via, c.reported_by AS control_per,
       i.amount_usd / 1.0e9 AS invested_usd_bn, i.reported_by AS amount_per, c.source AS source
ORDER BY controller;
