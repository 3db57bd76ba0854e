"""Pushes to chats: a follower of the public streams and an outbox sender.

The feed is a projection (kit follower: each event once, in order, gaps pulled with
`events_since`). For each event it queues messages in the bot's outbox *in the same
transaction as its tracking row*: a state change of an incident goes to the chat that reported
it (the bot's own ticket → chat mapping), a matching event goes to each subscriber. The sender
sends the outbox and deletes what Telegram took. A crash between the two re-sends, never drops.
"""
from __future__ import annotations

import asyncio
import fnmatch
import importlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from functools import lru_cache

from eventsourcing.persistence import Tracking
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.labels import detail_line, event_label, reason_label
from bot.store import BotStore, enqueue
from bot.texts import t
from shared import reference
from shared.kit.amqp import FollowLoop
from shared.kit.calendar import LOCAL_TZ
from shared.kit.actor import Actor, Role
from shared.kit.client import ServiceClient
from shared.kit.config import Settings
from shared.contracts import registry
from shared.contracts.base import PublicEvent
from shared.contracts.inspections import (IncidentAssigned, IncidentClosed, IncidentMerged, IncidentRejected,
                                          IncidentReopened, IncidentResolved, IncidentTriaged, IncidentVerified)
from shared.kit.dispatch import ContractProjection
from shared.kit.envelope import Received
from shared.kit.follower import Follower, Projection
from shared.kit.source import SourceClient
from shared.kit.sql import Cursor
from shared.kit.tracking import SqlTrackingRecorder

log = logging.getLogger("bot.feed")
SOURCES = ("sites", "inspections", "manifests")
# The incident events told to the chat that reported the incident: contract class → the state shown.
INCIDENT_STATES: dict[type[PublicEvent], str] = {
    IncidentTriaged: "triaged", IncidentRejected: "rejected", IncidentMerged: "merged",
    IncidentAssigned: "assigned", IncidentVerified: "verified", IncidentResolved: "resolved",
    IncidentClosed: "closed", IncidentReopened: "reopened",
}
# Pushes beyond an incident's reporter and the subscribers: each module has `push(cur, got)` (`got.event`
# the contract instance: it dispatches on its class), which queues outbox rows (`enqueue`) in the feed's
# transaction, beside its tracking row.
PUSH_MODULES: tuple[str, ...] = ("bot.pushes.manifests", "bot.pushes.tasks")
DETAIL_FIELDS = ("category", "priority", "state", "kind", "name", "number", "reason_code", "unit", "fine_vnd",
                 "decision_number", "scheduled_for", "total_kg", "status", "water", "air", "soil")


def event_name(event: dict) -> str:
    """`vn.langxanh.inspections.incident_triaged.v1` → `incident_triaged` (shared/contracts/registry.py)."""
    return registry.event_name(event.get("type"))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


@lru_cache(maxsize=1)
def pushes() -> tuple[Callable[[Cursor, Received], None], ...]:
    return tuple(importlib.import_module(name).push for name in PUSH_MODULES)


class BotFeed(ContractProjection):
    """Each event decoded into its contract (shared/kit/dispatch.py): the push modules, the reporter
    of an incident (INCIDENT_STATES by class), then the subscribers (by the event's name: their
    patterns are names, e.g. `incident_*`)."""

    name = "bot_feed"

    def project_event(self, cur: Cursor, got: Received) -> None:
        for push in pushes():
            push(cur, got)
        state = INCIDENT_STATES.get(type(got.event))
        if state is not None:
            row = cur.execute(
                "SELECT k.ticket, k.chat_id, a.lang FROM {t:bot_tickets} k LEFT JOIN {t:bot_accounts} a "
                "ON a.user_id = k.user_id WHERE k.incident_id=%s", (got.subject,)).one()
            if row is not None:
                enqueue(cur, f"{got.id}:{row['chat_id']}", row["chat_id"], row["lang"] or "vi", "push-incident",
                        {"ticket": row["ticket"], "state": state, "reason": got.data.get("reason_code"),
                         "violation_found": got.data.get("violation_found")})
        self.subscribers(cur, got.type.event, {"id": got.id, "communecode": got.commune, "time": got.time,
                                               "data": got.data})

    def unknown_event(self, cur: Cursor, event: dict, error: Exception) -> None:
        """Counted and logged; a subscriber of its name (`*`) is still told (the texts are generic)."""
        super().unknown_event(cur, event, error)
        name = event_name(event)
        if name and event.get("id"):
            self.subscribers(cur, name, event)

    def subscribers(self, cur: Cursor, name: str, event: dict) -> None:
        subscriptions = cur.execute(
            "SELECT s.id, s.chat_id, s.types, s.communes, s.created_at, a.lang FROM {t:bot_subscriptions} s "
            "LEFT JOIN {t:bot_accounts} a ON a.user_id = s.user_id").all()
        data = event.get("data") if isinstance(event.get("data"), dict) else {}
        for s in subscriptions:
            if matches(s, name, event):
                enqueue(cur, f"{event['id']}:{s['chat_id']}:{s['id']}", s["chat_id"], s["lang"] or "vi", "push-event",
                        {"event": name, "commune": event.get("communecode"), "time": event.get("time"),
                         "details": details(data)})

    def clear(self, cur: Cursor) -> None:
        """Nothing to clear: the feed's output is messages already sent or queued."""


def matches(subscription: dict, name: str, event: dict) -> bool:
    import json

    types = subscription["types"] if isinstance(subscription["types"], list) else json.loads(subscription["types"])
    communes = (subscription["communes"] if isinstance(subscription["communes"], list)
                else json.loads(subscription["communes"]))
    if not any(fnmatch.fnmatchcase(name, pattern) for pattern in types):
        return False
    if communes and event.get("communecode") not in communes:
        return False
    try:
        return _instant(event["time"]) >= _instant(subscription["created_at"])  # no pushes from before subscribing
    except (KeyError, ValueError):
        return False


def details(data: dict) -> dict:
    return {k: data[k] for k in DETAIL_FIELDS if isinstance(data.get(k), (str, int, float)) and data.get(k) != ""}


def keyboard(row: dict):  # type: ignore[no-untyped-def]
    """An outbox row's buttons, if it has any: `args["buttons"]` = rows of [text key, callback data]
    (a key of the bot's catalogues, shown in the chat's language)."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    rows = row["args"].get("buttons") if isinstance(row.get("args"), dict) else None
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t(row["lang"], key), callback_data=data) for key, data in r]
                                 for r in rows])


def render(row: dict) -> str:
    """An outbox row as text in its chat's language: the keys the feed knows, or any catalogue key
    (`args["text"]`, its arguments) that a push module queued."""
    lng, args = row["lang"], row["args"]
    if row["key"] not in ("push-incident", "push-event"):
        return t(lng, row["key"], **(args.get("text") or {}))
    if row["key"] == "push-incident":
        text = t(lng, "push-incident", ticket=args["ticket"], state=t(lng, f"state-{args['state']}"))
        if args.get("reason"):  # a reason code (the public stream never carries staff's words)
            text += "\n" + t(lng, "push-reason", reason=reason_label(lng, args["reason"]))
        if args.get("violation_found") is not None and args["state"] == "resolved":
            text += "\n" + t(lng, "push-violation-found" if args["violation_found"] else "push-no-violation")
        return text
    label = event_label(lng, args["event"])
    when = ""
    if args.get("time"):
        when = _instant(args["time"]).astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
    commune = reference.commune_name(args.get("commune")) or t(lng, "push-no-commune")
    lines = [t(lng, "push-event", label=label, commune=commune, time=when)]
    lines += [detail_line(lng, k, v) for k, v in (args.get("details") or {}).items()]
    return "\n".join(lines)


class Outbox:
    """Sends queued messages; `flush()` once, or `run()` until cancelled (woken by `wake()`)."""

    def __init__(self, store: BotStore, bot) -> None:  # type: ignore[no-untyped-def]
        self.store = store
        self.bot = bot
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.sent = 0

    def wake(self) -> None:
        """Thread-safe: a feed thread queued something."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def flush(self) -> int:
        sent = 0
        while True:
            rows = await asyncio.to_thread(self.store.pending, 30)
            if not rows:
                return sent
            for row in rows:
                try:
                    await self.bot.send_message(row["chat_id"], render(row), reply_markup=keyboard(row))
                except RetryAfter as e:
                    await asyncio.sleep(float(getattr(e.retry_after, "total_seconds", lambda: e.retry_after)()))
                    return sent
                except (Forbidden, BadRequest) as e:  # blocked by the user, chat gone: drop it
                    log.warning("push %s dropped: %s", row["id"], e)
                except (NetworkError, TimedOut) as e:
                    log.warning("push %s failed (%s); retrying later", row["id"], e)
                    await asyncio.to_thread(self.store.failed, row["id"])
                    return sent
                await asyncio.to_thread(self.store.sent, row["id"])
                sent += 1
                self.sent += 1

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            try:
                await self.flush()
            except Exception:  # the store away for a moment: try again
                log.exception("outbox flush failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=2.0)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()


FEED_READER = Actor(id="bot:feed", role=Role.PUBLIC)  # the public stream needs no more (and the bot may not be system)


class Feed:
    """One follower per source on the bot's own durable queues `<name>.follows.<source>`."""

    def __init__(self, settings: Settings, store: BotStore, on_queued=lambda: None,  # type: ignore[no-untyped-def]
                 name: str = "bot") -> None:
        self.settings = settings
        self.name = name
        self.followers = {}
        self.sources: list[SourceClient] = []
        for source in SOURCES:
            projection = BotFeed(store.db)
            self.followers[source] = Follower(source, _Notifying(projection, on_queued), self._backfill(source))
        from bot.pushes import tasks  # the push on assignment asks the service who was assigned

        tasks.connect(tasks.ServiceLookup(settings))
        self.loops: list[FollowLoop] = []
        self.threads: list[threading.Thread] = []

    def _backfill(self, source: str):  # type: ignore[no-untyped-def]
        """A pushed message is a wake-up: each pull goes over one client kept open (shared/kit/source.py),
        signed as the bot, as a public reader."""
        line = SourceClient(source, lambda: ServiceClient(self.settings, FEED_READER, self.settings.bot.rpc_timeout))
        self.sources.append(line)
        return line.events_since

    def start(self) -> None:
        for source, follower in self.followers.items():
            loop = FollowLoop(follower, self.settings.amqp_uri, self.settings.exchange, f"{self.name}.follows.{source}",
                              self.settings.follow_catch_up_interval, owner=self.name,
                              max_failures=self.settings.follow_max_failures)
            thread = threading.Thread(target=loop.run, name=f"bot-follows-{source}", daemon=True)
            self.loops.append(loop)
            self.threads.append(thread)
            thread.start()

    def stop(self) -> None:
        for loop in self.loops:
            loop.stop()
        for thread in self.threads:
            thread.join(timeout=5)
        for line in self.sources:
            line.close(wait=False)
        from bot.pushes import tasks

        tasks.disconnect()


class _Notifying(Projection[SqlTrackingRecorder]):
    """A projection wrapper (same name, same view) that wakes the sender after each applied event."""

    def __init__(self, projection: BotFeed, on_queued) -> None:  # type: ignore[no-untyped-def]
        super().__init__(projection.view)
        self.name = projection.name
        self.projection = projection
        self.on_queued = on_queued

    def process_event(self, domain_event: Any, tracking: Tracking) -> bool:  # type: ignore[override]
        applied = self.projection.process_event(domain_event, tracking)
        if applied:
            self.on_queued()
        return applied

    def reset(self, source: str) -> None:
        self.projection.reset(source)
