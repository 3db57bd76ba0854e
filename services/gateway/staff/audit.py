"""The audit page (/staff/audit) and its JSON twin (/v1/staff/audit): who did what and when, by
person (`actor`) or by record (`record`), merged across the four services' trails (their
`audit_trail` RPC, asked concurrently) and, for admins, the gateway's own stores: the staff accounts'
events (created, changed, disabled, passwords, logins, lockouts) and the API keys' and webhooks' (issued,
revoked, registered, resumed, replays, deleted), newest first.

Who may read it: the agency and admins, city-wide. A commune officer is refused (403): a trail row
names no place, so it could not be kept to their communes; they read each record's history on the
record's own page. Inspectors are refused too (the services refuse them `audit_trail`). A chat
pseudonym (a resident's, a party's) is shown to admins only (shared/kit/audit.py); the gateway's own
stores' events to admins only, as the accounts and keys themselves are.

Paging is exact across the merged logs: the cursor `before` holds, for each source, the
notification id to continue before (`sites:120,inspections:0,…`; 0 = that source is done)."""
from __future__ import annotations

import asyncio
import heapq
import re
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID
from zoneinfo import ZoneInfo

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field, ValidationError

from services.gateway.context import Error, errors
from services.gateway.staff.accounts import staff_actor_id
from services.gateway.staff.i18n import field_errors
from services.gateway.staff.kit import Member, StaffApi, StaffPage, call, render
from shared.contracts.audit import ActorId, AuditTrail as ServiceQuery
from shared.kit.actor import Role
from shared.kit.audit import AuditTrail
from shared.kit.errors import Forbidden, InvalidInput
from shared.kit.sql import Db

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/v1/staff", tags=["staff"])
SERVICES = ("sites", "inspections", "manifests", "indicators")
STAFF, GATEWAY = "staff", "gateway"  # the gateway's own stores: staff accounts, API keys and webhooks
CURSOR = re.compile(r"^[a-z]{1,20}:\d{1,15}(,[a-z]{1,20}:\d{1,15}){0,9}$")
LINKS = {"incident": "/staff/inbox/{}", "site": "/staff/registry/sites/{}", "inspection": "/staff/inspections/{}",
         "manifest": "/staff/manifests/{}", "violation": "/staff/inspections/violations/{}"}
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


class StaffTrail(AuditTrail):
    """The staff accounts' log: a login names the account itself; a failed one names nobody (who
    typed the password is not known), and both are rows of the account's trail."""

    def actor_of(self, event: dict) -> dict | None:
        actor = super().actor_of(event)
        name = type(event["event"]).__name__
        if actor is None and name in ("LoggedIn", "LoginFailed"):
            account = self.aggregate_at(event)
            if name == "LoginFailed":
                return {"id": None, "role": None}
            return {"id": staff_actor_id(account.email), "role": account.role}
        return actor


class GatewayTrail(AuditTrail):
    """The gateway's own log (API keys, webhooks): its events name a key's caller {agency, scopes, key_id}
    or the operator (`langxanh gateway key`: no caller); as actors, the ids the services see for a key
    (`gateway:<agency>`, services/gateway/actors.py) and `cli:operator`."""

    def actor_of(self, event: dict) -> dict | None:
        caller = getattr(event["event"], "actor", None)
        if not isinstance(caller, dict):
            return None  # a webhook parked by the dispatcher, a report quota counted: not a person's act
        if caller.get("agency") is None:
            return {"id": "cli:operator", "role": Role.ADMIN.value}
        return {"id": f"gateway:{caller['agency']}", "role": Role.AGENCY.value}


LOCAL_LOGS = {STAFF: (StaffTrail, lambda state: state.staff), GATEWAY: (GatewayTrail, lambda state: state.gate.gateway)}


def local_trail(request: Request, name: str) -> AuditTrail:
    """The trail of one of the gateway's own stores, made on first use (app.state.audit_trails)."""
    state = request.app.state
    trails = getattr(state, "audit_trails", None)
    if trails is None:
        trails = state.audit_trails = {}
    if name not in trails:
        cls, app_of = LOCAL_LOGS[name]
        app = app_of(state)
        trails[name] = cls(Db.of(app), app, name)
    return trails[name]


class AuditRow(BaseModel):
    service: str = Field(description="sites, inspections, manifests, indicators, or (admins) staff (the accounts) "
                                     "and gateway (API keys, webhooks)")
    sequence: int = Field(description="The event's notification id in that service's log")
    aggregate_id: str
    aggregate_kind: str = Field(examples=["incident"])
    event: str = Field(examples=["Triaged"])
    actor_id: str | None = Field(description="Who did it; None when hidden (a chat pseudonym, to a non-admin)")
    actor_role: str | None
    establishment: str | None = Field(description="The establishment a party acted for")
    recorded_at: str = Field(description="UTC, ISO 8601")
    href: str | None = Field(None, description="The record's page in the workspace, where its kind has one")


class AuditPage(BaseModel):
    rows: list[AuditRow]
    next: str | None = Field(description="The `before` of the next page; None at the end")


def member_may_read(member: Member) -> None:
    member.require(Role.AGENCY, Role.ADMIN)
    if member.communes:
        raise Forbidden("the audit is city-wide; a commune officer reads a record's history on its page",
                        "commune", "scope")


def actor_of(text: str | None) -> str | None:
    """An e-mail stands for its staff actor id; anything else is an actor id as recorded."""
    text = (text or "").strip()
    if text and "@" in text and ":" not in text:
        try:
            return staff_actor_id(text)
        except InvalidInput as e:
            raise InvalidInput(e.message, "actor", e.rule) from None
    return text or None


def parse_cursor(before: str | None, sources: tuple[str, ...]) -> dict[str, int | None]:
    cursor: dict[str, int | None] = {s: None for s in sources}
    if before:
        if not CURSOR.match(before):
            raise InvalidInput("before is a cursor such as sites:120,inspections:0", "before", "format")
        for part in before.split(","):
            name, _, seq = part.partition(":")
            if name not in cursor:
                raise InvalidInput(f"before names an unknown log {name!r}", "before", "format")
            cursor[name] = int(seq)
    return cursor


async def _source(request: Request, member: Member, source: str, query: dict) -> dict:
    if source in LOCAL_LOGS:
        trail = local_trail(request, source)
        return await anyio.to_thread.run_sync(lambda: trail.trail(member.actor, **query))
    return await call(request, member, source, "audit_trail", **query)


async def merged(request: Request, member: Member, actor: str | None, record: str | None, before: str | None,
                 limit: int, until: date | None = None) -> dict:
    """{rows (newest first, at most `limit`), next (the cursor, or None)} across every log."""
    member_may_read(member)
    sources = SERVICES + ((STAFF, GATEWAY) if member.is_admin else ())
    cursor = parse_cursor(before, sources)
    if not actor and not record:
        raise InvalidInput("name a person (actor) or a record", "actor", "required")
    try:
        record = str(UUID(record)) if record else None
    except ValueError:
        raise InvalidInput("a record is the id (UUID) of a report, site, inspection, manifest…", "record",
                           "format") from None
    end = datetime.combine(until + timedelta(days=1), time(), LOCAL) if until else None  # the whole local day
    query = ServiceQuery(actor=actor, aggregate_id=record, before_time=end, limit=limit).model_dump(
        mode="json", exclude_none=True)
    live = [s for s in sources if cursor[s] != 0]
    pages = await asyncio.gather(*(_source(request, member, s, dict(query, **({"before": cursor[s]} if cursor[s]
                                                                             else {}))) for s in live))
    answers = dict(zip(live, pages))
    streams = [[(r["recorded_at"], r["sequence"], s, r) for r in answers[s]["rows"]] for s in live]
    shown = list(heapq.merge(*streams, key=lambda x: (x[0], x[1]), reverse=True))[:limit]
    for s in live:
        taken = [r for _t, _q, src, r in shown if src == s]
        if len(taken) == len(answers[s]["rows"]) and answers[s]["next_before"] is None:
            cursor[s] = 0
        elif taken:
            cursor[s] = taken[-1]["sequence"]
    more = any(v != 0 for v in cursor.values())
    rows = [dict(r, href=LINKS[r["aggregate_kind"]].format(r["aggregate_id"]) if r["aggregate_kind"] in LINKS else None)
            for _t, _q, _s, r in shown]
    # a source none of whose rows were shown yet stays out of the cursor (it starts from its newest)
    return {"rows": rows, "next": ",".join(f"{s}:{v}" for s, v in cursor.items() if v is not None) if more else None}


def local_time(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(LOCAL).strftime("%d/%m/%Y %H:%M:%S")


class Form(BaseModel):
    actor: ActorId | None = None
    record: str | None = Field(None, pattern=r"^[0-9a-fA-F-]{32,36}$")
    before: str | None = Field(None, max_length=400)
    limit: int = Field(50, ge=1, le=200)
    until: date | None = None


@router.get("/staff/audit", response_class=HTMLResponse)
async def page(request: Request, member: StaffPage) -> HTMLResponse:
    member_may_read(member)
    raw = {k: v for k, v in request.query_params.items() if k in Form.model_fields and v.strip()}
    ctx: dict[str, Any] = {"form": raw, "rows": None, "next_href": None, "local_time": local_time}
    if not raw.get("actor") and not raw.get("record"):
        return await render(request, member, "audit/trail.html", **ctx)
    try:
        form = Form(**raw)
        answer = await merged(request, member, actor_of(form.actor), form.record, form.before, form.limit,
                              form.until)
    except (ValidationError, InvalidInput) as e:
        return await render(request, member, "audit/trail.html", status=400, errors=field_errors(e, member.lang), **ctx)
    if answer["next"]:
        keep = [(k, v) for k, v in raw.items() if k != "before"]
        ctx["next_href"] = "?" + urlencode([*keep, ("before", answer["next"])])
    ctx["rows"] = answer["rows"]
    return await render(request, member, "audit/trail.html", **ctx)


RESPONSES = {**errors(), 401: {"model": Error, "description": "A staff session is required (cookie lx_staff)"},
             403: {"model": Error, "description": "Not the agency or an admin, or a commune officer (the audit is "
                                                  "city-wide)"}}


@api.get("/audit", response_model=AuditPage, responses=RESPONSES)
async def api_audit(request: Request, member: StaffApi,
                    actor: str | None = Query(None, max_length=300, description="An actor id, or a staff e-mail"),
                    record: str | None = Query(None, pattern=r"^[0-9a-fA-F-]{32,36}$", description="A record's id"),
                    before: str | None = Query(None, max_length=400, description="The previous page's `next`"),
                    limit: int = Query(50, ge=1, le=200),
                    until: date | None = Query(None, description="Only rows recorded by the end of this day "
                                                                 "(Asia/Ho_Chi_Minh)")) -> dict:
    """Who did what and when, newest first, across the four services (and, for admins, the staff
    accounts): by person or by record. Agency and admins, city-wide; a chat pseudonym to admins only."""
    try:
        return await merged(request, member, actor_of(actor), record, before, limit, until)
    except ValidationError as e:
        first = e.errors()[0]
        raise InvalidInput(str(first.get("msg")), ".".join(str(x) for x in first.get("loc", ())) or None,
                           "format") from None
