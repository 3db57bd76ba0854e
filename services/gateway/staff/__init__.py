"""The staff workspace (/staff, and its JSON twin /v1/staff): the agency, commune officers and
inspectors at work. `install(api, settings)` adds its store, routers, error pages and static files
to the gateway's app. Each area is a module with `router` (HTML) and `api` (JSON)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from services.gateway.staff import (admin, audit, auth, bot_link, inbox, inspections, manifests, registry, reports, targets,
                                    transfer)
from services.gateway.staff.application import StaffApplication
from services.gateway.staff.kit import CsrfRefused, LoginRequired, Member, lang_of, login_redirect, render
from shared.kit.config import Settings
from shared.kit.errors import Forbidden, LangXanhError, NotFound
from shared.kit.pool import Unavailable
from shared.kit.store import app_for

STATIC = Path(__file__).parent / "static"
AREAS: list[Any] = [auth, admin, bot_link, inbox, inspections, reports, manifests, transfer, registry, targets, audit]


def staff_app(settings: Settings) -> StaffApplication:
    return app_for(StaffApplication, "staff", settings, **staff_options(settings))


def staff_options(settings: Settings) -> dict:
    return {"session_hours": settings.staff.session_hours, "idle_minutes": settings.staff.idle_minutes,
            "lock_after": settings.staff.lockout_failures, "lock_minutes": settings.staff.lockout_minutes,
            "link_hours": settings.staff.link_hours, "per_address_per_minute": settings.staff.logins_per_minute}


def _member(request: Request) -> Member | None:
    session = request.scope.get("state", {}).get("staff_session")
    return Member.of(session["account"], lang_of(request)) if session else None


def _is_page(request: Request) -> bool:
    return request.url.path == "/staff" or request.url.path.startswith("/staff/")


def install(api: FastAPI, settings: Settings, staff: StaffApplication | None = None) -> StaffApplication:
    staff = staff or staff_app(settings)
    api.state.staff = staff
    json_errors = api.exception_handlers[LangXanhError]
    json_unavailable = api.exception_handlers.get(Unavailable)

    @api.exception_handler(LoginRequired)
    async def login_required(request: Request, e: LoginRequired) -> Response:
        return login_redirect(e.next_path)

    @api.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, e: CsrfRefused) -> Response:
        return await render(request, _member(request), "error.html", status=403, title_key="csrf-title", text_key="csrf-text")

    @api.exception_handler(LangXanhError)
    async def kit_error(request: Request, e: LangXanhError) -> Response:
        if not _is_page(request):
            return await json_errors(request, e)
        if isinstance(e, Forbidden):
            return await render(request, _member(request), "error.html", status=403, title_key="forbidden-title",
                                text_key="forbidden-text")
        if isinstance(e, NotFound):
            return await render(request, _member(request), "error.html", status=404, title_key="notfound-title",
                                text_key="notfound-text")
        return await render(request, _member(request), "error.html", status=400, title_key="forbidden-title",
                            text=e.message if lang_of(request) == "en" else None, text_key="err-unexpected")

    @api.exception_handler(Unavailable)
    async def unavailable(request: Request, e: Unavailable) -> Response:
        if not _is_page(request) and json_unavailable is not None:
            return await json_unavailable(request, e)
        return await render(request, _member(request), "error.html", status=503, title_key="err-unavailable",
                            text_key="unavailable-text")

    for area in AREAS:
        api.include_router(area.router)
        api.include_router(area.api)
    api.mount("/staff/static", StaticFiles(directory=STATIC), name="staff-static")
    return staff
