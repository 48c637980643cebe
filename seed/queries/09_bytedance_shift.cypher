// ByteDance's chip shift: who supplies it, and in which direction each supply is moving.
//
// ByteDance is moving AI inference off Nvidia and onto domestic chips from second-tier
// vendors the document does not name (modelled as a `Group`).
MATCH (s)-[r:SUPPLIES]->(:Organization {name: 'ByteDance'})
RETURN s.name AS supplier, r.status AS status, r.use AS use, r.reason AS reason, r.as_of AS as_of
ORDER BY supplier;
