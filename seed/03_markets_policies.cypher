// 03 — exchanges, their boards, regulators and the policies behind listings and chip supply.
// Policy thresholds are numeric: the SSE floor of 4 billion yuan is min_market_cap_cny = 4.0e9.

// ---- Exchanges and boards --------------------------------------------------------------------

MERGE (x:Organization:Exchange:Regulator {name: 'Shanghai Stock Exchange'})
ON CREATE SET x.aliases = ['SSE', 'Shanghai bourse', '上海证券交易所', '上交所'],
  x.country = 'China',
  x.city = 'Shanghai',
  x.state_backed = true,
  x.as_of = date('2026-06-19'), x.as_of_precision = 'day',
  x.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt', '004_0322c97651893e01.txt'],
  x.note = 'State-backed exchange; sets the listing rules for its STAR Market';

MERGE (x:Organization:Exchange {name: 'Hong Kong Stock Exchange'})
ON CREATE SET x.aliases = ['HKEX', '港交所'],
  x.city = 'Hong Kong',
  x.as_of = date('2026-06-01'), x.as_of_precision = 'month',
  x.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt', '004_0322c97651893e01.txt'],
  x.note = 'Where Zhipu AI, MiniMax, Biren Technology and Iluvatar CoreX went public';

MERGE (m:Market {name: 'STAR Market'})
ON CREATE SET m.aliases = ['Star Market', '科创板'],
  m.launched = date('2019-01-01'), m.launched_precision = 'year',
  m.compared_to = 'Nasdaq',
  m.as_of = date('2026-06-19'), m.as_of_precision = 'day',
  m.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt', '003_c6bf8357882345ea.txt', '004_0322c97651893e01.txt'],
  m.note = 'Technology board of the SSE, opened in 2019 and modelled on Nasdaq; a funding route for tech firms shut out of US listings';

MERGE (m:Market {name: 'HKEX Main Board'})
ON CREATE SET m.aliases = [],
  m.as_of = date('2026-02-11'), m.as_of_precision = 'day',
  m.source = ['004_0322c97651893e01.txt'],
  m.note = 'Main board of the Hong Kong exchange';

MATCH (m:Market {name: 'STAR Market'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (m)-[r:PART_OF]->(x)
ON CREATE SET r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day';

MATCH (m:Market {name: 'HKEX Main Board'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (m)-[r:PART_OF]->(x)
ON CREATE SET r.source = ['004_0322c97651893e01.txt'],
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day';

// ---- Governments and agencies ----------------------------------------------------------------

MERGE (g:Organization:Regulator {name: 'Chinese Government'})
ON CREATE SET g.aliases = ['Beijing'],
  g.country = 'China',
  g.as_of = date('2026-06-19'), g.as_of_precision = 'day',
  g.source = ['000_493c96e2e8fb84e9.txt', '002_dffc7b51e9925ef8.txt', '004_0322c97651893e01.txt'],
  g.note = 'Central government and its regulators, which the documents do not name individually';

MERGE (g:Organization:Regulator {name: 'National Development and Reform Commission'})
ON CREATE SET g.aliases = ['NDRC', '国家发展和改革委员会'],
  g.country = 'China',
  g.as_of = date('2026-02-11'), g.as_of_precision = 'day',
  g.source = ['004_0322c97651893e01.txt'],
  g.note = 'State planning agency; its spokeswoman spoke on demand for computing chips';

MERGE (g:Organization:Regulator {name: 'US Government'})
ON CREATE SET g.aliases = ['Washington'],
  g.country = 'US',
  g.as_of = date('2026-06-19'), g.as_of_precision = 'day',
  g.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'],
  g.note = 'Imposes the semiconductor export controls';

// ---- Policies --------------------------------------------------------------------------------

MERGE (p:Policy {name: 'SSE rules for unprofitable AI labs'})
ON CREATE SET p.aliases = [],
  p.kind = 'listing standard',
  p.min_market_cap_cny = 4.0e9,
  p.min_market_cap_usd = 5.91e8,
  p.approximate = false,
  p.market_cap_basis = 'anticipated market capitalisation at listing',
  p.requirements = ['anticipated market cap of at least 4 billion yuan', 'at least one LLM product launched and run at scale', 'clear plan for commercialisation', 'market-potential criteria', 'sustained heavy R&D, computing investment and specialist staff', 'a pressing need for capital-market funding'],
  p.profit_required = false,
  p.as_of = date('2026-06-19'), p.as_of_precision = 'day',
  p.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'],
  p.note = 'Lets loss-making LLM developers list on the STAR Market without meeting a revenue scale test';

MERGE (p:Policy {name: 'SSE rules for future industries'})
ON CREATE SET p.aliases = [],
  p.kind = 'listing standard',
  p.sectors = ['quantum technology', 'biomedicine', 'hydrogen energy', 'nuclear fusion energy', 'brain-computer interfaces', 'robotics', '6G'],
  p.as_of = date('2026-06-19'), p.as_of_precision = 'day',
  p.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'],
  p.note = 'Amended STAR Market standards, announced the same day as the AI-lab rules, for other frontier sectors';

MERGE (p:Policy {name: 'Future-industry IPO support measures'})
ON CREATE SET p.aliases = [],
  p.kind = 'national policy',
  p.sectors = ['artificial intelligence', 'quantum computing', 'nuclear fusion', 'brain-computer interfaces'],
  p.goal = 'make domestic listings easier for frontier tech start-ups and keep them from listing abroad',
  p.as_of = date('2026-06-01'), p.as_of_precision = 'month',
  p.source = ['002_dffc7b51e9925ef8.txt'],
  p.note = 'National measures backing IPOs of future-industry start-ups, with large-model developers singled out';

MERGE (p:Policy {name: 'Sci-tech self-reliance drive'})
ON CREATE SET p.aliases = [],
  p.kind = 'national strategy',
  p.as_of = date('2026-06-19'), p.as_of_precision = 'day',
  p.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '004_0322c97651893e01.txt'],
  p.note = 'National push for self-sufficiency in science and technology, including advanced computing';

MERGE (p:Policy {name: 'AI+ initiative'})
ON CREATE SET p.aliases = [],
  p.kind = 'national initiative',
  p.as_of = date('2026-02-11'), p.as_of_precision = 'day',
  p.source = ['004_0322c97651893e01.txt'],
  p.note = 'National programme to apply AI across the economy, creating demand for AI computing chips';

MERGE (p:Policy {name: 'US semiconductor export controls'})
ON CREATE SET p.aliases = [],
  p.kind = 'export control',
  p.as_of = date('2026-06-19'), p.as_of_precision = 'day',
  p.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'],
  p.note = 'US limits on chip exports that push Chinese buyers away from Nvidia and open room for domestic GPU makers';

// Both SSE rule sets came out on one Wednesday in June 2026 (the day is not given): `date` is
// the event, month precision.
MATCH (x:Organization {name: 'Shanghai Stock Exchange'}), (p:Policy {name: 'SSE rules for unprofitable AI labs'})
MERGE (x)-[r:ISSUED]->(p)
ON CREATE SET r.date = date('2026-06-01'), r.date_precision = 'month',
  r.weekday = 'Wednesday',
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'],
  r.note = 'Announced in an exchange statement and a WeChat post';

MATCH (x:Organization {name: 'Shanghai Stock Exchange'}), (p:Policy {name: 'SSE rules for future industries'})
MERGE (x)-[r:ISSUED]->(p)
ON CREATE SET r.date = date('2026-06-01'), r.date_precision = 'month',
  r.weekday = 'Wednesday',
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'];

MATCH (g:Organization {name: 'Chinese Government'}), (p:Policy {name: 'Future-industry IPO support measures'})
MERGE (g)-[r:ISSUED]->(p)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['002_dffc7b51e9925ef8.txt'];

MATCH (g:Organization {name: 'Chinese Government'}), (p:Policy {name: 'Sci-tech self-reliance drive'})
MERGE (g)-[r:ISSUED]->(p)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'];

MATCH (g:Organization {name: 'Chinese Government'}), (p:Policy {name: 'AI+ initiative'})
MERGE (g)-[r:ISSUED]->(p)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'];

MATCH (g:Organization {name: 'National Development and Reform Commission'}), (p:Policy {name: 'AI+ initiative'})
MERGE (g)-[r:PROMOTES]->(p)
ON CREATE SET r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'Its spokeswoman described the initiative as deepening and chip-hungry';

MATCH (g:Organization {name: 'US Government'}), (p:Policy {name: 'US semiconductor export controls'})
MERGE (g)-[r:ISSUED]->(p)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'];

// APPLIES_TO: Policy -> Market, always with `scope`.
MATCH (p:Policy {name: 'SSE rules for unprofitable AI labs'}), (m:Market {name: 'STAR Market'})
MERGE (p)-[r:APPLIES_TO]->(m)
ON CREATE SET r.scope = 'unprofitable LLM developers',
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MATCH (p:Policy {name: 'SSE rules for future industries'}), (m:Market {name: 'STAR Market'})
MERGE (p)-[r:APPLIES_TO]->(m)
ON CREATE SET r.scope = 'companies in frontier sectors',
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'];

MATCH (p:Policy {name: 'Future-industry IPO support measures'}), (m:Market {name: 'STAR Market'})
MERGE (p)-[r:APPLIES_TO]->(m)
ON CREATE SET r.scope = 'future-industry start-ups, above all large-model developers',
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['002_dffc7b51e9925ef8.txt'];

// The SSE changes are presented as serving the national self-reliance goal.
MATCH (a:Policy {name: 'SSE rules for future industries'}), (b:Policy {name: 'Sci-tech self-reliance drive'})
MERGE (a)-[r:SUPPORTS]->(b)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MATCH (a:Policy {name: 'Future-industry IPO support measures'}), (b:Policy {name: 'SSE rules for unprofitable AI labs'})
MERGE (a)-[r:IMPLEMENTED_BY]->(b)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['002_dffc7b51e9925ef8.txt'],
  r.note = 'The national measures are carried out through updated STAR Market rules';

MATCH (a:Policy {name: 'Future-industry IPO support measures'}), (b:Policy {name: 'SSE rules for future industries'})
MERGE (a)-[r:IMPLEMENTED_BY]->(b)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['002_dffc7b51e9925ef8.txt'];

// RESTRICTS: Policy -> Organization whose business it limits (`what`);
// AFFECTS: Policy -> Organization that changes course because of it (`effect`).
MATCH (p:Policy {name: 'US semiconductor export controls'}), (o:Organization {name: 'Nvidia'})
MERGE (p)-[r:RESTRICTS]->(o)
ON CREATE SET r.what = 'exports of its chips to China',
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'];

MATCH (p:Policy {name: 'US semiconductor export controls'}), (o:Organization {name: 'ByteDance'})
MERGE (p)-[r:AFFECTS]->(o)
ON CREATE SET r.effect = 'pushes it to replace Nvidia chips for inference',
  r.reported_by = ['South China Morning Post'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];
