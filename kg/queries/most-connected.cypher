// most-connected [LIMIT]: entities with the most facts, with their neighbours and documents.
// params: limit=10
MATCH (e:Entity)
WITH e, COUNT { (e)-[]-(:Entity) } AS facts
ORDER BY facts DESC, e.name
LIMIT $limit
RETURN e.name AS entity, e.type AS type, facts,
       COUNT { MATCH (e)-[]-(n:Entity) RETURN DISTINCT n } AS neighbours,
       COUNT { MATCH (e)<-[:MENTIONS]-(s:Sentence) RETURN DISTINCT s.doc_id } AS documents
ORDER BY facts DESC, entity
