// Draws the collaboration network with vis-network (bundled locally).
(function () {
  var data = JSON.parse(document.getElementById("network-data").textContent);
  // The page's language: the template writes the texts, this file only fills them in.
  var texts = JSON.parse(document.getElementById("network-texts").textContent);
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }
  var container = document.getElementById("network");
  if (data.nodes.length === 0) { container.textContent = texts.empty; return; }
  // Labels keep one size on screen whatever the zoom; past LABELLED nodes only the largest
  // carry one (the rest show theirs on hover), so a 100-institution map stays readable.
  var LABELLED = 30, LABEL_PX = 12;
  var ranked = data.nodes.slice().sort(function (a, b) { return b.works - a.works; });
  var labelled = {};
  ranked.slice(0, LABELLED).forEach(function (n) { labelled[n.id] = true; });
  var colourBy = "side";
  function colourOf(n) { return colourBy === "side" ? n.side_colour : n.cluster_colour; }
  function shortLabel(text) { return text.length > 32 ? text.slice(0, 31) + "…" : text; }
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: labelled[n.id] ? shortLabel(n.label) : undefined, value: n.works,
             title: fill(texts.node, { name: n.label + (n.country ? " (" + n.country + ")" : ""), works: n.works, cluster: n.cluster }),
             color: { background: colourOf(n), border: "#333333" }, borderWidth: 1 };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return { from: e.source, to: e.target, value: e.weight, title: fill(texts.edge, { n: e.weight }),
             color: { color: "#8a8a8a", opacity: 0.35 } };
  }));
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    nodes: { shape: "dot", scaling: { min: 8, max: 40, label: { enabled: false } },
             font: { size: LABEL_PX, strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { scaling: { min: 1, max: 8 } },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 150 } },
    interaction: { hover: true, tooltipDelay: 100 }
  });
  function fitLabels() {
    var size = Math.max(4, Math.round(LABEL_PX / network.getScale()));
    nodes.update(Object.keys(labelled).map(function (id) { return { id: id, font: { size: size } }; }));
    container.setAttribute("data-label-px", String(Math.round(size * network.getScale())));
    container.setAttribute("data-labelled", String(Object.keys(labelled).length));
  }
  network.once("stabilizationIterationsDone", function () {
    network.fit();
    fitLabels();
    container.setAttribute("data-rendered", "true");
  });
  network.on("zoom", fitLabels);
  function recolour(value) {
    colourBy = value;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: { background: colourOf(n), border: "#333333" } }; }));
    document.getElementById("legend-side").hidden = value !== "side";
    document.getElementById("legend-cluster").hidden = value !== "cluster";
    container.setAttribute("data-colour-by", value);
  }
  document.querySelectorAll('input[name="colour_by"]').forEach(function (input) {
    input.addEventListener("change", function () { if (input.checked) recolour(input.value); });
  });
  container.setAttribute("data-colour-by", colourBy);
  window.permedNetwork = network;
})();
