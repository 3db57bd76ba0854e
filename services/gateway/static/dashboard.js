/* Làng Xanh dashboard: the four targets of Plan 307/KH-UBND against the roadmap, per unit and
 * quarter (table, bars with the roadmap marker, an 8-quarter trend), and a map of the sites.
 *
 * Data: the gateway's public API only (GET v1/indicators/{period}[?unit=], GET dashboard/sites.json);
 * the page's settings come from the <script id="lx-config"> the /dashboard route renders.
 * Every figure shown carries data-period, data-unit, data-target, data-field and data-value (the
 * raw number as the API gave it; empty for none), so a test can read what is shown.
 * No external request is needed: Leaflet is served from static/vendor; map tiles are optional. */
(function () {
  "use strict";

  const SVG_NS = "http://www.w3.org/2000/svg";
  const config = JSON.parse(document.getElementById("lx-config").textContent);
  const TARGETS = Object.keys(config.targets);
  const UNIT_RE = new RegExp(config.unit_pattern);
  const $ = (id) => document.getElementById(id);

  // -- quarters ------------------------------------------------------------------------------
  const quarterIndex = (text) => {
    const m = /^(\d{4})Q([1-4])$/.exec(text || "");
    return m ? Number(m[1]) * 4 + Number(m[2]) - 1 : null;
  };
  const quarterOf = (i) => `${Math.floor(i / 4)}Q${(i % 4) + 1}`;
  const FIRST = quarterIndex(config.first_quarter);
  const CURRENT = quarterIndex(config.current_quarter);
  const PERIODS = [];
  for (let i = CURRENT; i >= FIRST; i--) PERIODS.push(quarterOf(i)); // newest first
  const DEFAULT_PERIOD = quarterOf(Math.max(FIRST, CURRENT - 1)); // the latest complete quarter

  // -- formatting ----------------------------------------------------------------------------
  const none = (x) => x === null || x === undefined;
  const pct = (r) => {
    // as the reports print it (Python's f"{r * 100:.1f} %"): correctly rounded, and an exact tie
    // (x.25 or x.75) to the even digit, where toFixed would round x.25 up
    if (none(r)) return "—";
    const x = r * 100;
    const tie = Number.isInteger(x * 4) && Math.abs(x * 4) % 4 === 1;
    return `${(tie ? Math.floor(x * 10) / 10 : x).toFixed(1)} %`;
  };
  const num = (x) => (none(x) ? "—" : Number(x).toLocaleString("vi-VN", { maximumFractionDigits: 3 }));
  const raw = (x) => (none(x) ? "" : String(x));

  function unitLabel(unit) {
    const [level, code] = unit.split(":");
    if (level === "city") return "Thành phố Hà Nội";
    if (level === "district") return `${config.districts[code] || code} (cũ)`;
    return config.communes[code] || code;
  }

  // -- state ---------------------------------------------------------------------------------
  const query = new URLSearchParams(window.location.search);
  const state = {
    period: PERIODS.includes((query.get("period") || "").toUpperCase()) ? query.get("period").toUpperCase() : DEFAULT_PERIOD,
    unit: UNIT_RE.test(query.get("unit") || "") ? query.get("unit") : "city:hanoi",
  };

  function setStatus(kind, message) {
    document.body.dataset.state = kind;
    document.body.dataset.period = state.period;
    document.body.dataset.unit = state.unit;
    $("status").textContent = message;
  }

  // -- data ----------------------------------------------------------------------------------
  const cache = new Map();

  function getJSON(url) {
    if (!cache.has(url)) {
      cache.set(url, fetch(url, { headers: { Accept: "application/json" } }).then((r) => {
        if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
        return r.json();
      }).catch((e) => {
        cache.delete(url);
        throw e;
      }));
    }
    return cache.get(url);
  }

  const indicators = (period, unit) =>
    getJSON(`v1/indicators/${encodeURIComponent(period)}${unit ? `?unit=${encodeURIComponent(unit)}` : ""}`);
  const sites = () => getJSON("dashboard/sites.json");
  const unitOf = (answer, unit) => (answer.units || []).find((u) => u.unit === unit) || null;

  async function trend(period, unit, current) {
    const end = quarterIndex(period);
    const quarters = [];
    for (let i = Math.max(FIRST, end - 7); i <= end; i++) quarters.push(quarterOf(i));
    const rows = await Promise.all(quarters.map((q) =>
      q === period ? Promise.resolve(current) : indicators(q, unit).then((a) => unitOf(a, unit))));
    return quarters.map((q, i) => ({ period: q, figures: rows[i] }));
  }

  // -- the figures' tags ---------------------------------------------------------------------
  function tag(el, period, unit, target, field, value) {
    el.setAttribute("data-period", period);
    el.setAttribute("data-unit", unit);
    el.setAttribute("data-target", target);
    el.setAttribute("data-field", field);
    el.setAttribute("data-value", raw(value));
    return el;
  }

  function svg(name, attrs, parent) {
    const el = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (parent) parent.appendChild(el);
    return el;
  }

  function svgText(parent, x, y, text, attrs) {
    const el = svg("text", { x, y, ...(attrs || {}) }, parent);
    el.textContent = text;
    return el;
  }

  // -- pickers -------------------------------------------------------------------------------
  function fillPeriods() {
    const select = $("period");
    select.replaceChildren(...PERIODS.map((p) => new Option(p, p, false, p === state.period)));
  }

  function fillUnits(answer) {
    const units = new Set((answer.units || []).map((u) => u.unit));
    units.add("city:hanoi");
    units.add(state.unit); // a unit asked for keeps its place, even with no data this quarter
    const byName = (a, b) => unitLabel(a).localeCompare(unitLabel(b), "vi");
    const groups = [
      [null, [...units].filter((u) => u.startsWith("city:"))],
      ["Quận, huyện, thị xã (đến 30/6/2025)", [...units].filter((u) => u.startsWith("district:")).sort(byName)],
      ["Xã, phường (từ 1/7/2025)", [...units].filter((u) => u.startsWith("commune:")).sort(byName)],
    ];
    const select = $("unit");
    select.replaceChildren();
    for (const [label, list] of groups) {
      if (!list.length) continue;
      const parent = label ? select.appendChild(Object.assign(document.createElement("optgroup"), { label })) : select;
      for (const u of list) parent.appendChild(new Option(unitLabel(u), u, false, u === state.unit));
    }
  }

  // -- table ---------------------------------------------------------------------------------
  function renderTable(figures) {
    const { period, unit } = state;
    $("figures-title").textContent = `Bốn chỉ tiêu so với lộ trình — ${unitLabel(unit)}, ${period}`;
    const table = $("targets");
    table.setAttribute("data-period", period);
    table.setAttribute("data-unit", unit);
    const body = table.tBodies[0];
    body.replaceChildren();
    for (const t of TARGETS) {
      const f = figures ? figures.targets[t] : null;
      const row = body.insertRow();
      row.setAttribute("data-target", t);
      const name = document.createElement("th");
      name.scope = "row";
      name.textContent = config.targets[t];
      row.appendChild(name);
      const cell = (field, value, text) => {
        const td = tag(document.createElement("td"), period, unit, t, field, value);
        td.textContent = text;
        return row.appendChild(td);
      };
      cell("numerator", f && f.numerator, num(f && f.numerator));
      cell("denominator", f && f.denominator, num(f && f.denominator));
      cell("ratio", f && f.ratio, pct(f && f.ratio));
      cell("target", f && f.target, pct(f && f.target));
      const status = (f && f.status) || null;
      const td = cell("status", status, config.statuses[status || "no_data"]);
      td.className = `status status-${status || "no_data"}`;
    }
  }

  // -- bars: each target's ratio against the roadmap's marker --------------------------------
  function renderBars(figures) {
    const { period, unit } = state;
    const W = 560, BAR = 420, ROW = 46, H = ROW * TARGETS.length + 18;
    const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
                              "aria-label": `Tỉ lệ đạt và lộ trình — ${unitLabel(unit)} ${period}` });
    for (const [x, label] of [[0, "0 %"], [BAR / 2, "50 %"], [BAR, "100 %"]]) {
      svg("line", { x1: x + 1, x2: x + 1, y1: 4, y2: H - 14, class: "grid" }, root);
      svgText(root, Math.max(0, x - 10), H - 3, label, { "font-size": 9, fill: "#777" });
    }
    TARGETS.forEach((t, i) => {
      const f = figures ? figures.targets[t] : null;
      const y = 4 + i * ROW;
      svgText(root, 2, y + 11, config.targets[t], { "font-size": 11 });
      svg("rect", { x: 1, y: y + 16, width: BAR, height: 16, class: "bar-bg" }, root);
      if (f && !none(f.ratio)) {
        tag(svg("rect", { x: 1, y: y + 16, width: (BAR * Math.min(1, Math.max(0, f.ratio))).toFixed(1), height: 16,
                          class: "bar" }, root), period, unit, t, "ratio", f.ratio);
      }
      if (f && !none(f.target)) {
        const x = 1 + BAR * Math.min(1, Math.max(0, f.target));
        const marker = tag(svg("line", { x1: x.toFixed(1), x2: x.toFixed(1), y1: y + 12, y2: y + 36, class: "marker" }, root),
                           period, unit, t, "target", f.target);
        svg("title", {}, marker).textContent = `Lộ trình ${period}: ${pct(f.target)}`;
      }
      tag(svgText(root, BAR + 10, y + 29, pct(f && f.ratio), { "font-size": 12, "font-weight": 600 }),
          period, unit, t, "ratio", f && f.ratio);
    });
    $("bars").replaceChildren(root);
  }

  // -- trend: 8 quarters of each target, ratio and roadmap -----------------------------------
  function renderTrend(points) {
    const { unit } = state;
    const W = 300, H = 150, L = 34, R = 18, TOP = 10, SPAN = 100;
    const step = points.length > 1 ? (W - L - R) / (points.length - 1) : 0;
    const xOf = (i) => L + step * i;
    const yOf = (r) => TOP + (1 - Math.min(1, Math.max(0, r))) * SPAN;
    const figures = TARGETS.map((t) => {
      const fig = document.createElement("figure");
      fig.setAttribute("data-target", t);
      const caption = document.createElement("figcaption");
      caption.textContent = config.targets[t];
      const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img",
                                "aria-label": `Diễn biến — ${config.targets[t]}` });
      for (const [r, label] of [[1, "100 %"], [0.5, "50 %"], [0, "0 %"]]) {
        svg("line", { x1: L, x2: W - R, y1: yOf(r), y2: yOf(r), class: "grid" }, root);
        svgText(root, 0, yOf(r) + 3, label, { "font-size": 9, fill: "#777" });
      }
      points.forEach((p, i) => svgText(root, xOf(i), H - 22, p.period.slice(2),
                                       { "font-size": 9, fill: "#555", "text-anchor": "middle" }));
      for (const [field, cls] of [["target", "target-line"], ["ratio", "ratio-line"]]) {
        let run = [];
        const flush = () => {
          if (run.length > 1) svg("polyline", { points: run.join(" "), class: cls }, root);
          run = [];
        };
        points.forEach((p, i) => {
          const f = p.figures ? p.figures.targets[t] : null;
          const v = f ? f[field] : null;
          if (none(v)) return flush();
          run.push(`${xOf(i).toFixed(1)},${yOf(v).toFixed(1)}`);
          const dot = tag(svg("circle", { cx: xOf(i).toFixed(1), cy: yOf(v).toFixed(1), r: field === "ratio" ? 3 : 2,
                                          class: field === "ratio" ? "point" : "target-point",
                                          fill: field === "ratio" ? "#1565c0" : "#c62828" }, root),
                          p.period, unit, t, field, v);
          svg("title", {}, dot).textContent = `${p.period}: ${field === "ratio" ? "đạt" : "lộ trình"} ${pct(v)}`;
        });
        flush();
      }
      const last = points[points.length - 1];
      const lf = last && last.figures ? last.figures.targets[t] : null;
      svgText(root, L, H - 6, `${last ? last.period : ""}: ${pct(lf && lf.ratio)} / lộ trình ${pct(lf && lf.target)}`,
              { "font-size": 10, fill: "#333" });
      fig.append(caption, root);
      return fig;
    });
    $("trend").replaceChildren(...figures);
  }

  // -- map -----------------------------------------------------------------------------------
  let map = null;
  let layer = null;

  function ensureMap() {
    if (map) return map;
    if (!window.L) throw new Error("Leaflet did not load");
    const el = $("map");
    map = window.L.map(el, { center: [21.03, 105.85], zoom: 10 });
    if (config.tiles) {
      el.dataset.tiles = "requested";
      const tiles = window.L.tileLayer(config.tiles, { maxZoom: 19, attribution: config.tiles_attribution || "" });
      let noted = false;
      tiles.on("tileload", () => { el.dataset.tiles = "loaded"; });
      tiles.on("tileerror", () => {
        if (el.dataset.tiles === "loaded") return;
        el.dataset.tiles = "unavailable";
        if (noted) return;
        noted = true;
        const note = window.L.control({ position: "bottomleft" });
        note.onAdd = () => Object.assign(document.createElement("div"), {
          className: "tiles-note", textContent: "Không tải được nền bản đồ — các cơ sở vẫn được hiển thị" });
        note.addTo(map);
      });
      tiles.addTo(map);
    }
    const legend = $("legend");
    legend.replaceChildren(...Object.entries(config.kinds).map(([kind, label]) => {
      const li = document.createElement("li");
      li.append(Object.assign(document.createElement("span"), { className: `lx-marker lx-kind-${kind}` }), label);
      return li;
    }));
    return map;
  }

  function inUnit(site, unit) {
    const [level, code] = unit.split(":");
    if (level === "district") return site.old_district === code;
    if (level === "commune") return site.commune === code;
    return true;
  }

  function popup(site) {
    const div = document.createElement("div");
    const line = (cls, text) => div.appendChild(Object.assign(document.createElement("div"), { className: cls, textContent: text }));
    line("popup-name", site.name);
    line("popup-kind", config.kinds[site.kind] || site.kind);
    line("popup-commune", site.commune_name || (site.district_name ? `${site.district_name} (cũ)` : "—"));
    return div;
  }

  function renderMap(all) {
    const m = ensureMap();
    const L = window.L;
    if (layer) layer.remove();
    const shown = all.filter((s) => inUnit(s, state.unit));
    layer = L.layerGroup().addTo(m);
    for (const s of shown) {
      const marker = L.marker([s.lat, s.lon], {
        icon: L.divIcon({ className: `lx-marker lx-kind-${s.kind}`, iconSize: [14, 14] }), title: s.name,
      }).bindPopup(() => popup(s));
      layer.addLayer(marker);
      const el = marker.getElement();
      Object.assign(el.dataset, { siteId: s.id, kind: s.kind, name: s.name, commune: s.commune || "",
                                  lat: String(s.lat), lon: String(s.lon) });
    }
    $("map").dataset.markers = String(shown.length);
    $("map-count").textContent = `(${shown.length} cơ sở có toạ độ)`;
    $("map-count").setAttribute("data-count", String(shown.length));
    if (shown.length) m.fitBounds(L.latLngBounds(shown.map((s) => [s.lat, s.lon])).pad(0.15), { maxZoom: 13 });
    else m.setView([21.03, 105.85], 10);
  }

  // -- the page ------------------------------------------------------------------------------
  let generation = 0;

  async function load() {
    const mine = ++generation;
    setStatus("loading", "Đang tải…");
    try {
      const [answer, places] = await Promise.all([indicators(state.period), sites()]);
      if (mine !== generation) return;
      fillUnits(answer);
      const figures = unitOf(answer, state.unit);
      renderTable(figures);
      renderBars(figures);
      renderMap(places);
      const points = await trend(state.period, state.unit, figures);
      if (mine !== generation) return;
      renderTrend(points);
      const url = `?period=${encodeURIComponent(state.period)}&unit=${encodeURIComponent(state.unit)}`;
      window.history.replaceState(null, "", url);
      setStatus("ready", figures ? `${unitLabel(state.unit)} · ${state.period}`
                                 : `${unitLabel(state.unit)} chưa có số liệu cho ${state.period}`);
    } catch (e) {
      if (mine === generation) setStatus("error", `Không tải được số liệu: ${e.message}`);
    }
  }

  fillPeriods();
  $("period").addEventListener("change", (e) => { state.period = e.target.value; load(); });
  $("unit").addEventListener("change", (e) => { state.unit = e.target.value; load(); });
  load();
})();
