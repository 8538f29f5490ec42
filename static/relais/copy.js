/* Copy buttons: a button[data-copy="<input id>"] copies that input's text. Without JavaScript the
   button stays hidden and the read-only input is there to select and copy by hand. */
(function () {
  "use strict";
  function select(input) { input.focus(); input.select(); input.setSelectionRange(0, input.value.length); }
  document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { select(input); });
  });
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var done = function () {
        button.textContent = button.getAttribute("data-copied") || label;
        setTimeout(function () { button.textContent = label; }, 2000);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { select(input); });
      } else {
        select(input);
        try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected: the user copies */ }
      }
    });
  });
}());
