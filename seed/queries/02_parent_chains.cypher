// Parent chains: every subsidiary with its ultimate parent and the ownership path.
//
// `OWNS` points from parent to subsidiary. A variable-length pattern walks chains of any
// depth; the `WHERE` keeps only chains that start at a company nobody owns. The documents
// name the parents but not the size of the stakes, so `stakes` shows nulls (unknown, not zero).
MATCH path = (top:Organization)-[:OWNS*1..]->(sub:Organization)
WHERE NOT ()-[:OWNS]->(top)
RETURN top.name AS ultimate_parent, sub.name AS subsidiary,
       [n IN nodes(path) | n.name] AS chain, [r IN relationships(path) | r.stake] AS stakes
ORDER BY ultimate_parent, subsidiary;
