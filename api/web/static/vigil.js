// Vigil dashboard: a little script, and the pages work without it.
(function () {
  "use strict";
  // Selects marked data-autosubmit submit their form when changed.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
  // Signing out forgets the officer page's offline copy on this device.
  var so = document.querySelector("form.signout");
  if (so && window.caches) {
    so.addEventListener("submit", function () { caches.delete("vigil-me-v1"); });
  }
  // Compliance follows the event stream, on the session cookie (same origin).
  var box = document.getElementById("compliance");
  if (!box || box.dataset.live !== "true" || !window.EventSource) return;
  var timer = null;
  function reload() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(box.dataset.src, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () {});
    }, 300);
  }
  var es = new EventSource(box.dataset.events);
  es.onmessage = reload;
  ["replan", "missed_visit", "checkin_flagged", "shift_released", "unit_out_of_service", "force_changed"].forEach(function (name) {
    es.addEventListener(name, reload);
  });
})();
