// ByteDance's chip shift: who supplies it, and in which direction each supply is moving.
MATCH (s)-[r:SUPPLIES]->(:Organization {name: 'ByteDance'})
RETURN s.name AS supplier, r.status AS status, r.use AS use, r.reason AS reason, r.as_of AS as_of
ORDER BY supplier;
