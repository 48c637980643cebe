// 02 — organisations: AI labs, chip makers, corporate groups, investors and other institutions.
// Nodes only; relationships follow in later files. Exchanges, boards and regulators are in 04.
// Money is numeric in units (yuan: _cny, US dollars: _usd); `as_of` dates time-bound figures.

// ---- Chinese LLM developers ------------------------------------------------------------------

MERGE (o:Organization:Lab {name: 'DeepSeek'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.city = 'Hangzhou',
  o.valuation_usd = 5.92e10,
  o.valuation_cny = 4.0e11,
  o.valuation_basis = 'post-money, Series A',
  o.as_of = '2026-06',
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'],
  o.note = 'Hangzhou LLM lab; its June 2026 Series A was the first money it took from outside investors';

MERGE (o:Organization:Lab {name: 'Zhipu AI'})
ON CREATE SET o.aliases = ['Knowledge Atlas Technology'],
  o.country = 'China',
  o.strategy = 'listing',
  o.as_of = '2026-06',
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'Hong Kong-listed since January 2026 (trading as Knowledge Atlas Technology); preparing a STAR Market A-share listing';

MERGE (o:Organization:Lab {name: 'MiniMax'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.strategy = 'listing',
  o.as_of = '2026-06',
  o.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'Hong Kong-listed since January 2026; announced an A-share issue on the STAR Market';

MERGE (o:Organization:Lab {name: 'Moonshot AI'})
ON CREATE SET o.aliases = ["Moon's Dark Side"],
  o.country = 'China',
  o.strategy = 'funding',
  o.listing_status = 'preparing',
  o.as_of = '2026-06',
  o.source = '003_c6bf8357882345ea.txt',
  o.note = 'One of the AI Six Tigers; still privately funded, getting ready for a listing';

MERGE (o:Organization:Lab {name: 'StepFun'})
ON CREATE SET o.aliases = ['Jieyue Xingchen'],
  o.country = 'China',
  o.strategy = 'funding',
  o.listing_status = 'preparing',
  o.as_of = '2026-06',
  o.source = '003_c6bf8357882345ea.txt',
  o.note = 'One of the AI Six Tigers; raised close to 2.5 billion dollars and is getting ready for a listing';

MERGE (o:Organization:Lab {name: 'Baichuan'})
ON CREATE SET o.aliases = ['Baichuan Intelligence'],
  o.country = 'China',
  o.strategy = 'new track',
  o.focus = 'medical AI',
  o.as_of = '2026-06',
  o.source = ['000_493c96e2e8fb84e9.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'Left general-purpose foundation models to concentrate on AI for medicine';

MERGE (o:Organization:Lab {name: '01.AI'})
ON CREATE SET o.aliases = ['Lingyi Wanshu'],
  o.country = 'China',
  o.strategy = 'new track',
  o.focus = 'AI applications',
  o.as_of = '2026-06',
  o.source = '003_c6bf8357882345ea.txt',
  o.note = 'Left general-purpose foundation models to build AI applications';

// ---- US labs (points of comparison in the documents) -----------------------------------------

MERGE (o:Organization:Lab {name: 'Anthropic'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.private = true,
  o.profitable = false,
  o.valuation_usd = 6.15e10,
  o.valuation_basis = 'Series E',
  o.as_of = '2026-06',
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'],
  o.note = 'US lab that stays private despite losses; its valuation comes from a 5 billion dollar Series E';

MERGE (o:Organization:Lab {name: 'OpenAI'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.source = ['001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'US lab; maker of GPT 5.5 and GPT-4 (the model behind ChatGPT)';

// ---- Chinese GPU and AI-chip designers -------------------------------------------------------

MERGE (o:Organization:ChipMaker {name: 'Enflame'})
ON CREATE SET o.aliases = ['Enflame Technology'],
  o.country = 'China',
  o.city = 'Shanghai',
  o.product = 'GPU',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Shanghai GPU designer; last of the Four Dragons to head for the capital markets';

MERGE (o:Organization:ChipMaker {name: 'Moore Threads'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.product = 'GPU',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'GPU designer counted among the industry leaders; STAR Market debut drew strong demand';

MERGE (o:Organization:ChipMaker {name: 'MetaX'})
ON CREATE SET o.aliases = ['Muxi'],
  o.country = 'China',
  o.product = 'GPU',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'GPU designer (Muxi Co Ltd) counted among the industry leaders; STAR Market debut drew strong demand';

MERGE (o:Organization:ChipMaker {name: 'Biren Technology'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.product = 'GPU',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'GPU designer; the first home-grown GPU company to list in Hong Kong';

MERGE (o:Organization:ChipMaker {name: 'Iluvatar CoreX'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.city = 'Shanghai',
  o.product = 'GPU',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Shanghai GPU designer; the second home-grown GPU company to list in Hong Kong';

MERGE (o:Organization:ChipMaker {name: 'Kunlunxin'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.product = 'AI chips',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Chip unit of Baidu, not wholly owned by it; Baidu plans to spin it off for its own listing';

MERGE (o:Organization:ChipMaker {name: 'T-Head'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.product = 'chip design',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Chip design arm of Alibaba; a spin-off is reportedly under consideration';

MERGE (o:Organization:ChipMaker {name: 'Nvidia'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.product = 'GPU',
  o.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'],
  o.note = 'US GPU leader; its sales to China are limited by US export controls';

// ---- Corporate groups and strategic investors ------------------------------------------------

MERGE (o:Organization {name: 'Baidu'})
ON CREATE SET o.aliases = ['Baidu Inc'],
  o.country = 'China',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Internet group; parent of the chip unit Kunlunxin';

MERGE (o:Organization {name: 'Alibaba'})
ON CREATE SET o.aliases = ['Alibaba Group'],
  o.country = 'China',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Internet group; parent of the chip design arm T-Head';

MERGE (o:Organization {name: 'ByteDance'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.as_of = '2026-06',
  o.source = '000_493c96e2e8fb84e9.txt',
  o.note = 'Moving its AI inference from Nvidia to domestic chips bought from second-tier suppliers';

MERGE (o:Organization:Investor {name: 'Tencent'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.source = '000_493c96e2e8fb84e9.txt',
  o.note = 'Strategic investor in the DeepSeek Series A';

MERGE (o:Organization:Investor {name: 'CATL'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.source = '000_493c96e2e8fb84e9.txt',
  o.note = 'Strategic investor in the DeepSeek Series A';

MERGE (o:Organization:Investor {name: 'JD.com'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.source = '000_493c96e2e8fb84e9.txt',
  o.note = 'Strategic investor in the DeepSeek Series A';

MERGE (o:Organization {name: 'SpaceX'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.source = '002_dffc7b51e9925ef8.txt',
  o.note = 'Named with OpenAI and Anthropic as US firms drawing heavy investor interest';

// ---- Research firms and associations ---------------------------------------------------------

MERGE (o:Organization {name: 'Artificial Analysis'})
ON CREATE SET o.aliases = [],
  o.source = '001_325c0e11d694aac3.txt',
  o.note = 'Publishes an intelligence ranking of AI models';

MERGE (o:Organization {name: 'Zero2IPO Research'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.source = '001_325c0e11d694aac3.txt',
  o.note = 'Data provider on Chinese venture funding';

MERGE (o:Organization {name: 'China Enterprise Confederation'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.source = '004_0322c97651893e01.txt',
  o.note = 'Business association; Dong Peng sits on its assets committee';

// ---- Groupings the documents use -------------------------------------------------------------

MERGE (g:Group {name: 'AI Six Tigers'})
ON CREATE SET g.aliases = [],
  g.kind = 'Chinese LLM start-ups',
  g.source = '003_c6bf8357882345ea.txt',
  g.note = 'Six once-prominent Chinese LLM start-ups whose strategies have since split three ways';

MERGE (g:Group {name: 'Four Dragons'})
ON CREATE SET g.aliases = ['The Four Dragons'],
  g.kind = 'Chinese GPU designers',
  g.source = '004_0322c97651893e01.txt',
  g.note = 'Four leading Chinese GPU designers, all now listed or in the listing queue';

MERGE (g:Group {name: 'Tier-two domestic chip suppliers'})
ON CREATE SET g.aliases = [],
  g.kind = 'unnamed Chinese chip suppliers',
  g.source = '000_493c96e2e8fb84e9.txt',
  g.note = 'Second-tier Chinese chip vendors ByteDance buys from; the source names none of them';

// ---- Events ----------------------------------------------------------------------------------

MERGE (e:Event {name: 'World Artificial Intelligence Conference 2025'})
ON CREATE SET e.aliases = ['WAIC 2025'],
  e.city = 'Shanghai',
  e.date = date('2025-07-29'),
  e.source = '004_0322c97651893e01.txt',
  e.note = 'Shanghai AI fair; MetaX (Muxi) had a booth there on 29 July 2025';
