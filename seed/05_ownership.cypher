// 05 — corporate structure: parents and subsidiaries (OWNS, stake in 0..1 when known),
// planned spin-offs, membership of the groupings the documents use, and who took part in the
// GPU listing wave.

MATCH (p:Organization {name: 'Baidu'}), (s:Organization {name: 'Kunlunxin'})
MERGE (p)-[r:OWNS]->(s)
ON CREATE SET r.wholly_owned = false,
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'Non-wholly owned subsidiary; the size of the stake is not given';

MATCH (p:Organization {name: 'Alibaba'}), (s:Organization {name: 'T-Head'})
MERGE (p)-[r:OWNS]->(s)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'T-Head is the chip design arm of Alibaba Group; the stake is not given';

MATCH (p:Organization {name: 'Baidu'}), (s:Organization {name: 'Kunlunxin'})
MERGE (p)-[r:PLANS_SPIN_OFF]->(s)
ON CREATE SET r.status = 'announced',
  r.purpose = 'independent listing',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (p:Organization {name: 'Alibaba'}), (s:Organization {name: 'T-Head'})
MERGE (p)-[r:PLANS_SPIN_OFF]->(s)
ON CREATE SET r.status = 'considering',
  r.purpose = 'independent listing',
  r.confidence = 'unconfirmed',
  r.reported_by = ['informed sources speaking to China Daily'],
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

// ---- AI Six Tigers: three paths (listing, funding, new track) --------------------------------
// MEMBER_OF: Organization -> Group, always.

MATCH (o:Organization {name: 'Zhipu AI'}), (g:Group {name: 'AI Six Tigers'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.path = 'listing', r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'MiniMax'}), (g:Group {name: 'AI Six Tigers'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.path = 'listing', r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'Moonshot AI'}), (g:Group {name: 'AI Six Tigers'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.path = 'funding', r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'StepFun'}), (g:Group {name: 'AI Six Tigers'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.path = 'funding', r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'Baichuan'}), (g:Group {name: 'AI Six Tigers'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.path = 'new track', r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: '01.AI'}), (g:Group {name: 'AI Six Tigers'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.path = 'new track', r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

// ---- The Four Dragons of Chinese GPUs --------------------------------------------------------

MATCH (o:Organization {name: 'Enflame'}), (g:Group {name: 'Four Dragons'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'Moore Threads'}), (g:Group {name: 'Four Dragons'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'MetaX'}), (g:Group {name: 'Four Dragons'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'Biren Technology'}), (g:Group {name: 'Four Dragons'})
MERGE (o)-[r:MEMBER_OF]->(g)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

// ---- Events ----------------------------------------------------------------------------------

MATCH (o:Organization {name: 'MetaX'}), (e:Event {name: 'World Artificial Intelligence Conference 2025'})
MERGE (o)-[r:EXHIBITED_AT]->(e)
ON CREATE SET r.date = date('2025-07-29'), r.date_precision = 'day',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

// The GPU designers whose listings (done or under way) the document presents as the wave.
MATCH (o:Organization {name: 'Enflame'}), (e:Event {name: 'Chinese GPU listing wave'})
MERGE (o)-[r:TOOK_PART_IN]->(e)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'Moore Threads'}), (e:Event {name: 'Chinese GPU listing wave'})
MERGE (o)-[r:TOOK_PART_IN]->(e)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'MetaX'}), (e:Event {name: 'Chinese GPU listing wave'})
MERGE (o)-[r:TOOK_PART_IN]->(e)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'Biren Technology'}), (e:Event {name: 'Chinese GPU listing wave'})
MERGE (o)-[r:TOOK_PART_IN]->(e)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (o:Organization {name: 'Iluvatar CoreX'}), (e:Event {name: 'Chinese GPU listing wave'})
MERGE (o)-[r:TOOK_PART_IN]->(e)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];
