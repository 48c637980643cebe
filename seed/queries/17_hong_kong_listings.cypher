// Everything listed in Hong Kong, at the exchange or on a named board.
//
// Some documents name only the exchange, one names the board; `OPTIONAL MATCH` on `PART_OF`
// lifts a board to its exchange so both kinds of listing are found.
MATCH (o:Organization)-[r:LISTED_ON]->(m)
OPTIONAL MATCH (m)-[:PART_OF]->(x:Exchange)
WITH o, r, m, coalesce(x.name, m.name) AS exchange
WHERE exchange = 'Hong Kong Stock Exchange'
RETURN o.name AS company, labels(o) AS labels, m.name AS listed_on, r.since AS since, r.before AS before
ORDER BY company;
