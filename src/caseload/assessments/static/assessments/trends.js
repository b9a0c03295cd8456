// Draws each assessment trend chart (Chart.js, vendored) from the JSON the page carries.
// Progressive enhancement: the table under each chart already holds every score.
// Band thresholds are dashed lines labelled in words (drawn under the scores), so nothing
// depends on colour.
(function () {
  "use strict";
  var DASHES = [[8, 4], [2, 3], [12, 4, 2, 4], [1, 5], [6, 2, 1, 2]];
  var INK = "#0b0c0c";
  var MUTED = "#484949";

  var bandLines = {
    id: "caseloadBandLines",
    beforeDatasetsDraw: function (chart, args, options) {
      var area = chart.chartArea;
      var y = chart.scales.y;
      var ctx = chart.ctx;
      (options.thresholds || []).forEach(function (threshold, index) {
        var top = y.getPixelForValue(threshold.value);
        ctx.save();
        ctx.strokeStyle = MUTED;
        ctx.lineWidth = 1.5;
        ctx.setLineDash(DASHES[index % DASHES.length]);
        ctx.beginPath();
        ctx.moveTo(area.left, top);
        ctx.lineTo(area.right, top);
        ctx.stroke();
        ctx.setLineDash([]);
        ctx.font = "12px system-ui, sans-serif";
        var width = ctx.measureText(threshold.label).width;
        // A light box behind the words keeps them readable where the score line crosses.
        ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
        ctx.fillRect(area.right - width - 8, top - 16, width + 6, 14);
        ctx.fillStyle = INK;
        ctx.textAlign = "right";
        ctx.textBaseline = "bottom";
        ctx.fillText(threshold.label, area.right - 4, top - 2);
        ctx.restore();
      });
    }
  };

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-trend-source"));
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var reduceMotion = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [{
          label: data.label,
          data: data.values,
          borderColor: INK,
          backgroundColor: INK,
          borderWidth: 3,
          pointStyle: "circle",
          pointRadius: 5,
          pointHoverRadius: 7,
          tension: 0
        }]
      },
      plugins: [bandLines],
      options: {
        animation: reduceMotion ? false : { duration: 300 },
        responsive: true,
        maintainAspectRatio: false,
        layout: { padding: { right: 8 } },
        scales: {
          y: {
            min: data.min,
            max: data.max,
            title: { display: true, text: "Score", color: INK },
            ticks: { color: INK, includeBounds: false }
          },
          x: {
            offset: true,
            title: { display: true, text: "Date given", color: INK },
            ticks: { color: INK }
          }
        },
        plugins: {
          legend: { display: false },
          caseloadBandLines: { thresholds: data.thresholds },
          tooltip: {
            callbacks: {
              afterLabel: function (context) { return data.bands[context.dataIndex] || ""; }
            }
          }
        }
      }
    });
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-trend-source]");
    Array.prototype.forEach.call(canvases, draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
