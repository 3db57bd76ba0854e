"""How updates reach the inbox (issue 15): long polling by one replica, or the webhook server.

Polling: every replica runs a `Poller`, but only the one holding the "poller" lease calls
getUpdates (Telegram answers 409 Conflict to a second client); when it dies its lease expires
and another replica takes over, starting after the last update_id in the inbox. Taking the lease
deletes a webhook left from a webhook run (getUpdates refuses while one is set).

Webhook: each replica's small HTTP server (Starlette on uvicorn, in the bot's asyncio loop) takes
POSTs on the webhook URL's path. It refuses (403, nothing stored) a request without Telegram's
`X-Telegram-Bot-Api-Secret-Token` (compared in constant time), a body that is not JSON (415) or is
too big (413, read no further), stores the update in the inbox and answers 200 at once: the
workers of any replica process it. `GET /healthz` is for the load balancer.
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.error import Conflict, NetworkError, TimedOut

from bot.runtime.inbox import Inbox
from shared.kit.config import Settings

log = logging.getLogger("bot.intake")
SECRET_HEADER = "x-telegram-bot-api-secret-token"


class Poller:
    def __init__(self, bot: Any, inbox: Inbox, owner: str, lease_ttl: float, on_new: Callable[[], None]) -> None:
        self.bot = bot
        self.inbox = inbox
        self.owner = owner
        self.lease_ttl = lease_ttl
        self.on_new = on_new
        self.polling = False
        self.offset = 0
        self.wait = max(1, min(10, int(lease_ttl / 3)))  # a long poll ends well before the lease does

    async def run(self) -> None:
        while True:
            try:
                await self.turn()
            except (Conflict, NetworkError, TimedOut) as e:
                log.info("getUpdates: %s", e)
                await asyncio.sleep(1)
            except Exception as e:  # noqa: BLE001 - the database away: try again
                log.warning("poller: %s", e)
                await asyncio.sleep(1)

    async def turn(self) -> int:
        if not await asyncio.to_thread(self.inbox.claim, "poller", self.owner, self.lease_ttl):
            self.polling = False
            await asyncio.sleep(min(1.0, self.lease_ttl / 4))
            return 0
        if not self.polling:
            await self.bot.delete_webhook(drop_pending_updates=False)
            self.offset = await asyncio.to_thread(self.inbox.last_update_id) + 1
            self.polling = True
            log.info("%s polls Telegram from update %d", self.owner, self.offset)
        updates = await self.bot.get_updates(offset=self.offset, timeout=self.wait, read_timeout=self.wait + 10,
                                             allowed_updates=Update.ALL_TYPES)
        for update in updates:
            await asyncio.to_thread(self.inbox.put, update.to_dict())
            self.offset = max(self.offset, update.update_id + 1)
        if updates:
            self.on_new()
        return len(updates)


def webhook_secret(settings: Settings) -> str:
    """The secret token Telegram sends back with each update: set, or one kept in the data dir."""
    if settings.bot.webhook_secret_token:
        return settings.bot.webhook_secret_token
    path = Path(settings.data_dir) / "bot" / "webhook-secret"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


async def _body(request: Any, limit: int) -> bytes | None:
    """The body, or None as soon as it is longer than `limit` (the rest is never read)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_app(inbox: Inbox, secret: str, path: str, max_bytes: int, on_new: Callable[[], None],
                owner: str = "") -> Any:
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def receive(request: Any) -> Any:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            return JSONResponse({"ok": False}, status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return JSONResponse({"ok": False}, status_code=415)
        body = await _body(request, max_bytes)
        if body is None:
            return JSONResponse({"ok": False}, status_code=413)
        try:
            update = json.loads(body)
        except ValueError:
            return JSONResponse({"ok": False}, status_code=400)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2**53:
            return JSONResponse({"ok": False}, status_code=400)
        await asyncio.to_thread(inbox.put, update)
        on_new()
        return JSONResponse({"ok": True})

    async def health(request: Any) -> Any:
        pending = await asyncio.to_thread(inbox.pending)
        return JSONResponse({"ok": True, "replica": owner, "pending": pending})

    return Starlette(routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health, methods=["GET"])])


def listen_address(settings: Settings) -> tuple[str, int]:
    host, port = settings.bot.webhook_listen.rsplit(":", 1)
    return host, int(port)


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WebhookServer:
    """uvicorn in the bot's loop, without its own signal handling (the bot's main owns signals)."""

    def __init__(self, app: Any, host: str, port: int) -> None:
        import uvicorn

        class Quiet(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self) -> Iterator[None]:
                yield

        # a client that never finishes its request must not hold the bot's shutdown for ever
        self.server = Quiet(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                           lifespan="off", timeout_graceful_shutdown=5, timeout_keep_alive=5))

    def start(self) -> asyncio.Task:
        self.task = asyncio.get_running_loop().create_task(self.server.serve(), name="bot-webhook")
        return self.task

    async def stop(self) -> None:
        """Stop taking requests and let uvicorn finish by itself (cancelling it mid-shutdown
        can leave it hanging); cancelled only if it has not ended in a few seconds."""
        self.server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(self.task), 8)
        except (asyncio.TimeoutError, Exception):  # noqa: BLE001 - stopping either way
            self.task.cancel()


async def register_webhook(bot: Any, url: str, secret: str) -> None:
    await bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
