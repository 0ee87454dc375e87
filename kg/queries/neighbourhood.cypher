// neighbourhood ENTITY [LIMIT]: the facts linking an entity to its neighbours, both directions.
// params: entity, limit=50
MATCH (e:Entity)
WHERE e.key = $entity OR toLower(e.name) = toLower($entity)
   OR any(alias IN e.aliases WHERE toLower(alias) = toLower($entity))
MATCH (e)-[r]-(other:Entity)
RETURN e.name AS entity, CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
       r.predicate AS predicate, r.negated AS negated, other.name AS neighbour, other.type AS type,
       r.count AS sentences
ORDER BY sentences DESC, neighbour, predicate
LIMIT $limit
