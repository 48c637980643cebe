// 06 — money: funding rounds and IPO proceeds, who invested, what the money is for,
// valuations and reported financial figures. Amounts in units: 7.4 billion dollars = 7.4e9.
// Everything carrying an amount says whether the document hedges it (`approximate`).

// ---- Funding rounds (one node per round; the lab RAISED it) ----------------------------------

// What the documents say, not more: 000 gives a 50 billion dollar valuation without a basis
// (pre- or post-money) and, elsewhere, about 59.2 billion dollars (400 billion yuan) after the
// investment; 001 gives about 400 billion yuan, basis not stated. 50 + 7.4 is not 59.2, so the
// two figures of 000 disagree (see the Discrepancy nodes in 10_discrepancies.cypher).
MERGE (f:FundingRound {name: 'DeepSeek Series A'})
ON CREATE SET f.aliases = [],
  f.round = 'Series A',
  f.amount_usd = 7.4e9,
  f.amount_cny = 5.0e10,
  f.valuation_usd = 5.0e10,
  f.valuation_basis = 'not stated',
  f.post_money_valuation_usd = 5.92e10,
  f.post_money_valuation_cny = 4.0e11,
  f.approximate = true,
  f.first_external = true,
  f.share_class = 'zero voting rights',
  f.status = 'closing',
  f.date = date('2026-06-01'), f.date_precision = 'month',
  f.reported_by = ['South China Morning Post', 'Pandaily'],
  f.as_of = date('2026-06-19'), f.as_of_precision = 'day',
  f.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'],
  f.note = 'First outside round of DeepSeek; investors took shares without votes. One report gives the size in dollars, the other about 50 billion yuan; one calls it closing, the other done';

MERGE (f:FundingRound {name: 'Anthropic Series E'})
ON CREATE SET f.aliases = [],
  f.round = 'Series E',
  f.amount_usd = 5.0e9,
  f.valuation_usd = 6.15e10,
  f.valuation_basis = 'not stated',
  f.approximate = false,
  f.as_of = date('2026-06-19'), f.as_of_precision = 'day',
  f.source = ['000_493c96e2e8fb84e9.txt'],
  f.note = 'The round behind the 61.5 billion dollar valuation of Anthropic';

MERGE (f:FundingRound {name: 'Moonshot AI Series C'})
ON CREATE SET f.aliases = [],
  f.round = 'Series C',
  f.amount_usd = 5.0e8,
  f.approximate = false,
  f.as_of = date('2026-06-01'), f.as_of_precision = 'month',
  f.source = ['003_c6bf8357882345ea.txt'];

MERGE (f:FundingRound {name: 'StepFun funding'})
ON CREATE SET f.aliases = [],
  f.amount_usd = 2.5e9,
  f.approximate = true,
  f.upper_bound = true,
  f.as_of = date('2026-06-01'), f.as_of_precision = 'month',
  f.source = ['003_c6bf8357882345ea.txt'],
  f.note = 'Close to, but under, 2.5 billion dollars; the round is not named';

MERGE (f:FundingRound {name: 'Zhipu AI Hong Kong IPO'})
ON CREATE SET f.aliases = [],
  f.round = 'IPO',
  f.status = 'completed',
  f.amount_cny = 4.9e9,
  f.unused_cny = 2.8e9,
  f.approximate = false,
  f.date = date('2026-01-01'), f.date_precision = 'month',
  f.as_of = date('2026-06-01'), f.as_of_precision = 'month',
  f.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  f.note = 'Hong Kong listing proceeds; 2.8 billion yuan of them were still unspent around June 2026';

MERGE (f:FundingRound {name: 'Zhipu AI STAR Market IPO'})
ON CREATE SET f.aliases = [],
  f.round = 'IPO',
  f.status = 'planned',
  f.amount_cny = 1.5e10,
  f.approximate = false,
  f.as_of = date('2026-06-01'), f.as_of_precision = 'month',
  f.source = ['003_c6bf8357882345ea.txt'],
  f.note = 'Planned A-share offering; the proceeds are earmarked for models, the MaaS platform and working capital';

MATCH (o:Organization {name: 'DeepSeek'}), (f:FundingRound {name: 'DeepSeek Series A'})
MERGE (o)-[r:RAISED]->(f)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MATCH (o:Organization {name: 'Anthropic'}), (f:FundingRound {name: 'Anthropic Series E'})
MERGE (o)-[r:RAISED]->(f)
ON CREATE SET r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (o:Organization {name: 'Moonshot AI'}), (f:FundingRound {name: 'Moonshot AI Series C'})
MERGE (o)-[r:RAISED]->(f)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'StepFun'}), (f:FundingRound {name: 'StepFun funding'})
MERGE (o)-[r:RAISED]->(f)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'Zhipu AI'}), (f:FundingRound {name: 'Zhipu AI Hong Kong IPO'})
MERGE (o)-[r:RAISED]->(f)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'Zhipu AI'}), (f:FundingRound {name: 'Zhipu AI STAR Market IPO'})
MERGE (o)-[r:RAISED]->(f)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

// ---- Investors in the DeepSeek Series A ------------------------------------------------------

MATCH (i:Person {name: 'Liang Wenfeng'}), (o:Organization {name: 'DeepSeek'})
MERGE (i)-[r:INVESTED_IN {round: 'Series A'}]->(o)
ON CREATE SET r.amount_usd = 2.9e9,
  r.approximate = false,
  r.role = 'founder',
  r.reported_by = ['South China Morning Post'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (i:Organization {name: 'Tencent'}), (o:Organization {name: 'DeepSeek'})
MERGE (i)-[r:INVESTED_IN {round: 'Series A'}]->(o)
ON CREATE SET r.role = 'strategic',
  r.voting_rights = false,
  r.reported_by = ['Pandaily'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (i:Organization {name: 'CATL'}), (o:Organization {name: 'DeepSeek'})
MERGE (i)-[r:INVESTED_IN {round: 'Series A'}]->(o)
ON CREATE SET r.role = 'strategic',
  r.voting_rights = false,
  r.reported_by = ['Pandaily'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (i:Organization {name: 'JD.com'}), (o:Organization {name: 'DeepSeek'})
MERGE (i)-[r:INVESTED_IN {round: 'Series A'}]->(o)
ON CREATE SET r.role = 'strategic',
  r.voting_rights = false,
  r.reported_by = ['Pandaily'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

// ---- Use of proceeds of the planned Zhipu STAR Market IPO ------------------------------------

MERGE (u:Purpose {name: 'General-purpose foundation models'})
ON CREATE SET u.aliases = [],
  u.as_of = date('2026-06-01'), u.as_of_precision = 'month',
  u.source = ['003_c6bf8357882345ea.txt'],
  u.note = 'Base models that other AI applications build on';

MERGE (u:Purpose {name: 'MaaS platform'})
ON CREATE SET u.aliases = ['Model as a Service platform'],
  u.as_of = date('2026-06-01'), u.as_of_precision = 'month',
  u.source = ['003_c6bf8357882345ea.txt'],
  u.note = 'Platform through which companies use ready-made models or tune their own';

MERGE (u:Purpose {name: 'Working capital'})
ON CREATE SET u.aliases = [],
  u.as_of = date('2026-06-01'), u.as_of_precision = 'month',
  u.source = ['003_c6bf8357882345ea.txt'],
  u.note = 'Day-to-day operating needs';

MATCH (f:FundingRound {name: 'Zhipu AI STAR Market IPO'}), (u:Purpose {name: 'General-purpose foundation models'})
MERGE (f)-[r:FUNDS]->(u)
ON CREATE SET r.amount_cny = 1.2e10, r.approximate = false, r.share = 0.8,
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (f:FundingRound {name: 'Zhipu AI STAR Market IPO'}), (u:Purpose {name: 'MaaS platform'})
MERGE (f)-[r:FUNDS]->(u)
ON CREATE SET r.amount_cny = 2.0e9, r.approximate = false,
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (f:FundingRound {name: 'Zhipu AI STAR Market IPO'}), (u:Purpose {name: 'Working capital'})
MERGE (f)-[r:FUNDS]->(u)
ON CREATE SET r.amount_cny = 1.0e9, r.approximate = false,
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

// ---- Reported figures: revenue, costs, market-wide funding -----------------------------------
// `period` is the time the figure covers (a date with its precision); `as_of` when it was reported.

MERGE (m:Metric {name: 'Zhipu AI R&D expense 2025'})
ON CREATE SET m.aliases = [],
  m.metric = 'R&D expense',
  m.period = date('2025-01-01'), m.period_precision = 'year',
  m.amount_cny = 3.18e9,
  m.approximate = false,
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['003_c6bf8357882345ea.txt'];

MERGE (m:Metric {name: 'Zhipu AI net loss 2025'})
ON CREATE SET m.aliases = [],
  m.metric = 'net loss',
  m.period = date('2025-01-01'), m.period_precision = 'year',
  m.amount_cny = 4.7e9,
  m.approximate = false,
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['003_c6bf8357882345ea.txt'];

MERGE (m:Metric {name: 'Zhipu AI MaaS ARR'})
ON CREATE SET m.aliases = [],
  m.metric = 'annual recurring revenue',
  m.scope = 'MaaS platform',
  m.amount_cny = 1.7e9,
  m.approximate = false,
  m.growth_multiple_12m = 60.0,
  m.gross_margin = 0.41,
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['003_c6bf8357882345ea.txt'],
  m.note = 'Recurring revenue of the MaaS platform, sixty times what it was a year earlier';

MERGE (m:Metric {name: 'Chinese AI start-up funding Q1 2026'})
ON CREATE SET m.aliases = [],
  m.metric = 'funding raised',
  m.scope = 'Chinese AI start-ups',
  m.period = date('2026-01-01'), m.period_precision = 'quarter',
  m.amount_cny = 1.1e11,
  m.lower_bound = true,
  m.yoy_multiple = 3.0,
  m.approximate = true,
  m.reported_by = ['Zero2IPO Research'],
  m.as_of = date('2026-06-01'), m.as_of_precision = 'month',
  m.source = ['001_325c0e11d694aac3.txt'],
  m.note = 'More than 110 billion yuan in the first quarter, close to three times a year before';

MATCH (o:Organization {name: 'Zhipu AI'}), (m:Metric {name: 'Zhipu AI R&D expense 2025'})
MERGE (o)-[r:REPORTED]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'Zhipu AI'}), (m:Metric {name: 'Zhipu AI net loss 2025'})
MERGE (o)-[r:REPORTED]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

MATCH (o:Organization {name: 'Zhipu AI'}), (m:Metric {name: 'Zhipu AI MaaS ARR'})
MERGE (o)-[r:REPORTED]->(m)
ON CREATE SET r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['003_c6bf8357882345ea.txt'];

// Zero2IPO published the figure the month before the (June) article: `date`, month precision.
MATCH (o:Organization {name: 'Zero2IPO Research'}), (m:Metric {name: 'Chinese AI start-up funding Q1 2026'})
MERGE (o)-[r:REPORTED]->(m)
ON CREATE SET r.date = date('2026-05-01'), r.date_precision = 'month',
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt'];
