"""The follower: applies one source's public events exactly once and in order.

The vocabulary is eventsourcing's (eventsourcing.projection): a `Projection` has a `name` and a
`view`, a `TrackingRecorder` (shared/kit/tracking.py); `process_event(event, tracking)` writes
the event's effect and `view.insert_tracking(tracking)` in one transaction, `tracking` being
`Tracking(source, sequence)`; the position is `view.max_tracking_id(source)`. A pushed message is
a wake-up, never trusted for its content (anyone who can publish on the exchange could forge one):
when it announces a sequence after the tracking position, the follower pulls the range from the
source with `events_since` and applies what the source answers (a SqlProjection in transactions
of `per_transaction` events, `apply_many`); one pull serves every message queued behind it (they are duplicates
by then, skipped without I/O). A rebuild forgets the tracking and the state, then pulls from zero.
Plain Python: the transport (a kombu consumer, a nameko entrypoint, a CLI) feeds `handle()`;
eventsourcing's ProjectionRunner is not used, since it subscribes to an Application in the same
process, and a follower's source is another service, reached over RabbitMQ and RPC.
"""
from __future__ import annotations

import threading
import time
from abc import abstractmethod
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Tracking, TTrackingRecorder
from eventsourcing.projection import Projection as EventsourcingProjection

from shared.kit.public import parse_sequence
from shared.kit.sql import Cursor, Db
from shared.kit.store import cooperatively, green
from shared.kit.tracking import TRACKING_TABLE, MemoryTrackingRecorder, SqlTrackingRecorder

Backfill = Callable[[int, int], list[dict]]


class Projection(EventsourcingProjection[TTrackingRecorder]):
    """Base of read models built from public events: eventsourcing's `Projection`, whose `view`
    is the `TrackingRecorder` it tracks with. `process_event(event, tracking)` writes the event's
    effect and `view.insert_tracking(tracking)` in one transaction; `reset(source)` forgets the
    source's tracking and what it contributed. The transport stays out (see Follower)."""

    name: str = "projection"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # eventsourcing names each subclass after its class unless it sets `name`; here a subclass
        # keeps its parent's name, which keys its stored tracking rows (StaffTrail is "audit_trail")
        super(EventsourcingProjection, cls).__init_subclass__(**kwargs)

    @abstractmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> bool:  # type: ignore[override]
        """Apply `domain_event` and record `tracking`, atomically. Returns False (and changes
        nothing) when the view has that notification already (another replica, a redelivery):
        not eventsourcing's IntegrityError, since for a follower that is an ordinary case."""

    @abstractmethod
    def reset(self, source: str) -> None:
        """Forget the tracking of `source` and its state (a rebuild pulls it again from zero)."""


def tracking_of(source: str, event: dict) -> Tracking:
    """The tracking of a public event (its `sequence`) of `source`."""
    return Tracking(source, parse_sequence(event["sequence"]))


class SqlProjection(Projection[SqlTrackingRecorder]):
    """A projection stored in SQL beside its tracking (its view: a SqlTrackingRecorder keyed by
    the projection's name). Subclasses define `tables` (DDL), `project(cur, event)` and `clear(cur)`."""

    tables: tuple[str, ...] = ()

    def __init__(self, db: Db) -> None:
        super().__init__(SqlTrackingRecorder(db, self.name))
        self.db = db
        self.db.execute_script(TRACKING_TABLE, *self.tables)

    def project(self, cur: Cursor, event: dict) -> None:
        raise NotImplementedError

    def clear(self, cur: Cursor) -> None:
        raise NotImplementedError

    # A page is applied in transactions of at most this many events, giving the hub a turn between
    # them: in a service process a SQLite transaction holds the eventlet hub while it runs (its C
    # calls never yield, and no greenthread may yield inside it), so ping, RPCs and the relay wait
    # for one transaction, not for a whole page. Each transaction records its own tracking.
    per_transaction: int = 100

    def prepare(self, event: dict) -> Any:
        """What `project_page` is given for one event, worked out before its transaction opens
        (a ContractProjection decodes the envelope here): the event itself by default."""
        return event

    def project_page(self, cur: Cursor, prepared: list) -> None:
        """The events of one transaction, prepared; a projection that batches its statements
        overrides this (services/indicators/views.py). By default each one is projected."""
        for event in prepared:
            self.project(cur, event)

    def rows(self, sql: str, params: tuple | list = ()) -> list[dict]:
        """A read of the projection's tables (statements in the kit's SQL dialect)."""
        with self.db.transaction(commit=False) as cur:
            return cur.execute(sql, params).all()

    def process_event(self, domain_event: Any, tracking: Tracking) -> bool:  # type: ignore[override]
        prepared = self.prepare(domain_event)
        with self.view.transaction() as cur:
            if tracking.notification_id <= self.view.lock_tracking(cur, tracking.application_name):
                return False  # already applied (another process or a redelivery)
            self.project_page(cur, [prepared])
            self.view.insert_tracking(tracking, cur)
        return True

    def apply_many(self, source: str, events: list[dict]) -> int:
        """The batch form of `process_event`: a page of events of `source` (a catch-up or a
        rebuild), each tracked by its sequence, prepared first (yielding between events, outside
        any transaction), then applied in transactions of `per_transaction` events, each with the
        tracking of its last one, the hub given a turn between them; events at or before the
        recorded position are skipped. Returns how many were applied."""
        prepared = [(tracking_of(source, e), self.prepare(e)) for e in cooperatively(events)]
        applied, size = 0, max(1, self.per_transaction)
        for start in range(0, len(prepared), size):
            if start and green():
                time.sleep(0)  # between two transactions: the service answers meanwhile
            applied += self._apply_part(source, prepared[start:start + size])
        return applied

    def _apply_part(self, source: str, part: list[tuple[Tracking, Any]]) -> int:
        with self.view.transaction() as cur:
            position = self.view.lock_tracking(cur, source)
            fresh = [(t, p) for t, p in part if t.notification_id > position]
            if not fresh:
                return 0
            self.project_page(cur, [p for _t, p in fresh])
            self.view.insert_tracking(fresh[-1][0], cur)
        return len(fresh)

    def reset(self, source: str) -> None:
        with self.view.transaction() as cur:
            self.view.delete_tracking(source, cur)
            self.clear(cur)


class MemoryProjection(Projection[MemoryTrackingRecorder]):
    """Tracking in memory around a callback: for `langxanh events --follow` and tests."""

    def __init__(self, on_event: Callable[[dict], None]) -> None:
        super().__init__(MemoryTrackingRecorder())
        self.on_event = on_event

    def process_event(self, domain_event: Any, tracking: Tracking) -> bool:  # type: ignore[override]
        if self.view.has_tracking_id(tracking.application_name, tracking.notification_id):
            return False
        self.on_event(domain_event)
        self.view.insert_tracking(tracking)
        return True

    def reset(self, source: str) -> None:
        self.view.delete_tracking(source)


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
        return self.projection.view.max_tracking_id(self.source) or 0

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
            position = self.position
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
                    position = self.position
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
                        n = self.projection.apply_many(self.source, fresh)  # batched transactions
                    else:
                        n = 0
                        for event in fresh:
                            if self.projection.process_event(event, tracking_of(self.source, event)):
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
        """Applies the log after the tracked position, a page at a time (`apply_many`; events at or before
        the position, applied meanwhile by another worker, are skipped inside it)."""
        applied = 0
        position = self.view.max_tracking_id(self.SOURCE) or 0
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
