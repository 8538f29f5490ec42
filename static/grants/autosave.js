/* Save an application section when the person leaves it. No framework; the page works without it:
   the section buttons are submit buttons of the form, so JavaScript-off navigation saves too.
   With JavaScript, leaving the page by any other way (a menu link, closing the tab) sends the
   form in the background with navigator.sendBeacon (falls back to fetch keepalive). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var dirty = false;
  var submitting = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });

  function saveInBackground() {
    if (!dirty || submitting) { return; }
    var data = new FormData(form);
    // Files are sent only with an explicit save.
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    data.append("autosave", "1");
    var sent = false;
    if (navigator.sendBeacon) { sent = navigator.sendBeacon(form.action, data); }
    if (!sent && window.fetch) {
      fetch(form.action, { method: "POST", body: data, credentials: "same-origin", keepalive: true });
    }
    dirty = false;
  }
  window.addEventListener("pagehide", saveInBackground);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveInBackground(); }
  });
})();
