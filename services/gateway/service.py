"""The gateway's HTTP entrypoints (FastAPI, OpenAPI 3.1): thin routes over the services (RPC
through the kit's pooled client) and the GatewayApplication (keys, webhooks).

Run: `langxanh run gateway` (uvicorn). Public routes answer without a key and expose no
personal data; the others need `X-API-Key` with a scope (events:read, reports:read, webhooks,
open311:write, admin). Errors are JSON {error, message, field, rule} with 400/401/403/404/409/503.
"""

import asyncio
import json
import logging
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from services.gateway.application import AGENCY_PATTERN, PUBLIC, Caller, GatewayApplication
from services.gateway.views import GatewayViews
from shared.catalog import SERVICES
from shared.contracts.base import MAX_POSITION
from shared.contracts.indicators import PERIOD_PATTERN, UNIT_PATTERN
from shared.kit.config import Settings
from shared.kit.errors import Conflict, Forbidden, InvalidInput, LangXanhError, NotFound
from shared.kit.pool import PooledServices, Services, Unavailable
from shared.kit.sql import Db
from shared.kit.store import app_for

log = logging.getLogger("gateway")
SourceName = Literal["sites", "inspections", "manifests", "indicators"]
Period = Annotated[str, Path(pattern=PERIOD_PATTERN, description="A quarter (2025Q4) or a year (2025)",
                             examples=["2025Q4"])]
Unit = Annotated[str | None, Query(max_length=80, pattern=UNIT_PATTERN,
                                   description="city:hanoi, district:<code> or commune:<code>")]
Uuid = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                           description="A UUID", examples=["3f2b8c1e-0d4a-5b6c-8d9e-0f1a2b3c4d5e"])]


class Error(BaseModel):
    error: Literal["invalid_input", "not_found", "forbidden", "unauthorized", "conflict", "unavailable"]
    message: str
    field: str | None = None
    rule: str | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": Error, "description": "Bad input: the field and the rule broken"},
    401: {"model": Error, "description": "An API key is required"},
    403: {"model": Error, "description": "The key is unknown, revoked or lacks the scope"},
    404: {"model": Error, "description": "Not found"},
    409: {"model": Error, "description": "The state changed; nothing was done"},
    503: {"model": Error, "description": "A service behind the gateway did not answer"},
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: ERRORS[c] for c in (400, 503, *codes)}


# -- response models (documentation and schemathesis' response checks) -----------------------------
class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


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


class ApiKeyIssued(BaseModel):
    key_id: str
    agency: str
    scopes: list[str]
    api_key: str = Field(description="Shown once: keep it")


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agency: str = Field(min_length=1, max_length=80, pattern=AGENCY_PATTERN)
    scopes: list[Literal["events:read", "reports:read", "webhooks", "open311:write", "admin"]] = Field(min_length=1)
    label: str | None = Field(None, max_length=200)


class Revoked(BaseModel):
    key_id: str
    revoked: bool


class WebhookRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=2000, pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?(/[!-~]*)?$",
                     description="https:// endpoint receiving the POSTs (http:// only where the gateway allows it)")
    types: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        min_length=1, max_length=50, description="Event names or globs: incident_*, violation_recorded, …")
    communes: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=200, description="Commune codes; empty = every commune")


class ReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: SourceName
    after: int = Field(0, ge=0, le=MAX_POSITION, description="Re-deliver the source's matching events after this position")


class WebhookDoc(Open):
    id: str
    agency: str
    url: str
    types: list[str]
    communes: list[str]
    state: Literal["active", "parked", "deleted"]
    secret: str | None = Field(None, description="Only in the answer to the registration")


# -- the application ---------------------------------------------------------------------------------
def create_app(settings: Settings | None = None, services: Services | None = None,
               gateway: GatewayApplication | None = None) -> FastAPI:
    settings = settings or Settings()
    gateway = gateway or app_for(GatewayApplication, "gateway", settings)
    gateway.allow_http_webhooks = settings.gateway_allow_http_webhooks
    views = GatewayViews(Db.of(gateway), gateway)
    own_services = services is None
    services = services or PooledServices(settings, size=settings.gateway_rpc_pool)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        webhooks = None
        # follow the public streams over the broker and deliver webhooks (views.WebhookDelivery); not
        # over injected services (in-process tests drive the feed and the dispatcher themselves)
        if settings.webhook_delivery and own_services:
            from services.gateway.views import WebhookDelivery

            webhooks = WebhookDelivery(settings, gateway, services)
            await webhooks.start()
        try:
            yield
        finally:
            if webhooks is not None:
                await webhooks.stop()
            if own_services:
                services.close()

    api = FastAPI(title="Làng Xanh gateway", version="1.0.0", lifespan=lifespan,
                  description="Hanoi's craft villages, industrial zones and clusters: sites, status cards, the "
                              "four targets of Plan 307/KH-UBND, reports, public events (replay and live), "
                              "webhooks and Open311 GeoReport v2.")
    api.state.settings, api.state.gateway, api.state.views, api.state.services = settings, gateway, views, services

    # -- errors --------------------------------------------------------------------------------
    def problem(status: int, kind: str, e: Any) -> JSONResponse:
        return JSONResponse({"error": kind, "message": getattr(e, "message", str(e)), "field": getattr(e, "field", None),
                             "rule": getattr(e, "rule", None)}, status_code=status)

    @api.exception_handler(LangXanhError)
    async def kit_error(request: Request, e: LangXanhError) -> JSONResponse:
        if isinstance(e, Forbidden):
            return problem(401, "unauthorized", e) if e.rule == "required" else problem(403, "forbidden", e)
        if isinstance(e, NotFound):
            return problem(404, "not_found", e)
        if isinstance(e, Conflict):
            return problem(409, "conflict", e)
        return problem(400, "invalid_input", e)

    @api.exception_handler(Unavailable)
    async def unavailable(request: Request, e: Unavailable) -> JSONResponse:
        return problem(503, "unavailable", InvalidInput("a service behind the gateway did not answer; try again",
                                                        None, "unavailable"))

    from fastapi.exceptions import RequestValidationError

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {"loc": (), "msg": "invalid", "type": "invalid"}
        field = ".".join(str(x) for x in first["loc"][1:]) or None
        return problem(400, "invalid_input", InvalidInput("; ".join(
            f"{'.'.join(str(x) for x in p['loc'])}: {p['msg']}" for p in e.errors()[:10]), field, str(first["type"])))

    # -- who calls -----------------------------------------------------------------------------
    def caller(x_api_key: Annotated[str | None, Header(description="An agency's key: lx_<prefix>_<secret>")] = None
               ) -> Caller:
        return gateway.authenticate(x_api_key)

    Who = Annotated[Caller, Depends(caller)]

    async def rpc(who: Caller, service: str, name: str, **kwargs: Any) -> Any:
        return await services.call(who.actor(), service, name, **kwargs)

    # -- public reads --------------------------------------------------------------------------
    @api.get("/v1/sites", response_model=list[SiteSummary], responses=errors(), tags=["sites"],
             summary="Search sites (diacritics optional)")
    async def search_sites(who: Who, q: Annotated[str, Query(max_length=200)] = "",
                           kind: Literal["craft_village", "industrial_zone", "industrial_cluster"] | None = None,
                           commune: Annotated[str | None, Query(max_length=80, pattern=r"^[A-Za-z0-9._:/-]+$")] = None,
                           limit: Annotated[int, Query(ge=1, le=500)] = 20) -> Any:
        return await rpc(who, "sites", "search_sites", query=q, kind=kind, commune=commune, limit=limit)

    @api.get("/v1/sites/{site_id}", response_model=Open, responses=errors(404), tags=["sites"],
             summary="One site as the registry knows it today")
    async def get_site(who: Who, site_id: Uuid) -> Any:
        return await rpc(who, "sites", "get_site", site_id=site_id)

    @api.get("/v1/sites/{site_id}/status", response_model=Open, responses=errors(404), tags=["sites"],
             summary="The site status card: registry facts and the indicators' card")
    async def status_card(who: Who, site_id: Uuid) -> Any:
        site = await rpc(who, "sites", "get_site", site_id=site_id)
        establishments = await rpc(who, "sites", "site_establishments", site_id=site_id)
        try:
            card = await rpc(who, "indicators", "status_card", site_id=site_id)
        except (Unavailable, NotFound):
            card = None
        return {"site": site, "establishments": len(establishments), "indicators": card}

    @api.get("/v1/indicators/{period}", response_model=Indicators, responses=errors(404), tags=["indicators"],
             summary="The four targets by unit for a quarter or year, with the roadmap's target and status")
    async def indicators(who: Who, period: Period,
                         unit: Unit = None,
                         sites: Annotated[bool, Query(description="Include the sites counted")] = False) -> Any:
        figures = await rpc(who, "indicators", "figures", period=period, unit=unit)
        road = await rpc(who, "indicators", "roadmap", period=period, unit=unit)
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

    # -- reports -------------------------------------------------------------------------------
    @api.get("/v1/reports/{period}", responses={**errors(401, 403, 404),
                                                200: {"content": {"text/markdown": {}, "text/csv": {},
                                                                  "text/html": {}},
                                                      "description": "The report, rendered"}},
             tags=["reports"],
             summary="Issue the period's report (an immutable snapshot) and download it")
    async def report(who: Who, period: Period, fmt: Annotated[Literal["md", "csv", "html"], Query(alias="format")] = "md",
                     unit: Unit = None) -> Any:
        from shared.reports import RENDERERS

        who.require("reports:read")
        issued = await rpc(who, "indicators", "issue_report", period=period, unit=unit)
        data = await rpc(who, "indicators", "get_report", report_id=issued["id"])
        media = {"md": "text/markdown", "csv": "text/csv", "html": "text/html"}[fmt]
        return PlainTextResponse(RENDERERS[fmt](data), media_type=f"{media}; charset=utf-8",
                                 headers={"X-Report-Id": str(issued["id"])})

    # -- public events -------------------------------------------------------------------------
    def matches(event: dict, types: list[str], communes: list[str]) -> bool:
        import fnmatch

        name = str(event.get("type", "")).split(".")[-2] if event.get("type") else ""
        if types and not any(fnmatch.fnmatchcase(name, t) for t in types):
            return False
        return not communes or event.get("communecode") in communes

    @api.get("/v1/events", responses={**errors(401, 403), 200: {"content": {"application/x-ndjson": {}},
                                                                   "description": "CloudEvents, one per line"}},
             tags=["events"],
             summary="Replay: a service's public events after a position, as JSON lines")
    async def events(who: Who, service: SourceName, after: Annotated[int, Query(ge=0, le=MAX_POSITION)] = 0,
                     limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
                     type_: Annotated[list[str], Query(alias="type", max_length=20)] = [],  # noqa: B006
                     commune: Annotated[list[str], Query(max_length=200)] = []) -> Any:  # noqa: B006
        who.require("events:read")
        out, position = [], after
        while len(out) < limit:
            page = await rpc(who, service, "events_since", position=position, limit=min(1000, limit - len(out)))
            if not page:
                break
            out += [e for e in page if matches(e, type_, commune)]
            position = int(page[-1]["sequence"])
        body = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in out[:limit])
        return StreamingResponse(iter([body]), media_type="application/x-ndjson",
                                 headers={"X-Next-Position": str(position)})

    @api.get("/v1/events/live", responses={**errors(401, 403), 200: {"content": {"text/event-stream": {}},
                                                                        "description": "Server-sent events"}},
             tags=["events"],
             summary="Live: a service's public events as server-sent events (resume with Last-Event-ID)")
    async def live(request: Request, who: Who, service: SourceName,
                   type_: Annotated[list[str], Query(alias="type", max_length=20)] = [],  # noqa: B006
                   commune: Annotated[list[str], Query(max_length=200)] = [],  # noqa: B006
                   after: Annotated[int | None, Query(ge=0, le=MAX_POSITION,
                                                      description="Start after this position (default: now)")] = None,
                   last_event_id: Annotated[str | None, Header(description="<service>-<sequence> to resume after")] = None
                   ) -> Any:
        from sse_starlette.sse import EventSourceResponse

        who.require("events:read")
        if last_event_id and last_event_id.startswith(f"{service}-") and last_event_id.split("-")[-1].isdigit():
            after = int(last_event_id.split("-")[-1])
        if after is None:
            after = int((await rpc(who, service, "ping"))["log_head"])
        stream = LiveStream(settings, service, after)
        await asyncio.to_thread(stream.start)

        async def generate():  # type: ignore[no-untyped-def]
            try:
                while True:
                    event = await stream.next(timeout=15.0)
                    if event is None:
                        if await request.is_disconnected():
                            return
                        continue
                    if matches(event, type_, commune):
                        yield {"id": event["id"], "event": str(event["type"]).split(".")[-2],
                               "data": json.dumps(event, ensure_ascii=False)}
            finally:
                await asyncio.to_thread(stream.stop)

        return EventSourceResponse(generate(), ping=15)

    # -- keys ----------------------------------------------------------------------------------
    @api.post("/v1/keys", response_model=ApiKeyIssued, status_code=201, responses=errors(401, 403), tags=["admin"],
              summary="Issue an agency's API key (admin); the key is shown once")
    def issue_key(who: Who, body: KeyRequest) -> Any:
        return gateway.issue_key(who, None, body.agency, list(body.scopes), body.label)

    @api.delete("/v1/keys/{key_id}", response_model=Revoked, responses=errors(401, 403, 404, 409), tags=["admin"],
                summary="Revoke a key (admin)")
    def revoke_key(who: Who, key_id: Uuid) -> Any:
        return gateway.revoke_key(who, None, key_id)

    # -- webhooks ------------------------------------------------------------------------------
    @api.post("/v1/webhooks", response_model=WebhookDoc, status_code=201, responses=errors(401, 403),
              tags=["webhooks"], summary="Register a webhook: matching events are POSTed, signed (Standard Webhooks)")
    def register_webhook(who: Who, body: WebhookRequest) -> Any:
        return gateway.register_webhook(who, None, body.url, body.types, body.communes)

    @api.get("/v1/webhooks", response_model=list[WebhookDoc], responses=errors(401, 403), tags=["webhooks"],
             summary="The calling agency's webhooks")
    def list_webhooks(who: Who) -> Any:
        who.require("webhooks")
        return [gateway.get_webhook(who, i) for i in views.webhook_ids(None if who.admin else who.agency)]

    @api.get("/v1/webhooks/{webhook_id}", response_model=WebhookDoc, responses=errors(401, 403, 404),
             tags=["webhooks"], summary="One webhook")
    def get_webhook(who: Who, webhook_id: Uuid) -> Any:
        return gateway.get_webhook(who, webhook_id)

    @api.delete("/v1/webhooks/{webhook_id}", response_model=WebhookDoc, responses=errors(401, 403, 404, 409),
                tags=["webhooks"], summary="Delete a webhook")
    def delete_webhook(who: Who, webhook_id: Uuid) -> Any:
        return gateway.delete_webhook(who, None, webhook_id)

    @api.post("/v1/webhooks/{webhook_id}/resume", response_model=WebhookDoc, responses=errors(401, 403, 404, 409),
              tags=["webhooks"], summary="Resume a parked webhook")
    def resume_webhook(who: Who, webhook_id: Uuid) -> Any:
        return gateway.resume_webhook(who, None, webhook_id)

    @api.post("/v1/webhooks/{webhook_id}/replay", response_model=WebhookDoc, responses=errors(401, 403, 404, 409),
              tags=["webhooks"], summary="Deliver again a source's matching events after a position")
    def replay_webhook(who: Who, webhook_id: Uuid, body: ReplayRequest) -> Any:
        return gateway.replay_webhook(who, None, webhook_id, body.source, body.after)

    @api.get("/v1/webhooks/{webhook_id}/deliveries", response_model=list[Open], responses=errors(401, 403, 404),
             tags=["webhooks"], summary="A webhook's delivery log, newest first: state, attempts, last error")
    def webhook_deliveries(who: Who, webhook_id: Uuid, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                           state: Literal["pending", "delivered"] | None = None) -> Any:
        from services.gateway.views import WebhookLog

        gateway.get_webhook(who, webhook_id)  # 404 unless the caller's
        return WebhookLog.of(gateway).deliveries(webhook_id, limit, state)

    # -- Open311 GeoReport v2 (routes below) ---------------------------------------------------
    # Errors here are the spec's, not the gateway's: a list [{"code", "description"}] with the
    # spec's HTTP statuses — 403 for a missing, unknown or insufficient api_key (where the other
    # routes answer 401/403), 404 for an unknown request, service_code or jurisdiction_id, 405 for
    # a wrong method, 400 for anything else, a service down included (code 503 in the body).
    # The mappings and models: shared/contracts/open311.py; README "Open311 GeoReport v2".
    import os
    import urllib.parse
    from datetime import datetime as _o311_datetime, timezone as _o311_tz
    from pathlib import Path as _O311Path

    from fastapi.exceptions import RequestValidationError as _O311Invalid
    from fastapi.routing import APIRoute as _O311APIRoute
    from starlette.routing import Match as _O311Match

    from shared.contracts import open311 as o311
    from shared.kit.actor import Actor as _O311Actor, Role as _O311Role

    o311_media = "application/json; charset=utf-8"
    o311_page = 500  # incidents per list_incidents call
    o311_codes = "|".join(sorted(o311.SERVICE_CODES))

    def o311_answer(body: Any, status: int = 200, headers: dict | None = None) -> JSONResponse:
        return JSONResponse(body, status_code=status, media_type=o311_media, headers=headers)

    def o311_failure(e: Exception) -> JSONResponse:
        if isinstance(e, Forbidden):
            text = e.message
            if e.field == "X-API-Key":
                text = (f"{e.message}; send an API key with scope open311:write as the api_key form field or "
                        f"the X-API-Key header")
            return o311_answer(o311.errors(403, text), 403)
        if isinstance(e, NotFound):
            return o311_answer(o311.errors(404, e.message), 404)
        if isinstance(e, Conflict):
            return o311_answer(o311.errors(409, e.message), 400)
        if isinstance(e, LangXanhError):
            return o311_answer(o311.errors(400, e.message), 400)
        if isinstance(e, _O311Invalid):
            return o311_answer([{"code": 400, "description": f"{'.'.join(str(x) for x in p['loc'])}: {p['msg']}"}
                                for p in e.errors()[:10]] or o311.errors(400, "invalid request"), 400)
        return o311_answer(o311.errors(503, "a service behind the gateway did not answer; try again"), 400)

    class Open311Route(_O311APIRoute):
        """Every failure of an Open311 route, parameters' validation included, in the spec's format."""

        def get_route_handler(self):  # type: ignore[no-untyped-def]
            handler = super().get_route_handler()

            async def guarded(request: Request) -> Any:
                try:
                    return await handler(request)
                except (LangXanhError, Unavailable, _O311Invalid) as e:
                    return o311_failure(e)

            return guarded

    o311_keys: list[bytes] = []

    def o311_secret() -> bytes:
        """The key of the reporters' pseudonyms: LANGXANH_GATEWAY_SECRET, else a random key made once
        and kept in <data dir>/gateway/open311.key (set the variable when several gateways run)."""
        if not o311_keys:
            given = getattr(settings, "gateway_secret", None) or os.environ.get("LANGXANH_GATEWAY_SECRET")
            if given:
                o311_keys.append(given.encode())
            else:
                path = _O311Path(settings.data_dir) / "gateway" / "open311.key"
                path.parent.mkdir(parents=True, exist_ok=True)
                if not path.exists():
                    draft = path.with_name(f"open311.key.{os.getpid()}")
                    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                    with os.fdopen(fd, "w") as f:
                        f.write(os.urandom(32).hex())
                    try:
                        os.link(draft, path)  # the first process to get there wins; others read its key
                    except FileExistsError:
                        pass
                    finally:
                        draft.unlink()
                o311_keys.append(path.read_text().strip().encode())
        return o311_keys[0]

    def o311_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
        said = {400: "Bad input, or a service down (code 503)", 403: "api_key missing, unknown or without "
                "scope open311:write", 404: "Not found (request, service_code or jurisdiction_id)"}
        return {c: {"model": list[o311.Error], "description": said[c]} for c in (400, *codes)}

    O311Jurisdiction = Annotated[str | None, Query(max_length=80, description=f"Optional: {o311.JURISDICTION_ID}")]

    def o311_route(path: str, endpoint: Any, method: str, **kw: Any) -> None:
        api.router.add_api_route(f"/open311/v2{path}", endpoint, methods=[method], tags=["open311"],
                                 route_class_override=Open311Route, **kw)

    async def o311_services(jurisdiction_id: O311Jurisdiction = None) -> Any:
        o311.check_jurisdiction(jurisdiction_id)
        return o311_answer([s.model_dump(mode="json") for s in o311.services()])

    async def o311_service_definition(service_code: Annotated[str, Path(max_length=80)],
                                      jurisdiction_id: O311Jurisdiction = None) -> Any:
        o311.check_jurisdiction(jurisdiction_id)
        return o311_answer(o311.service_definition(service_code).model_dump(mode="json"))

    async def o311_post(request: Request,
                        x_api_key: Annotated[str | None, Header(description="Or the api_key form field")] = None
                        ) -> Any:
        form_encoded = request.headers.get("content-type", "").split(";")[0].strip().lower() == \
            "application/x-www-form-urlencoded"
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > 65_536:
                raise InvalidInput("the form is larger than 64 KiB", None, "size")
        fields: dict[str, str] = {}
        if form_encoded:
            try:
                pairs = urllib.parse.parse_qsl(body.decode("utf-8"), max_num_fields=200)
            except (UnicodeDecodeError, ValueError):
                raise InvalidInput("the form must be UTF-8 and have at most 200 fields", None, "form") from None
            for name, value in pairs:
                fields.setdefault(name, value)
        who = gateway.authenticate(x_api_key or fields.get("api_key"))  # the key first: 403 before anything
        who.require("open311:write")
        if not form_encoded:
            raise InvalidInput("send the request as application/x-www-form-urlencoded", None, "content_type")
        form = o311.new_request(fields)
        args = o311.report_arguments(form)
        reporter = _O311Actor(id=o311.reporter_pseudonym(o311_secret(), who.agency or "", form),
                              role=_O311Role.RESIDENT)
        answer = await services.call(reporter, "inspections", "report_incident", **args)
        return o311_answer([o311.request_created(answer).model_dump(mode="json")])

    async def o311_requests(
            jurisdiction_id: O311Jurisdiction = None,
            service_request_id: Annotated[str | None, Query(max_length=4000, description=(
                "Comma-delimited ids; overrides every other parameter"))] = None,
            service_code: Annotated[str | None, Query(max_length=400, description="Comma-delimited", json_schema_extra={
                "pattern": f"^({o311_codes})(,({o311_codes}))*$"})] = None,
            start_date: Annotated[str | None, Query(max_length=40, description=(
                "W3C date-time (or date); default: 90 days before end_date"), json_schema_extra={"format": "date-time"})
                                  ] = None,
            end_date: Annotated[str | None, Query(max_length=40, description=(
                "W3C date-time (or date); default: now, or 90 days after start_date; a span over 90 days is cut to "
                "its last 90"), json_schema_extra={"format": "date-time"})] = None,
            status: Annotated[str | None, Query(max_length=40, description="open, closed or both, comma-delimited",
                                                json_schema_extra={"pattern": "^(open|closed)(,(open|closed))*$"})
                              ] = None) -> Any:
        o311.check_jurisdiction(jurisdiction_id)
        actor = PUBLIC.actor()  # the gateway, as agency staff: the answer is mapped through a whitelist
        docs: list[dict] = []
        if service_request_id and service_request_id.strip():
            for i in o311.request_ids(service_request_id):
                try:
                    docs.append(await services.call(actor, "inspections", "get_incident", incident_id=i))
                except NotFound:
                    pass
        else:
            codes = o311.comma_list(service_code, "service_code", o311.SERVICE_CODES)
            statuses = o311.comma_list(status, "status", o311.STATUSES)
            start, end = o311.date_window(start_date, end_date, _o311_datetime.now(_o311_tz.utc))
            seen: set[str] = set()
            offset = 0
            done = False
            while not done and len(docs) < o311.MAX_REQUESTS:
                page = await services.call(actor, "inspections", "list_incidents", offset=offset, limit=o311_page)
                done = len(page) < o311_page
                for doc in page:  # newest first: past the window's start, nothing older can match
                    if o311.w3c(doc["reported_at"]) < start:  # type: ignore[operator]
                        done = True
                        break
                    if doc["id"] not in seen and o311.matches(doc, codes, statuses, start, end):
                        seen.add(doc["id"])
                        docs.append(doc)
                offset += o311_page
        return o311_answer([o311.service_request(d).model_dump(mode="json") for d in docs[:o311.MAX_REQUESTS]])

    async def o311_request(service_request_id: Annotated[str, Path(max_length=80)],
                           jurisdiction_id: O311Jurisdiction = None) -> Any:
        o311.check_jurisdiction(jurisdiction_id)
        ids = o311.request_ids(service_request_id)
        if len(ids) != 1:
            raise NotFound(f"no service request {service_request_id[:80]!r}: ids are UUIDs "
                           f"(the ticket PA-… is not an id)", "service_request_id", "exists")
        doc = await services.call(PUBLIC.actor(), "inspections", "get_incident", incident_id=ids[0])
        return o311_answer([o311.service_request(doc).model_dump(mode="json")])

    o311_route("/services.json", o311_services, "GET", response_model=list[o311.Service],
               responses=o311_errors(404), summary="Open311: the incident categories as services")
    o311_route("/services/{service_code}.json", o311_service_definition, "GET",
               response_model=o311.ServiceDefinition, responses=o311_errors(404),
               summary="Open311: a service's definition (no category has extra attributes)")
    o311_route("/requests.json", o311_post, "POST", response_model=list[o311.RequestCreated],
               responses=o311_errors(403, 404), summary="Open311: report an incident (key with open311:write)",
               description="Form-encoded per GeoReport v2. The reporter is a pseudonym: an HMAC of the agency "
                           "and the email, device_id or account_id; names, phone and media_url are dropped.",
               openapi_extra={"requestBody": {"required": True, "content": {
                   "application/x-www-form-urlencoded": {"schema": o311.form_schema()}}}})
    o311_route("/requests.json", o311_requests, "GET", response_model=list[o311.ServiceRequest],
               responses=o311_errors(404), summary="Open311: incidents (public: no personal data, "
                                                   "locations coarsened to about 1 km)")
    o311_route("/requests/{service_request_id}.json", o311_request, "GET", response_model=list[o311.ServiceRequest],
               responses=o311_errors(404), summary="Open311: one incident (a list of one)")

    async def o311_elsewhere(request: Request, rest: str) -> Any:
        allowed = sorted({m for r in api.routes if isinstance(r, Open311Route)
                          and r.matches(request.scope)[0] == _O311Match.PARTIAL for m in (r.methods or ())})
        if allowed:
            return o311_answer(o311.errors(405, f"{request.method} is not allowed here: {', '.join(allowed)}"), 405,
                               headers={"Allow": ", ".join(allowed)})
        return o311_answer(o311.errors(404, "no such Open311 resource: GeoReport v2 is served as JSON under "
                                            "/open311/v2/ (services.json, requests.json, requests/{id}.json)"), 404)

    api.router.add_api_route("/open311/{rest:path}", o311_elsewhere, include_in_schema=False,
                             methods=["GET", "POST", "PUT", "PATCH", "DELETE"], route_class_override=Open311Route)

    # -- dashboard (routes below) --------------------------------------------------------------
    # (imported as _dash_* names: create_app's locals are shared with the other regions)
    from datetime import datetime as _dash_datetime, timezone as _dash_tz
    from html import escape as _dash_escape
    from pathlib import Path as _DashPath
    from urllib.parse import urlsplit as _dash_urlsplit

    from fastapi.responses import HTMLResponse as _DashHTML
    from fastapi.staticfiles import StaticFiles as _DashStatic

    from shared.contracts.indicators import UNIT_PATTERN as _DASH_UNIT_PATTERN
    from shared.kit.calendar import local_date as _dash_local_date
    from shared.reference import commune_name as _dash_commune, district_name as _dash_district
    from shared.reference import units as _dash_units
    from shared.reports import STATUS_VI as _DASH_STATUS, TARGET_NAMES as _DASH_TARGETS

    dash_static = _DashPath(__file__).parent / "static"
    api.mount("/static", _DashStatic(directory=dash_static), name="static")
    dashboard_page = (dash_static / "dashboard.html").read_text(encoding="utf-8")
    dash_kinds = {"craft_village": "Làng nghề", "industrial_cluster": "Cụm công nghiệp",
                  "industrial_zone": "Khu công nghiệp"}

    def dash_tile_source(url: str) -> str | None:
        """The CSP source for the tile host ('self' covers a relative template)."""
        parts = _dash_urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        host = parts.netloc.replace("{s}", "*")
        if "{" in host or "*" in host.removeprefix("*."):
            return f"{parts.scheme}:"
        return f"{parts.scheme}://{host}"

    @api.get("/dashboard", response_class=_DashHTML, include_in_schema=False)
    async def dashboard() -> _DashHTML:
        """The agency staff's page: public figures only, so no key. Everything it loads is served
        here (Leaflet vendored); the map tiles, if configured, are the one optional outside source."""
        tiles = settings.map_tiles_url.strip()
        today = _dash_local_date(_dash_datetime.now(_dash_tz.utc))
        config = {
            "tiles": tiles,
            "tiles_attribution": ('&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
                                  if "openstreetmap" in tiles else ""),
            "first_quarter": "2021Q1", "current_quarter": f"{today.year}Q{(today.month - 1) // 3 + 1}",
            "unit_pattern": _DASH_UNIT_PATTERN, "targets": _DASH_TARGETS, "statuses": _DASH_STATUS, "kinds": dash_kinds,
            "districts": {d["code"]: _dash_district(d["code"]) for d in _dash_units()["districts"]},
            "communes": {c["code"]: _dash_commune(c["code"]) for c in _dash_units()["communes"]},
        }
        blob = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
        head = (f'<meta name="lx-map-tiles" content="{_dash_escape(tiles)}">\n'
                f'<script type="application/json" id="lx-config">{blob}</script>')
        source = dash_tile_source(tiles)
        csp = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
               f"img-src 'self' data:{' ' + source if source else ''}; base-uri 'none'; form-action 'self'; "
               "frame-ancestors 'none'")
        return _DashHTML(dashboard_page.replace("<!--lx:config-->", head),
                         headers={"Content-Security-Policy": csp, "Cache-Control": "no-cache"})

    @api.get("/dashboard/sites.json", include_in_schema=False)
    async def dashboard_sites() -> Any:
        """The map's markers: active sites with a (coarse) location — name, kind, commune, no more."""
        out, offset = [], 0
        while True:
            page = await rpc(PUBLIC, "sites", "list_sites", offset=offset, limit=1000)
            for s in page["sites"]:
                where = s.get("location") or {}
                if s.get("active", True) is False or where.get("lat") is None or where.get("lon") is None:
                    continue
                out.append({"id": s["id"], "name": s["name"], "kind": s["kind"],
                            "lat": where["lat"], "lon": where["lon"],
                            "commune": s.get("commune"), "commune_name": _dash_commune(s.get("commune")),
                            "old_district": s.get("old_district"),
                            "district_name": _dash_district(s.get("old_district"))})
            offset += len(page["sites"])
            if not page["sites"] or offset >= int(page["total"]):
                return out

    # -- health --------------------------------------------------------------------------------
    @api.get("/healthz", response_model=dict[str, bool], tags=["health"], summary="Which services answer")
    async def health() -> Any:
        async def one(name: str) -> bool:
            try:
                await services.call(PUBLIC.actor(), name, "ping")
                return True
            except Exception:  # noqa: BLE001 - down is an answer here
                return False

        names = list(SERVICES)
        return dict(zip(names, await asyncio.gather(*(one(n) for n in names))))

    return api


class LiveStream:
    """One SSE client's feed: a queue bound to the stream before the backfill (no gap at the
    seam), the kit follower for order and no duplicates, handing events to the event loop."""

    def __init__(self, settings: Settings, service: str, after: int) -> None:
        import threading

        from shared.kit.amqp import StreamConsumer
        from shared.kit.client import ServiceClient
        from shared.kit.follower import Follower, MemoryProjection

        self.loop = asyncio.get_event_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.consumer = StreamConsumer(settings.amqp_uri, settings.exchange, [f"{service}.#"], durable=False)
        sink = MemoryProjection(lambda e: self.loop.call_soon_threadsafe(self.queue.put_nowait, e))
        sink.positions[service] = after

        from shared.kit.source import SourceClient

        # a pushed message is a wake-up (the follower pulls): one client kept open for the pulls
        self.source = SourceClient(service, lambda: ServiceClient(settings, timeout=settings.rpc_timeout))
        self.follower = Follower(service, sink, self.source.events_since)
        self.thread = threading.Thread(target=self._run, name=f"sse-{service}", daemon=True)

    def start(self) -> None:
        self.consumer.bind()  # bound before the backfill: nothing published meanwhile is missed
        self.thread.start()

    def _run(self) -> None:
        try:
            self.follower.catch_up()
            self.consumer.run(self.follower.handle)
        except Exception:  # noqa: BLE001 - the client sees the stream end
            log.exception("live stream failed")
        finally:
            self.consumer.close()
            self.source.close()

    async def next(self, timeout: float) -> dict | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def stop(self) -> None:
        self.consumer.stop()
        self.thread.join(timeout=5)
