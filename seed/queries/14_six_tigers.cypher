// The AI Six Tigers: which path each has taken.
//
// The 'AI Six Tigers' have split three ways: listing, raising more private money, or
// leaving general-purpose models for a niche. Sorting before `collect` keeps each list in
// alphabetical order.
MATCH (l:Lab)-[r:MEMBER_OF]->(:Group {name: 'AI Six Tigers'})
WITH r.path AS path, l.name AS lab
ORDER BY lab
RETURN path, collect(lab) AS labs, count(*) AS n
ORDER BY path;
