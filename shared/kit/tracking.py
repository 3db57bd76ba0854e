"""Tracking recorders: eventsourcing's `TrackingRecorder` over the kit's own stores.

A follower records, for each source it follows, the notification id (the public `sequence`) of
the last event it applied: eventsourcing's `Tracking(application_name, notification_id)`, where
`application_name` is the source (a service name, or `own-log` for a service's own log).

`SqlTrackingRecorder` keeps it in `lx_tracking (projection, source, position)`, one row per
projection and source (the table and its rows as they always were: existing data dirs keep their
positions). It is single-row tracking, as eventsourcing's own SQL recorders by default: inserting
a tracking not after the recorded one raises eventsourcing's `IntegrityError`. Each method takes
an optional cursor, so a projection writes its rows and its tracking in one transaction.
`MemoryTrackingRecorder` keeps it in a dict (the CLI, an SSE stream, tests).

Notification ids start at 1: a recorded 0 (the row a transaction claims before it has applied
anything) reads as no tracking (`max_tracking_id` → None).
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder

from shared.kit.sql import Cursor, Db

TRACKING_TABLE = (
    "CREATE TABLE IF NOT EXISTS {t:lx_tracking} (projection TEXT NOT NULL, source TEXT NOT NULL, "
    "position BIGINT NOT NULL, PRIMARY KEY (projection, source))"
)


class SqlTrackingRecorder(TrackingRecorder):
    """The tracking of one projection (`projection`: its name, a key of every row) in the
    database of an Application's datastore (shared/kit/sql.py)."""

    def __init__(self, db: Db, projection: str) -> None:
        self.db = db
        self.projection = projection

    def create_table(self) -> None:
        self.db.execute_script(TRACKING_TABLE)

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Cursor]:
        """One transaction of the database the tracking lives in (the projection's rows too)."""
        with self.db.transaction(commit=commit) as cur:
            yield cur

    @contextmanager
    def _within(self, cur: Cursor | None, commit: bool = True) -> Iterator[Cursor]:
        """The caller's transaction when it gives its cursor, else one of its own."""
        if cur is not None:
            yield cur
        else:
            with self.transaction(commit=commit) as own:
                yield own

    def insert_tracking(self, tracking: Tracking, cur: Cursor | None = None) -> None:
        """Records `tracking` (inside `cur`'s transaction when given). Raises IntegrityError when
        the recorded notification id is not before it: nothing is recorded twice or backwards."""
        with self._within(cur) as c:
            recorded = c.execute(
                "INSERT INTO {t:lx_tracking} (projection, source, position) VALUES (%s, %s, %s) "
                "ON CONFLICT (projection, source) DO UPDATE SET position=excluded.position "
                "WHERE {t:lx_tracking}.position < excluded.position RETURNING position",
                (self.projection, tracking.application_name, tracking.notification_id),
            ).scalar()
        if recorded is None:
            raise IntegrityError(f"{self.projection}: tracking {tracking.application_name} "
                                 f"{tracking.notification_id} is not after the recorded one")

    def max_tracking_id(self, application_name: str, cur: Cursor | None = None) -> int | None:
        with self._within(cur, commit=False) as c:
            position = c.execute("SELECT position FROM {t:lx_tracking} WHERE projection=%s AND source=%s",
                                 (self.projection, application_name)).scalar()
        return None if position is None else int(position) or None  # a claimed 0: nothing applied

    def lock_tracking(self, cur: Cursor, application_name: str) -> int:
        """Inside a transaction that is about to apply events of `application_name`: claims the
        tracking row (on PostgreSQL, locked until the transaction ends, so a second replica waits
        and then sees what the first applied) and returns its position (0: nothing applied)."""
        cur.execute("INSERT INTO {t:lx_tracking} (projection, source, position) VALUES (%s, %s, 0) "
                    "ON CONFLICT (projection, source) DO NOTHING", (self.projection, application_name))
        sql = "SELECT position FROM {t:lx_tracking} WHERE projection=%s AND source=%s"
        if self.db.postgres:
            sql += " FOR UPDATE"
        return int(cur.execute(sql, (self.projection, application_name)).scalar(0))

    def delete_tracking(self, application_name: str, cur: Cursor | None = None) -> None:
        """Forgets the tracking of `application_name` (a rebuild pulls it again from zero)."""
        with self._within(cur) as c:
            c.execute("DELETE FROM {t:lx_tracking} WHERE projection=%s AND source=%s",
                      (self.projection, application_name))

    def max_tracking_ids(self) -> dict[str, int]:
        """Every source's recorded position (0 included: a source claimed, nothing applied yet)."""
        with self.transaction(commit=False) as cur:
            rows = cur.execute("SELECT source, position FROM {t:lx_tracking} WHERE projection=%s "
                               "ORDER BY source", (self.projection,)).all()
        return {r["source"]: int(r["position"]) for r in rows}


class MemoryTrackingRecorder(TrackingRecorder):
    """Single-row tracking in a dict, with the same refusals as the SQL one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: dict[str, int] = {}

    def insert_tracking(self, tracking: Tracking) -> None:
        with self._lock:
            recorded = self._ids.get(tracking.application_name)
            if recorded is not None and recorded >= tracking.notification_id:
                raise IntegrityError(f"tracking {tracking.application_name} {tracking.notification_id} "
                                     f"is not after the recorded {recorded}")
            self._ids[tracking.application_name] = tracking.notification_id

    def max_tracking_id(self, application_name: str) -> int | None:
        with self._lock:
            return self._ids.get(application_name) or None

    def delete_tracking(self, application_name: str) -> None:
        with self._lock:
            self._ids.pop(application_name, None)
