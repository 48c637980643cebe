// Who depends on Nvidia, and is the dependence growing or shrinking?
//
// `SUPPLIES` runs from supplier to customer, with `status` saying which way the relationship
// is heading. `CALL kg.supply.dependents('Nvidia')` follows longer supply chains.
MATCH (:Organization {name: 'Nvidia'})-[s:SUPPLIES]->(c)
RETURN c.name AS customer, s.status AS status, s.product AS product, s.use AS use,
       s.reason AS reason
ORDER BY status, customer;
