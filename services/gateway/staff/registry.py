"""The registry (issue 14, page 2): sites searched diacritic-free and filtered, a site's card, its
timeline and the record as it stood on a date; the site's forms (edit, recognise, classify, the
Art. 56 checklist with evidence files, WWTP status, the reform mapping, deactivate) are in
registry_sites.py, the establishments and link codes in registry_establishments.py.

Every action is the sites service's own command, sent as the member with the form's command id.
A commune officer sees only the sites of their communes (new commune or old district): the search
is filtered by them, and every site page and action outside them is refused (403).
"""
import base64
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.gateway.context import errors
from services.gateway.staff import registry_establishments, registry_sites
from services.gateway.staff.i18n import field_errors
from services.gateway.staff.kit import StaffApi, StaffPage, call, paging, render
from services.gateway.staff.registry_kit import KINDS, WWTP, scope, site_in_scope, site_page, timeline
from shared.contracts import sites_staff as cs
from shared.kit.errors import NotFound

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/v1/staff", tags=["staff"], responses=errors(401, 403, 404, 409))
FILTERS = ("q", "kind", "commune", "old_district", "recognised", "classified", "conditions_met", "wwtp", "active")
PAGE = 50


def search_args(params: dict[str, str]) -> dict[str, Any]:
    """The query string as StaffSites' fields (empty ones left out)."""
    args: dict[str, Any] = {k: v for k, v in params.items() if k in FILTERS and v != ""}
    if "q" in args:
        args["query"] = args.pop("q")
    return args


@router.get("/staff/registry", response_class=HTMLResponse)
async def search(request: Request, member: StaffPage) -> HTMLResponse:
    params = {k: v[:200] for k, v in request.query_params.items()}
    errors: dict[str, str] = {}
    try:
        q = cs.StaffSites(**search_args(params), offset=params.get("offset") or 0, limit=PAGE, communes=scope(member))
        found = await call(request, member, "sites", "staff_sites", **q.model_dump(mode="json", exclude_none=True))
    except ValidationError as e:
        errors = {("q" if k == "query" else k): v for k, v in field_errors(e, member.lang).items()}
        found = {"total": 0, "offset": 0, "limit": PAGE, "sites": []}
    return await render(request, member, "registry/search.html", status=400 if errors else 200, found=found,
                        params=params, errors=errors, kinds=KINDS, wwtp_states=WWTP,
                        pager=paging(found["offset"], PAGE, found["total"], request))


@router.get("/staff/registry/sites/{site_id}", response_class=HTMLResponse)
async def site(request: Request, site_id: UUID, member: StaffPage) -> HTMLResponse:
    return await site_page(request, member, str(site_id))


@router.get("/staff/registry/sites/{site_id}/evidence/{digest}")
async def evidence(request: Request, site_id: UUID, digest: str, member: StaffPage) -> Response:
    """An evidence file of this site's checklist (any version of it): staff in scope only."""
    site_doc = await site_in_scope(request, member, site_id)
    files = {h["data"].get("evidence_file") for h in await timeline(request, member, site_doc["id"])}
    if digest not in files - {None}:
        raise NotFound("no such evidence file of this site", "evidence_file", "exists")
    got = await call(request, member, "sites", "get_evidence", evidence_file=digest)
    return Response(base64.b64decode(got["data_b64"]), media_type=got["content_type"],
                    headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
                             "Content-Security-Policy": "default-src 'none'; sandbox",
                             "Content-Disposition": f'inline; filename="evidence-{digest[:12]}"'})


# -- JSON ------------------------------------------------------------------------------------------
@api.get("/registry/sites", summary="Search the registry's sites (staff; a commune officer: their communes)")
async def search_json(request: Request, member: StaffApi, q: str = Query("", max_length=200),
                      kind: str | None = None, commune: str | None = None, old_district: str | None = None,
                      recognised: bool | None = None, classified: bool | None = None,
                      conditions_met: bool | None = None, wwtp: str | None = None, active: bool | None = None,
                      offset: int = Query(0, ge=0), limit: int = Query(PAGE, ge=1, le=200)) -> dict:
    filters = dict(kind=kind, commune=commune, old_district=old_district, recognised=recognised,
                   classified=classified, conditions_met=conditions_met, wwtp=wwtp, active=active)
    args = {k: v for k, v in filters.items() if v is not None}
    return await call(request, member, "sites", "staff_sites", query=q, offset=offset, limit=limit,
                      **args, **({"communes": scope(member)} if scope(member) else {}))


@api.get("/registry/sites/{site_id}", summary="A site: its record (or as it stood at the end of day `at`), "
                                               "its timeline (every event, by whom) and its establishments")
async def site_json(request: Request, site_id: UUID, member: StaffApi, at: str | None = Query(None, max_length=40)) -> dict:
    doc = await site_in_scope(request, member, site_id)
    shown = await call(request, member, "sites", "site_as_of", site_id=doc["id"], at=at) if at else doc
    ests = await call(request, member, "sites", "staff_establishments", site_id=doc["id"], limit=200)
    return {"site": shown, "history": await timeline(request, member, doc["id"]),
            "establishments": ests["establishments"]}


for module in (registry_establishments, registry_sites):  # /sites/{id}/establishments before /sites/{id}/{action}
    router.include_router(module.router)
    api.include_router(module.api)
