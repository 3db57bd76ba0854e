"""The site page's forms and their JSON twins: edit (amend), recognise, classify, the Art. 56
checklist (one form per condition, with an evidence file), WWTP status, the reform mapping
(the site's old district → its new commune) and deactivate.

A form is validated by the command's own contract before it is sent; a refusal (here or by the
service) re-renders the page with the error next to its field, nothing changed (400); success
redirects to the site page (303, post/redirect/get)."""
import base64
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.context import errors
from services.gateway.staff.kit import Member, StaffApi, StaffPost, call, redirect
from services.gateway.staff.registry_kit import (ITEMS, blank_to_none, body_of, checked, form_errors, refused_status,
                                                 rpc_name, site_in_scope, site_page, tristate)
from shared.contracts import sites as c
from shared.contracts import sites_staff as cs
from shared.contracts.base import Code, Command, ShortText
from shared.kit.errors import InvalidInput

router = APIRouter(include_in_schema=False)
api = APIRouter(tags=["staff"], responses=errors(401, 403, 404, 409))  # included by registry.api (/v1/staff)


class ReformSite(Command):
    """The reform mapping of one site: its new commune/ward (NQ 1656/NQ-UBTVQH15)."""

    commune: Code
    effective: date = date(2025, 7, 1)
    legal_basis: ShortText = "NQ 1656/NQ-UBTVQH15 (16/06/2025)"


def _amend(site_id: str, f: dict[str, str]) -> dict:
    changes: dict[str, Any] = blank_to_none(f, "name", "trade", "trade_group", "households", "area_ha")
    if f.get("lat") or f.get("lon"):
        changes["location"] = {"lat": f.get("lat") or None, "lon": f.get("lon") or None}
    return {"site_id": site_id, "changes": changes}


def _wwtp(site_id: str, f: dict[str, str]) -> dict:
    return {"site_id": site_id, **blank_to_none(f, "status", "capacity_m3_day", "since", "note"),
            **({"auto_monitoring": tristate(f, "auto_monitoring")} if f.get("auto_monitoring") else {})}


def _reform(site_id: str, f: dict[str, str]) -> dict:
    return {"entries": [{"site_id": site_id, **blank_to_none(f, "commune")}],
            **blank_to_none(f, "effective", "legal_basis")}


# action → (the command's contract, its RPC, the form's values as the contract's fields)
ACTIONS: dict[str, tuple[type, str, Callable[[str, dict[str, str]], dict]]] = {
    "amend": (c.AmendSite, rpc_name("sites", "amend_site"), _amend),
    "recognise": (c.RecogniseSite, rpc_name("sites", "recognise_site"),
                  lambda s, f: {"site_id": s, **blank_to_none(f, "decision", "recognised_on", "legal_basis")}),
    "classify": (c.ClassifySite, rpc_name("sites", "classify_site"), lambda s, f: {"site_id": s, **blank_to_none(
        f, "classified_on", "water", "air", "soil", "hanoi_list", "assessor", "legal_basis")}),
    "wwtp": (c.SetWwtp, rpc_name("sites", "set_wwtp"), _wwtp),
    "reform": (c.RecordReform, rpc_name("sites", "record_reform"), _reform),
    "deactivate": (c.DeactivateSite, rpc_name("sites", "deactivate_site"), lambda s, f: {"site_id": s, **blank_to_none(f, "reason")}),
}


async def _refused(request: Request, m: Member, site_id: str, e: Exception, failed: str, form: dict) -> Response:
    errors = form_errors(e, m.lang)
    if errors is None:
        raise e
    return await site_page(request, m, site_id, status=refused_status(e), errors=errors, failed=failed, form=form)


@router.post("/staff/registry/sites/{site_id}/conditions/{item}")
async def set_condition(request: Request, site_id: UUID, item: str, posted: StaffPost) -> Response:
    """One Art. 56 condition: its state, date, basis, a note and an evidence file (stored first,
    content-addressed; the condition carries its sha256)."""
    m, f = posted.member, posted.fields
    site = await site_in_scope(request, m, site_id)
    failed = f"condition-{item}"
    values = {"site_id": site["id"], "item": item, **blank_to_none(f, "state", "checked_on", "legal_basis", "evidence")}
    try:
        checked(c.SetCondition, command_id=posted.command_id, **values)  # the form's own errors first
        upload = posted.files.get("evidence_file")
        if upload is not None:
            limit = request.app.state.settings.services.evidence_max_bytes
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise InvalidInput(f"at most {limit / 1_000_000:g} MB", "evidence_file", "max_size")
            try:
                stored = await call(request, m, "sites", "store_evidence", data_b64=base64.b64encode(data).decode())
            except InvalidInput as e:
                raise InvalidInput(e.message, "evidence_file", e.rule) from None
            values["evidence_file"] = stored["evidence_file"]
        await call(request, m, "sites", "set_condition", command_id=posted.command_id, **values)
    except Exception as e:  # noqa: BLE001 - a refusal is shown; anything else re-raised by _refused
        return await _refused(request, m, site["id"], e, failed, f)
    return redirect(f"/staff/registry/sites/{site['id']}?done={failed}#{failed}")


@router.post("/staff/registry/sites/{site_id}/{action}")
async def act(request: Request, site_id: UUID, action: str, posted: StaffPost) -> Response:
    m = posted.member
    site = await site_in_scope(request, m, site_id)
    if action not in ACTIONS:
        raise InvalidInput(f"unknown action {action[:40]!r}", "action", "enum")
    contract, rpc, values = ACTIONS[action]
    try:
        payload = checked(contract, command_id=posted.command_id, **values(site["id"], posted.fields))
        await call(request, m, "sites", rpc, **payload)
    except Exception as e:  # noqa: BLE001
        return await _refused(request, m, site["id"], e, action, posted.fields)
    return redirect(f"/staff/registry/sites/{site['id']}?done={action}#form-{action}")


# -- JSON twins ------------------------------------------------------------------------------------
def _site_twin(action: str, contract: type, rpc: str) -> None:
    body_type = body_of(contract, "site_id")

    async def route(request: Request, site_id: UUID, body: body_type, member: StaffApi) -> dict:  # type: ignore[valid-type]
        site = await site_in_scope(request, member, site_id)
        return await call(request, member, "sites", rpc, site_id=site["id"],
                          **body.model_dump(mode="json", exclude_unset=True))  # type: ignore[attr-defined]

    route.__name__ = f"site_{action}_json"
    api.post(f"/registry/sites/{{site_id}}/{action}", summary=f"{rpc} as the staff member (their scope)")(route)


for _action, (_contract, _rpc, _) in ACTIONS.items():
    if _action != "reform":
        _site_twin(_action, _contract, _rpc)
_site_twin("conditions", c.SetCondition, rpc_name("sites", "set_condition"))


@api.post("/registry/sites/{site_id}/reform", summary="record_reform for one site: its new commune/ward")
async def reform_json(request: Request, site_id: UUID, body: ReformSite, member: StaffApi) -> dict:
    site = await site_in_scope(request, member, site_id)
    return await call(request, member, "sites", "record_reform", command_id=body.command_id,
                      entries=[{"site_id": site["id"], "commune": body.commune}], effective=body.effective.isoformat(),
                      legal_basis=body.legal_basis)


@api.post("/registry/evidence", summary="Store an evidence file (PDF or photo, base64); answers its sha256 "
                                        "for the conditions' evidence_file")
async def evidence_json(request: Request, body: cs.StoreEvidence, member: StaffApi) -> dict:
    return await call(request, member, "sites", "store_evidence", data_b64=body.data_b64)


__all__ = ["router", "api", "ACTIONS", "ITEMS"]
