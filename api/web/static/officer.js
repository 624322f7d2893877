// The officer's phone page: check in with the phone's location, through the session and
// its CSRF token; a check-in taken offline is kept on the phone (per officer) and sent when
// the network returns; the officer's own events arrive on the event stream. The service
// worker (/sw.js) keeps the page readable offline.
(function () {
  "use strict";
  var root = document.getElementById("officer");
  if (!root) return;
  var officer = root.dataset.officer, csrf = root.dataset.csrf;
  var queueKey = "vigil-checkins-" + officer;
  // client_time is when the officer pressed, on the server's clock as this page last saw
  // it (a phone's own clock may be off); the server's receipt time stays the time of record.
  var skew = Date.parse(root.dataset.now) - Date.now();
  if (isNaN(skew)) skew = 0;
  var btn = document.getElementById("checkin");
  var sel = document.getElementById("checkin-mission");
  var out = document.getElementById("checkin-result");
  var qbox = document.getElementById("queue");
  var banner = document.getElementById("offline");

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/me" }).catch(function () {});
  }

  var reasons = {
    not_on_duty: "you are not on duty now",
    unknown_mission: "that mission is not on your route",
    no_planned_visit: "no planned visit there now",
    too_early: "too early for the planned visit",
    too_late: "too late for the planned visit",
    outside_area: "you are not at the mission"
  };
  function show(cls, text) {
    if (!out) return;
    out.hidden = false;
    out.className = "result " + cls;
    out.textContent = text;
  }
  // Times are the region's, as the page prints them.
  var fmt = null;
  try { fmt = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: root.dataset.tz || undefined }); } catch (e) {}
  function hm(iso) { var d = new Date(iso); return isNaN(d) ? "" : fmt ? fmt.format(d) : d.toTimeString().slice(0, 5); }

  function queue() {
    try { return JSON.parse(localStorage.getItem(queueKey) || "[]"); } catch (e) { return []; }
  }
  function saveQueue(q) {
    localStorage.setItem(queueKey, JSON.stringify(q));
    if (!qbox) return;
    qbox.hidden = q.length === 0;
    qbox.textContent = q.length ? q.length + " check-in" + (q.length > 1 ? "s" : "") + " waiting for the network" : "";
  }

  // post sends one check-in; it resolves to the stored check-in, or rejects with
  // {retry: true} when it should be sent again later (no network, store unavailable).
  function post(ci) {
    return fetch("/v1/checkins", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(ci)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (r.status === 201) return j;
        if (r.status === 503 || r.status === 429) return Promise.reject({ retry: true });
        return Promise.reject({ retry: false, message: j.error || j.message || ("refused (" + r.status + ")") });
      });
    }, function () { return Promise.reject({ retry: true }); });
  }
  function report(ci) {
    var late = ci.late_delivered ? " (sent late: taken offline)" : "";
    if (ci.verified) show("ok", "Verified ✓ at " + hm(ci.at) + late);
    else show("flag", "Flagged: " + (reasons[ci.reason] || ci.reason) + late);
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return;
    var q = queue();
    if (!q.length) return;
    flushing = true;
    post(q[0]).then(function (ci) {
      saveQueue(queue().slice(1));
      report(ci);
      flushing = false;
      flush();
    }, function (e) {
      if (!e.retry) { saveQueue(queue().slice(1)); show("flag", "Not stored: " + e.message); }
      flushing = false;
    });
  }

  function send(ci) {
    if (!navigator.onLine) {
      var q = queue(); q.push(ci); saveQueue(q);
      show("queued", "Kept on this phone; it is sent when the network returns.");
      return;
    }
    show("queued", "Sending…");
    post(ci).then(report, function (e) {
      if (e.retry) {
        var q = queue(); q.push(ci); saveQueue(q);
        show("queued", "No answer: kept on this phone and sent when the network returns.");
      } else show("flag", "Not stored: " + e.message);
    });
  }

  if (btn && sel) {
    btn.addEventListener("click", function () {
      if (!navigator.geolocation) { show("flag", "This browser gives no location."); return; }
      btn.disabled = true;
      show("queued", "Finding your position…");
      var taken = new Date(Date.now() + skew).toISOString();
      navigator.geolocation.getCurrentPosition(function (pos) {
        btn.disabled = false;
        send({ mission: sel.value, lat: pos.coords.latitude, lon: pos.coords.longitude, client_time: taken });
      }, function (err) {
        btn.disabled = false;
        show("flag", "No position: " + (err.code === 1 ? "allow location for this site" : err.message));
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 0 });
    });
  }

  function netState() {
    if (banner) banner.hidden = navigator.onLine;
    if (navigator.onLine) flush();
  }
  window.addEventListener("online", netState);
  window.addEventListener("offline", netState);
  saveQueue(queue());
  netState();

  // The officer's own events (the server sends an officer only theirs).
  var feed = document.getElementById("feed");
  if (feed && root.dataset.live === "true" && window.EventSource) {
    var names = {
      replan: "Your route was re-planned: reload for the new visits",
      shift_released: "A shift was released to you",
      checkin: "Check-in verified",
      checkin_flagged: "Check-in flagged",
      missed_visit: "A visit was marked missed",
      unit_out_of_service: "A unit was taken out of service",
      force_changed: "The force changed"
    };
    var es = new EventSource("/v1/events");
    Object.keys(names).forEach(function (type) {
      es.addEventListener(type, function (m) {
        var ev = {};
        try { ev = JSON.parse(m.data); } catch (e) {}
        var empty = document.getElementById("feed-empty");
        if (empty) empty.remove();
        var li = document.createElement("li");
        li.className = type === "checkin" ? "ok" : (type === "checkin_flagged" || type === "missed_visit") ? "flag" : "info";
        var d = ev.data || {};
        li.textContent = hm(ev.at) + " " + names[type] + (d.mission ? " — " + d.mission : "") + (d.reason ? " (" + (reasons[d.reason] || d.reason) + ")" : "");
        feed.insertBefore(li, feed.firstChild);
      });
    });
  }
})();
