// Draws each month-report section's 12-month trend (Chart.js, vendored) from the JSON the page
// carries. Progressive enhancement: the table beside each chart holds every value. Lines differ
// by dash pattern and point shape, not colour alone.
(function () {
  "use strict";
  var DASHES = [[], [8, 4], [2, 3], [12, 4, 2, 4], [1, 5], [6, 2, 1, 2], [4, 4]];
  var SHAPES = ["circle", "rect", "triangle", "rectRot", "cross", "star", "crossRot"];
  var INKS = ["#0b0c0c", "#1d4f91", "#00703c", "#b10e1e", "#6b4500", "#4c2c92", "#484949"];

  function draw(canvas, data) {
    var reduceMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, i) {
          return {
            label: series.label,
            data: series.values,
            borderColor: INKS[i % INKS.length],
            backgroundColor: INKS[i % INKS.length],
            borderDash: DASHES[i % DASHES.length],
            pointStyle: SHAPES[i % SHAPES.length],
            borderWidth: 2,
            spanGaps: true
          };
        })
      },
      options: {
        animation: reduceMotion ? false : undefined,
        maintainAspectRatio: false,
        plugins: { legend: { position: "bottom", labels: { usePointStyle: true } } },
        scales: { y: { beginAtZero: true } }
      }
    });
  }

  function start() {
    var source = document.getElementById("report-charts");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var charts = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-report-chart]").forEach(function (canvas) {
      var data = charts[canvas.getAttribute("data-report-chart")];
      if (data && data.series.length) {
        draw(canvas, data);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
