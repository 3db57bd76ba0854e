"""Routes: the agency staff's dashboard (public figures only, so no key) and its map markers."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from services.gateway.application import PUBLIC
from services.gateway.context import G
from shared.contracts.indicators import UNIT_PATTERN
from shared.kit.calendar import local_date
from shared.reference import commune_name, district_name, units
from shared.reports import STATUS_VI, TARGET_NAMES

STATIC = Path(__file__).parent / "static"
PAGE = (STATIC / "dashboard.html").read_text(encoding="utf-8")
KINDS = {"craft_village": "Làng nghề", "industrial_cluster": "Cụm công nghiệp", "industrial_zone": "Khu công nghiệp"}
router = APIRouter()


def tile_source(url: str) -> str | None:
    """The CSP source for the tile host ('self' covers a relative template)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc.replace("{s}", "*")
    if "{" in host or "*" in host.removeprefix("*."):
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


@router.get("/dashboard", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(gate: G) -> HTMLResponse:
    """Everything the page loads is served here (Leaflet vendored); the map tiles, if configured,
    are the one optional outside source."""
    tiles = gate.settings.gateway.map_tiles_url.strip()
    today = local_date(datetime.now(timezone.utc))
    config = {
        "tiles": tiles,
        "tiles_attribution": ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
                              if "openstreetmap" in tiles else ""),
        "first_quarter": "2021Q1", "current_quarter": f"{today.year}Q{(today.month - 1) // 3 + 1}",
        "unit_pattern": UNIT_PATTERN, "targets": TARGET_NAMES, "statuses": STATUS_VI, "kinds": KINDS,
        "districts": {d["code"]: district_name(d["code"]) for d in units()["districts"]},
        "communes": {c["code"]: commune_name(c["code"]) for c in units()["communes"]},
    }
    blob = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    head = (f'<meta name="lx-map-tiles" content="{escape(tiles)}">\n'
            f'<script type="application/json" id="lx-config">{blob}</script>')
    source = tile_source(tiles)
    csp = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
           f"img-src 'self' data:{' ' + source if source else ''}; base-uri 'none'; form-action 'self'; "
           "frame-ancestors 'none'")
    return HTMLResponse(PAGE.replace("<!--lx:config-->", head),
                        headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})


@router.get("/dashboard/sites.json", include_in_schema=False)
async def dashboard_sites(gate: G) -> Any:
    """The map's markers: active sites with a (coarse) location — name, kind, commune, no more."""
    out, offset = [], 0
    while True:
        page = await gate.rpc(PUBLIC, "sites", "list_sites", offset=offset, limit=1000)
        for s in page["sites"]:
            where = s.get("location") or {}
            if s.get("active", True) is False or where.get("lat") is None or where.get("lon") is None:
                continue
            out.append({"id": s["id"], "name": s["name"], "kind": s["kind"], "lat": where["lat"], "lon": where["lon"],
                        "commune": s.get("commune"), "commune_name": commune_name(s.get("commune")),
                        "old_district": s.get("old_district"), "district_name": district_name(s.get("old_district"))})
        offset += len(page["sites"])
        if not page["sites"] or offset >= int(page["total"]):
            return out
