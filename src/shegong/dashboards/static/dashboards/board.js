/* Level dashboards: draw each panel's chart from the page's figures; on the big screen, rotate the panels and
   fetch fresh figures every few seconds. */
(function () {
  "use strict";

  var dark = document.body.classList.contains("screen");

  function chartOption(spec) {
    var text = dark ? "#dbe7ff" : "#333";
    var base = {
      textStyle: { color: text, fontSize: dark ? 16 : 12 },
      tooltip: { trigger: spec.type === "pie" ? "item" : "axis" },
      legend: { top: 0, textStyle: { color: text } },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      color: ["#4f9cff", "#f5b342", "#43c59e", "#e0605e", "#a07cf7"]
    };
    if (spec.type === "pie") {
      base.series = [{
        type: "pie", radius: ["40%", "70%"],
        label: { color: text },
        data: spec.labels.map(function (label, i) { return { name: label, value: spec.series[0].data[i] }; })
      }];
      return base;
    }
    base.xAxis = { type: "category", data: spec.labels, axisLabel: { color: text } };
    base.yAxis = { type: "value", max: spec.max, axisLabel: { color: text, formatter: "{value}" + (spec.unit || "") } };
    base.series = spec.series.map(function (s) {
      return { name: s.name, type: spec.type === "line" ? "line" : "bar", data: s.data, smooth: true, connectNulls: true, symbolSize: 8 };
    });
    return base;
  }

  function draw(data) {
    if (typeof window.echarts === "undefined") { return; }
    data.panels.forEach(function (panel) {
      if (!panel.chart) { return; }
      document.querySelectorAll('[data-chart-for="' + panel.key + '"]').forEach(function (el) {
        var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
        chart.setOption(chartOption(panel.chart), true);
        chart.resize();
      });
    });
  }

  function update(data) {
    data.panels.forEach(function (panel) {
      var root = document.querySelector('[data-panel="' + panel.key + '"]');
      if (!root) { return; }
      panel.figures.forEach(function (f) {
        var el = root.querySelector('[data-figure="' + f.key + '"] [data-value]');
        if (el) { el.textContent = f.value === null ? "—" : f.unit === "%" ? f.value.toFixed(1) : String(f.value); }
      });
      (panel.tiles || []).forEach(function (t) {
        var tile = root.querySelector('[data-tile="' + t.code + '"]');
        if (!tile) { return; }
        tile.className = "dash-tile tone-" + t.tone;
        tile.querySelector(".tile-rate").textContent = t.visit_rate === null ? "—" : t.visit_rate.toFixed(1) + "%";
      });
    });
    draw(data);
    var stamp = document.getElementById("screen-updated");
    if (stamp) { stamp.textContent = data.generated_at.slice(11, 19); }
  }

  function rotate(seconds) {
    var rotor = document.getElementById("screen-rotor");
    if (!rotor) { return; }
    var panels = Array.prototype.slice.call(rotor.querySelectorAll(".dash-panel"));
    var perPage = window.innerWidth >= 1600 ? 4 : window.innerWidth >= 1000 ? 2 : panels.length;
    var start = 0;
    function show() {
      panels.forEach(function (p, i) {
        var visible = perPage >= panels.length || (i - start + panels.length) % panels.length < perPage;
        p.classList.toggle("is-hidden", !visible);
      });
      draw(JSON.parse(document.getElementById("board-data").textContent));
      start = (start + perPage) % panels.length;
    }
    show();
    if (perPage < panels.length) { window.setInterval(show, seconds * 1000); }
  }

  function refresh(url, seconds) {
    window.setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) { return; }
          document.getElementById("board-data").textContent = JSON.stringify(data);
          update(data);
        })
        .catch(function () { /* the next tick tries again; the screen keeps the last figures */ });
    }, seconds * 1000);
  }

  function clock() {
    var el = document.getElementById("screen-clock");
    if (!el) { return; }
    // The wall shows the service system's own time (the server's zone), wherever the browser's clock is set.
    var zone = el.dataset.timeZone || undefined;
    var tick = function () { el.textContent = new Date().toLocaleString("zh-CN", { hour12: false, timeZone: zone }); };
    tick();
    window.setInterval(tick, 1000);
  }

  window.addEventListener("load", function () {
    var source = document.getElementById("board-data");
    if (!source) { return; }
    draw(JSON.parse(source.textContent));
    var body = document.body;
    if (body.dataset.refreshUrl) {
      rotate(Number(body.dataset.rotateSeconds) || 12);
      refresh(body.dataset.refreshUrl, Number(body.dataset.refreshSeconds) || 30);
      clock();
      var full = document.getElementById("screen-full");
      if (full) {
        full.addEventListener("click", function () {
          if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
        });
      }
    }
    window.addEventListener("resize", function () { draw(JSON.parse(source.textContent)); });
  });
})();
