// 02 — organisations: AI labs, chip makers, corporate groups, investors and other institutions.
// Nodes only; relationships follow in later files. Exchanges, boards and regulators are in 03.
// Money is numeric in units (yuan: _cny, US dollars: _usd), with `approximate` saying whether
// the document hedges the figure. `aliases` lists other names: those the documents use, and
// standard Chinese-script names (which the English documents do not print).

// ---- Chinese LLM developers ------------------------------------------------------------------

MERGE (o:Organization:Lab {name: 'DeepSeek'})
ON CREATE SET o.aliases = ['深度求索'],
  o.country = 'China',
  o.city = 'Hangzhou',
  o.valuation_usd = 5.92e10,
  o.valuation_cny = 4.0e11,
  o.valuation_basis = 'post-money',
  o.approximate = true,
  o.reported_by = ['South China Morning Post'],
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt'],
  o.note = 'Hangzhou LLM lab; its June 2026 Series A was the first money it took from outside investors. Valuation about 400 billion yuan after that round';

MERGE (o:Organization:Lab {name: 'Zhipu AI'})
ON CREATE SET o.aliases = ['Zhipu', 'Knowledge Atlas Technology', '智谱'],
  o.country = 'China',
  o.strategy = 'listing',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'Hong Kong-listed since January 2026 (trading as Knowledge Atlas Technology); preparing a STAR Market A-share listing';

MERGE (o:Organization:Lab {name: 'MiniMax'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.strategy = 'listing',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['001_325c0e11d694aac3.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'Hong Kong-listed since January 2026; announced an A-share issue on the STAR Market';

MERGE (o:Organization:Lab {name: 'Moonshot AI'})
ON CREATE SET o.aliases = ["Moon's Dark Side", '月之暗面'],
  o.country = 'China',
  o.strategy = 'funding',
  o.listing_status = 'preparing',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['003_c6bf8357882345ea.txt'],
  o.note = 'One of the AI Six Tigers; still privately funded, getting ready for a listing';

MERGE (o:Organization:Lab {name: 'StepFun'})
ON CREATE SET o.aliases = ['Jieyue Xingchen', '阶跃星辰'],
  o.country = 'China',
  o.strategy = 'funding',
  o.listing_status = 'preparing',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['003_c6bf8357882345ea.txt'],
  o.note = 'One of the AI Six Tigers; raised close to 2.5 billion dollars and is getting ready for a listing';

MERGE (o:Organization:Lab {name: 'Baichuan'})
ON CREATE SET o.aliases = ['Baichuan Intelligence', '百川智能'],
  o.country = 'China',
  o.strategy = 'new track',
  o.focus = 'medical AI',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt', '003_c6bf8357882345ea.txt'],
  o.note = 'Left general-purpose foundation models to concentrate on AI for medicine';

MERGE (o:Organization:Lab {name: '01.AI'})
ON CREATE SET o.aliases = ['Lingyi Wanshu', '零一万物'],
  o.country = 'China',
  o.strategy = 'new track',
  o.focus = 'AI applications',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['003_c6bf8357882345ea.txt'],
  o.note = 'Left general-purpose foundation models to build AI applications';

// ---- US labs (points of comparison in the documents) -----------------------------------------

MERGE (o:Organization:Lab {name: 'Anthropic'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.private = true,
  o.profitable = false,
  o.valuation_usd = 6.15e10,
  o.valuation_basis = 'not stated',
  o.approximate = false,
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt', '001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'],
  o.note = 'US lab that stays private despite losses; its valuation comes from a 5 billion dollar Series E';

MERGE (o:Organization:Lab {name: 'OpenAI'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['001_325c0e11d694aac3.txt', '002_dffc7b51e9925ef8.txt'],
  o.note = 'US lab; maker of GPT 5.5';

// ---- Chinese GPU and AI-chip designers -------------------------------------------------------

MERGE (o:Organization:ChipMaker {name: 'Enflame'})
ON CREATE SET o.aliases = ['Enflame Technology', '燧原科技'],
  o.country = 'China',
  o.city = 'Shanghai',
  o.product = 'GPU',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Shanghai GPU designer; last of the Four Dragons to head for the capital markets';

MERGE (o:Organization:ChipMaker {name: 'Moore Threads'})
ON CREATE SET o.aliases = ['摩尔线程'],
  o.country = 'China',
  o.product = 'GPU',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'GPU designer counted among the industry leaders; STAR Market debut drew strong demand';

MERGE (o:Organization:ChipMaker {name: 'MetaX'})
ON CREATE SET o.aliases = ['Muxi', 'Muxi Co Ltd', '沐曦'],
  o.country = 'China',
  o.product = 'GPU',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'GPU designer (Muxi Co Ltd) counted among the industry leaders; STAR Market debut drew strong demand';

MERGE (o:Organization:ChipMaker {name: 'Biren Technology'})
ON CREATE SET o.aliases = ['Biren', '壁仞科技'],
  o.country = 'China',
  o.product = 'GPU',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'GPU designer; the first home-grown GPU company to list in Hong Kong';

MERGE (o:Organization:ChipMaker {name: 'Iluvatar CoreX'})
ON CREATE SET o.aliases = ['天数智芯'],
  o.country = 'China',
  o.city = 'Shanghai',
  o.product = 'GPU',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Shanghai GPU designer; the second home-grown GPU company to list in Hong Kong';

MERGE (o:Organization:ChipMaker {name: 'Kunlunxin'})
ON CREATE SET o.aliases = ['昆仑芯'],
  o.country = 'China',
  o.product = 'AI chips',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Chip unit of Baidu, not wholly owned by it; Baidu plans to spin it off for its own listing';

MERGE (o:Organization:ChipMaker {name: 'T-Head'})
ON CREATE SET o.aliases = ['平头哥'],
  o.country = 'China',
  o.product = 'chip design',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Chip design arm of Alibaba; a spin-off is reportedly under consideration';

MERGE (o:Organization:ChipMaker {name: 'Nvidia'})
ON CREATE SET o.aliases = ['英伟达'],
  o.country = 'US',
  o.product = 'GPU',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt', '004_0322c97651893e01.txt'],
  o.note = 'US GPU leader; its sales to China are limited by US export controls';

// The second-tier Chinese chip vendors ByteDance buys from: one placeholder organisation for
// several the document does not name (`collective: true`).
MERGE (o:Organization {name: 'Tier-two domestic chip suppliers'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.collective = true,
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt'],
  o.note = 'Unnamed second-tier Chinese chip vendors that ByteDance buys from';

// ---- Corporate groups and strategic investors ------------------------------------------------

MERGE (o:Organization {name: 'Baidu'})
ON CREATE SET o.aliases = ['Baidu Inc', '百度'],
  o.country = 'China',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Internet group; parent of the chip unit Kunlunxin';

MERGE (o:Organization {name: 'Alibaba'})
ON CREATE SET o.aliases = ['Alibaba Group', '阿里巴巴'],
  o.country = 'China',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Internet group; parent of the chip design arm T-Head';

MERGE (o:Organization {name: 'ByteDance'})
ON CREATE SET o.aliases = ['字节跳动'],
  o.country = 'China',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt'],
  o.note = 'Moving its AI inference from Nvidia to domestic chips bought from second-tier suppliers';

MERGE (o:Organization:Investor {name: 'Tencent'})
ON CREATE SET o.aliases = ['腾讯'],
  o.country = 'China',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt'],
  o.note = 'Strategic investor in the DeepSeek Series A';

MERGE (o:Organization:Investor {name: 'CATL'})
ON CREATE SET o.aliases = ['宁德时代'],
  o.country = 'China',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt'],
  o.note = 'Strategic investor in the DeepSeek Series A';

MERGE (o:Organization:Investor {name: 'JD.com'})
ON CREATE SET o.aliases = ['京东'],
  o.country = 'China',
  o.as_of = date('2026-06-19'), o.as_of_precision = 'day',
  o.source = ['000_493c96e2e8fb84e9.txt'],
  o.note = 'Strategic investor in the DeepSeek Series A';

MERGE (o:Organization {name: 'SpaceX'})
ON CREATE SET o.aliases = [],
  o.country = 'US',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['002_dffc7b51e9925ef8.txt'],
  o.note = 'Named with OpenAI and Anthropic as US firms drawing heavy investor interest';

// ---- Research firms and associations ---------------------------------------------------------

MERGE (o:Organization {name: 'Artificial Analysis'})
ON CREATE SET o.aliases = [],
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['001_325c0e11d694aac3.txt'],
  o.note = 'Publishes an intelligence ranking of AI models';

MERGE (o:Organization {name: 'Zero2IPO Research'})
ON CREATE SET o.aliases = [],
  o.country = 'China',
  o.as_of = date('2026-06-01'), o.as_of_precision = 'month',
  o.source = ['001_325c0e11d694aac3.txt'],
  o.note = 'Data provider on Chinese venture funding';

MERGE (o:Organization {name: 'China Enterprise Confederation'})
ON CREATE SET o.aliases = ['中国企业联合会'],
  o.country = 'China',
  o.as_of = date('2026-02-11'), o.as_of_precision = 'day',
  o.source = ['004_0322c97651893e01.txt'],
  o.note = 'Business association; Dong Peng sits on its assets committee';

// ---- Groupings the documents use -------------------------------------------------------------

MERGE (g:Group {name: 'AI Six Tigers'})
ON CREATE SET g.aliases = [],
  g.kind = 'Chinese LLM start-ups',
  g.as_of = date('2026-06-01'), g.as_of_precision = 'month',
  g.source = ['003_c6bf8357882345ea.txt'],
  g.note = 'Six once-prominent Chinese LLM start-ups whose strategies have since split three ways';

MERGE (g:Group {name: 'Four Dragons'})
ON CREATE SET g.aliases = ['The Four Dragons'],
  g.kind = 'Chinese GPU designers',
  g.as_of = date('2026-02-11'), g.as_of_precision = 'day',
  g.source = ['004_0322c97651893e01.txt'],
  g.note = 'Four leading Chinese GPU designers, all now listed or in the listing queue';

// ---- Events ----------------------------------------------------------------------------------

MERGE (e:Event {name: 'World Artificial Intelligence Conference 2025'})
ON CREATE SET e.aliases = ['WAIC 2025'],
  e.city = 'Shanghai',
  e.date = date('2025-07-29'), e.date_precision = 'day',
  e.as_of = date('2026-02-11'), e.as_of_precision = 'day',
  e.source = ['004_0322c97651893e01.txt'],
  e.note = 'Shanghai AI fair; MetaX (Muxi) had a booth there on 29 July 2025';

// "Late 2025" is known only to lie in the second half of the year: precision 'half'.
MERGE (e:Event {name: 'Chinese GPU listing wave'})
ON CREATE SET e.aliases = [],
  e.began = date('2025-07-01'), e.began_precision = 'half',
  e.as_of = date('2026-02-11'), e.as_of_precision = 'day',
  e.source = ['004_0322c97651893e01.txt'],
  e.note = 'Run of IPOs by Chinese GPU and AI-chip designers that the document says began late in 2025';
