"""Establishments in the registry: search, an establishment's page, register (from its site's
page), amend, its permit, its hazardous-waste licence and waste codes, and a link code for the
bot — shown once, with a QR code of the bot's deep link https://t.me/<bot>?start=<CODE> (inline
SVG, no script). Every form is the sites service's own command; JSON twins under /v1/staff."""
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.gateway.context import errors
from services.gateway.staff.bot_link import shown_once
from services.gateway.staff.i18n import PYDANTIC_RULES, rule_text
from services.gateway.staff.kit import Member, StaffApi, StaffPage, StaffPost, call, paging, redirect, render
from services.gateway.staff.registry_kit import (FORMS, LINK_ROLES, PERMITS, blank_to_none, body_of, checked,
                                                 establishment_in_scope, flag, form_errors, lines, refused_status, scope,
                                                 site_in_scope, site_page)
from shared.contracts import sites as c
from shared.kit.actor import Role
from shared.contracts.base import Command
from shared.kit.errors import InvalidInput

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["staff"], responses=errors(401, 403, 404, 409))  # included by registry.api (/v1/staff)
ROLES = ("hw_generator", "transporter", "treatment_facility")
RENAME = {"licence": "licence_number", "waste_codes": "licence_waste_codes", "permit": "permit_number"}
PAGE = 50


class PermitBody(Command):
    permit: c.Permit


class LicenceBody(Command):
    licence: c.Licence


def est_errors(e: BaseException, lang: str) -> dict[str, str] | None:
    """Errors named as the form names its fields (permit_number, licence_waste_codes, …)."""
    if isinstance(e, ValidationError):
        out: dict[str, str] = {}
        for err in e.errors():
            loc = [str(x) for x in err.get("loc", ()) if not isinstance(x, int)]
            group = next((g for g in ("permit", "licence") if g in loc), None)
            last = loc[-1] if loc else "_form"
            name = (f"{group}_number" if last == group else f"{group}_{last}") if group else last
            ctx = {k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
            out.setdefault(name, rule_text(lang, PYDANTIC_RULES.get(str(err.get("type")), "value"),
                                           str(err.get("msg", "")), **ctx))
        return out
    errors = form_errors(e, lang)
    return None if errors is None else {RENAME.get(k, k): v for k, v in errors.items()}


def permit_of(f: dict[str, str]) -> dict | None:
    if not f.get("permit_type"):
        return None
    return {"type": f["permit_type"], **{k[7:]: v for k, v in blank_to_none(f, "permit_number", "permit_date").items()}}


def licence_of(f: dict[str, str]) -> dict | None:
    if not (f.get("licence_number") or f.get("licence_date") or f.get("licence_waste_codes")):
        return None
    return {**{k[8:]: v for k, v in blank_to_none(f, "licence_number", "licence_date").items()},
            "waste_codes": lines(f.get("licence_waste_codes", ""))}


def registration(site_id: str, f: dict[str, str]) -> dict:
    out: dict[str, Any] = {"site_id": site_id, **blank_to_none(f, "name", "form", "registration_code"),
                           "trades": lines(f.get("trades", "")), **{r: flag(f, r) for r in ROLES}}
    if permit_of(f):
        out["permit"] = permit_of(f)
    if licence_of(f):
        out["licence"] = licence_of(f)
    return out


def changes_of(action: str, f: dict[str, str]) -> dict:
    if action == "permit":
        return {"permit": permit_of(f) or {"type": ""}}
    if action == "licence":
        return {"licence": licence_of(f) or {"number": ""}}
    return {**blank_to_none(f, "name"), "trades": lines(f.get("trades", "")), **{r: flag(f, r) for r in ROLES}}


async def est_page(request: Request, m: Member, est_id: Any, status: int = 200, **ctx: Any) -> HTMLResponse:
    est, site = await establishment_in_scope(request, m, est_id)
    return await render(request, m, "registry/establishment.html", status=status, est=est, site=site, roles=ROLES,
                        permits=PERMITS, link_roles=LINK_ROLES, done=request.query_params.get("done"), **ctx)


# -- pages -----------------------------------------------------------------------------------------
@router.get("/staff/registry/establishments", response_class=HTMLResponse)
async def search(request: Request, member: StaffPage) -> HTMLResponse:
    p = {k: v[:200] for k, v in request.query_params.items()}
    offset = int(p["offset"]) if p.get("offset", "").isdigit() else 0
    role = p.get("role") if p.get("role") in ROLES else None
    found = await call(request, member, "sites", "staff_establishments", query=p.get("q", ""), role=role,
                       offset=offset, limit=PAGE, **({"communes": scope(member)} if scope(member) else {}))
    return await render(request, member, "registry/establishments.html", found=found, params=p, roles=ROLES,
                        pager=paging(found["offset"], PAGE, found["total"], request))


@router.get("/staff/registry/establishments/{est_id}", response_class=HTMLResponse)
async def establishment(request: Request, est_id: UUID, member: StaffPage) -> HTMLResponse:
    return await est_page(request, member, est_id)


@router.post("/staff/registry/sites/{site_id}/establishments")
async def register(request: Request, site_id: UUID, posted: StaffPost) -> Response:
    m = posted.member
    site = await site_in_scope(request, m, site_id)
    try:
        payload = checked(c.RegisterEstablishment, command_id=posted.command_id, **registration(site["id"], posted.fields))
        made = await call(request, m, "sites", "register_establishment", **payload)
    except Exception as e:  # noqa: BLE001
        errors = est_errors(e, m.lang)
        if errors is None:
            raise
        return await site_page(request, m, site["id"], status=refused_status(e), errors=errors, failed="register", form=posted.fields)
    return redirect(f"/staff/registry/establishments/{made['id']}?done=register")


@router.post("/staff/registry/establishments/{est_id}/link-code", response_class=HTMLResponse)
async def link_code(request: Request, est_id: UUID, posted: StaffPost) -> HTMLResponse:
    """The code is shown on this answer only (never stored by the gateway, never shown again)."""
    m = posted.member
    est, _ = await establishment_in_scope(request, m, est_id)
    f = posted.fields
    try:
        m.require(Role.AGENCY, Role.ADMIN)  # an inspector's own code comes from My account (bot_link.py)
        payload = checked(c.IssueLinkCode, command_id=posted.command_id, establishment_id=est["id"],
                          **blank_to_none(f, "role", "ttl_hours"))
        issued = await call(request, m, "sites", "issue_link_code", **payload)
    except Exception as e:  # noqa: BLE001
        errors = est_errors(e, m.lang)
        if errors is None:
            raise
        return await est_page(request, m, est["id"], status=refused_status(e), errors=errors, failed="link", form=f)
    return await est_page(request, m, est["id"], issued=shown_once(request, issued))


@router.post("/staff/registry/establishments/{est_id}/{action}")
async def act(request: Request, est_id: UUID, action: str, posted: StaffPost) -> Response:
    m = posted.member
    est, _ = await establishment_in_scope(request, m, est_id)
    if action not in ("amend", "permit", "licence"):
        raise InvalidInput(f"unknown action {action[:40]!r}", "action", "enum")
    try:
        payload = checked(c.AmendEstablishment, command_id=posted.command_id, establishment_id=est["id"],
                          changes=changes_of(action, posted.fields))
        await call(request, m, "sites", "amend_establishment", **payload)
    except Exception as e:  # noqa: BLE001
        errors = est_errors(e, m.lang)
        if errors is None:
            raise
        return await est_page(request, m, est["id"], status=refused_status(e), errors=errors, failed=action, form=posted.fields)
    return redirect(f"/staff/registry/establishments/{est['id']}?done={action}#form-{action}")


# -- JSON twins ------------------------------------------------------------------------------------
@api.get("/registry/establishments", summary="Search establishments (staff; a commune officer: their communes)")
async def search_json(request: Request, member: StaffApi, q: str = Query("", max_length=200),
                      role: str | None = None, site_id: UUID | None = None, active: bool | None = None,
                      offset: int = Query(0, ge=0), limit: int = Query(PAGE, ge=1, le=200)) -> dict:
    args = {k: v for k, v in dict(role=role, site_id=str(site_id) if site_id else None, active=active).items()
            if v is not None}
    return await call(request, member, "sites", "staff_establishments", query=q, offset=offset, limit=limit,
                      **args, **({"communes": scope(member)} if scope(member) else {}))


@api.get("/registry/establishments/{est_id}", summary="An establishment and its site")
async def establishment_json(request: Request, est_id: UUID, member: StaffApi) -> dict:
    est, site = await establishment_in_scope(request, member, est_id)
    return {"establishment": est, "site": {k: site.get(k) for k in ("id", "name", "commune", "old_district")}}


RegisterBody = body_of(c.RegisterEstablishment, "site_id")
AmendBody = body_of(c.AmendEstablishment, "establishment_id")
LinkBody = body_of(c.IssueLinkCode, "establishment_id")


@api.post("/registry/sites/{site_id}/establishments", summary="register_establishment at this site")
async def register_json(request: Request, site_id: UUID, body: RegisterBody, member: StaffApi) -> dict:  # type: ignore[valid-type]
    site = await site_in_scope(request, member, site_id)
    return await call(request, member, "sites", "register_establishment", site_id=site["id"],
                      **body.model_dump(mode="json", exclude_unset=True))  # type: ignore[attr-defined]


async def _amend(request: Request, member: Member, est_id: UUID, command_id: str | None, changes: dict) -> dict:
    est, _ = await establishment_in_scope(request, member, est_id)
    return await call(request, member, "sites", "amend_establishment", command_id=command_id,
                      establishment_id=est["id"], changes=changes)


@api.post("/registry/establishments/{est_id}/amend", summary="amend_establishment")
async def amend_json(request: Request, est_id: UUID, body: AmendBody, member: StaffApi) -> dict:  # type: ignore[valid-type]
    return await _amend(request, member, est_id, body.command_id,  # type: ignore[attr-defined]
                        body.changes.model_dump(mode="json", exclude_unset=True))  # type: ignore[attr-defined]


@api.post("/registry/establishments/{est_id}/permit", summary="The establishment's environmental permit")
async def permit_json(request: Request, est_id: UUID, body: PermitBody, member: StaffApi) -> dict:
    return await _amend(request, member, est_id, body.command_id, {"permit": body.permit.model_dump(mode="json")})


@api.post("/registry/establishments/{est_id}/licence", summary="The hazardous-waste licence and its waste codes")
async def licence_json(request: Request, est_id: UUID, body: LicenceBody, member: StaffApi) -> dict:
    return await _amend(request, member, est_id, body.command_id, {"licence": body.licence.model_dump(mode="json")})


@api.post("/registry/establishments/{est_id}/link-code", summary="issue_link_code: the code (shown once), "
                                                                  "the bot's deep link and its QR code (SVG)")
async def link_code_json(request: Request, est_id: UUID, body: LinkBody, member: StaffApi) -> dict:  # type: ignore[valid-type]
    est, _ = await establishment_in_scope(request, member, est_id)
    member.require(Role.AGENCY, Role.ADMIN)
    issued = await call(request, member, "sites", "issue_link_code", establishment_id=est["id"],
                        **body.model_dump(mode="json", exclude_unset=True))  # type: ignore[attr-defined]
    shown = shown_once(request, issued)
    return {**issued, "deep_link": shown["deep_link"], "qr_svg": shown["qr"]}
