"""Page 4, manifests (chứng từ CTNH): the staff's list filtered by state, generator, transporter,
facility, waste code and commune, the flagged lists (open discrepancies, copy 4 overdue, in
transit too long, stock held over a year), the mass balance per generator with its anomaly flag,
and a manifest with its lines, signatures and the discrepancy's resolve/escalate form.

A commune officer sees only the manifests whose generator's site is in their communes (new
commune or old district): the lists are asked with their communes, and a manifest's page and
its form check the generator's site before anything is shown or done."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field, ValidationError

from services.gateway.staff.kit import (Member, StaffApi, StaffPage, StaffPost, call, field_errors, paging, redirect,
                                        render)
from shared.contracts import manifests as c
from shared.kit.calendar import local_date
from shared.kit.errors import Forbidden, LangXanhError, NotFound
from shared.vocabulary import ManifestState, values
from services.gateway.context import errors
from shared.kit.nameko_glue import invalid_from_validation

router = APIRouter(include_in_schema=False)
ERRS = errors(401, 403, 404, 409)  # 401: no staff session; 403: the role, the scope or the CSRF header
api = APIRouter(prefix="/v1/staff", tags=["staff"])
FILTERS = ("state", "generator_id", "transporter_id", "facility_id", "code", "flag")
STATES = values(ManifestState)  # shared/vocabulary.py
FLAGS = ("discrepancy_open", "copy4_overdue", "in_transit_too_long")
Text = Annotated[str | None, Query(max_length=80)]
Communes = Annotated[list[str], Query(max_length=50, description="New commune or old district codes")]
Offset = Annotated[int, Query(ge=0, le=10**9)]
Limit = Annotated[int, Query(ge=1, le=200)]


def areas(member: Member, asked: list[str] | tuple[str, ...]) -> list[str]:
    """The communes a list is asked for: what was asked, inside the member's own scope (a commune
    officer never widens it; asking for none of theirs gives all of theirs)."""
    asked = [a.strip() for text in asked for a in text.replace(";", ",").split(",") if a.strip()]
    if not member.communes:
        return asked
    return [a for a in asked if a in member.communes] or list(member.communes)


def _validated(contract: type[BaseModel], **fields: Any) -> BaseModel:
    return contract(**{k: v for k, v in fields.items() if v not in (None, "")})


def _dump(query: BaseModel) -> dict:
    return query.model_dump(mode="json", exclude_none=True)


async def _ask(request: Request, member: Member, rpc: str, q: BaseModel) -> Any:
    """One of the three lists (each named in full: the broker permissions are read from these calls)."""
    if rpc == "staff_manifests":
        return await call(request, member, "manifests", "staff_manifests", **_dump(q))
    if rpc == "staff_stock_overdue":
        return await call(request, member, "manifests", "staff_stock_overdue", **_dump(q))
    if rpc == "staff_mass_balances":
        return await call(request, member, "manifests", "staff_mass_balances", **_dump(q))
    raise ValueError(rpc)


# -- a manifest, in scope ----------------------------------------------------------------------------
def year_of(doc: dict) -> int:
    handed = next((s["at"] for s in doc.get("signatures") or [] if s["party"] == "generator"), None)
    return int((handed or doc["planned_date"])[:4])


async def manifest_detail(request: Request, member: Member, manifest_id: UUID) -> dict:
    """The manifest, its generator's site (checked against the member's scope first), the parties'
    names and the generator's mass balance for the manifest's year."""
    doc = await call(request, member, "manifests", "get_manifest", manifest_id=str(manifest_id))
    generator = await call(request, member, "sites", "get_establishment", establishment_id=doc["generator_id"])
    site = await call(request, member, "sites", "get_site", site_id=generator["site_id"])
    member.require_covers(site.get("commune"), site.get("old_district"))
    names = {doc["generator_id"]: generator.get("name")}
    for eid in [*doc["transporters"], doc["facility_1"], doc.get("facility_2")]:
        if eid and eid not in names:
            try:
                names[eid] = (await call(request, member, "sites", "get_establishment", establishment_id=eid))["name"]
            except NotFound:
                names[eid] = None
    balance = await call(request, member, "manifests", "staff_mass_balances", year=year_of(doc),
                         generator_id=doc["generator_id"], limit=1)
    return {"manifest": doc, "site": {"id": site["id"], "name": site.get("name"), "commune": site.get("commune"),
                                      "old_district": site.get("old_district")},
            "names": names, "balance": (balance["items"] or [None])[0]}


async def resolve(request: Request, member: Member, manifest_id: UUID, command_id: str, outcome: str,
                  note: str) -> dict:
    """Staff decide an open discrepancy (agreed) or escalate it, after the scope check."""
    await manifest_detail(request, member, manifest_id)
    cmd = c.ResolveDiscrepancy(command_id=command_id, manifest_id=manifest_id, outcome=outcome, note=note)
    return await call(request, member, "manifests", "resolve_discrepancy", **cmd.model_dump(mode="json"))


# -- pages ---------------------------------------------------------------------------------------------
def _form(request: Request) -> dict:
    p = request.query_params
    # what the form shows again (the contract, not this, bounds and checks what is asked)
    return {k: p.get(k, "")[:200] for k in (*FILTERS, "commune", "offset", "limit", "year", "anomaly_only")}


async def _page(request: Request, member: Member, template: str, rpc: str, contract: type[BaseModel],
                **fields: Any) -> HTMLResponse:
    form = _form(request)
    try:
        q = _validated(contract, communes=areas(member, request.query_params.getlist("commune")),
                       offset=form["offset"] or 0, limit=form["limit"] or 50, **fields)
    except ValidationError as e:
        return await render(request, member, template, status=400, errors=field_errors(e, member.lang), form=form,
                            answer=None, states=STATES, flags=FLAGS, counts=None)
    answer = await _ask(request, member, rpc, q)
    scope = list(getattr(q, "communes"))
    counts = await call(request, member, "manifests", "staff_flag_counts", communes=scope)
    return await render(request, member, template, form=form, answer=answer, counts=counts, states=STATES, flags=FLAGS,
                        scope=scope, pager=paging(answer["offset"], answer["limit"], answer["total"], request))


@router.get("/staff/manifests", response_class=HTMLResponse)
async def manifests_page(request: Request, member: StaffPage) -> HTMLResponse:
    p = request.query_params
    return await _page(request, member, "manifests/list.html", "staff_manifests", c.StaffManifests,
                       **{k: p.get(k) for k in FILTERS})


@router.get("/staff/manifests/stock", response_class=HTMLResponse)
async def stock_page(request: Request, member: StaffPage) -> HTMLResponse:
    return await _page(request, member, "manifests/stock.html", "staff_stock_overdue", c.StaffStockOverdue)


@router.get("/staff/manifests/balance", response_class=HTMLResponse)
async def balance_page(request: Request, member: StaffPage) -> HTMLResponse:
    p = request.query_params
    return await _page(request, member, "manifests/balance.html", "staff_mass_balances", c.StaffMassBalances,
                       year=p.get("year") or local_date(datetime.now(timezone.utc)).year,
                       anomaly_only=p.get("anomaly_only") or None,
                       generator_id=p.get("generator_id"))


@router.get("/staff/manifests/{manifest_id}", response_class=HTMLResponse)
async def manifest_page(request: Request, manifest_id: UUID, member: StaffPage) -> HTMLResponse:
    return await render(request, member, "manifests/one.html", form={},
                        **await manifest_detail(request, member, manifest_id))


@router.post("/staff/manifests/{manifest_id}/discrepancy", response_class=HTMLResponse)
async def resolve_form(request: Request, manifest_id: UUID, posted: StaffPost) -> Response:
    m, f = posted.member, posted.fields
    try:
        await resolve(request, m, manifest_id, posted.command_id, f.get("outcome", ""), f.get("note", ""))
    except (ValidationError, LangXanhError) as e:
        if isinstance(e, Forbidden):
            raise  # the 403 page: nothing was done
        return await render(request, m, "manifests/one.html", status=400, errors=field_errors(e, m.lang), form=f,
                            **await manifest_detail(request, m, manifest_id))
    return redirect(f"/staff/manifests/{manifest_id}")


# -- JSON --------------------------------------------------------------------------------------------------
async def _json(request: Request, member: Member, rpc: str, contract: type[BaseModel], **fields: Any) -> Any:
    try:
        q = _validated(contract, **fields)
    except ValidationError as e:
        raise invalid_from_validation(e) from None
    return await _ask(request, member, rpc, q)


@api.get("/manifests", responses=ERRS, summary="Manifests in the member's scope, filtered, with paging and the total")
async def api_manifests(request: Request, member: StaffApi, state: Text = None, generator_id: Text = None,
                        transporter_id: Text = None, facility_id: Text = None, code: Text = None, flag: Text = None,
                        commune: Communes = [], offset: Offset = 0, limit: Limit = 50) -> dict:  # noqa: B006
    return await _json(request, member, "staff_manifests", c.StaffManifests, state=state, generator_id=generator_id,
                       transporter_id=transporter_id, facility_id=facility_id, code=code, flag=flag,
                       communes=areas(member, commune), offset=offset, limit=limit)


@api.get("/manifests/flags", responses=ERRS, summary="How many manifests each oversight list holds (and stock held too long)")
async def api_flags(request: Request, member: StaffApi, commune: Communes = []) -> dict:  # noqa: B006
    try:
        q = c.StaffFlagCounts(communes=areas(member, commune))
    except ValidationError as e:
        raise invalid_from_validation(e) from None
    return await call(request, member, "manifests", "staff_flag_counts", **_dump(q))


@api.get("/manifests/stock", responses=ERRS, summary="Declared stock held over the storage limit (a year)")
async def api_stock(request: Request, member: StaffApi, commune: Communes = [], offset: Offset = 0,  # noqa: B006
                    limit: Limit = 50) -> dict:
    return await _json(request, member, "staff_stock_overdue", c.StaffStockOverdue, communes=areas(member, commune),
                       offset=offset, limit=limit)


@api.get("/manifests/balance", responses=ERRS, summary="The mass balance per generator and year, with its anomaly flag")
async def api_balance(request: Request, member: StaffApi, year: Annotated[int, Query(ge=2021, le=2100)],
                      generator_id: Text = None, anomaly_only: bool = False, commune: Communes = [],  # noqa: B006
                      offset: Offset = 0, limit: Limit = 50) -> dict:
    return await _json(request, member, "staff_mass_balances", c.StaffMassBalances, year=year,
                       generator_id=generator_id, anomaly_only=anomaly_only, communes=areas(member, commune),
                       offset=offset, limit=limit)


@api.get("/manifests/{manifest_id}", responses=ERRS,
         summary="A manifest (lines, signatures, discrepancy) and its generator's balance")
async def api_manifest(request: Request, manifest_id: UUID, member: StaffApi) -> dict:
    return await manifest_detail(request, member, manifest_id)


class Decision(BaseModel):
    command_id: str = Field(min_length=8, max_length=200, description="Chosen by the caller: the same id acts once")
    outcome: str = Field(max_length=20, description="agreed (staff decide) or escalated")
    note: str = Field(max_length=200)


@api.post("/manifests/{manifest_id}/discrepancy", responses=ERRS,
         summary="Decide (agreed) or escalate an open discrepancy")
async def api_resolve(request: Request, manifest_id: UUID, body: Decision, member: StaffApi) -> dict:
    try:
        return await resolve(request, member, manifest_id, body.command_id, body.outcome, body.note)
    except ValidationError as e:
        raise invalid_from_validation(e) from None
