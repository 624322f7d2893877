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
  // The supervisor's live board: compliance follows the event stream (on the session
  // cookie, same origin); check-ins and missed visits are listed and marked on the map as
  // they arrive.
  var box = document.getElementById("compliance");
  if (!box || box.dataset.live !== "true" || !window.EventSource) return;
  var feed = document.getElementById("board-feed");
  var tz = box.dataset.tz;
  var fmt = null;
  try { fmt = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz || undefined }); } catch (e) {}
  function hm(iso) { var d = new Date(iso); return isNaN(d) ? "" : fmt ? fmt.format(d) : d.toTimeString().slice(0, 5); }
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
  function missionName(id) {
    var m = window.vigilMissionPoint && window.vigilMissionPoint(id);
    return m ? m.name : id;
  }
  function add(cls, text, id) {
    if (!feed) return;
    var empty = document.getElementById("board-empty");
    if (empty) empty.remove();
    var li = document.createElement("li");
    li.className = cls;
    if (id) li.dataset.event = id;
    li.textContent = text;
    feed.insertBefore(li, feed.firstChild);
  }
  var es = new EventSource(box.dataset.events);
  function on(type, fn) {
    es.addEventListener(type, function (m) {
      var ev = {};
      try { ev = JSON.parse(m.data); } catch (e) {}
      if (fn) fn(ev, ev.data || {});
      reload();
    });
  }
  function checkin(ev, d) {
    var ok = d.verified;
    add(ok ? "ok" : "flag", hm(d.at || ev.at) + " " + (ok ? "✓ check-in" : "⚠ flagged check-in") + " — " + d.officer + " at " + missionName(d.mission) +
      (ok ? "" : " (" + (d.reason || "?") + ")") + (d.late_delivered ? ", sent late" : ""), ev.id);
    if (window.vigilMapMark && d.lat) window.vigilMapMark(d.lat, d.lon, ok ? "ok" : "flag", ok ? "✓" : "⚠", (ok ? "check-in " : "flagged check-in ") + d.officer + " " + hm(d.at || ev.at));
  }
  on("checkin", checkin);
  on("checkin_flagged", checkin);
  on("missed_visit", function (ev, d) {
    add("missed", hm(d.arrive) + " ✗ missed visit — " + (d.mission_name || d.mission) + ", unit " + d.unit, ev.id);
    var m = window.vigilMissionPoint && window.vigilMissionPoint(d.mission);
    if (m && window.vigilMapMark) window.vigilMapMark(m.lat, m.lon, "missed", "✗", "missed " + hm(d.arrive) + " " + m.name);
  });
  on("replan", function (ev, d) {
    add("info", hm(ev.at) + " re-planned: revision " + d.revision + (d.unit ? ", unit " + d.unit : "") + " — reload the page for the new routes", ev.id);
    if (d.unit && window.vigilMapHighlight) window.vigilMapHighlight(d.unit);
  });
  ["shift_released", "unit_out_of_service", "force_changed"].forEach(function (t) {
    on(t, function (ev) { add("info", hm(ev.at) + " " + t.replace(/_/g, " "), ev.id); });
  });
  es.onmessage = reload;
})();
