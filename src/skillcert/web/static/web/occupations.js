/* The occupations step of the application wizard: add and remove rows, and look occupations
   up in the public catalog (GET /api/v1/occupations?q=: any part of the name, the pinyin
   initials such as "yyy" for 育婴员, or a code prefix). Without this script the
   table still works: rows are saved as typed and blank rows are ignored. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-occupations]");
  if (!form) return;
  var rows = form.querySelector("[data-rows]");
  var template = form.querySelector("template[data-row-template]");
  var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
  var addButton = form.querySelector("[data-add-row]");

  function rowCount() {
    return rows.querySelectorAll("tr[data-row]").length;
  }

  function showRemoveButtons() {
    var buttons = rows.querySelectorAll("[data-remove-row]");
    buttons.forEach(function (button) { button.hidden = buttons.length < 2; });
  }

  function addRow() {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html.trim();
    var row = holder.querySelector("tr");
    rows.appendChild(row);
    total.value = String(index + 1);
    wire(row);
    showRemoveButtons();
    var first = row.querySelector("[data-occupation-name]");
    if (first) first.focus();
  }

  /* A removed row leaves a gap in the numbering; the server ignores missing rows. */
  function removeRow(row) {
    if (rowCount() < 2) return;
    row.parentNode.removeChild(row);
    showRemoveButtons();
  }

  var hits = {};

  /* What an option shows beside the name: the code first (a new occupation not yet in the
     2022 edition has none: say so), then 新职业 with the document that published it. */
  function describe(hit) {
    var parts = [hit.code || "大典暂无编码"];
    if (hit.new_occupation) parts.push(hit.document_no ? "新职业（" + hit.document_no + "）" : "新职业");
    if (hit.access_type) parts.push("准入类，不能备案");
    return parts.join(" · ");
  }

  function lookup(input) {
    var text = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    if (!list || text.length < 1) return;
    fetch("/api/v1/occupations?q=" + encodeURIComponent(text), {
      headers: { Accept: "application/json" },
      credentials: "omit"
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) {
        if (input.value.trim() !== text) return;
        list.innerHTML = "";
        /* Browsers show the options whose value or label contains what was typed: found by
           pinyin initials, the name does not contain them, so the label repeats them. */
        var initials = /^[a-z0-9]*[a-z][a-z0-9]*$/i.test(text) ? " · 拼音首字母 " + text : "";
        found.forEach(function (hit) {
          hits[hit.name] = hit;
          var option = document.createElement("option");
          option.value = hit.name;
          option.label = describe(hit) + initials;
          option.textContent = option.label;
          list.appendChild(option);
        });
      })
      .catch(function () { /* the code can still be typed by hand */ });
  }

  function choose(row, input) {
    var hit = hits[input.value.trim()];
    var note = row.querySelector("[data-occupation-note]");
    if (!hit) {
      if (note) note.textContent = "";
      return;
    }
    var code = row.querySelector("[data-occupation-code]");
    var isNew = row.querySelector("[data-occupation-new]");
    if (code) code.value = hit.code || "";
    if (isNew) isNew.checked = !!hit.new_occupation;
    if (note) {
      if (hit.access_type) note.textContent = "准入类职业资格，不能备案";
      else if (!hit.code) note.textContent = "新职业，职业分类大典（2022年版）暂无编码：请填写人社部发布该职业时公布的编码";
      else note.textContent = hit.new_occupation ? "新职业，编码 " + hit.code : "";
      note.classList.toggle("field-error", !!hit.access_type);
    }
  }

  function wire(row) {
    var name = row.querySelector("[data-occupation-name]");
    var timer = null;
    if (name) {
      name.addEventListener("input", function () {
        clearTimeout(timer);
        choose(row, name);
        timer = setTimeout(function () { lookup(name); }, 250);
      });
      name.addEventListener("change", function () { choose(row, name); });
    }
    var remove = row.querySelector("[data-remove-row]");
    if (remove) remove.addEventListener("click", function () { removeRow(row); });
  }

  rows.querySelectorAll("tr[data-row]").forEach(wire);
  if (addButton) {
    addButton.hidden = false;
    addButton.addEventListener("click", addRow);
  }
  showRemoveButtons();
})();
