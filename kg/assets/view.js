/* kg view controls: search, type, negation and date filters, physics toggle, the brief panel.
   Text from the graph is only ever written with textContent or option.value. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("kg-config").textContent);
  var status = document.getElementById("kg-status");
  var physicsButton = document.getElementById("kg-physics");
  var search = document.getElementById("kg-search");
  var names = document.getElementById("kg-names");
  var negated = document.getElementById("kg-negated");
  var typeBoxes = Array.prototype.slice.call(document.querySelectorAll("#kg-legend input[data-type]"));
  var state = window.kgState = { drawn: false, stable: !cfg.physics, readyAt: null, physics: cfg.physics };

  function markReady() {
    if (state.drawn && state.stable && state.readyAt === null) {
      state.readyAt = performance.now();
      document.body.setAttribute("data-kg-ready", "1");
    }
  }

  function setPhysics(on) {
    state.physics = on;
    network.setOptions({ physics: { enabled: on } });
    physicsButton.textContent = on ? "Physics: on" : "Physics: off";
    physicsButton.setAttribute("aria-pressed", on ? "true" : "false");
  }

  // The most important entities keep a readable label at any zoom: their font grows as the view zooms out.
  var labelled = nodes.getIds({ filter: function (n) { return n.kgLabelled; } }), labelSize = 0;
  function sizeLabels() {
    var size = Math.round(Math.max(14, Math.min(200, 15 / network.getScale())));
    if (size !== labelSize && labelled.length) {
      labelSize = size;
      nodes.update(labelled.map(function (id) { return { id: id, font: { size: size } }; }));
    }
  }
  network.on("zoom", sizeLabels);
  network.on("stabilized", sizeLabels);
  network.once("afterDrawing", function () { sizeLabels(); state.drawn = true; markReady(); });
  network.redraw();  // the first frame may already be drawn: ask for one we can see
  if (cfg.physics) {
    // Settle from the precomputed layout, then freeze so the page stays idle.
    network.once("stabilizationIterationsDone", function () {
      setPhysics(false);
      state.stable = true;
      markReady();
    });
  }
  physicsButton.addEventListener("click", function () { setPhysics(!state.physics); });
  document.getElementById("kg-fit").addEventListener("click", function () { network.fit(); });

  nodes.forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.kgName;
    names.appendChild(option);
  });

  function matches(query) {
    var q = query.trim().toLowerCase(), exact = [], partial = [];
    if (!q) { return []; }
    nodes.forEach(function (n) {
      if (n.hidden) { return; }
      if (n.kgSearch.split("\n").indexOf(q) >= 0) { exact.push(n.id); }
      else if (n.kgSearch.indexOf(q) >= 0) { partial.push(n.id); }
    });
    return exact.concat(partial);
  }

  function find() {
    var ids = matches(search.value);
    if (!ids.length) {
      network.unselectAll();
      status.textContent = search.value.trim() ? "no entity matches" : "";
      return;
    }
    network.selectNodes(ids.slice(0, 500));
    network.focus(ids[0], { scale: 1.2, animation: { duration: 300 } });
    status.textContent = ids.length === 1 ? "1 match" : ids.length + " matches";
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(); } });

  // Dates: each range input counts days after cfg.days[0]; a fact shows when the days of one of
  // its sentences (kgDays) meet the range.
  var since = document.getElementById("kg-since"), until = document.getElementById("kg-until");
  var undated = document.getElementById("kg-undated");
  var DAY = 86400000, day0 = cfg.days ? Date.parse(cfg.days[0] + "T00:00:00Z") : 0;
  function dayNumber(iso) { return Math.round((Date.parse(iso + "T00:00:00Z") - day0) / DAY); }
  function isoDay(n) { return new Date(day0 + n * DAY).toISOString().slice(0, 10); }
  var spans = {};
  edges.forEach(function (e) {
    if (e.kgFrom) {
      spans[e.id] = (e.kgDays || [[e.kgFrom, e.kgTo]]).map(function (d) { return [dayNumber(d[0]), dayNumber(d[1])]; });
    }
  });
  var incident = {};
  edges.forEach(function (e) {
    (incident[e.from] = incident[e.from] || []).push(e.id);
    (incident[e.to] = incident[e.to] || []).push(e.id);
  });

  function dateRange() {
    if (!since) { return null; }
    var a = Number(since.value), b = Number(until.value);
    return a <= b ? [a, b] : [b, a];
  }

  function applyFilters() {
    var off = {}, nodeUpdates = [], edgeUpdates = [], hidden = 0, shownFacts = 0, outOfRange = {};
    var range = dateRange(), full = !range || (range[0] === 0 && range[1] === Number(since.max));
    typeBoxes.forEach(function (box) { if (!box.checked) { off[box.getAttribute("data-type")] = true; } });
    edges.forEach(function (e) {
      var span = spans[e.id], outside = false;
      if (range && !span) { outside = !undated.checked; }
      else if (range) {
        outside = !span.some(function (d) { return d[1] >= range[0] && d[0] <= range[1]; });
      }
      if (outside) { outOfRange[e.id] = true; }
      var hide = outside || (e.kgNegated && !negated.checked);
      if (!hide) { shownFacts += 1; }
      if (Boolean(e.hidden) !== hide) { edgeUpdates.push({ id: e.id, hidden: hide }); }
    });
    nodes.forEach(function (n) {
      var facts = incident[n.id] || [];
      // outside a narrowed range, an entity whose every fact is out of it goes too
      var away = !full && facts.length > 0 && facts.every(function (id) { return outOfRange[id]; });
      var hide = off[n.kgType] === true || away;
      if (hide) { hidden += 1; }
      if (Boolean(n.hidden) !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    state.shownFacts = shownFacts;
    var parts = [];
    if (range) {
      document.getElementById("kg-since-day").textContent = isoDay(range[0]);
      document.getElementById("kg-until-day").textContent = isoDay(range[1]);
      if (!full) { parts.push(shownFacts + " of " + edges.length + " facts in range"); }
    }
    if (hidden) { parts.push(hidden + " entities filtered out"); }
    status.textContent = parts.join("; ");
  }
  typeBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  negated.addEventListener("change", applyFilters);
  [since, until].forEach(function (input) { if (input) { input.addEventListener("input", applyFilters); } });
  if (undated) { undated.addEventListener("change", applyFilters); }
  state.shownFacts = edges.length;

  // The brief: hide or show the panel; a community's heading selects its entities in the view.
  var panel = document.getElementById("kg-brief"), toggle = document.getElementById("kg-brief-toggle");
  if (panel && toggle) {
    toggle.addEventListener("click", function () {
      panel.hidden = !panel.hidden;
      toggle.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
      network.redraw();
    });
    Array.prototype.forEach.call(panel.querySelectorAll("button.kg-select"), function (button) {
      button.addEventListener("click", function () {
        var ids = (cfg.communities || {})[button.getAttribute("data-community")] || [];
        network.selectNodes(ids);
        if (ids.length) { network.fit({ nodes: ids, animation: { duration: 300 } }); }
        status.textContent = ids.length + " entities selected";
      });
    });
  }
})();
