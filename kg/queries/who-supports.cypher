// who-supports TARGET: who backs an entity (name, alias or key), strongest evidence first.
// params: target
MATCH (t:Entity)
WHERE t.key = $target OR toLower(t.name) = toLower($target)
   OR any(alias IN t.aliases WHERE toLower(alias) = toLower($target))
MATCH (s:Entity)-[r]->(t)
WHERE r.predicate IN ['support', 'back', 'endorse', 'favor', 'favour', 'champion', 'defend',
                      'welcome', 'pledge support', 'stand with', 'side with']
  AND NOT r.negated
RETURN s.name AS supporter, s.type AS type, r.predicate AS predicate, t.name AS target,
       r.count AS sentences, r.speakers AS according_to, r.first_seen AS first_seen, r.last_seen AS last_seen
ORDER BY sentences DESC, supporter
