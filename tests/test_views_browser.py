"""The views in real headless Chromium: offline, counts, tooltips, controls, no script injection."""
from pathlib import Path

import networkx as nx
import pytest

from kg.graph import build_graph, read_triples
from kg.views import build_view, write_view
from tests.browser import png_colours
from tests.payloads import hostile_graph

pytestmark = pytest.mark.browser

DATA = str(Path(__file__).resolve().parent / "data" / "triples_small.jsonl")
LDP = "org:liberal democratic party"


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory):
    g = build_graph(read_triples(DATA))
    return write_view(build_view(g, title="Sample <b>news</b>", fold=False), tmp_path_factory.mktemp("v") / "sample.html")


def counts(page):
    return page.evaluate("[network.body.data.nodes.length, network.body.data.edges.length]")


def hover(page, js_point: str, arg) -> str:
    """Move the mouse to a canvas point computed in the page; return the tooltip text shown."""
    point = page.evaluate("""([src, arg]) => {
        const p = (new Function("arg", src))(arg);
        const d = network.canvasToDOM(p), r = document.getElementById("mynetwork").getBoundingClientRect();
        return {x: r.left + d.x, y: r.top + d.y};
    }""", [js_point, arg])
    corner = page.locator("#mynetwork").bounding_box()
    page.mouse.move(corner["x"] + 2, corner["y"] + 2)  # off every object: any tooltip hides
    page.wait_for_selector("div.vis-tooltip", state="hidden", timeout=5000)
    page.mouse.move(point["x"], point["y"], steps=4)
    tip = page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    return tip.inner_text()


NODE_POINT = "return network.getPositions([arg])[arg];"
EDGE_POINT = """const e = edges.get(arg), p = network.getPositions([e.from, e.to]);
return {x: (p[e.from].x + p[e.to].x) / 2, y: (p[e.from].y + p[e.to].y) / 2};"""


def test_sample_loads_offline_with_expected_counts_and_no_errors(open_page, sample_page):
    r = open_page(sample_page)
    assert counts(r.page) == [7, 4]
    assert r.console_errors == [] and r.page_errors == []
    assert r.outside_requests == [] and r.requests == [sample_page.as_uri()]
    assert r.page.title() == "Sample <b>news</b>"
    assert r.page.inner_text("#kg-title") == "Sample <b>news</b>"
    assert r.xss() == []


def test_edge_tooltip_shows_evidence_and_node_tooltip_aliases(open_page, sample_page):
    r = open_page(sample_page)
    support = r.page.evaluate("edges.get().find(e => e.label === 'support').id")
    text = hover(r.page, EDGE_POINT, support)
    assert "Liberal Democratic Party —support→ Taiwan's CPTPP bid" in text
    assert "pledged to support Taiwan's bid to join the CPTPP" in text and "Parties meet" in text
    text = hover(r.page, NODE_POINT, LDP)
    assert "Also known as: LDP" in text and "Merged by: acronym: LDP" in text


def test_sample_xss_entity_shows_as_text_and_runs_nothing(open_page, sample_page):
    r = open_page(sample_page)
    text = hover(r.page, NODE_POINT, "concept:img src x onerror alert 1")
    assert text.startswith("<img src=x onerror=alert(1)>")
    negated = r.page.evaluate("edges.get().find(e => e.kgNegated).id")
    text = hover(r.page, EDGE_POINT, negated)
    assert "NOT discuss" in text and "Second <b>article</b>" in text and "Said by: Lo Chih-cheng" in text
    assert r.xss() == [] and r.page_errors == []


def test_hostile_payloads_do_not_execute(open_page, tmp_path):
    g = hostile_graph()
    path = write_view(build_view(g, title='<script>window.__kgPwned="title"</script><svg onload=alert(1)>', fold=False),
                      tmp_path / "hostile.html")
    r = open_page(path)
    assert counts(r.page) == [g.number_of_nodes(), g.number_of_edges()]
    # show every tooltip: pyvis would have switched them all to innerHTML because a title contains "href"
    for node in sorted(g.nodes):
        hover(r.page, NODE_POINT, node)
    for edge in r.page.evaluate("edges.getIds()"):
        hover(r.page, EDGE_POINT, edge)
    r.page.fill("#kg-search", "<img src=x onerror=window.__kgPwned=10>")
    r.page.press("#kg-search", "Enter")
    assert r.xss() == [] and r.page_errors == [] and r.console_errors == [] and r.outside_requests == []
    assert r.page.inner_text("#kg-title").startswith("<script>")
    labels = r.page.evaluate("Array.from(document.querySelectorAll('#kg-names option')).map(o => o.value)")
    assert '"><svg onload=window.__kgPwned=3>' in labels


def test_search_filter_and_physics_controls(open_page, sample_page):
    r = open_page(sample_page)
    p = r.page
    p.fill("#kg-search", "ldp")
    p.press("#kg-search", "Enter")
    assert p.evaluate("network.getSelectedNodes()") == [LDP]
    assert p.inner_text("#kg-status") == "1 match"

    p.uncheck('#kg-legend input[data-type="Person"]')
    assert p.evaluate("nodes.get({filter: n => n.hidden}).map(n => n.kgType)") == ["Person"] * 2
    p.uncheck("#kg-negated")
    assert p.evaluate("edges.get({filter: e => e.hidden}).length") == 1

    assert p.evaluate("kgState.physics") is False  # settled, then frozen
    p.click("#kg-physics")
    assert p.inner_text("#kg-physics") == "Physics: on"
    assert p.evaluate("network.physics.physicsEnabled") is True
    p.click("#kg-physics")
    assert p.evaluate("network.physics.physicsEnabled") is False
    assert r.page_errors == [] and r.console_errors == []


def test_screenshot_is_not_blank(open_page, sample_page, browser):
    r = open_page(sample_page)
    canvas_png = r.page.locator("#mynetwork canvas").screenshot()
    assert png_colours(browser, canvas_png) > 50  # anti-aliased dots, edges and labels, not a flat fill
    blank = r.page.evaluate("(() => { const c = document.createElement('canvas'); c.width = c.height = 50;"
                            " return c.toDataURL(); })()")
    import base64
    assert png_colours(browser, base64.b64decode(blank.split(",")[1])) == 1  # the measure tells blank apart


def test_cut_view_draws_the_kept_part_at_once_with_a_visible_note(open_page, tmp_path):
    g = nx.MultiDiGraph()
    for i in range(2400):
        g.add_edge(f"n{i}", f"n{(i * 37 + 1) % 2400}", "x", predicate="meet", count=1)
    view = build_view(g, max_nodes=2000)
    r = open_page(write_view(view, tmp_path / "big.html"))
    assert counts(r.page) == [2000, view.cut.shown_edges]
    assert "showing 2,000 of 2,400 entities" in r.page.inner_text("#kg-note")
    assert r.page.is_visible("#kg-note")
    assert r.page.evaluate("network.physics.physicsEnabled") is False
    assert r.console_errors == [] and r.page_errors == [] and r.outside_requests == []


# ---------------------------------------------------------------- the overview


def timeline_graph() -> nx.MultiDiGraph:
    """Two groups of people, a fact a month from January to June 2021, one undated fact, one concept leaf."""
    g = nx.MultiDiGraph()
    for i in range(8):
        g.add_node(f"person:{i}", name=f"Person {i}", type="PERSON", label="Person", aliases=[], docs=["d1"])
    pairs = [(0, 1), (1, 2), (2, 0), (4, 5), (5, 6), (6, 4)]
    for month, (a, b) in enumerate(pairs, start=1):
        day = f"2021-{month:02d}-15"
        g.add_edge(f"person:{a}", f"person:{b}", "meet", predicate="meet", type="MEET", negated=False, count=1,
                   confidence=0.5, evidence=[], speakers=[], docs=["d1"], first_seen=day, last_seen=day)
    g.add_edge("person:3", "person:7", "call", predicate="call", type="CALL", negated=False, count=1, confidence=0.5,
               evidence=[], speakers=[], docs=["d1"], first_seen=None, last_seen=None)
    g.add_node("concept:plan", name="five-year plan", type="CONCEPT", label="Concept", aliases=[], docs=["d1"])
    g.add_edge("person:0", "concept:plan", "draft", predicate="draft", type="DRAFT", negated=False, count=2,
               confidence=0.5, evidence=[], speakers=[], docs=["d1"], first_seen="2021-01-10", last_seen="2021-01-10")
    return g


def shown(page) -> list[int]:
    """Facts and entities the page shows now."""
    return page.evaluate("[edges.get({filter: e => !e.hidden}).length, nodes.get({filter: n => !n.hidden}).length,"
                         " kgState.shownFacts]")


def test_date_slider_hides_the_facts_outside_the_range(open_page, tmp_path):
    r = open_page(write_view(build_view(timeline_graph()), tmp_path / "t.html"))
    p = r.page
    assert counts(p) == [8, 7]  # the concept leaf is folded into Person 0
    assert shown(p) == [7, 8, 7]
    assert p.inner_text("#kg-since-day") == "2021-01-15" and p.inner_text("#kg-until-day") == "2021-06-15"
    p.focus("#kg-since")
    for _ in range(59):  # 59 days on: 2021-03-15, the third fact's day
        p.keyboard.press("ArrowRight")
    assert p.inner_text("#kg-since-day") == "2021-03-15"
    assert shown(p) == [5, 7, 5]  # March to June and the undated fact; Person 1 has no fact left
    p.uncheck("#kg-undated")
    assert shown(p) == [4, 5, 4] and p.inner_text("#kg-status").startswith("4 of 7 facts in range")
    p.focus("#kg-until")
    p.keyboard.press("Home")  # "to" before "from": the range is the days between them
    assert (p.inner_text("#kg-since-day"), p.inner_text("#kg-until-day")) == ("2021-01-15", "2021-03-15")
    assert shown(p) == [3, 3, 3]  # January to March: Persons 0, 1 and 2
    p.focus("#kg-since")
    p.keyboard.press("Home")
    assert shown(p) == [1, 2, 1]
    assert r.page_errors == [] and r.console_errors == [] and r.outside_requests == []


def test_date_slider_tests_each_sentence_of_a_fact_not_its_whole_span(open_page, tmp_path):
    """A fact stated in January and in June is outside February to May; one stated in March is inside."""
    g = nx.MultiDiGraph()
    for i in range(4):
        g.add_node(f"person:{i}", name=f"Person {i}", type="PERSON", label="Person", aliases=[], docs=["d1"])

    def entry(n, day):
        return {"sentence_id": f"d{n}:0", "doc_id": f"d{n}", "text": "…", "speaker": None, "predicate_text": "met",
                "confidence": 0.5, "date": day}

    twice = [entry(1, "2021-01-15"), entry(2, "2021-06-15")]
    g.add_edge("person:0", "person:1", "meet", predicate="meet", type="MEET", negated=False, count=2,
               confidence=0.5, evidence=twice, speakers=[], docs=["d1", "d2"], first_seen="2021-01-15",
               last_seen="2021-06-15")
    g.add_edge("person:2", "person:3", "call", predicate="call", type="CALL", negated=False, count=1,
               confidence=0.5, evidence=[entry(3, "2021-03-15")], speakers=[], docs=["d3"],
               first_seen="2021-03-15", last_seen="2021-03-15")
    r = open_page(write_view(build_view(g), tmp_path / "s.html"))
    p = r.page
    assert shown(p) == [2, 4, 2]
    p.focus("#kg-since")
    for _ in range(17):  # 2021-02-01
        p.keyboard.press("ArrowRight")
    p.focus("#kg-until")
    for _ in range(45):  # 2021-05-01
        p.keyboard.press("ArrowLeft")
    assert (p.inner_text("#kg-since-day"), p.inner_text("#kg-until-day")) == ("2021-02-01", "2021-05-01")
    assert shown(p) == [1, 2, 1]  # the call; the meeting's span covers the range, none of its sentences does
    assert r.page_errors == [] and r.console_errors == [] and r.outside_requests == []


def test_overview_labels_colours_folds_and_brief(open_page, tmp_path):
    g = timeline_graph()
    for i in range(8, 150):  # many small pairs: the fitted overview is zoomed far out
        g.add_node(f"person:{i}", name=f"Minor {i}", type="PERSON", label="Person", aliases=[], docs=["d1"])
        if i % 2:
            g.add_edge(f"person:{i - 1}", f"person:{i}", "see", predicate="see", count=1)
    r = open_page(write_view(build_view(g), tmp_path / "o.html"))
    p = r.page
    on_screen = p.evaluate("""() => {
        const s = network.getScale(), px = id => network.body.nodes[id].options.font.size * s;
        return {labelled: nodes.get({filter: n => n.kgLabelled}).map(n => [n.id, px(n.id),
                                                                          network.body.nodes[n.id].labelModule.visible()]),
                other: px("person:149"), visibleOther: network.body.nodes["person:149"].labelModule.visible()};
    }""")
    assert len(on_screen["labelled"]) == 20 and "person:0" in [i for i, *_ in on_screen["labelled"]]
    assert all(size >= 14 and visible for _, size, visible in on_screen["labelled"])
    assert on_screen["other"] < 7 and not on_screen["visibleOther"]  # the rest wait for a zoom
    colours = p.evaluate("Object.fromEntries(nodes.get().map(n => [n.id, n.color.background]))")
    assert colours["person:0"] == colours["person:1"] != colours["person:4"] == colours["person:5"]
    text = hover(p, NODE_POINT, "person:0")
    assert "—draft→ five-year plan (2 sentences, 2021-01-10)" in text
    sections = p.locator("#kg-brief section.kg-community")
    assert sections.count() == 2 and "Person 0" in sections.nth(0).inner_text()
    p.click('#kg-brief button.kg-select[data-community="1"]')
    assert sorted(p.evaluate("network.getSelectedNodes()")) == ["person:4", "person:5", "person:6"]
    p.click("#kg-brief-toggle")
    assert not p.is_visible("#kg-brief")
    assert r.page_errors == [] and r.console_errors == [] and r.outside_requests == []


def test_hostile_overview_runs_nothing(open_page, tmp_path):
    g = hostile_graph()
    g.add_node("person:x", name="<img src=x onerror=window.__kgPwned=20>", type="PERSON", label="Person",
               aliases=[], docs=["d<1>"])
    g.add_node("concept:leaf", name="</script><svg onload=window.__kgPwned=21>", type="CONCEPT", label="Concept",
               aliases=[], docs=["d<1>"])
    g.add_edge("person:x", "concept:0", "x", predicate="<b>x</b>", count=1, first_seen="2021", last_seen="2021-05")
    g.add_edge("person:x", "concept:leaf", "y", predicate="<i onmouseover=window.__kgPwned=22>y</i>", count=1,
               first_seen="2020-02-02", last_seen="2020-02-02")
    r = open_page(write_view(build_view(g, title="<svg onload=window.__kgPwned=23>"), tmp_path / "h.html"))
    p = r.page
    assert "</script><svg" in hover(p, NODE_POINT, "person:x")  # the folded leaf, as text
    for button in p.locator("#kg-brief button.kg-select").all():
        button.click()
    p.focus("#kg-since")
    p.keyboard.press("End")
    assert "<img src=x" in p.inner_text("#kg-brief")
    assert r.xss() == [] and r.page_errors == [] and r.console_errors == [] and r.outside_requests == []
