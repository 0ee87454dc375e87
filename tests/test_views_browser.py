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
    return write_view(build_view(g, title="Sample <b>news</b>"), tmp_path_factory.mktemp("v") / "sample.html")


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
    path = write_view(build_view(g, title='<script>window.__kgPwned="title"</script><svg onload=alert(1)>'),
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
