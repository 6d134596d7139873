// Renders each chart's Vega-Lite spec and wires the PNG/SVG downloads to the rendered view.
(function () {
  var specs = JSON.parse(document.getElementById("chart-specs").textContent);
  // vega-embed's own menu ("Save as PNG") in the page's language, written by the template.
  var menu = JSON.parse(document.getElementById("chart-texts").textContent);
  var views = {};
  Object.keys(specs).forEach(function (name) {
    var target = document.getElementById("chart-" + name);
    vegaEmbed(target, specs[name], { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg", i18n: menu })
      .then(function (result) {
        views[name] = result.view;
        target.setAttribute("data-rendered", "true");
      })
      .catch(function (error) {
        target.textContent = target.closest(".charts").getAttribute("data-error") + " " + error;
      });
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-export]");
    if (!link) return;
    event.preventDefault();
    var name = link.getAttribute("data-chart");
    var format = link.getAttribute("data-export");
    var view = views[name];
    if (!view) return;
    view.toImageURL(format, format === "png" ? 2 : 1).then(function (url) {
      var a = document.createElement("a");
      a.href = url;
      a.download = "permed-atlas-" + name + "." + format;
      document.body.appendChild(a);
      a.click();
      a.remove();
    });
  });
})();
