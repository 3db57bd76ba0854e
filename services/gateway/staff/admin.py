"""Admins manage staff accounts: add (the one-time set-password link is shown once), change the
role, communes and unit, disable and enable, unlock, issue a new link, see an account's history."""
from __future__ import annotations

from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from services.gateway.context import errors
from services.gateway.staff.application import document
from services.gateway.staff.i18n import field_errors
from services.gateway.staff.kit import Member, StaffApi, StaffPage, StaffPost, redirect, render
from shared.kit.actor import Role
from shared.kit.errors import LangXanhError

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/v1/staff", tags=["staff"], responses=errors(401, 403, 404, 409, 413, 429))
EMAIL_PATH = r"^[^/\s]{3,300}$"


def link_url(request: Request, link_secret: str) -> str:
    base = (request.app.state.settings.staff.base_url or str(request.base_url)).rstrip("/")
    return f"{base}/staff/password?token={link_secret}"


async def _staff(request: Request, method: str, *args: Any) -> Any:
    return await anyio.to_thread.run_sync(getattr(request.app.state.staff, method), *args)


async def _list_page(request: Request, member: Member, status: int = 200, **ctx: Any) -> HTMLResponse:
    accounts = await _staff(request, "accounts")
    return await render(request, member, "accounts/list.html", status=status, accounts=accounts, **ctx)


@router.get("/staff/accounts", response_class=HTMLResponse)
async def accounts(request: Request, member: StaffPage) -> HTMLResponse:
    member.require(Role.ADMIN)
    return await _list_page(request, member)


def _communes(posted_values: list[str]) -> list[str]:
    out: list[str] = []
    for v in posted_values:
        out += [c.strip() for c in v.replace(";", ",").split(",") if c.strip()]
    return out


@router.post("/staff/accounts", response_class=HTMLResponse)
async def add(request: Request, posted: StaffPost) -> Response:
    m = posted.member
    m.require(Role.ADMIN)
    f = posted.fields
    try:
        made = await _staff(request, "add", m.actor.to_dict(), f.get("email", ""), f.get("role", ""),
                            _communes(posted.values("communes")), f.get("unit") or None, f.get("name") or None)
    except LangXanhError as e:
        return await _list_page(request, m, status=400, errors=field_errors(e, m.lang), form=f)
    return await _list_page(request, m, made=made, link=link_url(request, made["link_secret"]))


@router.get("/staff/accounts/{email}", response_class=HTMLResponse)
async def account(request: Request, email: str, member: StaffPage) -> HTMLResponse:
    member.require(Role.ADMIN)
    acc = await _staff(request, "account", email[:300])

    history = await _staff(request, "history", email[:300])
    return await render(request, member, "accounts/one.html", account=document(acc), history=history)


@router.post("/staff/accounts/{email}/{action}", response_class=HTMLResponse)
async def act(request: Request, email: str, action: str, posted: StaffPost) -> Response:
    m = posted.member
    m.require(Role.ADMIN)
    f, by = posted.fields, m.actor.to_dict()
    link = None
    try:
        if action == "change":
            await _staff(request, "change", by, email, f.get("role", ""), _communes(posted.values("communes")),
                         f.get("unit") or None, f.get("name") or None)
        elif action in ("disable", "enable", "unlock"):
            await _staff(request, action, by, email)
        elif action == "link":
            made = await _staff(request, "reset_link", by, email)
            link = link_url(request, made["link_secret"])
        elif action == "bot-code":  # an inspector's bot link code, bound to this account (bot_link.py)
            from services.gateway.staff.bot_link import inspector_code, shown_once

            issued = shown_once(request, await inspector_code(request, m, email, posted.command_id))
            acc = await _staff(request, "account", email)
            return await render(request, m, "accounts/one.html", account=document(acc), issued=issued,
                                history=await _staff(request, "history", email))
        else:
            return await render(request, m, "error.html", status=404, title_key="notfound-title",
                                text_key="notfound-text")
    except LangXanhError as e:
        acc = await _staff(request, "account", email)

        return await render(request, m, "accounts/one.html", status=400, errors=field_errors(e, m.lang),
                            account=document(acc), history=await _staff(request, "history", email))
    if link:
        acc = await _staff(request, "account", email)

        return await render(request, m, "accounts/one.html", account=document(acc), link=link,
                            history=await _staff(request, "history", email))
    return redirect(f"/staff/accounts/{email}")


# -- JSON --------------------------------------------------------------------------------------------
class NewAccount(BaseModel):
    email: str = Field(max_length=300)
    role: str = Field(pattern="^(inspector|agency|admin)$")
    communes: list[str] = Field(default_factory=list, max_length=50)
    unit: str | None = Field(None, max_length=80)
    name: str | None = Field(None, max_length=80)


class AccountChange(BaseModel):
    role: str = Field(pattern="^(inspector|agency|admin)$")
    communes: list[str] = Field(default_factory=list, max_length=50)
    unit: str | None = Field(None, max_length=80)
    name: str | None = Field(None, max_length=80)


@api.get("/accounts")
async def api_accounts(request: Request, member: StaffApi) -> list[dict]:
    member.require(Role.ADMIN)
    return await _staff(request, "accounts")


@api.post("/accounts", status_code=201)
async def api_add(request: Request, body: NewAccount, member: StaffApi) -> dict:
    """A new account; the answer's `link` (one-time set-password URL) is shown once."""
    member.require(Role.ADMIN)
    made = await _staff(request, "add", member.actor.to_dict(), body.email, body.role, body.communes, body.unit,
                        body.name)
    return {"account_id": made["account_id"], "email": made["email"], "link": link_url(request, made["link_secret"])}


@api.put("/accounts/{email}")
async def api_change(request: Request, email: str, body: AccountChange, member: StaffApi) -> dict:
    member.require(Role.ADMIN)
    return await _staff(request, "change", member.actor.to_dict(), email[:300], body.role, body.communes, body.unit,
                        body.name)


@api.post("/accounts/{email}/{action}")
async def api_act(request: Request, email: str, action: str, member: StaffApi) -> dict:
    """disable, enable, unlock, or link (a new one-time set-password link)."""
    member.require(Role.ADMIN)
    if action == "link":
        made = await _staff(request, "reset_link", member.actor.to_dict(), email[:300])
        return {"email": made["email"], "link": link_url(request, made["link_secret"])}
    if action not in ("disable", "enable", "unlock"):
        from shared.kit.errors import NotFound

        raise NotFound("no such action: disable, enable, unlock or link", "action", "exists")
    return await _staff(request, action, member.actor.to_dict(), email[:300])


@api.get("/accounts/{email}/history")
async def api_history(request: Request, email: str, member: StaffApi) -> list[dict]:
    member.require(Role.ADMIN)
    return await _staff(request, "history", email[:300])
