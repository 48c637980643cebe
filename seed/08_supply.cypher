// 08 — chip supply (SUPPLIES: supplier -> customer) and how it is shifting.
// status: 'active' | 'sought' (customer pursues the supplier's hardware) | 'reducing' | 'increasing'

MATCH (s:Organization {name: 'Nvidia'}), (c:Organization {name: 'ByteDance'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'reducing',
  r.product = 'AI chips',
  r.use = 'AI inference',
  r.reason = 'US export controls',
  r.as_of = '2026-06',
  r.source = '000_493c96e2e8fb84e9.txt',
  r.note = 'ByteDance is cutting its reliance on Nvidia for inference';

MATCH (s:Group {name: 'Tier-two domestic chip suppliers'}), (c:Organization {name: 'ByteDance'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'increasing',
  r.product = 'AI chips',
  r.use = 'AI inference',
  r.as_of = '2026-06',
  r.source = '000_493c96e2e8fb84e9.txt',
  r.note = 'Domestic chips bought from second-tier vendors replace Nvidia for inference';

// The labs spent venture money chasing Nvidia hardware (and talent).
MATCH (s:Organization {name: 'Nvidia'}), (c:Organization {name: 'DeepSeek'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'sought', r.product = 'GPUs', r.as_of = '2026-06',
  r.source = '000_493c96e2e8fb84e9.txt';

MATCH (s:Organization {name: 'Nvidia'}), (c:Organization {name: 'Zhipu AI'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'sought', r.product = 'GPUs', r.as_of = '2026-06',
  r.source = '000_493c96e2e8fb84e9.txt';

MATCH (s:Organization {name: 'Nvidia'}), (c:Organization {name: 'Baichuan'})
MERGE (s)-[r:SUPPLIES]->(c)
ON CREATE SET r.status = 'sought', r.product = 'GPUs', r.as_of = '2026-06',
  r.source = '000_493c96e2e8fb84e9.txt';
