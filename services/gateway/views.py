"""Read models of the gateway: its webhooks by agency (projected from its own log), and webhook
delivery: the feed of the public streams into per-webhook queues, and the dispatcher."""
from __future__ import annotations

import fnmatch
import json
import logging
from collections.abc import Callable
from datetime import datetime, timezone
from functools import singledispatchmethod
from typing import Any
from weakref import WeakKeyDictionary

from eventsourcing.persistence import Tracking

from shared.contracts import registry
from shared.kit.follower import OwnLogProjection, SqlProjection
from shared.kit.public import parse_sequence
from shared.kit.sql import Cursor, Db
from shared.kit.tracking import SqlTrackingRecorder
from services.gateway.domainmodel import Webhook


class GatewayViews(OwnLogProjection):
    name = "gateway_views"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:webhook_view} (id TEXT PRIMARY KEY, agency TEXT NOT NULL, state TEXT NOT NULL)",
    )

    STATES: dict[type, str] = {Webhook.Parked: "parked", Webhook.Resumed: "active", Webhook.Deleted: "deleted"}

    def project(self, cur: Cursor, event: dict) -> None:
        """From the event's own attributes: no read of the repository inside this write
        transaction (a read waiting behind another writer would hold the writer lock)."""
        self.on(event["event"], cur)

    @singledispatchmethod
    def on(self, e: Any, cur: Cursor) -> None:
        """An event of another aggregate (API keys, quotas) or one that changes no state here."""

    @on.register(Webhook.Registered)
    def _registered(self, e: Any, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:webhook_view} WHERE id=%s", (str(e.originator_id),))
        cur.execute("INSERT INTO {t:webhook_view} (id, agency, state) VALUES (%s,%s,%s)",
                    (str(e.originator_id), e.agency, "active"))

    @on.register(Webhook.Parked)
    @on.register(Webhook.Resumed)
    @on.register(Webhook.Deleted)
    def _state(self, e: Any, cur: Cursor) -> None:
        cur.execute("UPDATE {t:webhook_view} SET state=%s WHERE id=%s", (self.STATES[type(e)], str(e.originator_id)))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:webhook_view}")

    def webhook_ids(self, agency: str | None = None, states: tuple[str, ...] = ("active", "parked")) -> list[str]:
        marks = ",".join(["%s"] * len(states))
        sql, params = f"SELECT id FROM {{t:webhook_view}} WHERE state IN ({marks})", list(states)
        if agency is not None:
            sql += " AND agency=%s"
            params.append(agency)
        return [r["id"] for r in self.fresh_rows(sql + " ORDER BY id", params)]


# -- webhook delivery ----------------------------------------------------------------------------------
# The gateway follows the public streams like any follower (design §4) and turns each matching
# event into a delivery row for each webhook, in the same transaction as its tracking row; a
# dispatcher POSTs the rows, signed per the Standard Webhooks spec, and keeps them as a log.
#
#   webhook_targets     the webhooks as the dispatcher needs them (own-log projection) + failure streak
#   webhook_deliveries  one row per (webhook, event[, replay]): pending -> delivered; the delivery log
#   webhook_counters    per webhook, the order of its deliveries (seq)
#   webhook_replays     replay requests and how far each got (done once)

log = logging.getLogger("gateway.webhooks")
CONTENT_TYPE = "application/cloudevents+json"
USER_AGENT = "LangXanh-Webhooks/1.0"
PAGE = 500

WEBHOOK_TABLES = (
    "CREATE TABLE IF NOT EXISTS {t:webhook_targets} (id TEXT PRIMARY KEY, agency TEXT NOT NULL, url TEXT NOT NULL, "
    "types TEXT NOT NULL, communes TEXT NOT NULL, secret TEXT NOT NULL, registered_at TEXT NOT NULL, "
    "state TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0, replays INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS {t:webhook_deliveries} (id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL, "
    "seq BIGINT NOT NULL, event_id TEXT NOT NULL, event_type TEXT NOT NULL, source TEXT NOT NULL, "
    "sequence BIGINT NOT NULL, replay INTEGER, event TEXT NOT NULL, state TEXT NOT NULL, "
    "attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_attempt_at TEXT, last_status INTEGER, "
    "last_error TEXT, created_at TEXT NOT NULL, delivered_at TEXT)",
    "CREATE INDEX IF NOT EXISTS webhook_deliveries_queue ON {t:webhook_deliveries} (webhook_id, state, seq)",
    "CREATE TABLE IF NOT EXISTS {t:webhook_counters} (webhook_id TEXT PRIMARY KEY, n BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {t:webhook_replays} (webhook_id TEXT NOT NULL, idx INTEGER NOT NULL, "
    "source TEXT NOT NULL, after_position BIGINT NOT NULL, requested_at TEXT NOT NULL, until_position BIGINT, "
    "cursor_position BIGINT, enqueued INTEGER NOT NULL DEFAULT 0, done_at TEXT, PRIMARY KEY (webhook_id, idx))",
)


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()


def _instant(text: str) -> datetime:
    moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def event_service(event: dict) -> str:
    """`/langxanh/inspections` → `inspections`."""
    return str(event.get("source", "")).rsplit("/", 1)[-1]


def event_name(event: dict) -> str:
    """`vn.langxanh.inspections.incident_reported.v1` → `incident_reported` (shared/contracts/registry.py)."""
    return registry.event_name(event.get("type"))


def type_matches(patterns: list[str], event: dict) -> bool:
    """A pattern is a glob on the event name (`incident_*`), the routing key (`inspections.*`)
    or the CloudEvent type (`vn.langxanh.sites.*`)."""
    name = event_name(event)
    names = (name, f"{event_service(event)}.{name}", str(event.get("type", "")))
    return any(fnmatch.fnmatchcase(n, p) for p in patterns for n in names)


def filter_matches(types: list[str], communes: list[str], event: dict) -> bool:
    """The webhook's filter: one of its types, and (when it names communes) one of its communes."""
    if not type_matches(types, event):
        return False
    return not communes or event.get("communecode") in communes


def backoff(failures: int, base: float, cap: float) -> float:
    """Seconds before the next attempt after `failures` consecutive failures: base·2^(n-1), capped."""
    return float(min(cap, base * (2 ** max(0, min(failures - 1, 40)))))


def enqueue(cur: Cursor, delivery_id: str, webhook_id: str, event: dict, replay: int | None, at: datetime) -> None:
    """Queue one delivery in the caller's transaction, behind the webhook's earlier ones.
    The same id twice (a redelivered event, a replay resumed after a crash) is queued once."""
    cur.execute("SELECT 1 AS x FROM {t:webhook_deliveries} WHERE id=%s", (delivery_id,))
    if cur.one() is not None:
        return
    cur.execute("INSERT INTO {t:webhook_counters} (webhook_id, n) VALUES (%s, 0) ON CONFLICT (webhook_id) DO NOTHING",
                (webhook_id,))
    cur.execute("UPDATE {t:webhook_counters} SET n = n + 1 WHERE webhook_id=%s", (webhook_id,))  # locks the row
    seq = int(cur.execute("SELECT n FROM {t:webhook_counters} WHERE webhook_id=%s", (webhook_id,)).scalar(0))
    cur.execute(
        "INSERT INTO {t:webhook_deliveries} (id, webhook_id, seq, event_id, event_type, source, sequence, replay, "
        "event, state, attempts, created_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,'pending',0,%s) "
        "ON CONFLICT (id) DO NOTHING",
        (delivery_id, webhook_id, seq, str(event["id"]), str(event.get("type", "")), event_service(event),
         parse_sequence(event["sequence"]), replay, json.dumps(event, ensure_ascii=False, separators=(",", ":")),
         _iso(at)))


class WebhookTargets(OwnLogProjection):
    """The gateway's webhooks as the feed and the dispatcher need them (url, filter, secret,
    state), projected from its own log. Also turns a resume into 'due now' for the webhook's
    waiting deliveries, a delete into dropping them, and a replay request into a replay row.

    Built from each event's own attributes, never by loading the aggregate: a read through
    another connection inside this write transaction would wait on the pool's queue behind a
    thread that waits for this writer (SQLite: a 5 s stall, then an error)."""

    name = "webhook_targets"
    tables = WEBHOOK_TABLES

    def project(self, cur: Cursor, event: dict) -> None:
        self.on(event["event"], cur)

    @singledispatchmethod
    def on(self, e: Any, cur: Cursor) -> None:
        """An event of another aggregate (API keys, quotas): not a webhook."""

    @on.register(Webhook.Registered)
    def _registered(self, e: Any, cur: Cursor) -> None:
        cur.execute(
            "INSERT INTO {t:webhook_targets} (id, agency, url, types, communes, secret, registered_at, state, "
            "replays) VALUES (%s,%s,%s,%s,%s,%s,%s,'active',0) ON CONFLICT (id) DO UPDATE SET "
            "agency=excluded.agency, url=excluded.url, types=excluded.types, communes=excluded.communes, "
            "secret=excluded.secret, registered_at=excluded.registered_at, state='active', replays=0",
            (str(e.originator_id), e.agency, e.url, json.dumps(list(e.types)), json.dumps(list(e.communes)), e.secret,
             _iso(e.registered_at)))

    @on.register(Webhook.Parked)
    def _parked(self, e: Any, cur: Cursor) -> None:
        cur.execute("UPDATE {t:webhook_targets} SET state='parked' WHERE id=%s", (str(e.originator_id),))

    @on.register(Webhook.Resumed)
    def _resumed(self, e: Any, cur: Cursor) -> None:
        wid = str(e.originator_id)
        cur.execute("UPDATE {t:webhook_targets} SET state='active', failures=0 WHERE id=%s", (wid,))
        cur.execute("UPDATE {t:webhook_deliveries} SET next_attempt_at=NULL WHERE webhook_id=%s AND state='pending'",
                    (wid,))

    @on.register(Webhook.Deleted)
    def _deleted(self, e: Any, cur: Cursor) -> None:
        wid = str(e.originator_id)
        cur.execute("UPDATE {t:webhook_targets} SET state='deleted' WHERE id=%s", (wid,))
        cur.execute("DELETE FROM {t:webhook_deliveries} WHERE webhook_id=%s AND state='pending'", (wid,))

    @on.register(Webhook.ReplayRequested)
    def _replay_requested(self, e: Any, cur: Cursor) -> None:
        # idx = the replay's place in the webhook's `replays` list (counted here, so a rebuild counts the same)
        wid = str(e.originator_id)
        idx = int(cur.execute("SELECT replays FROM {t:webhook_targets} WHERE id=%s", (wid,)).scalar(0))
        cur.execute("UPDATE {t:webhook_targets} SET replays=replays+1 WHERE id=%s", (wid,))
        cur.execute(
            "INSERT INTO {t:webhook_replays} (webhook_id, idx, source, after_position, requested_at) "
            "VALUES (%s,%s,%s,%s,%s) ON CONFLICT (webhook_id, idx) DO NOTHING",
            (wid, idx, e.source, int(e.after), _iso(e.requested_at)))

    def clear(self, cur: Cursor) -> None:
        """Replay rows stay: a rebuild must not replay again what was done."""
        cur.execute("DELETE FROM {t:webhook_targets}")


class WebhookDeliveries(SqlProjection):
    """The webhook feed: one follower per public stream feeds it; each event becomes a pending
    delivery for every webhook not deleted whose filter matches and that was registered by the
    event's time, written with the tracking row in one transaction (so each event is queued
    once, even across restarts). Parked webhooks' deliveries are queued too and wait."""

    name = "webhook_feed"
    tables = WEBHOOK_TABLES

    def __init__(self, db: Db, targets: WebhookTargets, on_queued: Callable[[], None] = lambda: None,
                 clock: Callable[[], datetime] = _now) -> None:
        self.targets = targets
        self.on_queued = on_queued
        self.clock = clock
        super().__init__(db)

    def process_event(self, domain_event: Any, tracking: Tracking) -> bool:  # type: ignore[override]
        self.targets.catch_up()  # every webhook registered so far (outside this transaction)
        applied = super().process_event(domain_event, tracking)
        if applied:
            self.on_queued()
        return applied

    def apply_many(self, source: str, events: list[dict]) -> int:
        self.targets.catch_up()
        applied = super().apply_many(source, events)
        if applied:
            self.on_queued()
        return applied

    def project(self, cur: Cursor, event: dict) -> None:
        hooks = cur.execute("SELECT id, types, communes, registered_at FROM {t:webhook_targets} "
                            "WHERE state IN ('active', 'parked') ORDER BY id").all()
        if not hooks:
            return
        try:
            when = _instant(event["time"])
        except (KeyError, ValueError):
            return
        for h in hooks:
            if when < _instant(h["registered_at"]):
                continue  # a webhook receives what happens from its registration on (replay for older)
            if filter_matches(json.loads(h["types"]), json.loads(h["communes"]), event):
                enqueue(cur, f"{h['id']}:{event['id']}", h["id"], event, None, self.clock())

    def clear(self, cur: Cursor) -> None:
        """Nothing: deliveries already queued or sent stay (their ids make a rebuild queue nothing twice)."""


class WebhookLog:
    """Reads of the delivery tables (the dispatcher's queue and the agencies' delivery log)."""

    _of: "WeakKeyDictionary[Any, WebhookLog]" = WeakKeyDictionary()

    def __init__(self, db: Db) -> None:
        self.db = db
        db.execute_script(*WEBHOOK_TABLES)

    @classmethod
    def of(cls, gateway: Any) -> "WebhookLog":
        """One per gateway Application (the tables are created once)."""
        found = cls._of.get(gateway)
        if found is None:
            found = cls._of[gateway] = cls(Db.of(gateway))
        return found

    def _rows(self, sql: str, params: tuple | list = ()) -> list[dict]:
        with self.db.transaction(commit=False) as cur:
            return cur.execute(sql, params).all()

    def deliveries(self, webhook_id: str, limit: int = 100, state: str | None = None) -> list[dict]:
        """A webhook's deliveries, newest first, without the bodies."""
        sql = ("SELECT id, event_id, event_type, source, sequence, replay, state, attempts, next_attempt_at, "
               "last_attempt_at, last_status, last_error, created_at, delivered_at FROM {t:webhook_deliveries} "
               "WHERE webhook_id=%s")
        params: list[Any] = [webhook_id]
        if state:
            sql += " AND state=%s"
            params.append(state)
        return self._rows(sql + " ORDER BY seq DESC LIMIT %s", params + [limit])

    def due_webhooks(self, now: datetime) -> list[str]:
        """Active webhooks whose first waiting delivery is due."""
        rows = self._rows(
            "SELECT d.webhook_id, d.next_attempt_at FROM {t:webhook_deliveries} d "
            "JOIN {t:webhook_targets} w ON w.id = d.webhook_id "
            "WHERE w.state='active' AND d.state='pending' AND d.seq = (SELECT MIN(x.seq) FROM "
            "{t:webhook_deliveries} x WHERE x.webhook_id = d.webhook_id AND x.state='pending') ORDER BY d.webhook_id")
        return [r["webhook_id"] for r in rows if r["next_attempt_at"] is None or _instant(r["next_attempt_at"]) <= now]

    def head(self, webhook_id: str) -> dict | None:
        """The webhook's first waiting delivery, with what sending it needs."""
        rows = self._rows(
            "SELECT d.id, d.webhook_id, d.event_id, d.event, d.attempts, d.next_attempt_at, w.url, w.secret, "
            "w.state AS webhook_state, w.failures FROM {t:webhook_deliveries} d "
            "JOIN {t:webhook_targets} w ON w.id = d.webhook_id "
            "WHERE d.webhook_id=%s AND d.state='pending' ORDER BY d.seq LIMIT 1", (webhook_id,))
        return rows[0] if rows else None

    def delivered(self, delivery_id: str, webhook_id: str, status: int, at: datetime) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:webhook_deliveries} SET state='delivered', attempts=attempts+1, last_status=%s, "
                        "last_error=NULL, last_attempt_at=%s, delivered_at=%s, next_attempt_at=NULL WHERE id=%s",
                        (status, _iso(at), _iso(at), delivery_id))
            cur.execute("UPDATE {t:webhook_targets} SET failures=0 WHERE id=%s", (webhook_id,))

    def failed(self, delivery_id: str, webhook_id: str, status: int | None, error: str, at: datetime,
               next_at: datetime) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:webhook_deliveries} SET attempts=attempts+1, last_status=%s, last_error=%s, "
                        "last_attempt_at=%s, next_attempt_at=%s WHERE id=%s",
                        (status, error[:500], _iso(at), _iso(next_at), delivery_id))
            cur.execute("UPDATE {t:webhook_targets} SET failures=failures+1 WHERE id=%s", (webhook_id,))

    # -- replays -----------------------------------------------------------------------------------
    def pending_replays(self) -> list[dict]:
        return self._rows(
            "SELECT r.*, w.types, w.communes, w.state AS webhook_state FROM {t:webhook_replays} r "
            "LEFT JOIN {t:webhook_targets} w ON w.id = r.webhook_id WHERE r.done_at IS NULL "
            "ORDER BY r.requested_at, r.webhook_id, r.idx")

    def feed_position(self, source: str) -> int:
        return SqlTrackingRecorder(self.db, WebhookDeliveries.name).max_tracking_id(source) or 0

    def replay_until(self, replay: dict, until: int) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:webhook_replays} SET until_position=%s WHERE webhook_id=%s AND idx=%s",
                        (until, replay["webhook_id"], replay["idx"]))

    def replay_page(self, replay: dict, events: list[dict], cursor: int, done: bool, at: datetime) -> int:
        """Queue a page of a replay's events and move its cursor, in one transaction."""
        types, communes = json.loads(replay["types"]), json.loads(replay["communes"])
        queued = 0
        with self.db.transaction() as cur:
            for event in events:
                if filter_matches(types, communes, event):
                    enqueue(cur, f"{replay['webhook_id']}:{event['id']}:replay-{replay['idx']}", replay["webhook_id"],
                            event, int(replay["idx"]), at)
                    queued += 1
            cur.execute("UPDATE {t:webhook_replays} SET cursor_position=%s, enqueued=enqueued+%s, done_at=%s "
                        "WHERE webhook_id=%s AND idx=%s",
                        (cursor, queued, _iso(at) if done else None, replay["webhook_id"], replay["idx"]))
        return queued

    def replay_done(self, replay: dict, at: datetime) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:webhook_replays} SET done_at=%s WHERE webhook_id=%s AND idx=%s",
                        (_iso(at), replay["webhook_id"], replay["idx"]))


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """The dispatcher and the delivery runner live in services.gateway.dispatch (re-exported)."""
    if name in ("WebhookDispatcher", "WebhookDelivery", "dispatcher_lock"):
        from services.gateway import dispatch

        return getattr(dispatch, name)
    raise AttributeError(name)
