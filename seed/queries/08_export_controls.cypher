// What do the US export controls restrict, and whom do they affect?
//
// Policies point at whose business they restrict (`RESTRICTS`) and at who changes course
// because of them (`AFFECTS`).
MATCH (issuer)-[:ISSUED]->(p:Policy {name: 'US semiconductor export controls'})-[r:RESTRICTS|AFFECTS]->(t)
RETURN issuer.name AS issuer, type(r) AS effect, t.name AS target,
       coalesce(r.what, r.effect) AS detail
ORDER BY effect DESC, target;
