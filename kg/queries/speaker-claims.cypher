// speaker-claims SPEAKER: what a speaker was reported saying, sentence by sentence.
// params: speaker
MATCH (a:Entity)-[r]->(b:Entity)
WHERE any(name IN r.speakers WHERE toLower(name) = toLower($speaker))
UNWIND range(0, size(r.evidence) - 1) AS i
WITH a, r, b, i
WHERE toLower(r.evidence_speakers[i]) = toLower($speaker)
MATCH (s:Sentence {id: r.evidence[i]})
RETURN r.evidence_speakers[i] AS speaker, a.name AS subject,
       CASE WHEN r.negated THEN 'not ' + r.predicate ELSE r.predicate END AS claim, b.name AS object,
       s.doc_id AS doc, s.id AS sentence_id, s.text AS sentence
ORDER BY doc, sentence_id, subject
