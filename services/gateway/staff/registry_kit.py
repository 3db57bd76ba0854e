"""What the registry's pages share (issue 14, page 2): the member's scope over sites and
establishments, the forms' values as the contracts want them, the JSON bodies of the twins, and
the site page's context."""
from __future__ import annotations

from datetime import datetime
from typing import Any, get_args
from zoneinfo import ZoneInfo

from fastapi import Request
from pydantic import ValidationError, create_model

from services.gateway.staff.i18n import field_errors
from services.gateway.staff.kit import Member, call, render
from shared.contracts import sites as s
from shared.contracts.base import Contract
from shared.kit.actor import ESTABLISHMENT_ROLES, Role
from shared.kit.errors import Forbidden, InvalidInput, LangXanhError, NotFound

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# the forms' choices are the contracts' codes (shared/contracts/sites.py), never a second list
KINDS = tuple(sorted(get_args(s.SiteKind)))  # in the filter's order: craft_village, industrial_cluster, industrial_zone
LEVELS = get_args(s.PollutionLevel)
WWTP = get_args(s.WwtpStatus)
ITEMS = get_args(s.ConditionItem)
STATES = get_args(s.ConditionState)
TRADE_GROUPS = get_args(s.TradeGroup)
LINK_ROLES = tuple(r for r in get_args(s.LinkRole) if Role(r) in ESTABLISHMENT_ROLES)  # an establishment's codes
PERMITS = get_args(s.PermitType)
FORMS = get_args(s.EstablishmentForm)


def rpc_name(service: str, rpc: str) -> str:
    """An RPC named where it is chosen (a table of actions): written as a call, so the broker
    ACL's scan of the gateway's code (tests/security/test_broker_acl.py) sees `service.rpc`."""
    return rpc


def scope(member: Member) -> list[str] | None:
    """The `communes` filter of the staff queries: a commune officer's list, or None (city-wide)."""
    return list(member.communes) or None


def place(doc: dict) -> tuple[str | None, str | None]:
    return doc.get("commune"), doc.get("old_district")


async def site_in_scope(request: Request, member: Member, site_id: Any) -> dict:
    """The site (staff's document) after the member's scope check: Forbidden (403) outside it."""
    doc = await call(request, member, "sites", "get_site", site_id=str(site_id))
    member.require_covers(*place(doc))
    return doc


async def establishment_in_scope(request: Request, member: Member, establishment_id: Any) -> tuple[dict, dict]:
    est = await call(request, member, "sites", "get_establishment", establishment_id=str(establishment_id))
    site = await site_in_scope(request, member, est["site_id"])
    return est, site


def blank_to_none(fields: dict[str, str], *names: str) -> dict[str, Any]:
    """The named form fields, empty ones left out (an empty field means 'not given')."""
    return {n: fields[n] for n in names if fields.get(n, "") != ""}


def flag(fields: dict[str, str], name: str) -> bool:
    return fields.get(name, "") in ("on", "true", "1", "yes")


def tristate(fields: dict[str, str], name: str) -> bool | None:
    value = fields.get(name, "")
    return None if value == "" else value in ("true", "1", "yes", "on")


def lines(text: str) -> list[str]:
    """A textarea or comma list as a list (waste codes, trades)."""
    return [p.strip() for chunk in (text or "").splitlines() for p in chunk.split(",") if p.strip()]


def checked(contract: type, **values: Any) -> dict:
    """The values as the contract validates them (JSON-ready), or ValidationError."""
    return contract.model_validate(values).model_dump(mode="json", exclude_unset=True)


def body_of(contract: type[Contract], *path_fields: str) -> type[Contract]:
    """The JSON twin's body: the contract's own fields but those the path gives, same rules."""
    fields = {n: (f.annotation, f) for n, f in contract.model_fields.items() if n not in path_fields}
    return create_model(f"{contract.__name__}Body", __base__=Contract, __doc__=contract.__doc__,
                        **fields)  # type: ignore[call-overload]


def form_errors(e: BaseException, lang: str) -> dict[str, str] | None:
    """The errors of a refused form (None: not a refusal, let it through); a role refused is the
    form's own error (shown on top of the page: the form may not even be shown to that role)."""
    if isinstance(e, Forbidden):
        return {"_form": next(iter(field_errors(e, lang).values()))}
    if isinstance(e, (LangXanhError, ValidationError)):
        return field_errors(e, lang)
    return None


def refused_status(e: BaseException) -> int:
    return 403 if isinstance(e, Forbidden) else 400


async def timeline(request: Request, member: Member, site_id: str) -> list[dict]:
    return await call(request, member, "sites", "site_history", site_id=site_id)


async def site_page(request: Request, member: Member, site_id: str, status: int = 200, **ctx: Any):  # type: ignore[no-untyped-def]
    """The site page: its card (now, or as of `at`), timeline, establishments and forms."""
    site = await site_in_scope(request, member, site_id)
    at = ctx.pop("at", None) or request.query_params.get("at") or ""
    shown, errors = site, dict(ctx.pop("errors", {}) or {})
    if at:
        try:
            shown = await call(request, member, "sites", "site_as_of", site_id=site["id"], at=at[:40])
        except (InvalidInput, NotFound, ValidationError) as e:
            errors.update({"at": field_errors(e, member.lang).popitem()[1]})
            ctx.setdefault("failed", "at")
            status = 400
    history = await timeline(request, member, site["id"])
    establishments = await call(request, member, "sites", "staff_establishments", site_id=site["id"], limit=200)
    return await render(request, member, "registry/site.html", status=status, site=site, shown=shown, at=at,
                        history=history, establishments=establishments["establishments"], errors=errors,
                        items=ITEMS, states=STATES, levels=LEVELS, wwtp_states=WWTP, trade_groups=TRADE_GROUPS,
                        forms=FORMS, permits=PERMITS, done=request.query_params.get("done"),
                        today=datetime.now(LOCAL_TZ).date().isoformat(), **ctx)

