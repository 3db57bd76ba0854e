"""The dashboard in a real browser: the gateway served by uvicorn on a loopback port (services
in-process, Hanoi seeded, a few villages classified and a cluster's plant operating), the page
loaded by Debian's headless Chromium with every host but 127.0.0.1 unresolvable (so map tiles are
unreachable), its DOM parsed; every figure it shows (tagged data-period/-unit/-target/-field/-value)
must equal the indicators service's own answer (figures and roadmap), and the map must hold one
marker per active site with a location. Chromium's net log shows which hosts the page asked for."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from shared import reference
from shared.kit.actor import SYSTEM, Actor
from shared.kit.calendar import local_date
from shared.reports import STATUS_VI, pct
from shared.seed import seed_steps
from tests.gateway.conftest import Gateway

AGENCY = Actor("so-nnmt-officer", "agency")
OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
FIELDS = ("numerator", "denominator", "ratio", "target", "status")
CONDITIONS = ("protection_plan", "self_management_group", "drainage", "central_wwtp", "solid_waste_point")
# what the seed loads: one marker per site with a location; the village targets' denominator in
# 2024–2025 is every recognised village but those whose recognition QĐ 2546 withdrew (28/04/2023)
WITH_LOCATION = sum(1 for s in reference.sites() if s.get("location"))
COUNTED_VILLAGES = sum(1 for s in reference.sites() if s["kind"] == "craft_village" and s.get("recognised")) - \
    len([step for step in seed_steps() if step.label.endswith("(thu hồi danh hiệu)")])


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    if not found:
        pytest.fail("chromium is not installed: `make test` installs Debian's package (the .venv/.chromium step), "
                    "or run `apt-get install -y chromium`", pytrace=False)
    return found


# -- the world: Hanoi seeded, some figures that are not zero, the gateway on a real port ---------
def make_figures_move(cluster) -> dict:  # type: ignore[no-untyped-def]
    """Classify three recognised villages (Bát Tràng first), meet all five conditions at Bát
    Tràng, set one industrial cluster's plant operating: as an agency officer."""
    def call(service: str, rpc: str, **kw):  # type: ignore[no-untyped-def]
        return cluster.call_sync(AGENCY, service, rpc, **kw)

    villages = call("sites", "list_sites", kind="craft_village", recognised=True, limit=1000)["sites"]
    villages = [v for v in villages if v.get("commune") and v.get("location")]
    villages.sort(key=lambda v: (v["name"] != "Bát Tràng", v["name"]))
    chosen = villages[:3]
    for i, v in enumerate(chosen):
        call("sites", "classify_site", site_id=v["id"], classified_on=f"2025-0{4 + i}-15", water="polluted",
             air="not_polluted", soil="not_polluted", assessor="Sở NN&MT Hà Nội", legal_basis="QĐ 2546/QĐ-UBND")
    for item in CONDITIONS:
        call("sites", "set_condition", site_id=chosen[0]["id"], item=item,
             state="not_applicable" if item == "central_wwtp" else "met", checked_on="2025-08-20")
    plant = call("sites", "list_sites", kind="industrial_cluster", limit=1)["sites"][0]
    call("sites", "set_wwtp", site_id=plant["id"], status="operating", since="2025-02-01", capacity_m3_day=300)
    return {"village": chosen[0], "cluster": plant}


@pytest.fixture(scope="module")
def served(cluster, tmp_path_factory):
    import uvicorn

    world = make_figures_move(cluster)
    g = Gateway(cluster, tmp_path_factory.mktemp("gateway"))
    assert g.settings.gateway.map_tiles_url == OSM  # the default: OpenStreetMap, unreachable here
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(g.api, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="dashboard-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    g.base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    g.world = world
    g.workdir = tmp_path_factory.mktemp("chromium")
    yield g
    server.should_exit = True
    thread.join(timeout=15)
    sock.close()
    g.http.close()
    g.app.close()


# -- the browser -----------------------------------------------------------------------------------
class Page:
    """What Chromium rendered: the DOM's tagged figures, map markers, tiles; the hosts it asked."""

    def __init__(self, dom: str, requests: list[str]) -> None:
        self.dom, self.requests = dom, requests
        parsed = _Dom()
        parsed.feed(dom)
        self.elements = parsed.elements  # (tag, attrs, text) of every element, in order

    def find(self, tag: str | None = None, **attrs: str) -> list[tuple[str, dict, str]]:
        want = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [e for e in self.elements
                if (tag is None or e[0] == tag) and all(e[1].get(k) == v for k, v in want.items())]

    def one(self, tag: str | None = None, **attrs: str) -> tuple[str, dict, str]:
        found = self.find(tag, **attrs)
        assert len(found) == 1, f"{len(found)} <{tag} {attrs}> in the page"
        return found[0]

    @property
    def body(self) -> dict:
        return self.one("body")[1]

    @property
    def figures(self) -> list[tuple[str, dict, str]]:
        return [e for e in self.elements if "data-field" in e[1]]

    @property
    def markers(self) -> list[dict]:
        return [a for t, a, _ in self.elements if "leaflet-marker-icon" in a.get("class", "").split()]

    @property
    def tiles(self) -> list[str]:
        return [a.get("src", "") for t, a, _ in self.elements if t == "img" and "leaflet-tile" in a.get("class", "")]


class _Dom(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict, str]] = []
        self.stack: list[tuple[str, dict, list[str]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = {k: (v or "") for k, v in attrs}
        if tag in self.VOID:
            self.elements.append((tag, a, ""))
        else:
            self.stack.append((tag, a, []))

    def handle_startendtag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.elements.append((tag, {k: (v or "") for k, v in attrs}, ""))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        for _, _, text in self.stack:
            text.append(data)

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        while self.stack:
            t, a, text = self.stack.pop()
            self.elements.append((t, a, "".join(text).strip()))
            if t == tag:
                return


def render(g, path: str) -> Page:  # type: ignore[no-untyped-def]
    """Load `path` in headless Chromium; every host except 127.0.0.1 is made unresolvable."""
    n = len(list(g.workdir.glob("net-*.json")))
    netlog = g.workdir / f"net-{n}.json"
    cmd = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=15000",
           "--window-size=1280,2000", f"--user-data-dir={g.workdir / f'profile-{n}'}", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
           "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", f"--log-net-log={netlog}",
           "--dump-dom", g.base + path]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and "</html>" in done.stdout, f"chromium failed: {done.stderr[-3000:]}"
    return Page(done.stdout, page_requests(netlog))


def page_requests(netlog: Path) -> list[str]:
    """The URLs the page (not the browser's own housekeeping) asked for: requests whose network
    isolation key is the page's site."""
    text = netlog.read_text(encoding="utf-8", errors="replace").rstrip()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a net log cut short lacks its closing brackets
        log = json.loads(text.rstrip(",\n") + "]}")
    start = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    return [e["params"]["url"] for e in log["events"]
            if e["type"] == start and "127.0.0.1" in str(e.get("params", {}).get("network_isolation_key", ""))]


# -- what the service says ----------------------------------------------------------------------
class Expected:
    def __init__(self, cluster) -> None:  # type: ignore[no-untyped-def]
        self.cluster = cluster
        self.cache: dict[tuple[str, str], dict] = {}

    def unit(self, period: str, unit: str) -> dict:
        """{target: {numerator, denominator, ratio, target, status}} straight from the service
        (None for a unit without data that period)."""
        if (period, unit) not in self.cache:
            figures = self.cluster.call_sync(SYSTEM, "indicators", "figures", period=period, unit=unit)
            road = self.cluster.call_sync(SYSTEM, "indicators", "roadmap", period=period, unit=unit)
            self.cache[(period, unit)] = {t: dict(f, target=road[unit][t]["target"], status=road[unit][t]["status"])
                                          for t, f in figures[unit].items()} if unit in figures else None
        return self.cache[(period, unit)]

    def value(self, period: str, unit: str, target: str, field: str):  # type: ignore[no-untyped-def]
        figures = self.unit(period, unit)
        return None if figures is None else figures[target][field]


def shown(attrs: dict, field: str):  # type: ignore[no-untyped-def]
    raw = attrs["data-value"]
    if raw == "":
        return None
    return raw if field == "status" else float(raw)


def vi_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def check_figures(page: Page, expected: Expected, period: str, unit: str) -> int:
    """Every tagged figure equals the service's; the table shows all twenty for (period, unit)."""
    for target in ("hw_treated", "clusters_with_wwtp", "villages_classified", "villages_meeting_conditions"):
        for field in FIELDS:
            _, attrs, text = page.one("td", data_period=period, data_unit=unit, data_target=target, data_field=field)
            want = expected.value(period, unit, target, field)
            assert shown(attrs, field) == want, (target, field, attrs, want)
            if field in ("ratio", "target"):
                assert text == pct(want), (target, field, text)
            elif field == "status":
                assert text == STATUS_VI[want or "no_data"]
            else:
                assert (text == "—" and want is None) or vi_number(text) == want, (target, field, text, want)
    checked = 0
    for tag, attrs, text in page.figures:
        field = attrs["data-field"]
        want = expected.value(attrs["data-period"], attrs["data-unit"], attrs["data-target"], field)
        assert attrs["data-unit"] == unit, attrs
        assert shown(attrs, field) == want, (tag, attrs, want)
        if tag == "text" and field == "ratio":
            assert text == pct(want), (attrs, text)
        checked += 1
    return checked


def expected_markers(cluster, unit: str = "city:hanoi") -> dict[str, dict]:  # type: ignore[no-untyped-def]
    sites = cluster.call_sync(SYSTEM, "sites", "list_sites", limit=1000)["sites"]
    level, _, code = unit.partition(":")
    return {s["id"]: s for s in sites if s.get("active", True) and (s.get("location") or {}).get("lat") is not None
            and (level == "city" or (level == "district" and s["old_district"] == code)
                 or (level == "commune" and s.get("commune") == code))}


def check_markers(page: Page, cluster, unit: str) -> int:  # type: ignore[no-untyped-def]
    want = expected_markers(cluster, unit)
    markers = page.markers
    assert sorted(m["data-site-id"] for m in markers) == sorted(want), "one marker per site with a location"
    for m in markers:
        site = want[m["data-site-id"]]
        assert m["data-kind"] == site["kind"] and m["data-name"] == site["name"]
        assert f"lx-kind-{site['kind']}" in m["class"].split()  # coloured by kind
        assert (float(m["data-lat"]), float(m["data-lon"])) == (site["location"]["lat"], site["location"]["lon"])
    assert page.one(id="map")[1]["data-markers"] == str(len(want))
    return len(want)


def only_local_or_tiles(page: Page, base: str, tiles: str) -> list[str]:
    """The page's requests outside the gateway: all of them tiles of the configured template."""
    host = urlsplit(tiles).netloc if tiles else None
    outside = [u for u in page.requests if urlsplit(u).netloc != urlsplit(base).netloc]
    assert all(host and urlsplit(u).netloc == host and u.endswith(".png") for u in outside), outside
    return outside


# -- the tests ------------------------------------------------------------------------------------
def test_the_page_shows_the_services_figures_and_a_marker_per_site_without_tiles(served):
    expected = Expected(served.cluster)
    city = expected.unit("2025Q4", "city:hanoi")
    assert city["villages_classified"]["numerator"] == 3 and city["villages_meeting_conditions"]["numerator"] == 1
    assert city["clusters_with_wwtp"]["numerator"] == 1 and city["hw_treated"]["ratio"] is None  # "—"

    page = render(served, "/dashboard?period=2025Q4&unit=city:hanoi")
    assert page.body["data-state"] == "ready", page.one(id="status")[2]
    assert (page.body["data-period"], page.body["data-unit"]) == ("2025Q4", "city:hanoi")
    assert check_figures(page, expected, "2025Q4", "city:hanoi") > 40  # table, bars, the trend's points
    trend = {a["data-period"] for _, a, _ in page.find("circle", data_target="villages_classified", data_field="ratio")}
    assert trend == {f"{y}Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)}  # the last 8 quarters
    assert [a["data-value"] for _, a, _ in page.find("circle", data_target="villages_classified", data_field="ratio")
            ][-4:] == ["0"] + [str(round(3 / COUNTED_VILLAGES, 4))] * 3

    assert check_markers(page, served.cluster, "city:hanoi") == WITH_LOCATION
    assert page.one(id="map")[1]["data-tiles"] == "unavailable"  # tiles asked for, none came
    assert page.tiles and all(t.startswith("https://tile.openstreetmap.org/") for t in page.tiles)
    outside = only_local_or_tiles(page, served.base, OSM)
    assert outside, "the tile layer was not even tried"
    local = {urlsplit(u).path for u in page.requests}
    assert {"/dashboard", "/static/vendor/leaflet/leaflet.js", "/static/dashboard.js", "/dashboard/sites.json",
            "/v1/indicators/2025Q4"} <= local

    units = [a["value"] for _, a, _ in page.find("option") if ":" in a.get("value", "")]
    assert units[0] == "city:hanoi" and "district:gia-lam" in units and "commune:xa-bat-trang" in units
    assert set(units) == set(served.cluster.call_sync(SYSTEM, "indicators", "figures", period="2025Q4"))
    periods = [a["value"] for _, a, _ in page.find("option") if "Q" in a.get("value", "")]
    today = local_date(datetime.now(timezone.utc))
    assert periods[0] == f"{today.year}Q{(today.month - 1) // 3 + 1}" and periods[-1] == "2021Q1"


def test_a_commune_preselected_by_the_url_shows_its_figures_and_sites(served):
    expected = Expected(served.cluster)
    commune = f"commune:{served.world['village']['commune']}"
    assert expected.value("2025Q4", commune, "villages_meeting_conditions", "numerator") == 1
    page = render(served, f"/dashboard?period=2025Q4&unit={commune}")
    assert page.body["data-state"] == "ready" and page.body["data-unit"] == commune
    check_figures(page, expected, "2025Q4", commune)
    # before the reform (2025Q3) the new commune has no figures: the trend starts there
    periods = {a["data-period"] for _, a, _ in page.find("circle", data_field="ratio")}
    assert periods == {"2025Q3", "2025Q4"}
    assert check_markers(page, served.cluster, commune) >= 1
    assert served.world["village"]["id"] in {m["data-site-id"] for m in page.markers}


def test_without_a_tile_url_the_page_asks_no_other_host_and_defaults_to_the_last_complete_quarter(served):
    served.settings.gateway.map_tiles_url = ""
    try:
        served_html = served.http.get("/dashboard")
        page = render(served, "/dashboard")
    finally:
        served.settings.gateway.map_tiles_url = OSM
    assert served_html.status_code == 200 and 'name="lx-map-tiles" content=""' in served_html.text
    csp = served_html.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "openstreetmap" not in csp
    assert "https://" not in served_html.text.split('id="lx-config"')[0]  # every script and style is local

    today = local_date(datetime.now(timezone.utc))
    current = today.year * 4 + (today.month - 1) // 3
    latest_complete = f"{(current - 1) // 4}Q{(current - 1) % 4 + 1}"
    assert page.body["data-state"] == "ready"
    assert (page.body["data-period"], page.body["data-unit"]) == (latest_complete, "city:hanoi")
    check_figures(page, Expected(served.cluster), latest_complete, "city:hanoi")
    assert check_markers(page, served.cluster, "city:hanoi") == WITH_LOCATION
    assert page.one(id="map")[1]["data-tiles"] == "none" and page.tiles == []
    assert only_local_or_tiles(page, served.base, "") == []  # nothing outside 127.0.0.1 at all


def test_the_page_and_leaflet_are_served_without_a_key(served):
    r = served.http.get("/dashboard")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert f'content="{OSM}"' in r.text and "img-src 'self' data: https://tile.openstreetmap.org" in \
        r.headers["content-security-policy"]
    leaflet = served.http.get("/static/vendor/leaflet/leaflet.js")
    assert leaflet.status_code == 200 and "Leaflet 1.9.4" in leaflet.text[:200]
    assert served.http.get("/static/vendor/leaflet/images/marker-icon.png").status_code == 200
    assert "/dashboard" not in served.api.openapi()["paths"]  # a page, not part of the API
    sites = served.http.get("/dashboard/sites.json").json()
    assert len(sites) == WITH_LOCATION and set(sites[0]) == {"id", "name", "kind", "lat", "lon", "commune", "commune_name",
                                                  "old_district", "district_name"}
