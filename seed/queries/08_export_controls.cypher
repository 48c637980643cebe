// What do the US export controls restrict, and whom do they touch?
//
// Policies point at what they restrict (`RESTRICTS`) and at whom they affect (`APPLIES_TO`).
MATCH (issuer)-[:ISSUED]->(p:Policy {name: 'US semiconductor export controls'})-[r:RESTRICTS|APPLIES_TO]->(t)
RETURN issuer.name AS issuer, type(r) AS effect, t.name AS target,
       coalesce(r.what, r.effect) AS detail
ORDER BY effect DESC, target;
