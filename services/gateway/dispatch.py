"""Webhook delivery in a running gateway: the dispatcher that POSTs the queued deliveries
(signed per the Standard Webhooks spec) and the runner of the feed's followers. The tables and
the feed: services/gateway/views.py."""
from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from services.gateway.views import PAGE, USER_AGENT, CONTENT_TYPE, WebhookDeliveries, WebhookLog, WebhookTargets
from services.gateway.views import _instant, _now, backoff
from shared.kit.follower import Follower
from shared.kit.public import parse_sequence
from shared.kit.sql import Db

log = logging.getLogger("gateway.webhooks")


class WebhookDispatcher:
    """Sends due deliveries, signed per the Standard Webhooks spec.

    Per webhook, in order: only its first waiting delivery is ever in flight, and a failure
    holds the ones behind it (so a receiver sees a source's events in sequence order). 2xx =
    delivered; anything else (or no answer within `webhook_timeout`) = retried after
    `webhook_backoff_base`·2^(n-1) seconds (capped at `webhook_backoff_max`; a longer
    Retry-After on 429/503 is honoured); after `webhook_max_attempts` consecutive failures the
    webhook is parked and its deliveries wait for a resume. Webhooks are served concurrently.
    Only the holder of the lock sends (one dispatcher per deployment); the others do nothing.
    """

    INTERVAL = 1.0
    CONCURRENCY = 16

    def __init__(self, db: Db, gateway: Any, settings: Any, services: Any, lock: Any,
                 targets: WebhookTargets | None = None, clock: Callable[[], datetime] = _now,
                 client: Any = None) -> None:
        self.gateway = gateway
        self.settings = settings
        self.services = services
        self.lock = lock
        self.targets = targets or WebhookTargets(db, gateway)
        self.store = WebhookLog(db)
        self.clock = clock
        self.client = client
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self.sent = 0

    # -- the loop --------------------------------------------------------------------------------
    def wake(self) -> None:
        """Thread-safe: the feed queued something."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def run(self) -> None:
        import httpx

        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        async with httpx.AsyncClient(timeout=self.settings.webhooks.timeout, follow_redirects=False) as client:
            self.client = client
            try:
                while True:
                    try:
                        await self.flush()
                    except Exception:  # the store away for a moment, a service down: try again
                        log.exception("webhook dispatch failed")
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=self.INTERVAL)
                    except asyncio.TimeoutError:
                        pass
                    self._wake.clear()
            finally:
                self.client = None

    async def flush(self) -> int:
        """One pass: act on replay requests, then send every due delivery (per webhook until one
        fails or none is due). Returns how many were delivered (0 when another dispatcher holds
        the lock)."""
        import httpx

        if not await asyncio.to_thread(self.lock.acquire):
            return 0
        await asyncio.to_thread(self.targets.catch_up)
        await self.replays()
        due = await asyncio.to_thread(self.store.due_webhooks, self.clock())
        if not due:
            return 0
        client = self.client or httpx.AsyncClient(timeout=self.settings.webhooks.timeout, follow_redirects=False)
        slots = asyncio.Semaphore(self.CONCURRENCY)
        try:
            counts = await asyncio.gather(*(self._drain(client, slots, w) for w in due))
        finally:
            if client is not self.client:
                await client.aclose()
        return sum(counts)

    async def _drain(self, client: Any, slots: asyncio.Semaphore, webhook_id: str) -> int:
        sent = 0
        async with slots:
            while True:
                head = await asyncio.to_thread(self.store.head, webhook_id)
                if head is None or head["webhook_state"] != "active":
                    return sent
                if head["next_attempt_at"] is not None and _instant(head["next_attempt_at"]) > self.clock():
                    return sent
                status, error, retry_after = await self._post(client, head)
                at = self.clock()
                if status is not None and 200 <= status < 300:
                    await asyncio.to_thread(self.store.delivered, head["id"], webhook_id, status, at)
                    sent += 1
                    self.sent += 1
                    continue
                failures = int(head["failures"]) + 1
                delay = backoff(failures, self.settings.webhooks.backoff_base, self.settings.webhooks.backoff_max)
                if retry_after is not None:
                    delay = max(delay, min(retry_after, self.settings.webhooks.backoff_max))
                error = error or f"HTTP {status}"
                await asyncio.to_thread(self.store.failed, head["id"], webhook_id, status, error, at,
                                        at + timedelta(seconds=delay))
                log.info("webhook %s: delivery %s failed (%s), attempt %d in a row", webhook_id, head["id"], error,
                         failures)
                if failures >= self.settings.webhooks.max_attempts:
                    reason = f"{failures} deliveries in a row failed; the last: {error}"
                    await asyncio.to_thread(self.gateway.park_webhook, webhook_id, reason)
                    await asyncio.to_thread(self.targets.catch_up)
                    log.warning("webhook %s parked: %s", webhook_id, reason)
                return sent

    async def _post(self, client: Any, head: dict) -> tuple[int | None, str | None, float | None]:
        """POST one delivery: (status or None, error or None, Retry-After seconds or None)."""
        from standardwebhooks.webhooks import Webhook as Signer

        try:
            url, extra, extensions = await self._target(head["url"])
        except Exception as e:  # noqa: BLE001 - refused (private) or unresolvable: a failed attempt
            return None, f"{type(e).__name__}: {getattr(e, 'message', e)}"[:500], None
        body = head["event"]
        sent_at = datetime.now(timezone.utc).replace(microsecond=0)  # the wall clock: receivers check it
        headers = {
            "content-type": CONTENT_TYPE,
            "user-agent": USER_AGENT,
            "webhook-id": head["event_id"],
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Signer(head["secret"]).sign(head["event_id"], sent_at, body),
            **extra,
        }
        try:
            async with client.stream("POST", url, content=body.encode("utf-8"), headers=headers,
                                     extensions=extensions) as response:
                retry_after = None
                if response.status_code in (429, 503):
                    value = response.headers.get("retry-after", "")
                    retry_after = float(value) if value.isdigit() else None
                return response.status_code, None, retry_after
        except Exception as e:  # noqa: BLE001 - no answer: timeout, refused, bad URL
            return None, f"{type(e).__name__}: {e}"[:500], None

    async def _target(self, url: str) -> tuple[Any, dict, dict]:
        """Where to connect: the URL as registered where private targets are allowed; otherwise
        its host is resolved and checked now, and the connection goes to the address checked
        (Host header and TLS name kept), so a name re-pointed inside since cannot be reached."""
        if self.settings.webhooks.allow_private:
            return url, {}, {}
        import httpx

        from services.gateway.targets import checked_address

        address = await asyncio.to_thread(checked_address, url)
        parsed = httpx.URL(url)
        pinned = parsed.copy_with(host=address)
        host = parsed.host if parsed.port is None else f"{parsed.host}:{parsed.port}"
        return pinned, {"host": host}, ({"sni_hostname": parsed.host} if parsed.scheme == "https" else {})

    # -- replays ---------------------------------------------------------------------------------
    async def replays(self) -> int:
        """Queue again the matching events of each replay request, once: the source's events
        after the requested position up to the source's head when the replay is first seen
        (later ones are the feed's), waiting until the feed has reached that head."""
        from services.gateway.actors import public_actor

        queued = 0
        for replay in await asyncio.to_thread(self.store.pending_replays):
            if replay["webhook_state"] not in ("active", "parked"):
                await asyncio.to_thread(self.store.replay_done, replay, self.clock())
                continue
            source = replay["source"]
            until = replay["until_position"]
            if until is None:
                until = int((await self.services.call(public_actor(), source, "ping"))["log_head"])
                await asyncio.to_thread(self.store.replay_until, replay, until)
            if await asyncio.to_thread(self.store.feed_position, source) < until:
                continue  # the feed is still behind: wait, or the two would queue the same events
            position = int(replay["cursor_position"] if replay["cursor_position"] is not None
                           else replay["after_position"])
            while True:
                page = []
                if position < until:
                    events = await self.services.call(public_actor(), source, "events_since", position=position,
                                                      limit=PAGE)
                    page = [e for e in events if parse_sequence(e["sequence"]) <= until]
                if page:
                    position = parse_sequence(page[-1]["sequence"])
                done = not page or position >= until
                queued += await asyncio.to_thread(self.store.replay_page, replay, page, position, done, self.clock())
                if done:
                    break
        return queued


# -- what a gateway process runs -------------------------------------------------------------------------
def dispatcher_lock(settings: Any) -> Any:
    """One dispatcher per deployment: an advisory lock on PostgreSQL, a file lock beside SQLite."""
    from shared.kit.relay import AdvisoryLock, FileLock

    if settings.uses_postgres:
        from shared.kit.store import parse_database_url

        return AdvisoryLock(parse_database_url(settings.database_url or ""),
                            f"langxanh-webhooks-{settings.schema_for('gateway')}")
    return FileLock(settings.data_dir / "gateway.webhooks.lock")


class WebhookDelivery:
    """Webhooks in a running gateway: a follower thread per public stream on the gateway's own
    durable queues `<name>.follows.<service>`, and the dispatcher task. Replicas all follow
    (the tracking rows make each event queued once); one sends."""

    def __init__(self, settings: Any, gateway: Any, services: Any, name: str = "gateway") -> None:
        from shared.catalog import SERVICES

        self.settings = settings
        self.name = name
        db = Db.of(gateway)
        self.targets = WebhookTargets(db, gateway)
        self.dispatcher = WebhookDispatcher(db, gateway, settings, services, dispatcher_lock(settings), self.targets)
        self.feed = WebhookDeliveries(db, self.targets, on_queued=self.dispatcher.wake)
        self.clients: list[Any] = []
        self.followers = {source: Follower(source, self.feed, self._backfill(source)) for source in SERVICES}
        self.loops: list[Any] = []
        self.threads: list[threading.Thread] = []
        self.task: asyncio.Task | None = None

    def _backfill(self, source: str) -> Callable[[int, int], list[dict]]:
        """Pulls from `source` over one client per stream (one reply queue), signed as the gateway."""
        from services.gateway.actors import public_actor
        from shared.kit.client import ServiceClient, SharedClient

        client = SharedClient(lambda: ServiceClient(self.settings, public_actor(), self.settings.rpc_timeout,
                                                    component="gateway"))
        self.clients.append(client)
        return client.backfill(source)

    async def start(self) -> None:
        from shared.kit.amqp import FollowLoop

        self.task = asyncio.create_task(self.dispatcher.run(), name="webhook-dispatcher")
        for source, follower in self.followers.items():
            loop = FollowLoop(follower, self.settings.amqp_uri, self.settings.exchange,
                              f"{self.name}.follows.{source}", self.settings.follow_catch_up_interval, owner=self.name,
                              max_failures=self.settings.follow_max_failures)
            thread = threading.Thread(target=loop.run, name=f"{self.name}-follows-{source}", daemon=True)
            self.loops.append(loop)
            self.threads.append(thread)
            thread.start()

    async def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        if self.task is not None:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001 - stopping
                pass

        def join() -> None:
            for thread in self.threads:
                thread.join(timeout=5)
            self.dispatcher.lock.close()
            for client in self.clients:
                client.close()

        await asyncio.to_thread(join)
