"""Routes: public reads (sites, status cards, the four targets), reports, the events replay
and health. Public reads need no key: the services see the public role."""
from __future__ import annotations

import asyncio
import fnmatch
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import PlainTextResponse, StreamingResponse
from pydantic import BaseModel

from services.gateway.actors import public_actor
from services.gateway.context import G, Open, Period, SourceName, Unit, Uuid, Who, errors
from shared.catalog import SERVICES
from shared.contracts.base import MAX_POSITION
from shared.contracts.clean_text import TEXT_PATTERN
from shared.contracts.registry import event_name
from shared.contracts.sites import SiteKind
from shared.kit.errors import NotFound
from shared.kit.pool import Unavailable

router = APIRouter()
health_router = APIRouter()


class SiteSummary(Open):
    id: str
    kind: str
    name: str
    commune: str | None = None
    old_district: str | None = None


class Figure(Open):
    numerator: float
    denominator: float
    ratio: float | None = None
    target: float | None = None
    status: str | None = None


class UnitFigures(BaseModel):
    unit: str
    targets: dict[str, Figure]


class Indicators(BaseModel):
    period: str
    units: list[UnitFigures]


def matches(event: dict, types: list[str], communes: list[str]) -> bool:
    name = event_name(event.get("type"))
    if types and not any(fnmatch.fnmatchcase(name, t) for t in types):
        return False
    return not communes or event.get("communecode") in communes


@router.get("/v1/sites", response_model=list[SiteSummary], responses=errors(), tags=["sites"],
            summary="Search sites (diacritics optional)")
async def search_sites(who: Who, gate: G, q: Annotated[str, Query(max_length=200, pattern=TEXT_PATTERN)] = "",
                       kind: SiteKind | None = None,
                       commune: Annotated[str | None, Query(max_length=80, pattern=r"^[A-Za-z0-9._:/-]+$")] = None,
                       limit: Annotated[int, Query(ge=1, le=500)] = 20) -> Any:
    return await gate.rpc(who, "sites", "search_sites", query=q, kind=kind, commune=commune, limit=limit)


@router.get("/v1/sites/{site_id}", response_model=Open, responses=errors(404), tags=["sites"],
            summary="One site as the registry knows it today")
async def get_site(who: Who, gate: G, site_id: Uuid) -> Any:
    return await gate.rpc(who, "sites", "get_site", site_id=site_id)


@router.get("/v1/sites/{site_id}/status", response_model=Open, responses=errors(404), tags=["sites"],
            summary="The site status card: registry facts and the indicators' card")
async def status_card(who: Who, gate: G, site_id: Uuid) -> Any:
    site = await gate.rpc(who, "sites", "get_site", site_id=site_id)
    establishments = await gate.rpc(who, "sites", "site_establishments", site_id=site_id)
    try:
        card = await gate.rpc(who, "indicators", "status_card", site_id=site_id)
    except (Unavailable, NotFound):
        card = None
    return {"site": site, "establishments": len(establishments), "indicators": card}


@router.get("/v1/indicators/{period}", response_model=Indicators, responses=errors(404), tags=["indicators"],
            summary="The four targets by unit for a quarter or year, with the roadmap's target and status")
async def indicators(who: Who, gate: G, period: Period, unit: Unit = None,
                     sites: Annotated[bool, Query(description="Include the sites counted")] = False) -> Any:
    figures = await gate.rpc(who, "indicators", "figures", period=period, unit=unit)
    road = await gate.rpc(who, "indicators", "roadmap", period=period, unit=unit)
    units = []
    for u, targets in figures.items():
        out = {}
        for t, fig in targets.items():
            r = road.get(u, {}).get(t, {})
            out[t] = {"numerator": fig["numerator"], "denominator": fig["denominator"], "ratio": fig["ratio"],
                      "target": r.get("target"), "status": r.get("status")}
            if sites:
                out[t]["sites"] = [{"site_id": s["site_id"], "name": s["name"], "counted": s["counted"]}
                                   for s in fig.get("sites", [])]
        units.append({"unit": u, "targets": out})
    return {"period": period, "units": units}


@router.get("/v1/reports/{period}", responses={**errors(401, 403, 404),
                                               200: {"content": {"text/markdown": {}, "text/csv": {}, "text/html": {}},
                                                     "description": "The report, rendered"}},
            tags=["reports"], summary="Issue the period's report (an immutable snapshot) and download it")
async def report(who: Who, gate: G, period: Period,
                 fmt: Annotated[Literal["md", "csv", "html"], Query(alias="format")] = "md", unit: Unit = None) -> Any:
    from shared.reports import RENDERERS

    who.require("reports:read")
    issued = await gate.rpc(who, "indicators", "issue_report", period=period, unit=unit)
    data = await gate.rpc(who, "indicators", "get_report", report_id=issued["id"])
    media = {"md": "text/markdown", "csv": "text/csv", "html": "text/html"}[fmt]
    return PlainTextResponse(RENDERERS[fmt](data), media_type=f"{media}; charset=utf-8",
                             headers={"X-Report-Id": str(issued["id"])})


@router.get("/v1/events", responses={**errors(401, 403), 200: {"content": {"application/x-ndjson": {}},
                                                                  "description": "CloudEvents, one per line"}},
            tags=["events"], summary="Replay: a service's public events after a position, as JSON lines")
async def events(who: Who, gate: G, service: SourceName, after: Annotated[int, Query(ge=0, le=MAX_POSITION)] = 0,
                 limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                 type_: Annotated[list[str], Query(alias="type", max_length=20)] = [],  # noqa: B006
                 commune: Annotated[list[str], Query(max_length=200)] = []) -> Any:  # noqa: B006
    who.require("events:read")
    out, position = [], after
    while len(out) < limit:
        page = await gate.rpc(who, service, "events_since", position=position, limit=min(1000, limit - len(out)))
        if not page:
            break
        out += [e for e in page if matches(e, type_, commune)]
        position = int(page[-1]["sequence"])
    body = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in out[:limit])
    return StreamingResponse(iter([body]), media_type="application/x-ndjson",
                             headers={"X-Next-Position": str(position)})


@health_router.get("/healthz", response_model=dict[str, bool], tags=["health"], summary="Which services answer")
async def health(gate: G) -> Any:
    async def one(name: str) -> bool:
        try:
            await gate.services.call(public_actor(), name, "ping")
            return True
        except Exception:  # noqa: BLE001 - down is an answer here
            return False

    names = list(SERVICES)
    return dict(zip(names, await asyncio.gather(*(one(n) for n in names))))
