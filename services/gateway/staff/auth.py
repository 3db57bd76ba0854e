"""Logging in and out, the set-password link, and the member's own account page (TOTP).

The login and set-password forms have no session yet: their CSRF token is a double-submit
cookie (`lx_form`, SameSite=Strict) matched against the form field.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Annotated

import anyio
import pyotp
import segno
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from services.gateway.context import errors
from services.gateway.staff.i18n import field_errors
from services.gateway.staff.kit import (LANG_COOKIE, SESSION_COOKIE, CsrfRefused, Member, StaffApi, StaffPage,
                                        StaffPost, lang_of, redirect, render, safe_next)
from shared.kit.actor import Role
from shared.kit.errors import InvalidInput, LangXanhError

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/v1/staff", tags=["staff"], responses=errors(401, 403, 404, 409, 413, 429))
FORM_COOKIE = "lx_form"


def secure(request: Request) -> bool:
    forced = request.app.state.settings.staff.secure_cookies
    return forced if forced is not None else request.url.scheme == "https"


async def _with_form_token(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:  # type: ignore[no-untyped-def]
    """A page of a form sent before there is a session, with its double-submit token."""
    token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(24)
    response = await render(request, None, template, status=status, form_token=token, **ctx)
    response.set_cookie(FORM_COOKIE, token, httponly=True, samesite="strict", secure=secure(request), path="/staff")
    return response


def _check_form_token(request: Request, sent: str | None) -> None:
    kept = request.cookies.get(FORM_COOKIE) or ""
    if not kept or not sent or not hmac.compare_digest(kept.encode(), sent.encode()):
        raise CsrfRefused()


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _open(request: Request, response: Response, session: dict) -> None:
    hours = request.app.state.settings.staff.session_hours
    response.set_cookie(SESSION_COOKIE, session["token"], httponly=True, samesite="lax", secure=secure(request),
                        path="/", max_age=int(hours * 3600))


async def _login_page(request: Request, status: int = 200, **ctx) -> HTMLResponse:  # type: ignore[no-untyped-def]
    return await _with_form_token(request, "login.html", status=status, **ctx)


@router.get("/staff/login", response_class=HTMLResponse)
async def login_form(request: Request) -> HTMLResponse:
    return await _login_page(request, next=safe_next(request.query_params.get("next")))


@router.post("/staff/login", response_class=HTMLResponse)
async def login(request: Request, email: Annotated[str, Form(max_length=300)] = "",
                password: Annotated[str, Form(max_length=300)] = "", code: Annotated[str, Form(max_length=20)] = "",
                form_token: Annotated[str, Form(max_length=100)] = "",
                next: Annotated[str, Form(max_length=500)] = "/staff") -> Response:
    _check_form_token(request, form_token)
    staff = request.app.state.staff
    try:
        session = await anyio.to_thread.run_sync(staff.login, email, password, _client(request), code or None)
    except LangXanhError as e:
        status = 429 if e.rule == "rate_limit" else 403 if e.rule == "locked" else 400
        return await _login_page(request, status=status, errors=field_errors(e, lang_of(request)), email=email,
                                 next=safe_next(next))
    response = redirect(safe_next(next))
    _open(request, response, session)
    return response


@router.post("/staff/logout")
async def logout(request: Request, posted: StaffPost) -> Response:
    await anyio.to_thread.run_sync(request.app.state.staff.logout, request.cookies.get(SESSION_COOKIE))
    response = redirect("/staff/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/staff/password", response_class=HTMLResponse)
async def password_form(request: Request, token: str = "") -> HTMLResponse:
    staff = request.app.state.staff
    try:
        email = await anyio.to_thread.run_sync(staff.check_link, token[:300])
    except LangXanhError as e:
        return await render(request, None, "password.html", status=403, errors=field_errors(e, lang_of(request)),
                            token="", email=None, form_token="")
    return await _with_form_token(request, "password.html", token=token, email=email)


@router.post("/staff/password", response_class=HTMLResponse)
async def set_password(request: Request, token: Annotated[str, Form(max_length=300)] = "",
                       password: Annotated[str, Form(max_length=300)] = "",
                       password2: Annotated[str, Form(max_length=300)] = "",
                       form_token: Annotated[str, Form(max_length=100)] = "") -> Response:
    _check_form_token(request, form_token)
    staff = request.app.state.staff
    try:
        if password != password2:
            raise InvalidInput("the two passwords differ", "password2", "mismatch")
        await anyio.to_thread.run_sync(staff.set_password, token, password)
    except LangXanhError as e:
        email = None
        try:
            email = await anyio.to_thread.run_sync(staff.check_link, token)
        except LangXanhError:
            token = ""
        return await _with_form_token(request, "password.html", status=400, errors=field_errors(e, lang_of(request)),
                                      token=token, email=email)
    return redirect("/staff/login?done=password")


@router.get("/staff", response_class=HTMLResponse)
async def home(request: Request, member: StaffPage) -> HTMLResponse:
    return await render(request, member, "home.html")


@router.get("/staff/me", response_class=HTMLResponse)
async def me(request: Request, member: StaffPage) -> HTMLResponse:
    return await _me_page(request, member)


async def me_page(request: Request, member: Member, **ctx) -> HTMLResponse:  # type: ignore[no-untyped-def]
    """The account page with more to show (bot_link.py: an inspector's code, shown once)."""
    return await _me_page(request, member, **ctx)


async def _me_page(request: Request, member: Member, status: int = 200, errors: dict | None = None,
                   **ctx) -> HTMLResponse:  # type: ignore[no-untyped-def]
    staff = request.app.state.staff
    account = await anyio.to_thread.run_sync(staff.account, member.email)
    enrol = None
    if member.is_admin and not account.totp_secret:
        secret = request.scope.get("state", {}).get("totp_secret") or pyotp.random_base32()
        uri = pyotp.TOTP(secret).provisioning_uri(name=member.email, issuer_name="Làng Xanh")
        enrol = {"secret": secret, "qr": segno.make(uri, error="m").svg_inline(scale=4)}
    return await render(request, member, "me.html", status=status, errors=errors or {}, totp=bool(account.totp_secret),
                        enrol=enrol, **ctx)


@router.post("/staff/me/totp", response_class=HTMLResponse)
async def enable_totp(request: Request, posted: StaffPost) -> Response:
    m = posted.member
    staff = request.app.state.staff
    try:
        m.require(Role.ADMIN)
        secret = posted.fields.get("secret", "")[:64]
        await anyio.to_thread.run_sync(staff.enable_totp, m.actor.to_dict(), m.email, secret,
                                       posted.fields.get("code", ""))
    except LangXanhError as e:
        request.scope["state"]["totp_secret"] = posted.fields.get("secret", "")[:64] or None
        return await _me_page(request, m, status=400, errors=field_errors(e, m.lang))
    return redirect("/staff/me")


@router.post("/staff/me/sessions", response_class=HTMLResponse)
async def logout_everywhere(request: Request, posted: StaffPost) -> Response:
    await anyio.to_thread.run_sync(request.app.state.staff.revoke_sessions, posted.member.id)
    return redirect("/staff/login")


@router.get("/staff/lang/{lang}")
async def switch_language(request: Request, lang: str) -> Response:
    lang = lang if lang in ("vi", "en") else "vi"
    response = redirect(safe_next(request.query_params.get("next")))
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True, secure=secure(request))
    return response


# -- JSON --------------------------------------------------------------------------------------------
class Login(BaseModel):
    email: str = Field(max_length=300)
    password: str = Field(max_length=300)
    code: str | None = Field(None, max_length=20)


class MeAnswer(BaseModel):
    account: dict
    csrf: str = Field(description="Send it as X-CSRF-Token with every JSON write")


@api.post("/login", response_model=MeAnswer)
async def api_login(request: Request, body: Login) -> JSONResponse:
    """A session for a script or a client: the cookie lx_staff is set; the answer has its CSRF token."""
    session = await anyio.to_thread.run_sync(request.app.state.staff.login, body.email, body.password,
                                             _client(request), body.code)
    response = JSONResponse({"account": session["account"], "csrf": session["csrf"]})
    _open(request, response, session)
    return response


@api.get("/me", response_model=MeAnswer)
async def api_me(request: Request, member: StaffApi) -> dict:
    session = request.scope["state"]["staff_session"]
    return {"account": session["account"], "csrf": session["csrf"]}


@api.post("/logout", status_code=204)
async def api_logout(request: Request, member: StaffApi) -> Response:
    await anyio.to_thread.run_sync(request.app.state.staff.logout, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
