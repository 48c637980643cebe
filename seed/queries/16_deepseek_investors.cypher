// Who put money into the DeepSeek Series A, and on what terms?
MATCH (i:Investor)-[r:INVESTED_IN]->(:Organization {name: 'DeepSeek'})
RETURN i.name AS investor, labels(i) AS labels, r.round AS round, r.role AS role,
       r.amount_usd AS amount_usd, r.voting_rights AS voting_rights
ORDER BY investor;
