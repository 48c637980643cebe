// The AI Six Tigers: which path each has taken.
MATCH (l:Lab)-[r:MEMBER_OF]->(:Group {name: 'AI Six Tigers'})
WITH r.path AS path, l.name AS lab
ORDER BY lab
RETURN path, collect(lab) AS labs, count(*) AS n
ORDER BY path;
