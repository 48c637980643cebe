// 07 — listings (LISTED_ON) and listing plans (PLANS_LISTING_ON, with status and dates).
// LISTED_ON points at a board (Market) when the document names it, otherwise at the exchange.
// Plan status, earliest to latest stage: 'speculated' < 'announced' < 'tutoring'
//   < 'tutoring completed' < 'application accepted' (then LISTED_ON).

// ---- Done: listed ----------------------------------------------------------------------------

MATCH (o:Organization {name: 'Zhipu AI'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.since = '2026-01',
  r.share_class = 'H',
  r.trading_name = 'Knowledge Atlas Technology',
  r.proceeds_cny = 4.9e9,
  r.share_price_multiple_min = 10.0,
  r.share_price_as_of = '2026-06',
  r.as_of = '2026-01',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  r.note = 'Board not named; by June 2026 the share price had risen more than tenfold since the debut';

MATCH (o:Organization {name: 'MiniMax'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.since = '2026-01',
  r.as_of = '2026-01',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  r.note = 'Board and share class not named in the sources';

MATCH (o:Organization {name: 'Biren Technology'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.before = date('2026-01-08'),
  r.as_of = date('2026-02-11'),
  r.source = '004_0322c97651893e01.txt',
  r.note = 'First home-grown GPU maker to list in Hong Kong; board and date not given';

MATCH (o:Organization {name: 'Iluvatar CoreX'}), (m:Market {name: 'HKEX Main Board'})
MERGE (o)-[r:LISTED_ON]->(m)
ON CREATE SET r.since = date('2026-01-08'),
  r.as_of = date('2026-01-08'),
  r.source = '004_0322c97651893e01.txt',
  r.note = 'Second home-grown GPU maker to list in Hong Kong';

MATCH (o:Organization {name: 'Moore Threads'}), (m:Market {name: 'STAR Market'})
MERGE (o)-[r:LISTED_ON]->(m)
ON CREATE SET r.investor_interest = 'strong',
  r.as_of = date('2026-02-11'),
  r.source = '004_0322c97651893e01.txt',
  r.note = 'Listed before the January 2026 wave; exact date not given';

MATCH (o:Organization {name: 'MetaX'}), (m:Market {name: 'STAR Market'})
MERGE (o)-[r:LISTED_ON]->(m)
ON CREATE SET r.investor_interest = 'strong',
  r.as_of = date('2026-02-11'),
  r.source = '004_0322c97651893e01.txt',
  r.note = 'Listed before the January 2026 wave; exact date not given';

// ---- In the pipeline: plans ------------------------------------------------------------------

MATCH (o:Organization {name: 'Zhipu AI'}), (m:Market {name: 'STAR Market'})
MERGE (o)-[r:PLANS_LISTING_ON]->(m)
ON CREATE SET r.status = 'tutoring completed',
  r.share_class = 'A',
  r.strategy = 'A+H dual listing',
  r.announced = date('2026-06-01'),
  r.raise_cny = 1.5e10,
  r.as_of = '2026-06',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  r.note = 'Announced a day after MiniMax; finished pre-filing tutoring on the day the SSE rules came out';

MATCH (o:Organization {name: 'MiniMax'}), (m:Market {name: 'STAR Market'})
MERGE (o)-[r:PLANS_LISTING_ON]->(m)
ON CREATE SET r.status = 'tutoring',
  r.share_class = 'A',
  r.announced = date('2026-05-31'),
  r.tutoring_began = '2026-05',
  r.as_of = '2026-06',
  r.source = '001_325c0e11d694aac3.txt',
  r.note = 'Tutoring started in late May 2026 with no news since';

MATCH (o:Organization {name: 'Enflame'}), (m:Market {name: 'STAR Market'})
MERGE (o)-[r:PLANS_LISTING_ON]->(m)
ON CREATE SET r.status = 'application accepted',
  r.as_of = date('2026-01-22'),
  r.source = '004_0322c97651893e01.txt',
  r.note = 'The exchange accepted its listing application on 22 January 2026';

// A document's guess, not a fact: kept, and marked as such.
MATCH (o:Organization {name: 'DeepSeek'}), (m:Market {name: 'STAR Market'})
MERGE (o)-[r:PLANS_LISTING_ON]->(m)
ON CREATE SET r.status = 'speculated',
  r.confidence = 'speculative',
  r.horizon = 'within 12 months',
  r.as_of = '2026-06',
  r.source = '000_493c96e2e8fb84e9.txt',
  r.note = 'A commentator tips DeepSeek (or Zhipu AI) as the first LLM developer to file for a STAR IPO';
