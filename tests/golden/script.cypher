// Golden script: a tiny graph, then one query per value shape.
CREATE (:Company {name: 'DeepSeek', founded: date('2023-07-17'), valuation: 3.0}),
       (:Company {name: '智谱 AI', founded: date('2019-06-11'), tags: ['llm', 'glm']}),
       (:Fund {name: 'High-Flyer, "Quant"'});
MATCH (f:Fund), (c:Company {name: 'DeepSeek'})
CREATE (f)-[:OWNS {stake: 0.84}]->(c);
MATCH (c:Company)
RETURN c.name AS name, c.founded AS founded, c.valuation AS valuation, c.tags AS tags
ORDER BY name;
MATCH (f:Fund)-[r:OWNS]->(c:Company) RETURN f, r, c;
MATCH p = (:Fund)-[:OWNS]->(:Company) RETURN p;
RETURN 1 AS int, 1.0 AS float, null AS nothing, 'tab\there' AS text, {k: 'v', n: [1, 2.5]} AS map;
MATCH (c:Company) WHERE c.name = 'nobody' RETURN c.name AS none;
RETURN datetime('2024-03-31T02:30[Europe/Stockholm]') AS zoned, localdatetime('2024-03-31T02:30') AS local,
       time('12:00:00.5-02:30') AS time, localtime('23:59:59.999999999') AS localtime,
       duration({days: 1, seconds: -0.001}) AS duration, [date('2024-02-29'), null] AS dates;
