// Everything listed in Hong Kong, with the board where a document names it.
//
// Every listing points at the exchange; `board` names the board when the document does.
// A listing's date is `since` (with its precision); where the document gives only an upper
// bound, `before` holds it.
MATCH (o:Organization)-[r:LISTED_ON]->(:Exchange {name: 'Hong Kong Stock Exchange'})
RETURN o.name AS company, labels(o) AS labels, r.board AS board, r.since AS since,
       r.since_precision AS precision, r.before AS before
ORDER BY company;
