// Where do the documents disagree, and how does the graph record it?
//
// A disagreement between documents is a `Discrepancy` node that `CONCERNS` the facts
// involved, with each document's claim in our words and how the graph models it, so a
// conflict is visible instead of settled silently.
MATCH (d:Discrepancy)-[:CONCERNS]->(n)
WITH d, n.name AS concerns
ORDER BY concerns
RETURN d.name AS discrepancy, collect(concerns) AS concerns, d.claims AS claims,
       d.source AS source
ORDER BY discrepancy;
