// Site-wide behaviour without inline scripts (strict CSP).
document.addEventListener("DOMContentLoaded", function () {
  // Buttons that ask before acting: <button data-confirm="确定删除？">
  document.body.addEventListener("click", function (e) {
    var el = e.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { e.preventDefault(); }
  });
  // Print buttons: <button data-print>
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // Auto-submit filter selects: <select data-autosubmit>
  document.querySelectorAll("[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
});
// htmx sends the CSRF token from the cookie-less meta: read it from the form field.
document.addEventListener("htmx:configRequest", function (e) {
  var t = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (t) { e.detail.headers["X-CSRFToken"] = t.value; }
});
// Tables as cards on a phone (.table-cards, app.css): each cell gets its column's header as
// data-label unless the template set one.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.table-cards").forEach(function (t) {
    var heads = Array.prototype.map.call(t.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    t.querySelectorAll("tbody > tr").forEach(function (tr) {
      var i = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        var span = cell.colSpan || 1;
        if (!cell.hasAttribute("data-label")) { cell.setAttribute("data-label", span > 1 ? "" : (heads[i] || "")); }
        i += span;
      });
    });
  });
  // Filter panels folded on a phone: form.filters with four or more fields.
  if (!window.matchMedia("(max-width: 767.98px)").matches) { return; }
  document.querySelectorAll("form.filters").forEach(function (f) {
    var fields = f.querySelectorAll("input:not([type=hidden]):not([type=submit]), select");
    if (fields.length < 4) { return; }
    var set = 0;
    fields.forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) { set += 1; } }
      else if (el.value && el.value.trim() !== "") { set += 1; }
    });
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-outline-secondary filter-toggle no-print";
    b.setAttribute("aria-expanded", "false");
    b.innerHTML = "<span>筛选条件</span><span class=\"small text-muted\">" + (set ? "已设 " + set + " 项 · 点开修改" : "点开选择") + "</span>";
    f.classList.add("filters-folded");
    f.parentNode.insertBefore(b, f);
    b.addEventListener("click", function () {
      var folded = f.classList.toggle("filters-folded");
      b.setAttribute("aria-expanded", folded ? "false" : "true");
    });
  });
});
// Result toasts (base.html): the server renders them shown, so the words are there without
// scripts; a success hides itself after ~5 s (longer for a long message: about four characters
// a second), an info stays until closed. Hovering or focusing a toast pauses it (Bootstrap).
document.addEventListener("DOMContentLoaded", function () {
  if (!window.bootstrap || !window.bootstrap.Toast) { return; }
  document.querySelectorAll(".result-toast").forEach(function (el) {
    var base = parseInt(el.getAttribute("data-autohide") || "0", 10);
    var delay = Math.min(12000, Math.max(base, el.textContent.trim().length * 250));
    window.bootstrap.Toast.getOrCreateInstance(el, { autohide: base > 0, delay: delay }).show();
  });
});
