// Roster filters: the 党小组 select lists the groups of the chosen branch, and at county
// scale the 支部 select lists the branches of the chosen 镇（街道）, so a change of either
// reloads the form with the new lists (clearing the choices below it).
(function () {
  "use strict";
  var form = document.getElementById("roster-filter");
  if (!form) return;
  function reloadClearing(names) {
    names.forEach(function (n) {
      var el = form.elements[n];
      if (el) el.value = "";
    });
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }
  var town = form.elements.town;
  var branch = form.elements.branch;
  if (town && town.tagName === "SELECT") town.addEventListener("change", function () { reloadClearing(["branch", "group", "page"]); });
  if (branch) branch.addEventListener("change", function () { reloadClearing(["group", "page"]); });
})();
