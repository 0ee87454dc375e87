/* kg view controls: search, type and negation filters, physics toggle.
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

  network.once("afterDrawing", function () { state.drawn = true; markReady(); });
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

  function applyFilters() {
    var off = {}, nodeUpdates = [], edgeUpdates = [], hidden = 0;
    typeBoxes.forEach(function (box) { if (!box.checked) { off[box.getAttribute("data-type")] = true; } });
    nodes.forEach(function (n) {
      var hide = off[n.kgType] === true;
      if (hide) { hidden += 1; }
      if (Boolean(n.hidden) !== hide) { nodeUpdates.push({ id: n.id, hidden: hide }); }
    });
    edges.forEach(function (e) {
      var hide = e.kgNegated && !negated.checked;
      if (Boolean(e.hidden) !== hide) { edgeUpdates.push({ id: e.id, hidden: hide }); }
    });
    nodes.update(nodeUpdates);
    edges.update(edgeUpdates);
    status.textContent = hidden ? hidden + " entities filtered out" : "";
  }
  typeBoxes.forEach(function (box) { box.addEventListener("change", applyFilters); });
  negated.addEventListener("change", applyFilters);
})();
