// Draws the collaboration network with vis-network (bundled locally).
(function () {
  var data = JSON.parse(document.getElementById("network-data").textContent);
  var palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
  var maxWorks = Math.max.apply(null, data.nodes.map(function (n) { return n.works; }).concat([1]));
  var maxWeight = Math.max.apply(null, data.edges.map(function (e) { return e.weight; }).concat([1]));
  var nodes = new vis.DataSet(data.nodes.map(function (n) {
    return { id: n.id, label: n.label, value: n.works, title: n.label + " (" + n.country + "): " + n.works + " works",
             color: palette[(n.cluster - 1) % palette.length], scaling: { min: 8, max: 40 } };
  }));
  var edges = new vis.DataSet(data.edges.map(function (e) {
    return { from: e.source, to: e.target, value: e.weight, title: e.weight + " shared works",
             width: 1 + 7 * e.weight / maxWeight, color: { opacity: 0.35 } };
  }));
  var container = document.getElementById("network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, {
    nodes: { shape: "dot", font: { size: 14 } },
    physics: { solver: "forceAtlas2Based", stabilization: { iterations: 150 } },
    interaction: { hover: true, tooltipDelay: 100 }
  });
  network.once("stabilizationIterationsDone", function () {
    container.setAttribute("data-rendered", "true");
  });
  if (data.nodes.length === 0) container.textContent = "No collaborations for these facets.";
  void maxWorks;
})();
