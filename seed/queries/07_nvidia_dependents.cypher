// Who depends on Nvidia, and is the dependence growing or shrinking?
//
// `SUPPLIES` runs from supplier to customer, with `status` saying which way the relationship
// is heading; only supplies a document states are `SUPPLIES` (labs that merely chase Nvidia
// hardware are `SEEKS_HARDWARE_FROM`). `CALL kg.supply.dependents('Nvidia')` follows longer
// supply chains and ignores anything that is not an actual supply.
MATCH (:Organization {name: 'Nvidia'})-[s:SUPPLIES]->(c)
RETURN c.name AS customer, s.status AS status, s.product AS product, s.use AS use,
       s.reason AS reason
ORDER BY status, customer;

CALL kg.supply.dependents('Nvidia') YIELD dependent, depth
RETURN dependent.name AS dependent, depth
ORDER BY depth, dependent;

MATCH (l)-[:SEEKS_HARDWARE_FROM]->(:Organization {name: 'Nvidia'})
RETURN l.name AS wants_nvidia_hardware
ORDER BY wants_nvidia_hardware;
