// Who put money into the DeepSeek Series A, and on what terms?
//
// Four investors in the Series A: the founder with a stated amount, and three strategic
// investors who took shares without votes. `reported_by` is the outlet the document credits.
MATCH (i:Investor)-[r:INVESTED_IN]->(:Organization {name: 'DeepSeek'})
RETURN i.name AS investor, labels(i) AS labels, r.round AS round, r.role AS role,
       r.amount_usd / 1.0e9 AS amount_usd_bn, r.voting_rights AS voting_rights,
       r.reported_by AS reported_by
ORDER BY investor;
