"""Hostile text for the view tests: markup, script ends, comments and pyvis's ``href`` switch."""
import networkx as nx


def hostile_graph():
    """Entities, predicates, sentences and titles with markup, script ends and the pyvis 'href' switch."""
    g = nx.MultiDiGraph()
    names = ["<script>window.__kgPwned=1</script>", "</script><script>window.__kgPwned=2</script>",
             '"><svg onload=window.__kgPwned=3>', '<a href="javascript:window.__kgPwned=4">href</a>',
             "<!--", "<img src=x onerror=window.__kgPwned=5>"]
    for i, name in enumerate(names):
        g.add_node(f"concept:{i}", name=name, type="CONCEPT", label="Concept", aliases=[name], docs=["d<1>"])
    for i in range(len(names) - 1):
        g.add_edge(f"concept:{i}", f"concept:{i + 1}", key="say",
                   predicate="</script><img src=x onerror=window.__kgPwned=6>", type="SAY", negated=i % 2 == 1,
                   count=1, confidence=0.5, speakers=["<b onmouseover=window.__kgPwned=7>x</b>"], docs=["d<1>"],
                   evidence=[{"sentence_id": "d<1>:0", "doc_id": "d<1>", "speaker": None, "predicate_text": "s",
                              "text": "<img src=x onerror=window.__kgPwned=8> href </script>"}])
    g.graph["documents"] = {"d<1>": {"title": "<script>window.__kgPwned=9</script>"}}
    return g
