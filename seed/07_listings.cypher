// 07 — listings (LISTED_ON), listing plans (PLANS_LISTING_ON) and a forecast about listings.
// Both relationships point at the Exchange, always; `board` names the Market (board) when a
// document names it. Event times are dates with a precision: LISTED_ON `since` (or only a
// bound, `before`), PLANS_LISTING_ON `announced`, `tutoring_began`, `tutoring_completed`,
// `application_accepted`. `as_of` is the date of the document, never the event.
// Plan status, earliest to latest stage: 'announced' < 'tutoring' < 'tutoring completed'
//   < 'application accepted' (then LISTED_ON).

// ---- Done: listed ----------------------------------------------------------------------------

MATCH (o:Organization {name: 'Zhipu AI'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.since = date('2026-01-01'), r.since_precision = 'month',
  r.share_class = 'H',
  r.trading_name = 'Knowledge Atlas Technology',
  r.proceeds_cny = 4.9e9,
  r.approximate = false,
  r.share_price_multiple_min = 10.0,
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  r.note = 'Board not named; by June 2026 the share price had risen more than tenfold since the debut';

MATCH (o:Organization {name: 'MiniMax'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.since = date('2026-01-01'), r.since_precision = 'month',
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  r.note = 'Board and share class not named in the sources';

// Biren, Moore Threads and MetaX: the document gives no date, only that each listed before
// Iluvatar CoreX did on 8 January 2026 (`before`, exclusive).
MATCH (o:Organization {name: 'Biren Technology'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.before = date('2026-01-08'), r.before_precision = 'day',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'First home-grown GPU maker to list in Hong Kong; board and date not given';

MATCH (o:Organization {name: 'Iluvatar CoreX'}), (x:Exchange {name: 'Hong Kong Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.board = 'HKEX Main Board',
  r.since = date('2026-01-08'), r.since_precision = 'day',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'Second home-grown GPU maker to list in Hong Kong';

MATCH (o:Organization {name: 'Moore Threads'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.board = 'STAR Market',
  r.before = date('2026-01-08'), r.before_precision = 'day',
  r.investor_interest = 'strong',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'Debuted before the Iluvatar CoreX listing; exact date not given';

MATCH (o:Organization {name: 'MetaX'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (o)-[r:LISTED_ON]->(x)
ON CREATE SET r.board = 'STAR Market',
  r.before = date('2026-01-08'), r.before_precision = 'day',
  r.investor_interest = 'strong',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'Debuted before the Iluvatar CoreX listing; exact date not given';

// ---- In the pipeline: plans ------------------------------------------------------------------

// Zhipu finished tutoring on the same Wednesday the SSE issued its AI-lab rules
// (`tutoring_completed_same_day_as` names that policy; ISSUED carries the same date).
MATCH (o:Organization {name: 'Zhipu AI'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (o)-[r:PLANS_LISTING_ON]->(x)
ON CREATE SET r.board = 'STAR Market',
  r.status = 'tutoring completed',
  r.share_class = 'A',
  r.strategy = 'A+H dual listing',
  r.announced = date('2026-06-01'), r.announced_precision = 'day',
  r.tutoring_completed = date('2026-06-01'), r.tutoring_completed_precision = 'month',
  r.tutoring_completed_same_day_as = 'SSE rules for unprofitable AI labs',
  r.raise_cny = 1.5e10,
  r.approximate = false,
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  r.note = 'Announced a day after MiniMax; finished pre-filing tutoring on the day the SSE rules came out';

MATCH (o:Organization {name: 'MiniMax'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (o)-[r:PLANS_LISTING_ON]->(x)
ON CREATE SET r.board = 'STAR Market',
  r.status = 'tutoring',
  r.share_class = 'A',
  r.announced = date('2026-05-31'), r.announced_precision = 'day',
  r.tutoring_began = date('2026-05-01'), r.tutoring_began_precision = 'month',
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'],
  r.note = 'Tutoring started in late May 2026 with no news since';

MATCH (o:Organization {name: 'Enflame'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (o)-[r:PLANS_LISTING_ON]->(x)
ON CREATE SET r.board = 'STAR Market',
  r.status = 'application accepted',
  r.application_accepted = date('2026-01-22'), r.application_accepted_precision = 'day',
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day',
  r.source = ['004_0322c97651893e01.txt'],
  r.note = 'The exchange accepted its listing application on 22 January 2026';

// ---- A forecast, not a plan ------------------------------------------------------------------
// A commentator's guess is a `Forecast` node that TIPS its candidates: no PLANS_* relationship,
// so no query on plans can pick it up.

MERGE (f:Forecast {name: 'First STAR Market IPO filing by an LLM developer'})
ON CREATE SET f.aliases = [],
  f.confidence = 'speculative',
  f.horizon_months = 12,
  f.as_of = date('2026-06-19'), f.as_of_precision = 'day',
  f.source = ['000_493c96e2e8fb84e9.txt'],
  f.note = 'The digest expects an LLM developer to file for a STAR IPO within a year and names two likely candidates';

MATCH (f:Forecast {name: 'First STAR Market IPO filing by an LLM developer'}), (x:Exchange {name: 'Shanghai Stock Exchange'})
MERGE (f)-[r:ABOUT]->(x)
ON CREATE SET r.board = 'STAR Market',
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (f:Forecast {name: 'First STAR Market IPO filing by an LLM developer'}), (o:Organization {name: 'DeepSeek'})
MERGE (f)-[r:TIPS]->(o)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (f:Forecast {name: 'First STAR Market IPO filing by an LLM developer'}), (o:Organization {name: 'Zhipu AI'})
MERGE (f)-[r:TIPS]->(o)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];
