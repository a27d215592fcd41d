// 数据看板: draws the charts described in the json_script "dashboard-data" with ECharts.
// Clicking a bar, slice or cell opens the list behind it (urls per label, or the chart url).
(function () {
  "use strict";
  var COLORS = ["#b3120f", "#e0620d", "#d4a017", "#3c8d5a", "#2f6fb0", "#6f4ea0", "#8a6d3b", "#5a5a5a", "#c05680", "#1b998b"];

  function navigate(spec, index) {
    var target = (spec.urls && spec.urls[index]) || spec.url;
    if (target) { window.location.href = target; }
  }

  function baseOption(spec) {
    return { color: COLORS, animation: false, tooltip: { trigger: spec.type === "pie" ? "item" : "axis" }, textStyle: { fontSize: 13 } };
  }

  function barOption(spec) {
    var opt = baseOption(spec);
    var cat = { type: "category", data: spec.labels, axisLabel: { interval: 0, rotate: spec.horizontal ? 0 : (spec.labels.length > 6 ? 30 : 0) } };
    var val = { type: "value" };
    opt.grid = { left: spec.horizontal ? 120 : 40, right: 20, top: spec.series.length > 1 ? 40 : 20, bottom: 60 };
    opt.xAxis = spec.horizontal ? val : cat;
    opt.yAxis = spec.horizontal ? cat : val;
    if (spec.series.length > 1) { opt.legend = { top: 0 }; }
    opt.series = spec.series.map(function (s) { return { name: s.name, type: "bar", data: s.data, label: { show: spec.series.length === 1, position: spec.horizontal ? "right" : "top" } }; });
    return opt;
  }

  function pieOption(spec) {
    var opt = baseOption(spec);
    var s = spec.series[0] || { data: [] };
    opt.legend = { bottom: 0, type: "scroll" };
    opt.series = [{ name: s.name, type: "pie", radius: ["30%", "62%"], center: ["50%", "45%"],
      label: { formatter: "{b}\n{c}（{d}%）" },
      data: spec.labels.map(function (l, i) { return { name: l, value: s.data[i] }; }) }];
    return opt;
  }

  function lineOption(spec) {
    var opt = baseOption(spec);
    opt.legend = { top: 0 };
    opt.grid = { left: 60, right: spec.dual ? 60 : 20, top: 50, bottom: 30 };
    opt.xAxis = { type: "category", data: spec.labels };
    opt.yAxis = spec.dual ? [{ type: "value" }, { type: "value" }] : { type: "value" };
    opt.series = spec.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: false, yAxisIndex: spec.dual ? (s.axis || 0) : 0, label: { show: true } };
    });
    return opt;
  }

  function heatmapOption(spec) {
    var opt = baseOption(spec);
    var rows = spec.series.map(function (s) { return s.name; });
    var data = [], max = 1;
    spec.series.forEach(function (s, y) {
      s.data.forEach(function (v, x) { data.push([x, y, v]); if (v > max) { max = v; } });
    });
    opt.tooltip = { position: "top" };
    opt.grid = { left: 180, right: 20, top: 10, bottom: 60 };
    opt.xAxis = { type: "category", data: spec.labels, splitArea: { show: true } };
    opt.yAxis = { type: "category", data: rows, inverse: true, axisLabel: { width: 170, overflow: "truncate" } };
    opt.visualMap = { min: 0, max: max, calculable: false, orient: "horizontal", left: "center", bottom: 0, inRange: { color: ["#f8d7da", "#fff3cd", "#d1e7dd", "#3c8d5a"] } };
    opt.series = [{ type: "heatmap", data: data, label: { show: true } }];
    return opt;
  }

  var BUILDERS = { bar: barOption, pie: pieOption, line: lineOption, heatmap: heatmapOption };

  function draw() {
    var holder = document.getElementById("dashboard-data");
    if (!holder || !window.echarts) { return; }
    var data = JSON.parse(holder.textContent);
    var instances = [];
    data.charts.forEach(function (spec) {
      var el = document.querySelector('[data-chart="' + spec.id + '"]');
      if (!el || spec.empty) { return; }
      if (spec.type === "heatmap") {
        el.style.height = Math.max(320, 28 * spec.series.length + 90) + "px";
      }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption((BUILDERS[spec.type] || barOption)(spec));
      chart.on("click", function (params) { navigate(spec, params.dataIndex); });
      el.classList.add("chart-linked");
      instances.push(chart);
    });
    window.addEventListener("resize", function () { instances.forEach(function (c) { c.resize(); }); });
    // Print at the paper's width.
    window.addEventListener("beforeprint", function () { instances.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
