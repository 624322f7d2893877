// Vigil's service worker for the officer page (scope /me): the page and its files are kept
// so the released shift stays readable offline. It never touches the API (/v1/…) or any
// request that is not a GET: a check-in taken offline is queued by the page (officer.js).
"use strict";
var CACHE = "vigil-me-v1";
var FILES = ["/static/vigil.css", "/static/vigil.js", "/static/officer.js", "/static/vigil.webmanifest", "/static/icon-192.png",
  "/static/leaflet/leaflet.css", "/static/leaflet/leaflet.js", "/static/map.js"];

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(FILES); }).then(function () { return self.skipWaiting(); }));
});
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/v1/") === 0) return;
  if (req.mode === "navigate" && url.pathname === "/me") {
    // The page: the network first (fresh plan), the last copy when offline.
    e.respondWith(fetch(req).then(function (r) {
      if (r.ok && !r.redirected) {
        var copy = r.clone(), plain = url.search ? null : r.clone();
        caches.open(CACHE).then(function (c) { c.put(req, copy); if (plain) c.put("/me", plain); });
      }
      return r;
    }).catch(function () {
      return caches.match(req).then(function (hit) { return hit || caches.match("/me"); });
    }));
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.match(req).then(function (hit) {
      return hit || fetch(req).then(function (r) {
        if (r.ok) { var copy = r.clone(); caches.open(CACHE).then(function (c) { c.put(req, copy); }); }
        return r;
      });
    }));
  }
});
