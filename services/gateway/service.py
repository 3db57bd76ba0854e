"""The gateway's HTTP entrypoints (FastAPI, OpenAPI 3.1): thin routers over the services (RPC
through the kit's pooled client) and the GatewayApplication (keys, webhooks, Open311 quotas).

Run: `langxanh run gateway` (uvicorn). Public routes answer without a key and expose no
personal data; the others need `X-API-Key` with a scope (events:read, reports:read, webhooks,
open311:write, admin). Errors are JSON {error, message, field, rule} with
400/401/403/404/409/413/429/503. The routers: routes_public (reads, reports, replay, health),
live (SSE), routes_admin (keys, webhooks), routes_open311, dashboard; guard (body cap, key first);
the staff workspace (services/gateway/staff: /staff pages and /v1/staff JSON, by session).
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from services.gateway import dashboard, live, routes_admin, routes_open311, routes_public
from services.gateway.application import GatewayApplication
from services.gateway.context import Gate
from services.gateway.guard import BodyGuard
from services.gateway.live import LiveStream, StreamSlots  # noqa: F401  (re-exported)
from services.gateway.staff import install as install_staff
from services.gateway.staff.application import StaffApplication
from services.gateway.views import GatewayViews
from shared.kit.config import Settings, get_settings
from shared.kit.errors import Conflict, Forbidden, InvalidInput, LangXanhError, NotFound
from shared.kit.pool import PooledServices, Services, Unavailable
from shared.kit.sql import Db
from shared.kit.store import app_for

log = logging.getLogger("gateway")


def problem(status: int, kind: str, e: Any) -> JSONResponse:
    return JSONResponse({"error": kind, "message": getattr(e, "message", str(e)), "field": getattr(e, "field", None),
                         "rule": getattr(e, "rule", None)}, status_code=status)


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(LangXanhError)
    async def kit_error(request: Request, e: LangXanhError) -> JSONResponse:
        if isinstance(e, Forbidden):
            return problem(401, "unauthorized", e) if e.rule == "required" else problem(403, "forbidden", e)
        if isinstance(e, NotFound):
            return problem(404, "not_found", e)
        if isinstance(e, Conflict):
            return problem(409, "conflict", e)
        if isinstance(e, InvalidInput) and e.rule == "rate_limit":
            return problem(429, "too_many", e)
        return problem(400, "invalid_input", e)

    @api.exception_handler(Unavailable)
    async def unavailable(request: Request, e: Unavailable) -> JSONResponse:
        return problem(503, "unavailable", InvalidInput("a service behind the gateway did not answer; try again",
                                                        None, "unavailable"))

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError) -> JSONResponse:
        first = e.errors()[0] if e.errors() else {"loc": (), "msg": "invalid", "type": "invalid"}
        field = ".".join(str(x) for x in first["loc"][1:]) or None
        return problem(400, "invalid_input", InvalidInput("; ".join(
            f"{'.'.join(str(x) for x in p['loc'])}: {p['msg']}" for p in e.errors()[:10]), field, str(first["type"])))


def create_app(settings: Settings | None = None, services: Services | None = None,
               gateway: GatewayApplication | None = None, staff: StaffApplication | None = None) -> FastAPI:
    settings = settings or get_settings()
    gateway = gateway or app_for(GatewayApplication, "gateway", settings)
    gateway.allow_http_webhooks = settings.webhooks.allow_http
    gateway.allow_private_webhooks = settings.webhooks.allow_private
    views = GatewayViews(Db.of(gateway), gateway)
    own_services = services is None
    services = services or PooledServices(settings, size=settings.gateway.rpc_pool, component="gateway")  # its key

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        webhooks = None
        # follow the public streams over the broker and deliver webhooks (dispatch.WebhookDelivery); not
        # over injected services (in-process tests drive the feed and the dispatcher themselves)
        if settings.webhooks.delivery and own_services:
            from services.gateway.dispatch import WebhookDelivery

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
    gate = Gate(settings, gateway, views, services, {"streams": StreamSlots(settings.gateway.live_streams_per_key)})
    api.state.settings, api.state.gateway, api.state.views, api.state.services = settings, gateway, views, services
    api.state.gate = gate
    install_error_handlers(api)
    for router in (routes_public.router, live.router, routes_admin.router, routes_open311.router,
                   routes_open311.elsewhere):
        api.include_router(router)
    api.mount("/static", StaticFiles(directory=dashboard.STATIC), name="static")
    api.include_router(dashboard.router)
    api.include_router(routes_public.health_router)
    staff = install_staff(api, settings, staff)
    api.add_middleware(BodyGuard, limit=settings.gateway.max_body_bytes, authenticate=gateway.authenticate,
                       staff_limit=settings.staff.max_body_bytes, staff_session=staff.session)
    return api
