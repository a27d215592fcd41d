// The organization tree: collapsible (<details>), searchable by name. A match shows its
// ancestors opened; other nodes are hidden until the box is cleared.
document.addEventListener("DOMContentLoaded", function () {
  var tree = document.getElementById("org-tree");
  var box = document.getElementById("org-search");
  if (!tree || !box) { return; }
  var count = document.getElementById("org-search-count");
  var nodes = Array.prototype.slice.call(tree.querySelectorAll(".org-node"));
  // On a phone the tree starts folded below the top level: the branches are one tap away.
  if (window.matchMedia("(max-width: 767.98px)").matches) {
    tree.querySelectorAll(".org-tree .org-tree details").forEach(function (d) { d.open = false; });
  }
  function setAll(open) { tree.querySelectorAll("details").forEach(function (d) { d.open = open; }); }
  document.getElementById("org-expand").addEventListener("click", function () { setAll(true); });
  document.getElementById("org-collapse").addEventListener("click", function () { setAll(false); });
  box.addEventListener("input", function () {
    var q = box.value.trim();
    nodes.forEach(function (n) { n.classList.remove("org-miss", "org-hit"); });
    if (!q) { count.textContent = ""; return; }
    var hits = 0;
    nodes.forEach(function (n) {
      var name = n.querySelector(".org-name");
      if (name && name.textContent.indexOf(q) >= 0) {
        hits += 1;
        n.classList.add("org-hit");
        for (var p = n.parentElement; p && p !== tree; p = p.parentElement) {
          if (p.tagName === "DETAILS") { p.open = true; }
          if (p.classList.contains("org-node")) { p.classList.add("org-hit-path"); }
        }
      }
    });
    nodes.forEach(function (n) {
      if (!n.classList.contains("org-hit") && !n.classList.contains("org-hit-path") && !n.querySelector(".org-hit") &&
          !(n.parentElement && n.parentElement.closest(".org-hit"))) {
        n.classList.add("org-miss");
      }
      n.classList.remove("org-hit-path");
    });
    count.textContent = hits ? "找到 " + hits + " 个组织" : "没有名称含“" + q + "”的组织";
  });
});
