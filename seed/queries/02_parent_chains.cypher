// Parent chains: every subsidiary with its ultimate parent and the ownership path.
MATCH path = (top:Organization)-[:OWNS*1..]->(sub:Organization)
WHERE NOT ()-[:OWNS]->(top)
RETURN top.name AS ultimate_parent, sub.name AS subsidiary,
       [n IN nodes(path) | n.name] AS chain, [r IN relationships(path) | r.stake] AS stakes
ORDER BY ultimate_parent, subsidiary;
