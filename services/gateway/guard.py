"""The gateway's outermost guard (an ASGI middleware), before any route reads a byte of a body:

- a body larger than `gateway_max_body_bytes` is refused with 413: at once when Content-Length
  says so, and while streaming when a chunked body (no Content-Length) grows past the cap;
- a request that may carry a body (any method but GET/HEAD/OPTIONS) under /v1/ needs a valid
  X-API-Key, checked before the body is read (401 without a key, 403 for a wrong one); an
  Open311 POST's header key is checked first too (its api_key form field, the spec's other way,
  can only be read with the form, which its route caps at 64 KiB).
The caller found is left in the request's state for the routes' `caller` dependency."""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
from starlette.exceptions import HTTPException

from shared.kit.errors import Forbidden

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


class TooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the cap (an HTTPException, so that
    FastAPI's body reading lets it through rather than calling it a parse error)."""

    def __init__(self) -> None:
        super().__init__(413, "the body is larger than the gateway accepts")


def _problem(path: str, status: int, kind: str, message: str, field: str | None, rule: str) -> tuple[int, bytes]:
    if path.startswith("/open311/"):
        return status, json.dumps([{"code": status, "description": message}]).encode()
    return status, json.dumps({"error": kind, "message": message, "field": field, "rule": rule}).encode()


async def _answer(send: Callable, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value[:300]
    return None


class BodyGuard:
    def __init__(self, app: Any, limit: int, authenticate: Callable[[str | None], Any],
                 staff_limit: int | None = None, staff_session: Callable[[str | None], Any] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.authenticate = authenticate
        self.staff_limit = staff_limit or limit
        self.staff_session = staff_session

    async def _limit_for(self, scope: dict, path: str, method: str, headers: dict[str, str]) -> int:
        """The staff workspace's forms carry photos and evidence files: a larger body, but only for a
        signed-in member (the session is looked up before any byte of the body is read)."""
        if method in SAFE or self.staff_session is None or not (path.startswith("/staff/") or path.startswith("/v1/staff/")):
            return self.limit
        token = _cookie(headers.get("cookie", ""), "lx_staff")
        session = await anyio.to_thread.run_sync(self.staff_session, token) if token else None
        scope.setdefault("state", {})["staff_session"] = session
        return self.staff_limit if session is not None else self.limit

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path, method = scope.get("path", ""), scope.get("method", "GET")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        limit = await self._limit_for(scope, path, method, headers)
        too_large = _problem(path, 413, "too_large", f"the body is larger than {limit} bytes", None, "size")
        length = headers.get("content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            await _answer(send, *too_large)
            return
        refused = await self._key_first(scope, path, method, headers.get("x-api-key"))
        if refused is not None:
            await _answer(send, *refused)
            return
        state = {"received": 0, "over": False, "answered": False}

        async def capped() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["over"] = True
                    raise TooLarge()
            return message

        async def sending(message: dict) -> None:
            if not state["over"]:
                await send(message)
            elif not state["answered"] and message["type"] == "http.response.start":
                state["answered"] = True  # the app's answer to TooLarge, replaced by ours
                await _answer(send, *too_large)

        try:
            await self.app(scope, capped, sending)
        except TooLarge:
            if not state["answered"]:
                state["answered"] = True
                await _answer(send, *too_large)

    async def _key_first(self, scope: dict, path: str, method: str, key: str | None) -> tuple[int, bytes] | None:
        # the staff workspace's JSON routes authenticate by session (and CSRF token), not by key
        body_route = method not in SAFE and path.startswith("/v1/") and not path.startswith("/v1/staff/")
        open311_post = method == "POST" and path.startswith("/open311/") and bool(key)
        if not (body_route or open311_post):
            return None
        try:
            who = await anyio.to_thread.run_sync(self.authenticate, key)
        except Forbidden as e:
            status = 403
            return _problem(path, status, "forbidden", e.message, e.field, e.rule or "valid")
        if who.agency is None:
            return _problem(path, 401, "unauthorized", "an API key is required (header X-API-Key)", "X-API-Key",
                            "required")
        scope.setdefault("state", {})["caller"] = who
        return None
