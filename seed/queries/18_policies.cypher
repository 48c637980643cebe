// Policies: who issued them and what they govern.
//
// Every policy with its issuer and what it governs (the boards it applies to, the companies
// it restricts or affects), aggregated into lists.
MATCH (p:Policy)
OPTIONAL MATCH (i)-[:ISSUED]->(p)
OPTIONAL MATCH (p)-[:APPLIES_TO|RESTRICTS|AFFECTS]->(t)
WITH p, i.name AS issuer, t.name AS target
ORDER BY issuer, target
RETURN p.name AS policy, p.kind AS kind, collect(DISTINCT issuer) AS issuers,
       collect(DISTINCT target) AS governs
ORDER BY policy;
