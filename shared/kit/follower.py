"""The follower: applies one source's public events exactly once and in order.

A projection writes its state and its tracking row in one transaction. A pushed message is a
wake-up, never trusted for its content (anyone who can publish on the exchange could forge one):
when it announces a sequence after the tracking position, the follower pulls the range from the
source with `events_since` and applies what the source answers; one pull serves every message
queued behind it (they are duplicates by then, skipped without I/O). A rebuild forgets the
tracking and the state, then pulls from zero. Plain Python: the transport (a kombu consumer, a
nameko entrypoint, a CLI) feeds `handle()`.
"""
from __future__ import annotations

import time

import threading
from collections.abc import Callable
from typing import Any

from shared.kit.public import parse_sequence
from shared.kit.sql import Cursor, Db

Backfill = Callable[[int, int], list[dict]]


class Projection:
    """Base of read models built from public events, with tracking in the same transaction."""

    name: str = "projection"

    def position(self, source: str) -> int:
        raise NotImplementedError

    def apply(self, source: str, event: dict) -> bool:
        """Apply `event` and move the position to its sequence, atomically.
        Returns False (and changes nothing) when the event is not after the position."""
        raise NotImplementedError

    def reset(self, source: str) -> None:
        raise NotImplementedError


class SqlProjection(Projection):
    """A projection stored in SQL beside its tracking. Subclasses define `tables` (DDL),
    `project(cur, event)` and `clear(cur)`."""

    tables: tuple[str, ...] = ()

    def __init__(self, db: Db) -> None:
        self.db = db
        self.db.execute_script(
            "CREATE TABLE IF NOT EXISTS {t:lx_tracking} (projection TEXT NOT NULL, source TEXT NOT NULL, "
            "position BIGINT NOT NULL, PRIMARY KEY (projection, source))",
            *self.tables,
        )

    def project(self, cur: Cursor, event: dict) -> None:
        raise NotImplementedError

    def clear(self, cur: Cursor) -> None:
        raise NotImplementedError

    def position(self, source: str) -> int:
        with self.db.transaction(commit=False) as cur:
            return self._position(cur, source)

    def rows(self, sql: str, params: tuple | list = ()) -> list[dict]:
        """A read of the projection's tables (statements in the kit's SQL dialect)."""
        with self.db.transaction(commit=False) as cur:
            return cur.execute(sql, params).all()

    def _position(self, cur: Cursor, source: str, lock: bool = False) -> int:
        sql = "SELECT position FROM {t:lx_tracking} WHERE projection=%s AND source=%s"
        if lock and self.db.postgres:
            sql += " FOR UPDATE"
        return int(cur.execute(sql, (self.name, source)).scalar(0))

    def apply(self, source: str, event: dict) -> bool:
        sequence = parse_sequence(event["sequence"])
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t:lx_tracking} (projection, source, position) VALUES (%s, %s, 0) "
                "ON CONFLICT (projection, source) DO NOTHING",
                (self.name, source),
            )
            if sequence <= self._position(cur, source, lock=True):
                return False  # already applied (another process or a redelivery)
            self.project(cur, event)
            cur.execute(
                "UPDATE {t:lx_tracking} SET position=%s WHERE projection=%s AND source=%s",
                (sequence, self.name, source),
            )
        return True

    def apply_many(self, source: str, events: list[dict]) -> int:
        """Apply a page of events in one transaction (a catch-up or a rebuild); events at or
        before the position are skipped. Returns how many were applied."""
        applied = 0
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t:lx_tracking} (projection, source, position) VALUES (%s, %s, 0) "
                "ON CONFLICT (projection, source) DO NOTHING",
                (self.name, source),
            )
            position = self._position(cur, source, lock=True)
            for event in events:
                sequence = parse_sequence(event["sequence"])
                if sequence <= position:
                    continue
                self.project(cur, event)
                position = sequence
                applied += 1
            cur.execute("UPDATE {t:lx_tracking} SET position=%s WHERE projection=%s AND source=%s",
                        (position, self.name, source))
        return applied

    def reset(self, source: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:lx_tracking} WHERE projection=%s AND source=%s", (self.name, source))
            self.clear(cur)


class MemoryProjection(Projection):
    """Tracking in memory around a callback: for `langxanh events --follow` and tests."""

    def __init__(self, on_event: Callable[[dict], None]) -> None:
        self.on_event = on_event
        self.positions: dict[str, int] = {}

    def position(self, source: str) -> int:
        return self.positions.get(source, 0)

    def apply(self, source: str, event: dict) -> bool:
        sequence = parse_sequence(event["sequence"])
        if sequence <= self.position(source):
            return False
        self.on_event(event)
        self.positions[source] = sequence
        return True

    def reset(self, source: str) -> None:
        self.positions.pop(source, None)


class Follower:
    """`metrics` (optional) is told what happens: a `shared.kit.metrics.FollowerMetrics`.

    `source_sequence` is the highest sequence the source itself showed: in a page it answered, or
    as its log head (`source_head`: a short page reaches the head; `head()`, optional, asks the
    source, e.g. its `ping`); pushed sequences are not trusted for it. `lag` = source_sequence -
    the last known position (events the source has that this follower has not applied)."""

    def __init__(self, source: str, projection: Projection, backfill: Backfill, page: int = 500,
                 metrics: Any = None, head: Callable[[], int] | None = None) -> None:
        self.source = source
        self.projection = projection
        self.backfill = backfill
        self.page = page
        self.metrics = metrics
        self._lock = threading.RLock()
        self.applied = 0
        self.duplicates = 0
        self.pulls = 0
        self.unconfirmed = 0  # wake-ups announcing a sequence the source did not have
        self.source_sequence = 0
        self.source_head = 0
        self.last_position = 0
        self.head = head
        attach = getattr(projection, "attach_metrics", None)  # a ContractProjection counts unknown types
        if metrics is not None and attach is not None:
            attach(metrics)

    @property
    def position(self) -> int:
        return self.projection.position(self.source)

    @property
    def lag(self) -> int:
        """Events of the source seen but not applied (from the last known position)."""
        return max(0, self.source_sequence - self.last_position)

    def _seen(self, sequence: int) -> None:
        if sequence > self.source_sequence:
            self.source_sequence = sequence
            if self.metrics is not None:
                self.metrics.state(self.last_position, sequence)

    def _at(self, position: int) -> None:
        self.last_position = position
        if position > self.source_sequence:
            self.source_sequence = position  # applied means seen (a rebuild, another replica)
        if self.metrics is not None:
            self.metrics.state(position, self.source_sequence)

    def handle(self, event: dict) -> str:
        """Feed one pushed message (a wake-up: only its sequence is read). Returns 'duplicate' (at
        or before the position: nothing done), 'applied' (the pull from the source reached its
        sequence) or 'unconfirmed' (the source has no such event yet: nothing of it applied)."""
        sequence = parse_sequence(event["sequence"])
        with self._lock:
            if sequence <= self.last_position:
                # applied already, as this process knows without asking the store: a queue of
                # duplicates (pushed while a pull served them) drains at memory speed
                self._duplicate()
                return "duplicate"
            position = self.projection.position(self.source)
            self._at(position)
            if sequence <= position:
                self._duplicate()
                return "duplicate"
            self.catch_up(until=sequence)
            if self.last_position >= sequence:
                return "applied"
            self.unconfirmed += 1
            if self.metrics is not None:
                self.metrics.unconfirmed()
            return "unconfirmed"

    def refresh_head(self) -> int:
        """Ask the source for its log head (when a `head` function was given); the lag follows."""
        if self.head is not None:
            self._head_at(int(self.head()))
        return self.source_head

    def _head_at(self, head: int) -> None:
        self.source_head = head
        self._seen(head)

    def _duplicate(self) -> None:
        self.duplicates += 1
        if self.metrics is not None:
            self.metrics.duplicate()

    def catch_up(self, until: int | None = None) -> int:
        """Pull and apply everything after the position (up to `until` when given, at least)."""
        applied = 0
        try:
            with self._lock:
                while True:
                    position = self.projection.position(self.source)
                    self._at(position)
                    if until is not None and position >= until:
                        break
                    self.pulls += 1
                    if self.metrics is not None:
                        self.metrics.pulled()
                    events = self.backfill(position, self.page)
                    if events:
                        self._seen(parse_sequence(events[-1]["sequence"]))
                    if len(events) < self.page:  # a short page reaches the source's head
                        self._head_at(parse_sequence(events[-1]["sequence"]) if events else position)
                    fresh = [e for e in events if parse_sequence(e["sequence"]) > position]
                    if not fresh:
                        break
                    if isinstance(self.projection, SqlProjection):
                        n = self.projection.apply_many(self.source, fresh)  # one transaction per page
                    else:
                        n = 0
                        for event in fresh:
                            if self.projection.apply(self.source, event):
                                n += 1
                    applied += n
                    if self.metrics is not None:
                        self.metrics.applied(n)
                    self._at(parse_sequence(fresh[-1]["sequence"]))
                    if len(events) < self.page:  # nothing more at the source (for now)
                        break
        finally:
            self.applied += applied
        return applied

    def rebuild(self) -> int:
        with self._lock:
            self.projection.reset(self.source)
            return self.catch_up()


def pull_all(backfill: Backfill, position: int = 0, page: int = 500) -> list[dict[str, Any]]:
    """Every public event after `position`, page by page."""
    out: list[dict] = []
    while True:
        events = backfill(position, page)
        if not events:
            return out
        out.extend(events)
        position = parse_sequence(events[-1]["sequence"])


class OwnLogProjection(SqlProjection):
    """A read model of a service's own log (no broker): catches up from the Application's
    notification log before it answers. `project(cur, event)` receives
    {"sequence": id, "notification": n, "event": domain_event}."""

    SOURCE = "own-log"

    def __init__(self, db: Db, app: Any) -> None:
        self.app = app
        super().__init__(db)

    def catch_up(self, page: int = 500) -> int:
        """Applies the log after the tracked position, a page per transaction (events at or before
        the position, applied meanwhile by another worker, are skipped inside it)."""
        applied = 0
        position = self.position(self.SOURCE)
        aggregates: dict = {}  # this catch-up's own (never shared between threads), see aggregate_at
        while True:
            notifications = self.app.select_notifications(position, page)
            if not notifications:
                return applied
            applied += self.apply_many(self.SOURCE, [
                {"sequence": n.id, "notification": n, "event": self.app.mapper.to_domain_event(n),
                 "aggregates": aggregates}
                for n in notifications])
            position = notifications[-1].id
            time.sleep(0)  # a long catch-up lets other work in between pages (eventlet: a yield)

    def aggregate_at(self, event: dict, keep: int = 1_000) -> Any:
        """The aggregate as it was after `event`. Mutated forward from the copy this catch-up
        reconstructed at the version before when it has it (the usual case: a page holds an
        aggregate's successive events), else read from the repository at that version. The copy
        is mutated in place by the aggregate's next event, so read it before projecting the next."""
        domain_event = event["event"]
        key, version = domain_event.originator_id, domain_event.originator_version
        cache = event.get("aggregates")
        aggregate = cache.pop(key, None) if cache is not None else None
        if aggregate is not None and aggregate.version == version - 1:
            aggregate = domain_event.mutate(aggregate)
        else:
            aggregate = self.app.repository.get(key, version=version)
        if cache is not None:
            cache[key] = aggregate
            if len(cache) > keep:  # the least recently used goes
                cache.pop(next(iter(cache)))
        return aggregate

    def rebuild(self) -> int:
        self.reset(self.SOURCE)
        return self.catch_up()

    def fresh_rows(self, sql: str, params: tuple | list = ()) -> list[dict]:
        """A read after catching up with the log, so a query sees every committed command."""
        self.catch_up()
        return self.rows(sql, params)
