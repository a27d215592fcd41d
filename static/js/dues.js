// 党费每月收缴：勾选即时显示人数与金额；“全选未交”。No inline scripts (strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  var ticks = Array.prototype.slice.call(document.querySelectorAll("#collect-table .tick"));
  var count = document.getElementById("ticked");
  var sum = document.getElementById("ticked-sum");
  function update() {
    var n = 0, cents = 0;
    ticks.forEach(function (t) {
      if (t.checked) { n += 1; cents += Math.round(parseFloat(t.getAttribute("data-amount")) * 100); }
    });
    if (count) { count.textContent = n; }
    if (sum) { sum.textContent = (cents / 100).toFixed(2); }
  }
  ticks.forEach(function (t) { t.addEventListener("change", update); });
  var all = document.getElementById("tick-all");
  if (all) {
    all.addEventListener("click", function () {
      var every = ticks.every(function (t) { return t.checked; });
      ticks.forEach(function (t) { t.checked = !every; });
      update();
    });
  }
  update();
});
