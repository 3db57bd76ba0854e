"""What the inspections pages read before they show or act (shared by the HTML and JSON routes):
an inspection with its site (the member's scope checked), a violation with its inspection, the
sanction catalogue, and errors in the member's language (per sample row, the band of a fine)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from fastapi import Request
from pydantic import ValidationError

from services.gateway.staff.i18n import PYDANTIC_RULES, field_errors, rule_text, t
from services.gateway.staff.inspections_forms import FINE_BAND_RULE, band_of, dong, require_assigned
from services.gateway.staff.kit import Member, call
from shared.kit.calendar import local_date
from shared.kit.errors import LangXanhError, NotFound

ROW_LISTS = ("samples", "remedial_measures", "team", "violation_ids", "incident_ids", "additional_sanctions")


def today() -> str:
    return local_date(datetime.now(timezone.utc)).isoformat()


async def site_in_scope(request: Request, m: Member, site_id: Any) -> dict:
    """The site (from the sites service) if the member covers its commune or old district; 403 otherwise."""
    site = await call(request, m, "sites", "get_site", site_id=str(site_id))
    j = site.get("jurisdiction") or {}
    m.require_covers(j.get("commune") or site.get("commune"), j.get("old_district") or site.get("old_district"))
    return site


async def inspection_in_scope(request: Request, m: Member, inspection_id: str) -> tuple[dict, dict]:
    ins = await call(request, m, "inspections", "get_inspection", inspection_id=inspection_id)
    return ins, await site_in_scope(request, m, ins["site_id"])


async def assigned_inspection(request: Request, m: Member, inspection_id: str) -> tuple[dict, dict]:
    """The inspection, in scope and assigned to the member (an inspector) or their unit."""
    ins, site = await inspection_in_scope(request, m, inspection_id)
    require_assigned(m, ins)
    return ins, site


async def violation_in_scope(request: Request, m: Member, violation_id: str, act: bool = False) -> tuple[dict, dict | None]:
    """The violation (its site in scope) and its inspection; `act`: the member must be assigned."""
    v = await call(request, m, "inspections", "get_violation", violation_id=violation_id)
    await site_in_scope(request, m, v["site_id"])
    ins = None
    if v.get("inspection_id"):
        ins = await call(request, m, "inspections", "get_inspection", inspection_id=v["inspection_id"])
    if act:
        require_assigned(m, ins or {"inspector": None, "unit": None})
    return v, ins


async def catalogue(request: Request, m: Member) -> dict:
    cache = request.scope.setdefault("state", {})
    if "sanctions" not in cache:
        cache["sanctions"] = await call(request, m, "inspections", "sanction_catalogue")
    return cache["sanctions"]


async def establishment(request: Request, m: Member, establishment_id: str | None) -> dict | None:
    if not establishment_id:
        return None
    try:
        return await call(request, m, "sites", "get_establishment", establishment_id=establishment_id)
    except NotFound:
        return None


def _loc_key(loc: tuple) -> str:
    """('samples', 0, 'value') -> 'samples.0.value'; other fields by their last name."""
    parts = [str(x) for x in loc]
    if parts and parts[0] in ROW_LISTS:
        return ".".join(parts)
    names = [p for p, x in zip(parts, loc) if not isinstance(x, int)]
    return names[-1] if names else "_form"


def authorities(sanctions: dict) -> list[dict]:
    """The sanctioning levels of the catalogue, for the decide form's authority field."""
    return list((sanctions.get("authorities") or {}).get("levels", []))


def errors_of(exc: BaseException, m: Member, sanctions: dict | None = None, fields: dict | None = None) -> dict[str, str]:
    """Field -> text in the member's language. Rows keep their index (samples.2.value); a fine
    outside the band says the band, in đồng, for the offender type."""
    if isinstance(exc, ValidationError):
        out: dict[str, str] = {}
        for e in exc.errors():
            ctx = {k: v for k, v in (e.get("ctx") or {}).items() if isinstance(v, (int, float, str))}
            out.setdefault(_loc_key(tuple(e.get("loc", ()))),
                           rule_text(m.lang, PYDANTIC_RULES.get(str(e.get("type")), "value"), str(e.get("msg", "")), **ctx))
        return out or {"_form": t(m.lang, "err-value")}
    errs = field_errors(exc, m.lang)
    if isinstance(exc, LangXanhError) and exc.rule == FINE_BAND_RULE and sanctions is not None and fields is not None:
        errs["fine_vnd"] = band_message(m.lang, sanctions, fields)
    if isinstance(exc, LangXanhError) and exc.field and exc.field.startswith("remedial_measures"):
        errs["remedial_measures"] = errs.pop(exc.field.split(".")[-1], rule_text(m.lang, exc.rule, exc.message))
    return errs


def band_message(lang: str, sanctions: dict, fields: dict) -> str:
    code, who = fields.get("catalogue_code"), fields.get("offender_type") or "individual"
    band = band_of(sanctions, code, who)
    entry = next((e for e in sanctions.get("entries", []) if e["code"] == code), {})
    if band is None:
        return t(lang, "err-fine_band")
    point = entry.get("point")
    where = (f"Điều {entry['article']} khoản {entry['clause']}{' điểm ' + point.replace('dd', 'đ') if point else ''}"
             f" Nghị định 45/2022/NĐ-CP" if lang == "vi" else
             f"Decree 45/2022 Art. {entry['article']} cl. {entry['clause']}{' pt. ' + point if point else ''}")
    try:
        fine = dong(int(fields.get("fine_vnd") or 0))
    except (TypeError, ValueError):
        fine = str(fields.get("fine_vnd"))
    return t(lang, "insp-fine-band", fine=fine, where=where, min=dong(band[0]), max=dong(band[1]),
             who=t(lang, f"insp-who-{who}"))
