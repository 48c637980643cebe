// 01 — the five source documents, their publishers and authors.
// Every node and relationship in the seed graph names one or more of these files in `source`
// (always a list). Titles and notes are our own words; no sentence of a document is reproduced.
// Time (docs/schema.md): `as_of` is when a document observed the fact, the date of the latest
// document stating it; event times have their own properties. Every date has a `_precision`.

MERGE (s:Source {name: '000_493c96e2e8fb84e9.txt'})
ON CREATE SET s.aliases = [],
  s.source = ['000_493c96e2e8fb84e9.txt'],
  s.title = 'Digest: Shanghai opens a listing route for loss-making AI labs; DeepSeek raises its first outside money',
  s.publisher = 'South China Morning Post (scmp_tech digest)',
  s.date = date('2026-06-19'),
  s.date_precision = 'day',
  s.date_inferred = false,
  s.language = 'en',
  s.note = 'News digest built on SCMP reporting, with an update dated 19 June citing Pandaily on the DeepSeek share structure';

MERGE (s:Source {name: '001_325c0e11d694aac3.txt'})
ON CREATE SET s.aliases = [],
  s.source = ['001_325c0e11d694aac3.txt'],
  s.title = 'SSE sets out the STAR Market path for unprofitable LLM developers',
  s.publisher = 'South China Morning Post',
  s.date = date('2026-06-01'),
  s.date_precision = 'month',
  s.date_inferred = true,
  s.language = 'en',
  s.note = 'Undated; June 2026 follows from the events it reports (MiniMax and Zhipu A-share announcements of 31 May and 1 June)';

MERGE (s:Source {name: '002_dffc7b51e9925ef8.txt'})
ON CREATE SET s.aliases = [],
  s.source = ['002_dffc7b51e9925ef8.txt'],
  s.title = 'Beijing backs IPOs of AI and other future-industry start-ups',
  s.publisher = 'unidentified news site',
  s.date = date('2026-06-01'),
  s.date_precision = 'month',
  s.date_inferred = true,
  s.language = 'en',
  s.note = 'Undated and without masthead; it covers the same SSE rule change as 000 and 001';

MERGE (s:Source {name: '003_c6bf8357882345ea.txt'})
ON CREATE SET s.aliases = [],
  s.source = ['003_c6bf8357882345ea.txt'],
  s.title = 'Analysis: why Zhipu seeks a STAR listing soon after Hong Kong, and how the AI Six Tigers diverge',
  s.publisher = 'unidentified analysis site',
  s.date = date('2026-06-01'),
  s.date_precision = 'month',
  s.date_inferred = true,
  s.language = 'en',
  s.note = 'Undated; it places the Hong Kong listing of Zhipu (January 2026) a little over five months back';

MERGE (s:Source {name: '004_0322c97651893e01.txt'})
ON CREATE SET s.aliases = [],
  s.source = ['004_0322c97651893e01.txt'],
  s.title = 'A wave of GPU IPOs: Chinese AI chip designers head to the STAR Market and Hong Kong',
  s.publisher = 'China Daily',
  s.date = date('2026-02-11'),
  s.date_precision = 'day',
  s.date_inferred = false,
  s.language = 'en',
  s.note = 'Page 1 of 2 of a China Daily business story';

// Publishers named in the documents.
MERGE (o:Organization:Publisher {name: 'South China Morning Post'})
ON CREATE SET o.aliases = ['SCMP', 'scmp.com'],
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'],
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.note = 'Hong Kong newspaper; reported the DeepSeek round and the SSE rules';

MERGE (o:Organization:Publisher {name: 'Pandaily'})
ON CREATE SET o.aliases = [],
  o.source = ['000_493c96e2e8fb84e9.txt'],
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.note = 'Cited for the zero-voting-rights structure of the DeepSeek Series A';

MERGE (o:Organization:Publisher {name: 'China Daily'})
ON CREATE SET o.aliases = ['China Daily Information Co', 'CDIC', '中国日报'],
  o.source = ['004_0322c97651893e01.txt'],
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.note = 'English-language newspaper; ran the February 2026 story on GPU listings';

MATCH (s:Source {name: '000_493c96e2e8fb84e9.txt'}), (p:Organization {name: 'South China Morning Post'})
MERGE (s)-[r:PUBLISHED_BY]->(p)
ON CREATE SET r.source = ['000_493c96e2e8fb84e9.txt'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day';

MATCH (s:Source {name: '000_493c96e2e8fb84e9.txt'}), (p:Organization {name: 'Pandaily'})
MERGE (s)-[r:CITES]->(p)
ON CREATE SET r.source = ['000_493c96e2e8fb84e9.txt'],
  r.as_of = date('2026-06-19'), r.as_of_precision = 'day';

MATCH (s:Source {name: '001_325c0e11d694aac3.txt'}), (p:Organization {name: 'South China Morning Post'})
MERGE (s)-[r:PUBLISHED_BY]->(p)
ON CREATE SET r.source = ['001_325c0e11d694aac3.txt'],
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month';

MATCH (s:Source {name: '004_0322c97651893e01.txt'}), (p:Organization {name: 'China Daily'})
MERGE (s)-[r:PUBLISHED_BY]->(p)
ON CREATE SET r.source = ['004_0322c97651893e01.txt'],
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day';

// Authors with a byline.
MERGE (p:Person {name: 'Xinmei Shen'})
ON CREATE SET p.aliases = [],
  p.role = 'reporter',
  p.source = ['001_325c0e11d694aac3.txt'],
  p.as_of = date('2026-06-01'), p.as_of_precision = 'month';

MERGE (p:Person {name: 'Ma Si'})
ON CREATE SET p.aliases = [],
  p.role = 'reporter',
  p.source = ['004_0322c97651893e01.txt'],
  p.as_of = date('2026-02-11'), p.as_of_precision = 'day';

MATCH (a:Person {name: 'Xinmei Shen'}), (s:Source {name: '001_325c0e11d694aac3.txt'})
MERGE (a)-[r:AUTHORED]->(s)
ON CREATE SET r.source = ['001_325c0e11d694aac3.txt'],
  r.as_of = date('2026-06-01'), r.as_of_precision = 'month';

MATCH (a:Person {name: 'Ma Si'}), (s:Source {name: '004_0322c97651893e01.txt'})
MERGE (a)-[r:AUTHORED]->(s)
ON CREATE SET r.source = ['004_0322c97651893e01.txt'],
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day';

MATCH (a:Person {name: 'Ma Si'}), (o:Organization {name: 'China Daily'})
MERGE (a)-[r:WORKS_FOR]->(o)
ON CREATE SET r.role = 'reporter', r.source = ['004_0322c97651893e01.txt'],
  r.as_of = date('2026-02-11'), r.as_of_precision = 'day';
