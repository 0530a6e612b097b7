/* Page behaviour: the phone menu, ECharts charts described by data attributes, re-run after htmx swaps. */
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var NARROW = 560; // px: below this a chart with many categories lays its bars sideways

  var renderers = {
    coverage: function (el, data) {
      var percent = { formatter: "{value}%" };
      var rate = { type: "value", max: 100, axisLabel: percent };
      var regions = { type: "category", data: data.labels, axisLabel: { interval: 0 } };
      var sideways = el.clientWidth < NARROW && data.labels.length > 4;
      if (sideways) {
        // One row per region, top to bottom in table order, tall enough for every name to be read.
        regions.inverse = true;
        el.style.height = Math.max(260, data.labels.length * 44 + 70) + "px";
      } else {
        el.style.height = "";
        regions.axisLabel.rotate = data.labels.length > 6 ? 35 : 0;
      }
      return {
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
        legend: { top: 0 },
        grid: sideways ? { left: 10, right: 24, bottom: 10, top: 36, containLabel: true }
                       : { left: 40, right: 10, bottom: 60, top: 36 },
        xAxis: sideways ? rate : regions,
        yAxis: sideways ? regions : rate,
        series: [
          { name: el.dataset.labelStation, type: "bar", data: data.station_rate, itemStyle: { color: "#c2410c" } },
          { name: el.dataset.labelRoom, type: "bar", data: data.room_rate, itemStyle: { color: "#1d4ed8" } }
        ].filter(function (s) {
          // Villages under a township have no station rate: leave out a series with nothing to show.
          return s.data.some(function (v) { return v != null; });
        })
      };
    },
    bars: function (el, data) {
      // Counts per month (sessions, activities, people served): grouped bars, whole numbers on the axis; parts of
      // one whole (findings by state) stacked when the data says so. A series of a much larger scale (people
      // served) says axis: 1 and is drawn as a line against a second axis on the right.
      var second = data.series.some(function (s) { return s.axis === 1; });
      var yAxis = [{ type: "value", minInterval: 1 }];
      if (second) { yAxis.push({ type: "value", minInterval: 1, splitLine: { show: false } }); }
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: second ? 48 : 10, bottom: 40, top: 56 },
        xAxis: { type: "category", data: data.labels },
        yAxis: yAxis,
        series: data.series.map(function (s) {
          if (s.axis === 1) { return { name: s.name, type: "line", yAxisIndex: 1, data: s.data }; }
          return { name: s.name, type: "bar", data: s.data, stack: data.stack ? "total" : undefined };
        })
      };
    },
    line: function (el, data) {
      // Counts (sessions, attendances) step by whole numbers: an axis of 0.2, 0.4 … reads as fractions of a session.
      var whole = data.series.every(function (s) {
        return s.data.every(function (v) { return v == null || Number.isInteger(v); });
      });
      return {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 40, right: 10, bottom: 40, top: 36 },
        xAxis: { type: "category", data: data.labels },
        yAxis: { type: "value", max: data.max || null, minInterval: whole ? 1 : null,
                 axisLabel: { formatter: data.unit ? "{value}" + data.unit : "{value}" } },
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
      var option = build(el, data);
      option.textStyle = { fontFamily: window.getComputedStyle(document.body).fontFamily };
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el);
      chart.setOption(option, true);
      chart.resize();
      el.dataset.rendered = "1";
    });
  }

  // The account menu and the grouped main menus in the top bar are <details>: a click elsewhere or Escape closes
  // them. On a phone the main menu's groups are headings of one list, always unfolded.
  var phone = window.matchMedia("(max-width: 760px)");
  function closeMenus(except) {
    document.querySelectorAll("details.user-menu[open], details.nav-group[open]").forEach(function (menu) {
      if (menu !== except && !(phone.matches && menu.classList.contains("nav-group"))) { menu.removeAttribute("open"); }
    });
  }
  function unfoldPhoneMenu() {
    document.querySelectorAll("details.nav-group").forEach(function (group) {
      if (phone.matches) { group.setAttribute("open", ""); } else { group.removeAttribute("open"); }
    });
  }
  unfoldPhoneMenu();
  if (phone.addEventListener) { phone.addEventListener("change", unfoldPhoneMenu); }
  document.addEventListener("click", function (event) {
    var summary = event.target.closest("details.nav-group > summary");
    if (summary && phone.matches) { event.preventDefault(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { closeMenus(null); }
  });

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.user-menu, details.nav-group"));
    var toggle = event.target.closest("[data-toggle]");
    if (!toggle) { return; }
    var target = document.getElementById(toggle.dataset.toggle);
    if (target) {
      var open = target.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    }
  });
  // A list that stacks into cards on a phone (table.stack-phone) labels each cell with its column's heading.
  function labelCells(root) {
    (root || document).querySelectorAll("table.stack-phone").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          if (cell.tagName === "TD" && !cell.hasAttribute("data-label") && headings[index] && cell.colSpan === 1) {
            cell.setAttribute("data-label", headings[index]);
          }
        });
      });
    });
  }

  // A list's filter panel (details[data-open-wide]) is open on a wide screen, where app.css hides its toggle; a phone
  // folds it behind the toggle so the list starts on the first screen.
  function openWidePanels() {
    if (!window.matchMedia("(min-width: 761px)").matches) { return; }
    document.querySelectorAll("details[data-open-wide]:not([open])").forEach(function (panel) { panel.open = true; });
  }

  document.addEventListener("DOMContentLoaded", function () { labelCells(document); openWidePanels(); });
  window.addEventListener("load", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (event) { labelCells(event.target); drawCharts(event.target); });
  var resizing = null;
  window.addEventListener("resize", function () {
    // Redraw rather than only resize: crossing the narrow width turns the coverage bars sideways.
    window.clearTimeout(resizing);
    resizing = window.setTimeout(function () { drawCharts(document); }, 150);
  });
})();
