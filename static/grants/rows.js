/* "Add a line" for a formset (budget lines, timeline) without a reload. No framework; without
   JavaScript the button stays hidden and the blank rows the page already has are enough (saving
   adds more). A new row is the formset's empty form from its <template>, numbered with the
   management form's TOTAL_FORMS, which is then counted up; the server's cap (MAX_NUM_FORMS) holds. */
(function () {
  "use strict";
  document.querySelectorAll("button[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var template = document.getElementById(prefix + "-empty");
    var rows = document.getElementById(prefix + "-rows");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) { return; }
    function full() { return max !== null && Number(total.value) >= Number(max.value); }
    button.hidden = full();
    button.addEventListener("click", function () {
      if (full()) { return; }
      var index = Number(total.value);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
      total.value = String(index + 1);
      button.hidden = full();
      var first = rows.lastElementChild && rows.lastElementChild.querySelector("input:not([type=hidden]),select");
      if (first) { first.focus(); }
    });
  });
})();
