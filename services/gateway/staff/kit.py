"""What every page of the staff workspace is built on: the signed-in member, the three route
dependencies (StaffPage, StaffApi, StaffPost), rendering, RPC as the member, and form errors.

A member's session comes from the HttpOnly cookie `lx_staff` (only its hash is stored); every
form carries the session's CSRF token and a command id (a double submit sends the same id, and
the services act once per id). JSON writes carry the token in `X-CSRF-Token`.
"""
from __future__ import annotations

import hmac
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import anyio
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import UploadFile

from services.gateway.staff.accounts import staff_actor_id
from services.gateway.staff.i18n import field_errors, norm, t  # noqa: F401  (field_errors re-exported)
from shared.kit.actor import Actor, Role
from shared.kit.errors import Forbidden, InvalidInput

SESSION_COOKIE, LANG_COOKIE = "lx_staff", "lx_lang"
TEMPLATES = Path(__file__).parent / "templates"
COMMAND_ID = re.compile(r"^[A-Za-z0-9_.:-]{8,200}$")
MAX_FIELDS, MAX_FILES, MAX_FIELD_CHARS = 200, 10, 20_000
ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)


def unit_name(unit: str | None) -> str:
    """`city:hanoi`, `district:<code>`, `commune:<code>` (or a bare code) as a person reads it."""
    from shared.reference import commune_name, district_name

    if not unit:
        return ""
    kind, _, code = unit.partition(":")
    if not code:
        return commune_name(kind) if commune_name(kind) != kind else (district_name(kind) or kind)
    if kind == "city":
        return "Hà Nội"
    return (commune_name(code) if kind == "commune" else district_name(code)) or code


ENV.filters["unit_name"] = unit_name
ENV.filters["commune_name"] = lambda code: unit_name(f"commune:{code}") if code else ""
ENV.filters["district_name"] = lambda code: unit_name(f"district:{code}") if code else ""


@dataclass(frozen=True)
class Member:
    id: str
    email: str
    role: Role
    communes: tuple[str, ...] = ()
    unit: str | None = None
    lang: str = "vi"
    name: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=staff_actor_id(self.email), role=self.role)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def covers(self, commune: str | None, district: str | None = None) -> bool:
        return not self.communes or commune in self.communes or district in self.communes

    def require_covers(self, commune: str | None, district: str | None = None) -> None:
        if not self.covers(commune, district):
            raise Forbidden("this record is outside your communes", "commune", "scope")

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(f"role {self.role.value} may not do this", "actor.role", "role")

    @classmethod
    def of(cls, account: dict, lang: str) -> "Member":
        return cls(id=account["account_id"], email=account["email"], role=Role(account["role"]),
                   communes=tuple(account.get("communes") or ()), unit=account.get("unit"), lang=lang,
                   name=account.get("name"))


class LoginRequired(Exception):
    """Raised by StaffPage/StaffPost without a session: answered with 303 to the login page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """A form without the session's CSRF token: answered with a 403 page, nothing done."""


def lang_of(request: Request) -> str:
    asked = request.query_params.get("lang")
    return norm(asked if asked in ("vi", "en") else request.cookies.get(LANG_COOKIE))


async def session_of(request: Request) -> dict | None:
    """{csrf, account} of the request's session (looked up once per request), or None."""
    state = request.scope.setdefault("state", {})
    if "staff_session" not in state:
        token = request.cookies.get(SESSION_COOKIE)
        staff = request.app.state.staff
        state["staff_session"] = await anyio.to_thread.run_sync(staff.session, token) if token else None
    return state["staff_session"]


def safe_next(path: str | None) -> str:
    """Only a path of the workspace itself (no open redirect)."""
    if path and path.startswith("/staff") and not path.startswith("//") and "\\" not in path and "\n" not in path:
        return path
    return "/staff"


async def page_member(request: Request) -> Member:
    session = await session_of(request)
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    return Member.of(session["account"], lang_of(request))


async def api_member(request: Request) -> Member:
    session = await session_of(request)
    if session is None:
        raise Forbidden("a staff session is required: log in at /staff/login (cookie lx_staff)", "session", "required")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sent = request.headers.get("x-csrf-token") or ""
        if not hmac.compare_digest(sent.encode(), session["csrf"].encode()):
            raise Forbidden("the X-CSRF-Token header is missing or wrong (GET /v1/staff/me gives it)",
                            "X-CSRF-Token", "csrf")
    return Member.of(session["account"], lang_of(request))


@dataclass
class Posted:
    member: Member
    fields: dict[str, str]
    command_id: str
    multi: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, UploadFile] = field(default_factory=dict)

    def values(self, name: str) -> list[str]:
        return self.multi.get(name, [])


async def posted_form(request: Request) -> Posted:
    member = await page_member(request)
    session = request.scope["state"]["staff_session"]
    form = await request.form(max_files=MAX_FILES, max_fields=MAX_FIELDS)
    sent = form.get("csrf")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), session["csrf"].encode()):
        raise CsrfRefused()
    command_id = form.get("command_id")
    if not isinstance(command_id, str) or not COMMAND_ID.match(command_id):
        raise InvalidInput("the form's command id is missing; reload the page", "command_id", "command")
    fields: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    files: dict[str, UploadFile] = {}
    for key, value in form.multi_items():
        if key in ("csrf", "command_id"):
            continue
        if isinstance(value, UploadFile):
            if value.filename:
                files[key] = value
            continue
        if len(value) > MAX_FIELD_CHARS:
            raise InvalidInput(f"at most {MAX_FIELD_CHARS} characters", key, "length")
        multi.setdefault(key, []).append(value.strip())
        fields[key] = value.strip()
    return Posted(member=member, fields=fields, command_id=command_id, multi=multi, files=files)


StaffPage = Annotated[Member, Depends(page_member)]
StaffApi = Annotated[Member, Depends(api_member)]
StaffPost = Annotated[Posted, Depends(posted_form)]


def csp(request: Request) -> str:
    from services.gateway.dashboard import tile_source

    source = tile_source(request.app.state.settings.gateway.map_tiles_url.strip())
    return ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
            f"img-src 'self' data:{' ' + source if source else ''}; base-uri 'none'; form-action 'self'; "
            "frame-ancestors 'none'")


def headers(request: Request) -> dict[str, str]:
    return {"Content-Security-Policy": csp(request), "Cache-Control": "no-store", "Referrer-Policy": "same-origin",
            "X-Content-Type-Options": "nosniff"}


async def render(request: Request, member: Member | None, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    lang = member.lang if member else lang_of(request)
    session = request.scope.get("state", {}).get("staff_session")
    body = ENV.get_template(template).render(
        t=lambda key, **args: t(lang, key, **args), member=member, lang=lang, request=request, path=request.url.path,
        csrf=session["csrf"] if session else "", new_command_id=lambda: str(uuid.uuid4()),
        errors=ctx.pop("errors", {}), **ctx)
    response = HTMLResponse(body, status_code=status, headers=headers(request))
    if request.query_params.get("lang") in ("vi", "en"):
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True,
                            secure=request.url.scheme == "https")
    return response


async def call(request: Request, member: Member, service: str, rpc: str, **kwargs: Any) -> Any:
    """The RPC as the member (the gateway signs the assertion of the staff role)."""
    return await request.app.state.gate.services.call(member.actor, service, rpc, **kwargs)


class Invalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def login_redirect(next_path: str) -> RedirectResponse:
    return redirect(f"/staff/login?next={quote(safe_next(next_path), safe='')}")


def paging(offset: int, limit: int, total: int | None, request: Request | None = None) -> dict:
    """The pager's figures and links (the request's query string kept, its offset replaced)."""
    total = total if total is not None else offset + limit
    prev = max(offset - limit, 0) if offset > 0 else None
    nxt = offset + limit if offset + limit < total else None

    def href(at: int | None) -> str | None:
        if at is None:
            return None
        query = [(k, v) for k, v in (request.query_params.multi_items() if request else []) if k != "offset"]
        return "?" + urlencode([*query, ("offset", str(at))])

    return {"offset": offset, "limit": limit, "total": total, "from": min(offset + 1, total) if total else 0,
            "to": min(offset + limit, total), "prev": prev, "next": nxt, "prev_href": href(prev), "next_href": href(nxt)}
