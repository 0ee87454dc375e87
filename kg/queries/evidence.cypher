// evidence SUBJECT OBJECT: every sentence behind the facts from one entity to another.
// params: subject, object
MATCH (a:Entity)
WHERE a.key = $subject OR toLower(a.name) = toLower($subject)
   OR any(alias IN a.aliases WHERE toLower(alias) = toLower($subject))
MATCH (b:Entity)
WHERE b.key = $object OR toLower(b.name) = toLower($object)
   OR any(alias IN b.aliases WHERE toLower(alias) = toLower($object))
MATCH (a)-[r]->(b)
UNWIND range(0, size(r.evidence) - 1) AS i
MATCH (s:Sentence {id: r.evidence[i]})
OPTIONAL MATCH (d:Document {id: s.doc_id})
RETURN r.predicate AS predicate, r.negated AS negated, r.evidence_predicates[i] AS as_written,
       CASE r.evidence_speakers[i] WHEN '' THEN null ELSE r.evidence_speakers[i] END AS speaker,
       s.doc_id AS doc, d.date AS date, d.title AS title, s.id AS sentence_id, s.text AS sentence
ORDER BY predicate, negated, date, sentence_id
