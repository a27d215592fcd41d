// 民主评议: live count of 优秀 in the 组织评定 form and the one-third reminder (never a block).
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("grade-table");
  if (!table) { return; }
  var form = table.closest("form");
  var note = document.createElement("div");
  note.className = "form-text mb-2";
  form.insertBefore(note, form.firstChild);
  function update() {
    var selects = table.querySelectorAll("select");
    var full = selects.length, excellent = 0;
    selects.forEach(function (s) { if (s.value === "优秀") { excellent += 1; } });
    note.textContent = "已选“优秀” " + excellent + " 人 / 正式党员 " + full + " 人" +
      (excellent * 3 > full ? "（超过三分之一，保存时会提醒）" : "");
    note.classList.toggle("text-danger", excellent * 3 > full);
  }
  table.addEventListener("change", update);
  update();
});
