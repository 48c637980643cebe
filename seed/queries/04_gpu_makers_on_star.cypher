// GPU makers on the STAR Market: listed, or with an application in.
//
// China's GPU designers are converging on the STAR Market: two already trade there and a
// third has had its application accepted. `coalesce` turns a missing status into 'listed'.
MATCH (c:ChipMaker)-[r:LISTED_ON|PLANS_LISTING_ON]->(:Market {name: 'STAR Market'})
WHERE c.product = 'GPU'
RETURN c.name AS chip_maker, type(r) AS relation, coalesce(r.status, 'listed') AS stage,
       r.as_of AS as_of
ORDER BY relation, chip_maker;
