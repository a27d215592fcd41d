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
