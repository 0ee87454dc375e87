// mentions ENTITY [LIMIT]: the documents and sentences that mention an entity.
// params: entity, limit=100
MATCH (e:Entity)
WHERE e.key = $entity OR toLower(e.name) = toLower($entity)
   OR any(alias IN e.aliases WHERE toLower(alias) = toLower($entity))
MATCH (d:Document)-[:HAS_SENTENCE]->(s:Sentence)-[:MENTIONS]->(e)
RETURN e.name AS entity, d.id AS doc, d.date AS date, d.title AS title, s.id AS sentence_id, s.text AS sentence
ORDER BY date, doc, sentence_id
LIMIT $limit
