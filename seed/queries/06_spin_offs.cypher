// Planned spin-offs of chip units, with the parent's stake where known.
//
// Chip units are being spun off by their internet parents. One plan is announced; the other
// is reported by unnamed sources and carries `confidence: 'unconfirmed'`.
MATCH (parent:Organization)-[s:PLANS_SPIN_OFF]->(unit:Organization)
OPTIONAL MATCH (parent)-[o:OWNS]->(unit)
RETURN parent.name AS parent, unit.name AS unit, s.status AS status, s.purpose AS purpose,
       o.wholly_owned AS wholly_owned, o.stake AS stake, s.confidence AS confidence
ORDER BY parent;
