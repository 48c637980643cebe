// 09 — models (Lab -[:DEVELOPS]-> Model) and the Artificial Analysis intelligence ranking.

MERGE (m:Model {name: 'GLM-5.2'})
ON CREATE SET m.aliases = [],
  m.flagship = true,
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['001_325c0e11d694aac3.txt'],
  m.note = 'Latest flagship model of Zhipu AI; fourth on the Artificial Analysis intelligence ranking';

MERGE (m:Model {name: 'Claude Fable 5'})
ON CREATE SET m.aliases = [],
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['001_325c0e11d694aac3.txt'],
  m.note = 'Anthropic model ranked above GLM-5.2';

MERGE (m:Model {name: 'Claude Opus 4.8'})
ON CREATE SET m.aliases = [],
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['001_325c0e11d694aac3.txt'],
  m.note = 'Anthropic model ranked above GLM-5.2';

MERGE (m:Model {name: 'GPT 5.5'})
ON CREATE SET m.aliases = [],
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['001_325c0e11d694aac3.txt'],
  m.note = 'OpenAI model ranked above GLM-5.2';

// Document 003 names GPT-4 as the model of ChatGPT but never names its developer, so the
// graph has no DEVELOPS relationship into it.
MERGE (m:Model {name: 'GPT-4'})
ON CREATE SET m.aliases = [],
  m.product = 'ChatGPT',
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['003_c6bf8357882345ea.txt'],
  m.note = 'The model behind ChatGPT, cited as an example of a general-purpose foundation model';

MERGE (k:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
ON CREATE SET k.aliases = [],
  k.as_of = date('2026-06-01'), k.as_of_precision = 'month',
  k.source = ['001_325c0e11d694aac3.txt'],
  k.note = 'League table of AI models by measured intelligence';

MATCH (a:Organization {name: 'Artificial Analysis'}), (k:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
MERGE (a)-[r:PUBLISHES]->(k)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (o:Organization {name: 'Zhipu AI'}), (m:Model {name: 'GLM-5.2'})
MERGE (o)-[r:DEVELOPS]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (o:Organization {name: 'Anthropic'}), (m:Model {name: 'Claude Fable 5'})
MERGE (o)-[r:DEVELOPS]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (o:Organization {name: 'Anthropic'}), (m:Model {name: 'Claude Opus 4.8'})
MERGE (o)-[r:DEVELOPS]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (o:Organization {name: 'OpenAI'}), (m:Model {name: 'GPT 5.5'})
MERGE (o)-[r:DEVELOPS]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

// Only GLM-5.2 has an exact place; the three ahead of it share places 1 to 3 in an order
// the source does not spell out.
MATCH (m:Model {name: 'GLM-5.2'}), (k:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
MERGE (m)-[r:RANKED]->(k)
ON CREATE SET r.rank = 4, r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (m:Model {name: 'Claude Fable 5'}), (k:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
MERGE (m)-[r:RANKED]->(k)
ON CREATE SET r.rank_at_most = 3, r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (m:Model {name: 'Claude Opus 4.8'}), (k:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
MERGE (m)-[r:RANKED]->(k)
ON CREATE SET r.rank_at_most = 3, r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];

MATCH (m:Model {name: 'GPT 5.5'}), (k:Ranking {name: 'Artificial Analysis Intelligence Ranking'})
MERGE (m)-[r:RANKED]->(k)
ON CREATE SET r.rank_at_most = 3, r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];
