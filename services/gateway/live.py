"""Route: live public events as server-sent events, and what each live client holds.

A live client holds a thread, a broker connection and an exclusive queue. All three are given
back when the client goes, however it goes (a disconnect cancels the response: the cleanup runs
shielded from that cancellation), and a key may hold at most `gateway_live_streams_per_key`
streams in one gateway process (the next gets 429)."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query, Request
from sse_starlette.sse import EventSourceResponse

from services.gateway.actors import public_actor
from services.gateway.application import TooMany
from services.gateway.context import G, SourceName, Who, errors
from services.gateway.routes_public import matches
from shared.contracts.base import MAX_POSITION
from shared.contracts.registry import event_name
from shared.kit.config import Settings

log = logging.getLogger("gateway")
router = APIRouter()


class StreamSlots:
    """Live streams open per key in this process."""

    def __init__(self, per_key: int) -> None:
        self.per_key = per_key
        self.open: dict[str, int] = {}
        self.lock = threading.Lock()

    def take(self, key: str) -> None:
        with self.lock:
            if self.open.get(key, 0) >= self.per_key:
                raise TooMany(f"this key already has {self.per_key} live streams open; close one first", "X-API-Key")
            self.open[key] = self.open.get(key, 0) + 1

    def give_back(self, key: str) -> None:
        with self.lock:
            left = self.open.get(key, 0) - 1
            if left > 0:
                self.open[key] = left
            else:
                self.open.pop(key, None)


class LiveStream:
    """One SSE client's feed: a queue bound to the stream before the backfill (no gap at the
    seam), the kit follower for order and no duplicates, handing events to the event loop. Its
    thread binds, catches up, consumes until stopped, and closes its connection (which deletes
    the exclusive queue) on the way out."""

    def __init__(self, settings: Settings, service: str, after: int) -> None:
        from shared.kit.amqp import StreamConsumer
        from shared.kit.client import ServiceClient, SharedClient
        from eventsourcing.persistence import Tracking

        from shared.kit.follower import Follower, MemoryProjection

        self.loop = asyncio.get_running_loop()
        self.queue: asyncio.Queue = asyncio.Queue()
        self.consumer = StreamConsumer(settings.amqp_uri, settings.exchange, [f"{service}.#"], durable=False)
        sink = MemoryProjection(self._hand_over)
        sink.view.insert_tracking(Tracking(service, after))

        self.client = SharedClient(lambda: ServiceClient(settings, public_actor(), settings.rpc_timeout,
                                                         component="gateway"))  # one reply queue per stream
        self.follower = Follower(service, sink, self.client.backfill(service))
        self.bound = threading.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name=f"sse-{service}", daemon=True)

    def _hand_over(self, event: dict) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def start(self) -> None:
        """Blocking (call in a worker thread): returns once the queue is bound."""
        self.thread.start()
        self.bound.wait()
        if self.failure is not None:
            raise self.failure

    def _run(self) -> None:
        try:
            try:
                self.consumer.bind()  # bound before the backfill: nothing published meanwhile is missed
            except BaseException as e:  # noqa: BLE001 - handed to start()
                self.failure = e
                return
            finally:
                self.bound.set()
            if not self.consumer.stopped.is_set():
                self.follower.catch_up()
            if not self.consumer.stopped.is_set():
                self.consumer.run(self.follower.handle)
        except Exception:  # noqa: BLE001 - the client sees the stream end
            log.exception("live stream failed")
        finally:
            self.consumer.close()
            self.client.close()

    async def next(self, timeout: float) -> dict | None:
        try:
            return await asyncio.wait_for(self.queue.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def stop(self) -> None:
        """Non-blocking: the thread sees it within half a second and closes the connection."""
        self.consumer.stop()

    def join(self, timeout: float = 10.0) -> None:
        self.stop()
        if self.thread.is_alive():
            self.thread.join(timeout)


class LiveResponse(EventSourceResponse):
    """An EventSourceResponse whose cleanup runs however the response ends (the generator's own
    finally does not run when a disconnect comes before its first step)."""

    def __init__(self, content: Any, cleanup: Any, **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self.cleanup = cleanup

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self.cleanup()


@router.get("/v1/events/live", responses={**errors(401, 403, 429), 200: {"content": {"text/event-stream": {}},
                                                                            "description": "Server-sent events"}},
            tags=["events"],
            summary="Live: a service's public events as server-sent events (resume with Last-Event-ID)")
async def live(request: Request, who: Who, gate: G, service: SourceName,
               type_: Annotated[list[str], Query(alias="type", max_length=20)] = [],  # noqa: B006
               commune: Annotated[list[str], Query(max_length=200)] = [],  # noqa: B006
               after: Annotated[int | None, Query(ge=0, le=MAX_POSITION,
                                                  description="Start after this position (default: now)")] = None,
               last_event_id: Annotated[str | None, Header(description="<service>-<sequence> to resume after")] = None
               ) -> Any:
    who.require("events:read")
    if last_event_id and last_event_id.startswith(f"{service}-") and last_event_id.split("-")[-1].isdigit():
        after = int(last_event_id.split("-")[-1])
    slots: StreamSlots = gate.extras["streams"]
    slot = who.key_id or who.agency or ""
    slots.take(slot)
    released = False
    stream: LiveStream | None = None

    async def cleanup() -> None:
        nonlocal released
        if stream is not None:
            stream.stop()
            await anyio.to_thread.run_sync(stream.join)
        if not released:
            released = True
            slots.give_back(slot)

    try:
        if after is None:
            after = int((await gate.rpc(who, service, "ping"))["log_head"])
        stream = LiveStream(gate.settings, service, after)
        await anyio.to_thread.run_sync(stream.start)
    except BaseException:
        with anyio.CancelScope(shield=True):
            await cleanup()
        raise

    async def generate():  # type: ignore[no-untyped-def]
        while True:
            event = await stream.next(timeout=15.0)
            if event is None:
                if await request.is_disconnected():
                    return
                continue
            if matches(event, type_, commune):
                yield {"id": event["id"], "event": event_name(event.get("type")),
                       "data": json.dumps(event, ensure_ascii=False)}

    return LiveResponse(generate(), cleanup, ping=15)
