CREATE INDEX item_name FOR (n:Item) ON (n.name);
UNWIND range(1, 20000) AS i CREATE (:Item {name: 'i' + i, source: ['d' + (i % 5) + '.txt'], as_of: date('2026-01-01')});
UNWIND range(1, 20000) AS i MATCH (a:Item {name: 'i' + i}), (b:Item {name: 'i' + ((i * 7) % 20000 + 1)}) CREATE (a)-[:LINKS {source: ['d1.txt'], as_of: date('2026-02-01')}]->(b);
UNWIND range(1, 20000) AS i MATCH (a:Item {name: 'i' + i}), (b:Item {name: 'i' + ((i * 13) % 20000 + 1)}) CREATE (a)-[:LINKS {source: ['d2.txt'], as_of: date('2026-03-01')}]->(b);
