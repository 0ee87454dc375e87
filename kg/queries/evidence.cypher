// evidence SUBJECT OBJECT: every sentence behind the facts from one entity to another.
// params: subject, object
MATCH (a:Entity)
WHERE a.key = $subject OR toLower(a.name) = toLower($subject)
   OR any(alias IN a.aliases WHERE toLower(alias) = toLower($subject))
MATCH (b:Entity)
WHERE b.key = $object OR toLower(b.name) = toLower($object)
   OR any(alias IN b.aliases WHERE toLower(alias) = toLower($object))
MATCH (a)-[r]->(b)
MATCH (s:Sentence)-[e:EVIDENCE {fact: r.id}]->(a)
OPTIONAL MATCH (d:Document {id: s.doc_id})
RETURN r.predicate AS predicate, r.negated AS negated, e.predicate_text AS as_written, e.speaker AS speaker,
       s.doc_id AS doc, d.date AS date, d.title AS title, s.id AS sentence_id, s.text AS sentence
ORDER BY predicate, negated, date, sentence_id
