"""The inbox's JSON twin under /v1/staff/inbox (in the OpenAPI document, tags ["staff"]): the
list, a report, its photos and every action, with pydantic bodies. A session cookie is needed
(401 without), and every write the session's X-CSRF-Token header (403 without); scope as the
pages (inbox_actions.py)."""
from __future__ import annotations

import base64
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.gateway.context import errors
from services.gateway.staff import inbox_actions as ia
from services.gateway.staff.inbox_actions import PHOTO_HEADERS, InboxFilters, inbox_query
from services.gateway.staff.kit import StaffApi, call
from shared.contracts.base import CommandId, LongText, OptShortText, ShortText
from shared.contracts.inspections import (BlobRef, Category, IncidentClosingCode, IncidentRejectionCode,
                                          Priority)

api = APIRouter(prefix="/v1/staff/inbox", tags=["staff"])
ERRORS = errors(400, 401, 403, 404, 409, 503)
IMAGES = {200: {"content": {"image/png": {}, "image/jpeg": {}, "image/webp": {}},
                "description": "The photo (Cache-Control: private, no-store)"}}


class _Body(BaseModel):
    command_id: CommandId = Field(description="Chosen by the caller: the same id again acts once")


class TriageBody(_Body):
    category: Category
    priority: Priority
    site_id: UUID | None = None


class AssignBody(_Body):
    unit: ShortText
    inspector: OptShortText = Field(None, description="The inspector's e-mail")
    due: date | None = None


class VerifyBody(_Body):
    finding: LongText
    inspection_id: UUID | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3, description="From POST .../photos first")


class ResolveBody(_Body):
    note: LongText | None = Field(None, description="To the reporter")
    violation_id: UUID | None = None


class RejectBody(_Body):
    reason: ShortText
    reason_code: IncidentRejectionCode = "other"


class CloseBody(_Body):
    reason: ShortText
    reason_code: IncidentClosingCode = "other"


class MergeBody(_Body):
    into: UUID


class PhotoBody(BaseModel):
    data_b64: Annotated[str, Field(min_length=4, max_length=16_000_000)] = Field(description="The photo, base64")


@api.get("", summary="The inbox: reports in the member's scope, overdue first, paged", responses=ERRORS)
async def inbox_list(request: Request, member: StaffApi, f: Annotated[InboxFilters, Query()]) -> dict:
    return await call(request, member, "inspections", "staff_inbox", **inbox_query(member, f))


@api.get("/{incident_id}", summary="A report as staff see it: its place, history and duplicate suggestions",
         responses=ERRORS)
async def inbox_report(request: Request, incident_id: UUID, member: StaffApi) -> dict:
    return await ia.report_page(request, member, str(incident_id))


@api.get("/{incident_id}/photos/{digest}", summary="A photo of the report (private, never cached)",
         response_class=Response, responses={**ERRORS, **IMAGES})
async def inbox_photo(request: Request, incident_id: UUID, digest: BlobRef, member: StaffApi) -> Response:
    data, media_type = await ia.photo(request, member, str(incident_id), digest)
    return Response(data, media_type=media_type, headers=PHOTO_HEADERS)


@api.post("/{incident_id}/photos", summary="Store an on-site photo for verify (answers its reference)",
          responses=ERRORS)
async def inbox_store_photo(request: Request, incident_id: UUID, body: PhotoBody, member: StaffApi) -> dict:
    await ia.report(request, member, str(incident_id))
    try:
        data = base64.b64decode(body.data_b64, validate=True)
    except ValueError:
        from shared.kit.errors import InvalidInput

        raise InvalidInput("data_b64 is not valid base64", "data_b64", "base64") from None
    return {"photo": await ia.store_photo(request, member, data)}


def _action(name: str, body_model: type[_Body], summary: str) -> None:
    async def route(request: Request, incident_id: UUID, body: body_model, member: StaffApi) -> dict:  # type: ignore[valid-type]
        fields = body.model_dump(mode="json", exclude={"command_id"})
        return await ia.act(request, member, str(incident_id), name, body.command_id, fields)

    route.__name__ = f"inbox_{name}"
    route.__annotations__["body"] = body_model  # a real class: the module's annotations are strings
    api.add_api_route(f"/{{incident_id}}/{name}", route, methods=["POST"], summary=summary, responses=ERRORS)


for _name, _model, _summary in (
    ("triage", TriageBody, "Triage: category, priority, site"), ("assign", AssignBody, "Assign to a unit and inspector"),
    ("verify", VerifyBody, "Verify on site (assigned inspector or unit)"),
    ("resolve", ResolveBody, "Resolve with a note to the reporter (assigned inspector or unit)"),
    ("reject", RejectBody, "Reject with a reason and its code"), ("close", CloseBody, "Close a resolved report"),
    ("merge", MergeBody, "Merge into another report"),
):
    _action(_name, _model, _summary)
