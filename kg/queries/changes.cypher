// changes SINCE [LIMIT]: what is new: the facts stated on or after a date (2021, 2021-08 or 2021-08-28), newest first.
// params: since, limit=100
MATCH (a:Entity)-[r]->(b:Entity)
WHERE r.last_seen >= $since
RETURN r.first_seen AS first_seen, r.last_seen AS last_seen, a.name AS subject, r.predicate AS predicate,
       r.negated AS negated, b.name AS object, r.count AS sentences
ORDER BY first_seen DESC, last_seen DESC, subject, predicate, object
LIMIT $limit
