// Làng Xanh staff inbox: the map of the listed reports (coarse locations, about 1 km, as the
// dashboard shows them). The points come from <script type="application/json" id="inbox-points">;
// no inline script (CSP script-src 'self'). Without Leaflet or points the map stays empty.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("inbox-map");
  var data = document.getElementById("inbox-points");
  if (!el || !data || !window.L) return;
  var points = [];
  try { points = JSON.parse(data.textContent || "[]"); } catch (e) { return; }
  var map = window.L.map(el, { center: [21.03, 105.85], zoom: 10 });
  var tiles = el.dataset.tiles;
  if (tiles) window.L.tileLayer(tiles, { maxZoom: 19 }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var marker = window.L.circleMarker([p.lat, p.lon], {
      radius: 7, color: p.overdue ? "#b3261e" : "#1b6e3a", fillOpacity: 0.6
    }).addTo(map);
    var link = document.createElement("a");
    link.href = "/staff/inbox/" + encodeURIComponent(p.id);
    link.textContent = p.ticket;
    marker.bindPopup(link);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) map.fitBounds(bounds, { maxZoom: 14, padding: [20, 20] });
});
