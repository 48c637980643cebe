// A+H: companies listed in Hong Kong that are also listed, or heading, on a mainland board.
//
// An A+H company has shares in Hong Kong (H shares) and on a mainland board (A shares).
// The two Hong Kong-listed labs that announced STAR Market plans within a day of each other
// show up here, with how far each has got.
MATCH (o:Organization)-[h:LISTED_ON]->(hk)
WHERE hk.name IN ['Hong Kong Stock Exchange', 'HKEX Main Board']
MATCH (o)-[a:LISTED_ON|PLANS_LISTING_ON]->(board:Market)-[:PART_OF]->(:Exchange {name: 'Shanghai Stock Exchange'})
RETURN o.name AS company, h.since AS in_hong_kong_since, board.name AS a_share_board,
       type(a) AS a_share_step, a.status AS status, a.announced AS announced
ORDER BY company;
