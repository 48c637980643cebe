// Planned spin-offs of chip units, with the parent's stake where known.
MATCH (parent:Organization)-[s:PLANS_SPIN_OFF]->(unit:Organization)
OPTIONAL MATCH (parent)-[o:OWNS]->(unit)
RETURN parent.name AS parent, unit.name AS unit, s.status AS status, s.purpose AS purpose,
       o.wholly_owned AS wholly_owned, o.stake AS stake, s.confidence AS confidence
ORDER BY parent;
