// speaker-claims SPEAKER: what a speaker was reported saying, sentence by sentence.
// params: speaker
MATCH (s:Sentence)-[e:EVIDENCE]->(a:Entity)
WHERE toLower(e.speaker) = toLower($speaker)
MATCH (a)-[r]->(b:Entity)
WHERE r.id = e.fact
RETURN e.speaker AS speaker, a.name AS subject,
       CASE WHEN r.negated THEN 'not ' + r.predicate ELSE r.predicate END AS claim, b.name AS object,
       s.doc_id AS doc, s.id AS sentence_id, s.text AS sentence
ORDER BY doc, sentence_id, subject
