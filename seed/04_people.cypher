// 04 — people: founders, officials and commentators, with their roles and control links.

MERGE (p:Person:Investor {name: 'Liang Wenfeng'})
ON CREATE SET p.aliases = [],
  p.role = 'founder of DeepSeek',
  p.source = '000_493c96e2e8fb84e9.txt',
  p.note = 'Founded DeepSeek; put about 2.9 billion dollars into its Series A and kept control through a non-voting share class';

MERGE (p:Person {name: 'Li Chao'})
ON CREATE SET p.aliases = [],
  p.role = 'spokeswoman',
  p.source = '004_0322c97651893e01.txt',
  p.note = 'NDRC spokeswoman; said the AI+ initiative opens many uses for domestic AI computing chips';

MERGE (p:Person {name: 'Dong Peng'})
ON CREATE SET p.aliases = [],
  p.role = 'senior economist',
  p.source = '004_0322c97651893e01.txt',
  p.note = 'Economist who reads the GPU listing wave as a breakthrough for domestic computing power, helped by US limits on Nvidia';

MATCH (p:Person {name: 'Liang Wenfeng'}), (o:Organization {name: 'DeepSeek'})
MERGE (p)-[r:FOUNDED]->(o)
ON CREATE SET r.source = '000_493c96e2e8fb84e9.txt';

// Control without a known economic stake: the Series A gave outside investors shares
// without votes, so the founder keeps voting control.
MATCH (p:Person {name: 'Liang Wenfeng'}), (o:Organization {name: 'DeepSeek'})
MERGE (p)-[r:CONTROLS]->(o)
ON CREATE SET r.kind = 'voting',
  r.via = 'zero-voting-rights share class issued in the Series A',
  r.as_of = '2026-06',
  r.reported_by = 'Pandaily',
  r.source = '000_493c96e2e8fb84e9.txt',
  r.note = 'Outside investors received shares without votes, so the founder keeps control';

MATCH (p:Person {name: 'Li Chao'}), (o:Organization {name: 'National Development and Reform Commission'})
MERGE (p)-[r:WORKS_FOR]->(o)
ON CREATE SET r.role = 'spokeswoman',
  r.as_of = date('2026-02-11'),
  r.source = '004_0322c97651893e01.txt';

MATCH (p:Person {name: 'Dong Peng'}), (o:Organization {name: 'China Enterprise Confederation'})
MERGE (p)-[r:MEMBER_OF]->(o)
ON CREATE SET r.role = 'member of the assets committee',
  r.as_of = date('2026-02-11'),
  r.source = '004_0322c97651893e01.txt';
