// Who depends on Nvidia, and is the dependence growing or shrinking?
MATCH (:Organization {name: 'Nvidia'})-[s:SUPPLIES]->(c)
RETURN c.name AS customer, s.status AS status, s.product AS product, s.use AS use,
       s.reason AS reason
ORDER BY status, customer;
