/* Page behaviour: the phone menu, ECharts charts described by data attributes, re-run after htmx swaps. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var renderers = {
    coverage: function (el, data) {
      return {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: { left: 40, right: 10, bottom: 60, top: 36 },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 35 : 0 } },
        yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { name: el.dataset.labelStation, type: "bar", data: data.station_rate, itemStyle: { color: "#c2410c" } },
          { name: el.dataset.labelRoom, type: "bar", data: data.room_rate, itemStyle: { color: "#1d4ed8" } }
        ]
      };
    },
    line: function (el, data) {
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 10, bottom: 40, top: 36 },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", max: data.max || null, axisLabel: { formatter: data.unit ? "{value}" + data.unit : "{value}" } },
        series: data.series.map(function (s) { return { name: s.name, type: "line", smooth: true, data: s.data }; })
      };
    }
  };

  function drawCharts(root) {
    if (typeof window.echarts === "undefined") { return; }
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      var build = renderers[el.dataset.chart];
      var data = readJson(el.dataset.source);
      if (!build || !data) { return; }
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
      chart.setOption(build(el, data), true);
      el.dataset.rendered = "1";
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle]");
    if (!toggle) { return; }
    var target = document.getElementById(toggle.dataset.toggle);
    if (target) {
      var open = target.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
  window.addEventListener("load", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawCharts(event.target); });
  window.addEventListener("resize", function () {
    if (typeof window.echarts === "undefined") { return; }
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = window.echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
})();
