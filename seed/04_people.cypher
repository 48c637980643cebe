// 04 — people: founders, officials and commentators, with their roles and control links.

MERGE (p:Person:Investor {name: 'Liang Wenfeng'})
ON CREATE SET p.aliases = ['梁文锋'],
  p.role = 'founder of DeepSeek',
  p.as_of = date('2026-06-19'), p.as_of_precision = 'day',
  p.source = ['000_493c96e2e8fb84e9.txt'],
  p.note = 'Founded DeepSeek; put 2.9 billion dollars into its Series A and kept control through a non-voting share class';

MERGE (p:Person {name: 'Li Chao'})
ON CREATE SET p.aliases = [],
  p.role = 'spokeswoman',
  p.as_of = date('2026-02-11'), p.as_of_precision = 'day',
  p.source = ['004_0322c97651893e01.txt'],
  p.note = 'NDRC spokeswoman; said the AI+ initiative opens many uses for domestic AI computing chips';

MERGE (p:Person {name: 'Dong Peng'})
ON CREATE SET p.aliases = [],
  p.role = 'senior economist',
  p.as_of = date('2026-02-11'), p.as_of_precision = 'day',
  p.source = ['004_0322c97651893e01.txt'],
  p.note = 'Economist who reads the GPU listing wave as a breakthrough for domestic computing power, helped by US limits on Nvidia';

MATCH (p:Person {name: 'Liang Wenfeng'}), (o:Organization {name: 'DeepSeek'})
MERGE (p)-[r:FOUNDED]->(o)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

// Control without a known economic stake: the Series A gave outside investors shares
// without votes, so the founder keeps voting control.
MATCH (p:Person {name: 'Liang Wenfeng'}), (o:Organization {name: 'DeepSeek'})
MERGE (p)-[r:CONTROLS]->(o)
ON CREATE SET r.kind = 'voting',
  r.via = 'zero-voting-rights share class issued in the Series A',
  r.reported_by = ['Pandaily'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'],
  r.note = 'Outside investors received shares without votes, so the founder keeps control';

MATCH (p:Person {name: 'Li Chao'}), (o:Organization {name: 'National Development and Reform Commission'})
MERGE (p)-[r:WORKS_FOR]->(o)
ON CREATE SET r.role = 'spokeswoman',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

// AFFILIATED_WITH: Person -> Organization, a role that is not employment.
MATCH (p:Person {name: 'Dong Peng'}), (o:Organization {name: 'China Enterprise Confederation'})
MERGE (p)-[r:AFFILIATED_WITH]->(o)
ON CREATE SET r.role = 'member of the assets committee',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];
