// 10 — where the documents disagree. Each disagreement is a `Discrepancy` node that CONCERNS
// the facts involved: `claims` says who says what (our words, document number first) and
// `modelled_as` how the graph records it, so a conflict is recorded rather than settled silently.

MERGE (d:Discrepancy {name: 'DeepSeek Series A valuation'})
ON CREATE SET d.aliases = [],
  d.claims = ['000: a valuation of 50 billion dollars, neither pre- nor post-money stated', '000: about 59.2 billion dollars (400 billion yuan) once the money is in', '001: a valuation of about 400 billion yuan, basis not stated'],
  d.modelled_as = 'The round keeps both: valuation_usd 5.0e10 with valuation_basis not stated, and the post-money figures. 50 + 7.4 is not 59.2, so the 50 billion figure fits neither basis',
  d.as_of = date('2026-06-19'), d.as_of_precision = 'day',
  d.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MERGE (d:Discrepancy {name: 'DeepSeek Series A status'})
ON CREATE SET d.aliases = [],
  d.claims = ['001: DeepSeek is still closing the round', '000: the round has happened and DeepSeek is valued after it'],
  d.modelled_as = "status 'closing', the stage both documents support",
  d.as_of = date('2026-06-19'), d.as_of_precision = 'day',
  d.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MERGE (d:Discrepancy {name: 'Zhipu AI STAR Market status'})
ON CREATE SET d.aliases = [],
  d.claims = ['003, Six Tigers section: Zhipu already trades on the STAR Market as well as in Hong Kong', '001 and the summary of 003: Zhipu has only begun a STAR Market plan (001: tutoring just finished)'],
  d.modelled_as = "PLANS_LISTING_ON the SSE with status 'tutoring completed'; no LISTED_ON the SSE",
  d.as_of = date('2026-06-01'), d.as_of_precision = 'month',
  d.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'];

MERGE (d:Discrepancy {name: 'DeepSeek outside money before its Series A'})
ON CREATE SET d.aliases = [],
  d.claims = ['000: the Series A is the first time DeepSeek raised money from outside', '000: DeepSeek is one of the labs said to have spent venture money on Nvidia hardware and talent'],
  d.modelled_as = 'first_external true on the round; SEEKS_HARDWARE_FROM keeps only the hardware part of the second claim',
  d.as_of = date('2026-06-19'), d.as_of_precision = 'day',
  d.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (d:Discrepancy {name: 'DeepSeek Series A valuation'}), (n:FundingRound {name: 'DeepSeek Series A'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = ['valuation_usd', 'post_money_valuation_usd', 'post_money_valuation_cny'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MATCH (d:Discrepancy {name: 'DeepSeek Series A valuation'}), (n:Organization {name: 'DeepSeek'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = ['valuation_usd', 'valuation_cny'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MATCH (d:Discrepancy {name: 'DeepSeek Series A status'}), (n:FundingRound {name: 'DeepSeek Series A'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = ['status'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'];

MATCH (d:Discrepancy {name: 'Zhipu AI STAR Market status'}), (n:Organization {name: 'Zhipu AI'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = [],
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'];

MATCH (d:Discrepancy {name: 'Zhipu AI STAR Market status'}), (n:Organization {name: 'Shanghai Stock Exchange'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = [],
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month',
  r.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'];

MATCH (d:Discrepancy {name: 'DeepSeek outside money before its Series A'}), (n:Organization {name: 'DeepSeek'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = [],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];

MATCH (d:Discrepancy {name: 'DeepSeek outside money before its Series A'}), (n:FundingRound {name: 'DeepSeek Series A'})
MERGE (d)-[r:CONCERNS]->(n)
ON CREATE SET r.property_keys = ['first_external'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day',
  r.source = ['000_493c96e2e8fb84e9.txt'];
