// Vigil's interactive map, over the vendored Leaflet (static/leaflet, BSD-2): the region's
// embedded basemap, zones, missions by threat (colour, shape and number), the chosen
// route with arrows and labels that declutter, grid clustering where missions crowd, and
// the units' planned positions. Everything comes from this server; there are no tiles.
(function () {
  "use strict";
  var box = document.getElementById("lmap");
  var src = document.getElementById("map-data");
  if (!box || !src || !window.L) return;
  var data = JSON.parse(src.textContent);
  box.hidden = false;
  document.documentElement.classList.add("js-map");

  var map = L.map(box, { preferCanvas: false, zoomSnap: 0.5, keyboard: true, attributionControl: true });
  map.attributionControl.setPrefix("Leaflet");
  if (data.basemap) map.attributionControl.addAttribution("Basemap: DC GIS / Open Data DC");
  L.control.scale({ imperial: false }).addTo(map);
  window.vigilMap = map; // for the browser tests and the console

  var shapes = ["", "circle", "square", "diamond", "triangle", "octagon"]; // by threat level
  function missionIcon(m, extra) {
    if (!m.threat) { // the officer's map: no threat level, a plain stop
      return L.divIcon({ className: "mk mk-circle t0" + (extra ? " " + extra : ""), html: "<span>•</span>", iconSize: [18, 18], iconAnchor: [9, 9] });
    }
    var t = Math.max(0, Math.min(5, m.threat || 0));
    return L.divIcon({
      className: "mk mk-" + shapes[t] + " t" + t + (extra ? " " + extra : ""),
      html: "<span>" + (t || "?") + "</span>", iconSize: [18, 18], iconAnchor: [9, 9]
    });
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; });
  }

  // Basemap: drawn before anything else, beneath it.
  var basePane = map.createPane("base");
  basePane.style.zIndex = 250;
  var baseStyle = {
    ward: { color: "#9aa5b1", weight: 1, dashArray: "4 4", fill: false },
    park: { color: "#8fbf8f", weight: 0.5, fillColor: "#cfe8cf", fillOpacity: 0.7 },
    water: { color: "#6fa8dc", weight: 1.5 },
    street: { color: "#b9b9b9", weight: 1 },
    road: { color: "#e0a040", weight: 2.5 }
  };
  if (data.basemap) {
    fetch(data.basemap, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (fc) {
        L.geoJSON(fc, {
          pane: "base", interactive: false,
          style: function (f) { return baseStyle[f.properties.layer] || {}; }
        }).addTo(map);
        box.dataset.basemap = "loaded";
        box.dataset.basemapMs = String(Math.round(performance.now()));
      })
      .catch(function () { box.dataset.basemap = "failed"; });
  } else {
    var note = L.control({ position: "bottomleft" });
    note.onAdd = function () {
      var d = L.DomUtil.create("div", "map-note");
      d.textContent = "No street basemap is shipped for this region: missions, zones and scale only.";
      return d;
    };
    note.addTo(map);
  }

  // Zones.
  var zones = data.zones ? L.geoJSON(data.zones, {
    filter: function (f) { return f.geometry && f.geometry.type !== "Point"; },
    style: { color: "#5b6f86", weight: 1.2, fillColor: "#dbe9f6", fillOpacity: 0.15 },
    onEachFeature: function (f, l) { l.bindTooltip("zone " + esc(f.properties.id)); }
  }).addTo(map) : null;

  var byId = {};
  (data.missions || []).forEach(function (m) { byId[m.id] = m; });

  // Routes: every unit of the shift thin, the chosen one thick with arrows and stops.
  var chosen = null, stopIds = {};
  var routeLayer = L.layerGroup().addTo(map);
  var lines = {}; // unit → its polyline's points
  var changed = {};
  (data.changed || []).forEach(function (u) { changed[u] = true; });
  // highlight marks a unit's route as changed by a re-plan: a wide magenta band beneath.
  function highlight(unit) {
    if (!lines[unit] || lines[unit].hl) return;
    lines[unit].hl = L.polyline(lines[unit].pts, { color: "#d500f9", weight: 9, opacity: 0.35, className: "changed", interactive: false })
      .addTo(routeLayer).bringToBack();
    box.dataset.changed = String((+box.dataset.changed || 0) + 1);
  }
  window.vigilMapHighlight = highlight;
  (data.routes || []).forEach(function (r) {
    var pts = (r.stops || []).map(function (s) { var m = byId[s.mission]; return m ? [m.lat, m.lon] : null; })
      .filter(Boolean);
    if (pts.length < 2 && !r.chosen) return;
    if (r.chosen) {
      chosen = r;
      r.stops.forEach(function (s) { stopIds[s.mission] = true; });
    }
    L.polyline(pts, { color: r.chosen ? "#1b3a6b" : r.colour, weight: r.chosen ? 3 : 1.5, opacity: r.chosen ? 0.9 : 0.6 })
      .bindTooltip(esc(r.unit) + ": " + (r.stops || []).length + " visits" + (changed[r.unit] ? ", changed by the re-plan" : ""), { sticky: true })
      .addTo(routeLayer);
    lines[r.unit] = { pts: pts };
  });

  // Arrows at each leg's middle, turned to the leg's screen direction (redrawn on zoom).
  var arrowLayer = L.layerGroup().addTo(map);
  function drawArrows() {
    arrowLayer.clearLayers();
    if (!chosen) return;
    var s = chosen.stops;
    for (var i = 1; i < s.length; i++) {
      var a = byId[s[i - 1].mission], b = byId[s[i].mission];
      if (!a || !b) continue;
      var pa = map.latLngToLayerPoint([a.lat, a.lon]), pb = map.latLngToLayerPoint([b.lat, b.lon]);
      if (pa.distanceTo(pb) < 28) continue; // too short to carry an arrow at this zoom
      var deg = Math.round(Math.atan2(pb.y - pa.y, pb.x - pa.x) * 180 / Math.PI);
      var mid = map.layerPointToLatLng(pa.add(pb).divideBy(2));
      var am = L.marker(mid, {
        interactive: false, keyboard: false,
        icon: L.divIcon({ className: "arrow", html: "<span>➤</span>", iconSize: [12, 12], iconAnchor: [6, 6] })
      }).addTo(arrowLayer);
      // Set through the CSSOM: the page's policy refuses style attributes in markup.
      var el = am.getElement();
      if (el) el.firstChild.style.transform = "rotate(" + deg + "deg)";
    }
  }

  // Missions: the chosen route's stops always drawn; the rest clustered on a pixel grid.
  var stopLayer = L.layerGroup().addTo(map), clusterLayer = L.layerGroup().addTo(map);
  var stopLabels = {};
  if (chosen) {
    chosen.stops.forEach(function (s) {
      (stopLabels[s.mission] = stopLabels[s.mission] || []).push(s.n + "·" + s.arrive);
    });
  }
  Object.keys(stopIds).forEach(function (id) {
    var m = byId[id];
    L.marker([m.lat, m.lon], { icon: missionIcon(m, "stop"), title: m.name, alt: m.name, riseOnHover: true, keyboard: true })
      .bindTooltip("<b>" + esc(m.name) + "</b>" + (m.threat ? "<br>threat " + m.threat : "") + "<br>visits: " + esc(stopLabels[id].join(", ")))
      .addTo(stopLayer);
  });
  var cell = 36; // px: missions closer than about this share a cluster
  function drawClusters() {
    clusterLayer.clearLayers();
    var grid = {};
    (data.missions || []).forEach(function (m) {
      if (stopIds[m.id]) return;
      var p = map.project([m.lat, m.lon]);
      var k = Math.floor(p.x / cell) + ":" + Math.floor(p.y / cell);
      (grid[k] = grid[k] || []).push(m);
    });
    Object.keys(grid).forEach(function (k) {
      var ms = grid[k];
      if (ms.length === 1) {
        var m = ms[0];
        // Single missions stay out of the Tab order (the missions table lists them all);
        // route stops and clusters are in it.
        L.marker([m.lat, m.lon], { icon: missionIcon(m), title: m.name + ", threat " + m.threat, alt: m.name, keyboard: false })
          .bindTooltip("<b>" + esc(m.name) + "</b><br>threat " + m.threat + ", " + m.visits + " visits today")
          .addTo(clusterLayer);
        return;
      }
      var lat = 0, lon = 0, top = 0;
      ms.forEach(function (m) { lat += m.lat; lon += m.lon; top = Math.max(top, m.threat || 0); });
      var c = L.marker([lat / ms.length, lon / ms.length], {
        title: ms.length + " missions, highest threat " + top, keyboard: true,
        icon: L.divIcon({ className: "cluster t" + top, html: "<span>" + ms.length + "</span>", iconSize: [28, 28], iconAnchor: [14, 14] })
      });
      c.bindTooltip(ms.length + " missions (highest threat " + top + "): " + ms.slice(0, 6).map(function (m) { return esc(m.name); }).join(", ") + (ms.length > 6 ? ", …" : ""));
      c.on("click keypress", function () {
        map.fitBounds(L.latLngBounds(ms.map(function (m) { return [m.lat, m.lon]; })).pad(0.3), { maxZoom: map.getZoom() + 3 });
      });
      c.addTo(clusterLayer);
    });
  }

  // Stop labels ("order·arrival"): shown only where they fit, greedily in visit order,
  // checked against the labels already placed; the rest stay on hover and tap.
  var labelLayer = L.layerGroup().addTo(map);
  function drawLabels() {
    labelLayer.clearLayers();
    if (!chosen) return;
    var placed = [], order = [];
    chosen.stops.forEach(function (s) { if (order.indexOf(s.mission) < 0) order.push(s.mission); });
    order.forEach(function (id) {
      // A mission visited many times shows its first three visits and how many more;
      // the whole list is on the stop's hover.
      var all = stopLabels[id];
      var m = byId[id], text = all.slice(0, 3).join(" ") + (all.length > 3 ? " +" + (all.length - 3) : "");
      var w = 7 * text.length + 8, h = 16;
      var p = map.latLngToContainerPoint([m.lat, m.lon]);
      var tries = [[11, -8], [-11 - w, -8], [-w / 2, -26], [-w / 2, 10]]; // right, left, above, below
      for (var i = 0; i < tries.length; i++) {
        var b = { x: p.x + tries[i][0], y: p.y + tries[i][1], w: w, h: h };
        var clash = placed.some(function (o) { return b.x < o.x + o.w && o.x < b.x + b.w && b.y < o.y + o.h && o.y < b.y + b.h; });
        if (!clash) {
          placed.push(b);
          L.marker([m.lat, m.lon], {
            interactive: false, keyboard: false,
            icon: L.divIcon({ className: "rlabel", html: esc(text), iconSize: [w, h], iconAnchor: [-tries[i][0], -tries[i][1]] })
          }).addTo(labelLayer);
          return;
        }
      }
    });
    box.dataset.labels = String(placed.length);
  }

  // Units' planned positions now.
  var unitLayer = L.layerGroup().addTo(map);
  function drawUnits(ps) {
    unitLayer.clearLayers();
    (ps || []).forEach(function (u) {
      L.marker([u.lat, u.lon], {
        title: u.unit + " (" + u.state.replace("_", " ") + ")", keyboard: false,
        icon: L.divIcon({ className: "unit unit-" + u.state, html: "<span>" + esc(u.unit.replace(/^[a-z]+-/, "")) + "</span>", iconSize: [34, 16], iconAnchor: [17, 8] })
      }).bindTooltip("unit " + esc(u.unit) + ", zone " + esc(u.zone) + ": " + esc(u.state.replace("_", " ")) + " (planned)").addTo(unitLayer);
    });
  }
  drawUnits(data.positions);
  if (data.position_url) {
    setInterval(function () {
      fetch(data.position_url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (j) { drawUnits(j.positions); })
        .catch(function () {});
    }, 30000);
  }

  // Check-ins and missed visits arriving on the event stream (board.js adds them here).
  window.vigilMapMark = function (lat, lon, cls, symbol, text) {
    L.marker([lat, lon], { keyboard: false, zIndexOffset: 1000, title: text, icon: L.divIcon({ className: "live " + cls, html: "<span>" + esc(symbol) + "</span>", iconSize: [22, 22], iconAnchor: [11, 11] }) })
      .bindTooltip(esc(text)).addTo(map);
  };
  window.vigilMissionPoint = function (id) { return byId[id]; };

  function redraw() { drawArrows(); drawClusters(); drawLabels(); }

  // Default view: the chosen route, else the zones, else the missions.
  var fit = null;
  if (chosen) {
    fit = L.latLngBounds(Object.keys(stopIds).map(function (id) { return [byId[id].lat, byId[id].lon]; }));
  } else if (zones && zones.getBounds().isValid()) {
    fit = zones.getBounds();
  } else if (data.missions && data.missions.length) {
    fit = L.latLngBounds(data.missions.map(function (m) { return [m.lat, m.lon]; }));
  }
  if (fit && fit.isValid()) map.fitBounds(fit.pad(0.08), { maxZoom: 16 });
  else map.setView([38.9, -77.03], 12);
  redraw();
  map.on("zoomend", redraw);
  Object.keys(changed).forEach(highlight);
  box.dataset.readyMs = String(Math.round(performance.now()));
  box.dataset.ready = "true";
})();
