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
  form.addEventListener("state-restored", function () {
    refreshRows();
    rows.forEach(refreshReason);
  });

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

// Form state survives reloads (choosing a 党小组 reloads the page): every field of a
// <form class="keep-state" data-state-key=…> is kept in sessionStorage until it is submitted.
// When the organization changed, member-specific fields (attendance, chair) and the kinds are
// not carried over; a topic that was only the default is not carried over either.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.keep-state").forEach(function (form) {
    var key = "dj-form:" + form.dataset.stateKey;
    var org = form.dataset.org || "";
    var topic = form.querySelector("input[name=topic]");
    var perOrg = /^(kinds|status_|reason_|elsewhere_|host$|recorder$)/;
    function save() {
      var state = { org: org, fields: {}, topicAuto: topic ? topic.dataset.auto === "1" : false };
      Array.prototype.forEach.call(form.elements, function (el) {
        if (!el.name || el.type === "hidden" || el.type === "submit" || el.disabled) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          if (!(el.name in state.fields)) { state.fields[el.name] = []; }
          if (el.checked) { state.fields[el.name].push(el.value); }
        } else {
          state.fields[el.name] = el.value;
        }
      });
      try { sessionStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode */ }
    }
    function restore() {
      var raw = null;
      try { raw = sessionStorage.getItem(key); } catch (e) { return; }
      if (!raw || form.dataset.bound === "1") { return; }
      var state = JSON.parse(raw);
      var sameOrg = state.org === org;
      Object.keys(state.fields).forEach(function (name) {
        if (!sameOrg && perOrg.test(name)) { return; }
        if (name === "topic" && state.topicAuto) { return; }
        var value = state.fields[name];
        form.querySelectorAll("[name='" + name + "']").forEach(function (el) {
          if (el.type === "checkbox" || el.type === "radio") { el.checked = value.indexOf(el.value) >= 0; }
          else { el.value = value; }
        });
      });
      if (topic && !state.topicAuto && state.fields.topic !== undefined) { topic.dataset.auto = "0"; }
      form.dispatchEvent(new CustomEvent("state-restored"));
    }
    restore();
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () { try { sessionStorage.removeItem(key); } catch (e) { /* ignore */ } });
    var picker = document.querySelector("[data-keep-form='" + form.id + "']");
    if (picker) { picker.addEventListener("change", save); }
  });
});

// The default topic follows the kinds chosen (“12月支委会”), until the secretary types one.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("meeting-form") || document.getElementById("notice-form");
  var dataEl = document.getElementById("kind-data");
  if (!form || !dataEl) { return; }
  var data = JSON.parse(dataEl.textContent);
  var topic = form.querySelector("input[name=topic]");
  if (!topic || !data.topics) { return; }
  var defaults = Object.keys(data.topics).map(function (k) { return data.topics[k]; });
  if (topic.dataset.auto === undefined) { topic.dataset.auto = (!topic.value || defaults.indexOf(topic.value) >= 0) ? "1" : "0"; }
  function suggest() {
    var kinds = Array.prototype.map.call(form.querySelectorAll("input[name=kinds]:checked"), function (c) { return c.value; });
    var pick = data.topic_order.filter(function (k) { return kinds.indexOf(k) >= 0; })[0] || kinds[0];
    return pick ? data.topics[pick] : "";
  }
  form.querySelectorAll("input[name=kinds]").forEach(function (c) {
    c.addEventListener("change", function () { if (topic.dataset.auto === "1") { topic.value = suggest(); } });
  });
  topic.addEventListener("input", function () { topic.dataset.auto = topic.value ? "0" : "1"; });
});

// A running count above the save button: 出席 / 请假 / 缺席 of the members listed.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("meeting-form");
  var out = document.getElementById("att-summary");
  if (!form || !out) { return; }
  function count() {
    var n = { present: 0, excused: 0, absent: 0 };
    form.querySelectorAll(".attendance-row:not(.d-none) .status-radio:checked").forEach(function (r) { n[r.value] += 1; });
    out.textContent = "出席 " + n.present + " 人，请假 " + n.excused + " 人，缺席 " + n.absent + " 人";
  }
  form.addEventListener("change", count);
  form.addEventListener("state-restored", count);
  count();
});
