/* Save an application section when the person leaves it. No framework; the page works without it:
   the section buttons are submit buttons of the form, so JavaScript-off navigation saves too.
   With JavaScript, leaving the tab sends the form in the background with fetch and takes back the
   version the server saved, so the next save of this page is not mistaken for someone else's; closing
   the page uses navigator.sendBeacon. A save refused because someone else saved the application
   meanwhile (409) writes nothing: the page says so, and the next explicit save shows their changes. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var status = document.querySelector(".autosave-status");
  var dirty = false;
  var submitting = false;
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });

  function say(text) {
    if (!status || !text) { return; }
    status.textContent = text;
    status.hidden = false;
  }

  function payload() {
    var data = new FormData(form);
    // Files are sent only with an explicit save.
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    data.append("autosave", "1");
    return data;
  }

  function takeVersion(stamp) {
    var version = form.querySelector("input[name=_version]");
    var loaded = form.querySelector("input[name=_loaded]");
    if (version && loaded && stamp && stamp.version) {
      version.value = stamp.version;
      loaded.value = stamp.loaded;
    }
  }

  function saveInBackground(leaving) {
    if (!dirty || submitting) { return; }
    dirty = false;
    var data = payload();
    if (leaving && navigator.sendBeacon && navigator.sendBeacon(form.action, data)) { return; }
    if (!window.fetch) { return; }
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin", keepalive: true })
      .then(function (response) {
        if (response.status === 409) { say(status && status.getAttribute("data-stale")); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (stamp) {
        if (stamp) { takeVersion(stamp); say(status && status.getAttribute("data-saved")); }
      })
      .catch(function () { dirty = true; });
  }
  window.addEventListener("pagehide", function () { saveInBackground(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { saveInBackground(false); }
  });
})();
