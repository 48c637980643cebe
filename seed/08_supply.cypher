// 08 — chip supply (SUPPLIES: Organization -> Organization, supplier to customer) and how it is
// shifting. Only a supply the documents state is a SUPPLIES; `status`: 'active' | 'increasing' |
// 'reducing'. Wanting a supplier's hardware is SEEKS_HARDWARE_FROM, not a supply.

MATCH (s:Organization {name: 'Nvidia'}), (c:Organization {name: 'ByteDance'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'reducing',
  r.product = 'AI chips',
  r.use = 'AI inference',
  r.reason = 'US export controls',
  r.reported_by = ['South China Morning Post'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'],
  r.note = 'ByteDance is cutting its reliance on Nvidia for inference';

MATCH (s:Organization {name: 'Tier-two domestic chip suppliers'}), (c:Organization {name: 'ByteDance'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'increasing',
  r.product = 'AI chips',
  r.use = 'AI inference',
  r.reported_by = ['South China Morning Post'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'],
  r.note = 'Domestic chips bought from second-tier vendors replace Nvidia for inference';

// The digest says these labs spent venture money chasing Nvidia hardware (and talent); no
// document says Nvidia supplies them.
MATCH (c:Organization {name: 'DeepSeek'}), (s:Organization {name: 'Nvidia'})
MERGE (c)-[r:SEEKS_HARDWARE_FROM]->(s)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (c:Organization {name: 'Zhipu AI'}), (s:Organization {name: 'Nvidia'})
MERGE (c)-[r:SEEKS_HARDWARE_FROM]->(s)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (c:Organization {name: 'Baichuan'}), (s:Organization {name: 'Nvidia'})
MERGE (c)-[r:SEEKS_HARDWARE_FROM]->(s)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];
