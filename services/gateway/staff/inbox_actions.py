"""The inbox's logic shared by its pages (inbox.py) and its JSON twin (inbox_api.py): a report
loaded with its site's place and the member's scope checked, and each action validated by its
contract and sent as the member with the form's command id.

Scope (the gateway's part; the services check roles): a commune officer sees and acts only on
reports whose site's new commune or old district is theirs (a report without a site is in no
commune: city-wide staff only); an inspector verifies and resolves only what is assigned to them
(`inspector` = their e-mail) or to their unit. A refusal raises Forbidden before any RPC that
changes something, so nothing changes."""
from __future__ import annotations

import base64
from typing import Any, get_args

from datetime import datetime
from uuid import UUID

from fastapi import Request
from pydantic import BaseModel, Field

from services.gateway.staff.kit import Member, call
from shared.contracts import inspections as c
from shared.contracts.base import MAX_OFFSET, Code
from shared.contracts.inspections import Category, IncidentState
from shared.contracts.inspections_events import IncidentClosingCode, IncidentRejectionCode, SYSTEM_CLOSING_CODES
from shared.kit.actor import Role
from shared.kit.calendar import LOCAL_TZ
from shared.kit.errors import Forbidden, InvalidInput
from shared import vocabulary
from shared.vocabulary import values

ACTIONS: dict[str, type[BaseModel]] = {
    "triage": c.TriageIncident, "assign": c.AssignIncident, "verify": c.VerifyIncident,
    "resolve": c.ResolveIncident, "reject": c.RejectIncident, "close": c.CloseIncident, "merge": c.MergeIncident,
}
SEND = {  # each action's RPC, named literally (tests/security/test_broker_acl.py reads the calls)
    "triage": lambda r, m, **kw: call(r, m, "inspections", "triage_incident", **kw),
    "assign": lambda r, m, **kw: call(r, m, "inspections", "assign_incident", **kw),
    "verify": lambda r, m, **kw: call(r, m, "inspections", "verify_incident", **kw),
    "resolve": lambda r, m, **kw: call(r, m, "inspections", "resolve_incident", **kw),
    "reject": lambda r, m, **kw: call(r, m, "inspections", "reject_incident", **kw),
    "close": lambda r, m, **kw: call(r, m, "inspections", "close_incident", **kw),
    "merge": lambda r, m, **kw: call(r, m, "inspections", "merge_incident", **kw),
}
ASSIGNED_ONLY = {"verify", "resolve"}  # an inspector: only on what is assigned to them or their unit
MAX_UPLOAD = 12 * 1024 * 1024
OPEN_STATES = [s for s in values(vocabulary.IncidentState) if s in vocabulary.OPEN_INCIDENT_STATES]
# the inbox's filter order (the open ones first): every state once, tests/gateway/staff checks
STATES = ["reported", "triaged", "assigned", "verified", "resolved", "reopened", "closed", "rejected", "merged"]
CATEGORIES = list(values(vocabulary.Category))
REJECTION_CODES = list(get_args(IncidentRejectionCode))  # the contract's codes, in its order
CLOSING_CODES = [code for code in get_args(IncidentClosingCode) if code not in SYSTEM_CLOSING_CODES]
PHOTO_HEADERS = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                 "Content-Security-Policy": "default-src 'none'; sandbox", "Referrer-Policy": "same-origin"}


class InboxFilters(BaseModel):
    """The list's query (the page's and the JSON twin's): bounded like every contract."""
    state: IncidentState | None = Field(None, description="One state (none: the open ones, unless all)")
    all: bool = Field(False, description="Every state")
    category: Category | None = None
    commune: Code | None = Field(None, description="A new commune or old district code (within the member's)")
    site_id: UUID | None = None
    overdue: bool = False
    mine: bool = Field(False, description="Assigned to the member or the member's unit")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=200)


def inbox_query(member: Member, f: InboxFilters) -> dict:
    """The staff_inbox RPC's arguments: the member's scope, narrowed by the commune filter."""
    communes = list(member.communes)
    if f.commune:
        if communes and f.commune not in communes:
            raise Forbidden("that commune is outside your communes", "commune", "scope")
        communes = [f.commune]
    q: dict[str, Any] = {"states": [] if f.all else ([f.state] if f.state else OPEN_STATES),
                         "category": f.category, "communes": communes, "site_id": str(f.site_id) if f.site_id else None,
                         "overdue": f.overdue, "offset": f.offset, "limit": f.limit}
    if f.mine:
        q.update(inspector=member.email, unit=member.unit)
    return {k: v for k, v in q.items() if v is not None}


def options() -> dict:
    return {"states": STATES, "categories": CATEGORIES, "priorities": list(values(vocabulary.Priority)),
            "rejection_codes": REJECTION_CODES, "closing_codes": CLOSING_CODES}




def local_text(iso: str | None) -> str:
    """An instant as Hanoi's clock shows it (dd/mm/yyyy HH:MM); '' for none."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


async def place(request: Request, member: Member, site_id: str | None) -> dict:
    """{site_id, name, commune, old_district} of a site (an empty place without one)."""
    if not site_id:
        return {"site_id": None, "name": None, "commune": None, "old_district": None}
    site = await call(request, member, "sites", "get_site", site_id=site_id)
    return {"site_id": site_id, "name": site.get("name"), "commune": site.get("commune"),
            "old_district": site.get("old_district")}


async def report(request: Request, member: Member, incident_id: str) -> dict:
    """The report as staff see it, its place, after the scope check (Forbidden outside)."""
    doc = await call(request, member, "inspections", "get_incident", incident_id=incident_id)
    where = await place(request, member, doc.get("site_id"))
    member.require_covers(where["commune"], where["old_district"])
    doc.pop("reporter", None)  # the gateway never shows who reported
    return dict(doc, place=where)


async def report_page(request: Request, member: Member, incident_id: str) -> dict:
    """Everything the report page shows: the report, its history, its duplicate suggestions."""
    doc = await report(request, member, incident_id)
    history = await call(request, member, "inspections", "incident_history", incident_id=incident_id)
    duplicates = []
    if doc["state"] == "reported":
        duplicates = await call(request, member, "inspections", "suggest_duplicates", incident_id=incident_id)
        if member.communes:  # a nearby report across the border is not the officer's: not linked
            duplicates = [d for d in duplicates if await in_scope(request, member, d["id"])]
    doc["local"] = {k: local_text(doc.get(k)) for k in ("reported_at", "triage_due", "resolution_due", "resolved_at")}
    for e in history:
        e["local_time"] = local_text(e["time"])
    return {"report": doc, "history": history, "duplicates": duplicates,
            "reopenings": [e for e in history if e["event"] == "Reopened"]}


async def in_scope(request: Request, member: Member, incident_id: str) -> bool:
    try:
        await report(request, member, incident_id)
    except Forbidden:
        return False
    return True


def check_assigned(member: Member, doc: dict, action: str) -> None:
    if action not in ASSIGNED_ONLY or member.role is not Role.INSPECTOR:
        return
    job = doc.get("assignment") or {}
    if not (job.get("inspector") == member.email or (member.unit and job.get("unit") == member.unit)):
        raise Forbidden("only the inspector or the unit it is assigned to may do this", "assignment", "assigned")


def command(action: str, incident_id: str, command_id: str, fields: dict[str, Any]) -> BaseModel:
    """The action's contract from form or JSON fields (blank optional fields left out);
    raises ValidationError naming the field."""
    contract = ACTIONS[action]
    clean = {k: v for k, v in fields.items() if k in contract.model_fields and v not in ("", None, [])}
    return contract(command_id=command_id, incident_id=incident_id, **clean)


async def check_target(request: Request, member: Member, action: str, cmd: BaseModel) -> None:
    """What the action points at is in scope too: the report merged into, the site triaged to."""
    if action == "merge":
        await report(request, member, str(getattr(cmd, "into")))
    if action == "triage" and getattr(cmd, "site_id", None):
        where = await place(request, member, str(cmd.site_id))
        if not member.covers(where["commune"], where["old_district"]):
            raise Forbidden("that site is outside your communes", "site_id", "scope")


async def store_photo(request: Request, member: Member, data: bytes) -> str:
    if len(data) > MAX_UPLOAD:
        raise InvalidInput(f"a photo is at most {MAX_UPLOAD // (1024 * 1024)} MB", "photo", "length")
    try:
        stored = await call(request, member, "inspections", "store_photo", data_b64=base64.b64encode(data).decode("ascii"))
    except InvalidInput as e:  # the service names its own field; the form's is `photo`
        raise InvalidInput(e.message, "photo", e.rule) from None
    return stored["photo"]


async def act(request: Request, member: Member, incident_id: str, action: str, command_id: str,
              fields: dict[str, Any], photos: list[bytes] = ()) -> dict:
    """Scope, assignment, contract, target, then the RPC as the member. Raises Forbidden,
    ValidationError or the service's error; nothing changed on any of them."""
    if action not in ACTIONS:
        raise InvalidInput(f"no action {action!r} on a report", "action", "enum")
    doc = await report(request, member, incident_id)
    check_assigned(member, doc, action)
    cmd = command(action, incident_id, command_id, fields)  # validated before a photo is stored
    await check_target(request, member, action, cmd)
    if photos:
        digests = [await store_photo(request, member, data) for data in photos]
        cmd = command(action, incident_id, command_id, dict(fields, photos=digests))
    return await SEND[action](request, member, **cmd.model_dump(mode="json", exclude_none=True))


async def photo(request: Request, member: Member, incident_id: str, digest: str) -> tuple[bytes, str]:
    await report(request, member, incident_id)
    got = await call(request, member, "inspections", "incident_photo", incident_id=incident_id, photo=digest)
    return base64.b64decode(got["data_b64"]), got["media_type"]
