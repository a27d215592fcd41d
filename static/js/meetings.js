// 记录会议: show the expected attendees for the kinds chosen; reasons only where needed.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("meeting-form");
  if (!form) { return; }
  var dataEl = document.getElementById("kind-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : { whole: [], group: false };
  var rows = form.querySelectorAll(".attendance-row");

  function chosenKinds() {
    return Array.prototype.map.call(form.querySelectorAll("input[name=kinds]:checked"), function (c) { return c.value; });
  }
  function refreshRows() {
    var kinds = chosenKinds();
    var whole = kinds.some(function (k) { return data.whole.indexOf(k) >= 0; });
    var committee = kinds.indexOf("committee_meeting") >= 0;
    rows.forEach(function (row) {
      var show = true;
      if (data.group) { show = row.dataset.group === "1"; }
      else if (!whole && committee) { show = row.dataset.committee === "1"; }
      row.classList.toggle("d-none", !show);
      row.querySelectorAll("input").forEach(function (i) { i.disabled = !show; });
    });
  }
  function refreshReason(row) {
    var checked = row.querySelector(".status-radio:checked");
    var reason = row.querySelector(".reason-input");
    if (!reason) { return; }
    var excused = checked && checked.value === "excused";
    reason.classList.toggle("is-invalid", excused && !reason.value.trim());
    reason.required = !!excused;
  }
  form.querySelectorAll("input[name=kinds]").forEach(function (c) { c.addEventListener("change", refreshRows); });
  rows.forEach(function (row) {
    row.addEventListener("change", function () { refreshReason(row); });
    row.addEventListener("input", function () { refreshReason(row); });
    refreshReason(row);
  });
  refreshRows();

  // 补录: say so as soon as the date is further back than the setting.
  var lateBox = document.getElementById("late-box");
  var dateInput = form.querySelector("input[name=date]");
  function refreshLate() {
    if (!lateBox || !dateInput || !dateInput.value) { return; }
    var days = parseInt(lateBox.dataset.lateDays, 10);
    var d = new Date(dateInput.value + "T00:00:00");
    var today = new Date(); today.setHours(0, 0, 0, 0);
    lateBox.classList.toggle("late-needed", (today - d) / 86400000 > days);
  }
  if (dateInput) { dateInput.addEventListener("change", refreshLate); refreshLate(); }
});
