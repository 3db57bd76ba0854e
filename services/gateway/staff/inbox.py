"""Page 1 of the staff workspace: the inbox of resident reports (HTML under /staff/inbox).

The list (filters, working-day clocks, overdue first, pager, a map of coarse locations), a report
(description, photos, duplicates, history with the reopenings) and its actions, each a form
posted with the session's CSRF token and a command id, sent as the same RPC the services have;
an error is shown next to its field and nothing changes; success redirects (post/redirect/get).
The JSON twin is inbox_api.py; the logic both share is inbox_actions.py."""
from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.gateway.staff import inbox_actions as ia
from services.gateway.staff.inbox_actions import PHOTO_HEADERS, InboxFilters, inbox_query, options
from services.gateway.staff.inbox_api import api  # noqa: F401  (the area's JSON router)
from services.gateway.staff.kit import Member, StaffPage, StaffPost, call, field_errors, paging, redirect, render
from shared.kit.errors import Forbidden, LangXanhError

router = APIRouter(include_in_schema=False)
def filters_of(request: Request) -> InboxFilters:
    raw = {k: v for k, v in request.query_params.items() if v != "" and k in InboxFilters.model_fields}
    for flag in ("all", "overdue", "mine"):
        if flag in raw:
            raw[flag] = raw[flag] in ("1", "true", "on")
    if raw.get("state") == "all":
        raw.pop("state")
        raw["all"] = True
    return InboxFilters(**raw)


def map_points(rows: list[dict]) -> str:
    points = [{"lat": r["location"]["lat"], "lon": r["location"]["lon"], "ticket": r["ticket"], "id": r["id"],
               "overdue": r["overdue"]} for r in rows if r.get("location")]
    return json.dumps(points).replace("<", "\\u003c").replace(">", "\\u003e")


@router.get("/staff/inbox", response_class=HTMLResponse)
async def inbox(request: Request, member: StaffPage) -> HTMLResponse:
    try:
        f = filters_of(request)
    except ValidationError as e:
        return await render(request, member, "inbox/list.html", status=400, errors=field_errors(e, member.lang),
                            rows=[], page=None, filters=dict(request.query_params), options=options(), points="[]",
                            tiles=tiles(request))
    page = await call(request, member, "inspections", "staff_inbox", **inbox_query(member, f))
    for row in page["rows"]:
        row["reported_local"] = ia.local_text(row["reported_at"])[:10]
        if row["clock"]:
            row["clock"]["due_local"] = "/".join(reversed(row["clock"]["due_date"].split("-")))
    return await render(request, member, "inbox/list.html", rows=page["rows"], filters=f.model_dump(mode="json"),
                        page=paging(f.offset, f.limit, page["total"], request), options=options(),
                        points=map_points(page["rows"]), tiles=tiles(request))


def tiles(request: Request) -> str:
    return request.app.state.settings.gateway.map_tiles_url.strip()


async def _report_page(request: Request, member: Member, incident_id: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    data = await ia.report_page(request, member, incident_id)
    return await render(request, member, "inbox/report.html", status=status, options=options(),
                        done=request.query_params.get("done"), **data, **ctx)


@router.get("/staff/inbox/{incident_id}", response_class=HTMLResponse)
async def report(request: Request, incident_id: UUID, member: StaffPage) -> HTMLResponse:
    return await _report_page(request, member, str(incident_id))


@router.post("/staff/inbox/{incident_id}/{action}", response_class=HTMLResponse)
async def act(request: Request, incident_id: UUID, action: str, posted: StaffPost) -> Response:
    m, iid = posted.member, str(incident_id)
    upload = posted.files.get("photo") if action == "verify" else None
    photos = [await upload.read(ia.MAX_UPLOAD + 1)] if upload is not None else []  # bounded: store_photo refuses more
    try:
        await ia.act(request, m, iid, action, posted.command_id, posted.fields, photos)
    except Forbidden as e:
        if e.field == "commune":
            raise  # outside the member's communes: the 403 page, nothing changed
        return await _report_page(request, m, iid, status=403, errors=field_errors(e, m.lang), failed=action,
                                  form=posted.fields)
    except (LangXanhError, ValidationError) as e:
        return await _report_page(request, m, iid, status=400, errors=field_errors(e, m.lang), failed=action,
                                  form=posted.fields)
    return redirect(f"/staff/inbox/{iid}?done={action}")


@router.get("/staff/inbox/{incident_id}/photos/{digest}")
async def photo(request: Request, incident_id: UUID, digest: str, member: StaffPage) -> Response:
    """A photo of the report, to staff in scope only, never stored by a cache (private, no-store)."""
    data, media_type = await ia.photo(request, member, str(incident_id), digest[:64])
    return Response(data, media_type=media_type, headers=PHOTO_HEADERS)
