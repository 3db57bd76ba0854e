"""The relay: a service's notification log → the topic exchange `langxanh.events`.

At least once, in log order. The position is recorded only after the broker confirmed every
message up to it; a crash between a save and its publish therefore loses nothing (the next run
starts from the recorded position). Only one relay per service publishes at a time: an advisory
lock on PostgreSQL, a file lock beside the SQLite file.
"""
from __future__ import annotations

import fcntl
import logging
import os
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Protocol

from shared.kit.public import PublicMapper
from shared.kit.sql import Db
from shared.kit.store import cooperatively

log = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish(self, routing_key: str, event: dict) -> None:
        """Publish one message and return only once the broker confirmed it (inside the
        publisher's optional `confirms()` block: once the block exits)."""


class RelayLock(Protocol):
    def acquire(self) -> bool:
        """True when this relay holds the lock (taken now or still held): it is the publisher."""
    def release(self) -> None: ...
    def close(self) -> None: ...


class FileLock:
    """SQLite deployments: an exclusive, non-blocking flock on a file in the data dir."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

    def close(self) -> None:
        self.release()


class AdvisoryLock:
    """PostgreSQL deployments: pg_try_advisory_lock on a connection of its own."""

    def __init__(self, conninfo: dict[str, str], key: str) -> None:
        self.conninfo = conninfo
        self.key = key
        self.conn: Any = None
        self.held = False

    def _connection(self) -> Any:
        import psycopg

        if self.conn is None or self.conn.closed:
            c = self.conninfo
            self.conn = psycopg.connect(
                dbname=c["POSTGRES_DBNAME"], host=c["POSTGRES_HOST"], port=c["POSTGRES_PORT"],
                user=c["POSTGRES_USER"], password=c["POSTGRES_PASSWORD"] or None,
                autocommit=True, connect_timeout=10,
            )
        return self.conn

    def acquire(self) -> bool:
        if self.held and self.conn is not None and not self.conn.closed and not self.conn.broken:
            return True  # a session lock lives as long as its connection
        self.held = False
        try:
            row = self._connection().execute("SELECT pg_try_advisory_lock(hashtext(%s))", (self.key,)).fetchone()
        except Exception:  # a broken connection: drop it, try next run
            self.close()
            return False
        self.held = bool(row and row[0])
        return self.held

    def release(self) -> None:
        if self.held and self.conn is not None and not self.conn.closed:
            self.conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (self.key,))
        self.held = False

    def close(self) -> None:
        """Unlock, then close: the server frees a closed session's locks only once its backend has
        exited, which a successor trying at once (a replica taking over) would find still held."""
        if self.conn is not None:
            try:
                if self.held and not self.conn.closed and not self.conn.broken:
                    self.release()
            except Exception:  # the connection is going anyway: its end frees the lock
                pass
            try:
                self.conn.close()
            finally:
                self.conn = None
                self.held = False


class Relay:
    """Publishes the log. The lock is kept between runs (the holder is the service's publisher
    until it stops or dies); while held, the position is kept in memory as well."""

    NAME = "relay"

    def __init__(self, mapper: PublicMapper, db: Db, publisher: Publisher, lock: RelayLock, batch: int = 200) -> None:
        self.mapper = mapper
        self.db = db
        self.publisher = publisher
        self.lock = lock
        self.batch = batch
        self._position: int | None = None
        self.db.execute_script(
            "CREATE TABLE IF NOT EXISTS {t:lx_relay} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)"
        )

    def position(self) -> int:
        with self.db.transaction(commit=False) as cur:
            return int(cur.execute("SELECT position FROM {t:lx_relay} WHERE name=%s", (self.NAME,)).scalar(0))

    def _record(self, position: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t:lx_relay} (name, position) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                (self.NAME, position),
            )
        self._position = position

    def lag(self) -> int:
        return max(0, self.mapper.app.log_head() - self.position())

    @property
    def holder(self) -> bool:
        """True while this relay holds the lock (it is the service's publisher)."""
        return self._position is not None

    def state(self) -> dict:
        """Head of the log, the relay position (recorded by whichever relay publishes), the lag
        between them, and whether this relay is the publisher."""
        head = self.mapper.app.log_head()
        position = self._position
        holder = position is not None
        if position is None:
            position = self.position()
        return {"head": head, "position": position, "lag": max(0, head - position), "holder": holder}

    def run_once(self) -> int:
        """Publish everything not yet published. Returns how many messages were published
        (0 when another relay of this service holds the lock)."""
        if not self.lock.acquire():
            self._position = None
            return 0
        if self._position is None:
            self._position = self.position()
        published = 0
        position = self._position
        try:
            while True:
                notifications = self.mapper.app.select_notifications(position, self.batch)
                if not notifications:
                    break
                # a page at once: its confirms are awaited together when the block exits (a
                # publisher without `confirms()` confirms each publish before returning)
                confirms = getattr(self.publisher, "confirms", None)
                with confirms() if confirms is not None else nullcontext():
                    for notification in cooperatively(notifications):  # pings and RPCs go on meanwhile
                        if self.mapper.publishes(notification):  # a private event: passed over
                            key, event = self.mapper.cloudevent(notification)
                            self.publisher.publish(key, event)
                            published += 1
                        position = notification.id
                self._record(position)  # only after every message up to here was confirmed
        except Exception:
            self._position = None  # read it again from the store next time
            raise
        return published

    def close(self) -> None:
        self.lock.close()
        self._position = None
