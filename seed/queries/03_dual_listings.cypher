// A+H: companies listed in Hong Kong that are also listed, or heading, on a mainland board.
//
// An A+H company has shares in Hong Kong (H shares) and on a mainland board (A shares).
// Listings and plans both point at the exchange, with `board` naming the board where a
// document does. The two Hong Kong-listed labs that announced STAR Market plans within a day
// of each other show up here, with how far each has got. `since` is a date; its precision
// says the documents give only the month.
MATCH (o:Organization)-[h:LISTED_ON]->(:Exchange {name: 'Hong Kong Stock Exchange'})
MATCH (o)-[a:LISTED_ON|PLANS_LISTING_ON]->(:Exchange {name: 'Shanghai Stock Exchange'})
RETURN o.name AS company, h.since AS in_hong_kong_since, h.since_precision AS precision,
       a.board AS a_share_board, type(a) AS a_share_step, a.status AS status, a.announced AS announced
ORDER BY company;
