/* The occupations step of the application wizard: add and remove rows, and look occupations
   up by name in the public catalog (GET /api/v1/occupations?q=). Without this script the
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

  function describe(hit) {
    var parts = [hit.code];
    if (hit.new_occupation) parts.push("新职业");
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
        found.forEach(function (hit) {
          hits[hit.name] = hit;
          var option = document.createElement("option");
          option.value = hit.name;
          option.label = describe(hit);
          option.textContent = describe(hit);
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
    if (code) code.value = hit.code;
    if (isNew) isNew.checked = !!hit.new_occupation;
    if (note) {
      note.textContent = hit.access_type ? "准入类职业资格，不能备案" : "";
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
