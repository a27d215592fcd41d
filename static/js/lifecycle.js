// 党员发展与管理：表单上的小帮助（无内联脚本，CSP）。
(function () {
  "use strict";
  // 组织关系转出：本镇内选择党支部，本镇外填写党组织名称，只显示相关的一项。
  function syncReach() {
    var reach = document.querySelector("select[name=reach]");
    var toBranch = document.querySelector("[data-field=to_branch]");
    var other = document.querySelector("[data-field=other_org]");
    if (!reach || !toBranch || !other) return;
    var within = reach.value === "本镇内";
    toBranch.classList.toggle("d-none", !within);
    other.classList.toggle("d-none", within);
  }
  // 预备党员转正：只有“延长预备期”需要填写延长月数。
  function syncOutcome() {
    var outcome = document.querySelector("select[name=outcome]");
    var months = document.querySelector("[data-field=extension_months]");
    if (!outcome || !months) return;
    months.classList.toggle("d-none", outcome.value !== "延长预备期");
  }
  document.addEventListener("change", function (e) {
    if (e.target.name === "reach") syncReach();
    if (e.target.name === "outcome") syncOutcome();
  });
  document.addEventListener("DOMContentLoaded", function () {
    syncReach();
    syncOutcome();
  });
})();
