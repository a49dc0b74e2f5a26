// Draws the report's charts from the JSON block, and says so in place when plotly.js is
// missing (a report that references plotly.js opened offline).
(function () {
  var block = document.getElementById("scorelab-figures");
  if (!block) { return; }
  var specs = JSON.parse(block.textContent);
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    if (!el) { return; }
    if (typeof Plotly === "undefined") {
      el.textContent = "The chart needs plotly.js, which did not load.";
      return;
    }
    Plotly.newPlot(el, spec.data, spec.layout, {displaylogo: false, responsive: true});
  });
})();
