"""A service's event store, built from settings before its Application (the composition's first step).

`open_store(app_class, service, settings)` makes what eventsourcing's Application would make in
its constructor — the infrastructure factory, the recorder (its tables created), the mapper, the
event store and the repository — from the same environment, so the read models of the service's
own log (shared/kit/follower.py `OwnLogProjection`) and the projections its followers keep are
built on the store first, and the Application last, with every one of its ports in hand. The
Application takes these very objects through eventsourcing's hooks (`construct_factory`,
`construct_mapper`, `construct_recorder`, `construct_event_store`, `construct_repository`;
shared/kit/store.py `ServiceApplication`): one store, one log, one repository.

A `Store` is also what a read model of the own log reads (`select_notifications`, `mapper`,
`repository`): never the Application that uses the read model.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

from eventsourcing.application import Repository
from eventsourcing.persistence import (
    ApplicationRecorder, DatetimeAsISO, DecimalAsStr, EventStore, InfrastructureFactory, JSONTranscoder, UUIDAsHex,
)
from eventsourcing.utils import Environment, strtobool

from shared.kit.config import Settings
from shared.kit.places import PlacedMapper
from shared.kit.sql import Db


def parse_database_url(url: str) -> dict[str, str]:
    parsed = urlparse(url)
    if parsed.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise ValueError(f"LANGXANH_DATABASE_URL must start with postgresql://, got {parsed.scheme!r}")
    return {
        "POSTGRES_DBNAME": (parsed.path or "/").lstrip("/") or "postgres",
        "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
    }


def ddl_lock_key(schema: str) -> int:
    """The PostgreSQL advisory-lock key that serialises one schema's DDL across replicas
    (concurrent CREATE ... IF NOT EXISTS can otherwise fail on PostgreSQL's catalog)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"langxanh-ddl:{schema}".encode()).digest()[:8], "big", signed=True)


_DDL_HELD = threading.local()  # schemas whose DDL lock this thread holds (ddl_turn, while it builds the store and app)


def ddl_lock_held(schema: str) -> bool:
    """True inside `ddl_turn` on `schema` (a store, an Application being built): its DDL
    (Db.execute_script) must not ask again for the lock the same thread holds on another connection."""
    return schema in getattr(_DDL_HELD, "schemas", ())


def _connect(settings: Settings):  # type: ignore[no-untyped-def]
    import psycopg

    p = parse_database_url(settings.database_url or "")
    return psycopg.connect(
        dbname=p["POSTGRES_DBNAME"], host=p["POSTGRES_HOST"], port=p["POSTGRES_PORT"],
        user=p["POSTGRES_USER"], password=p["POSTGRES_PASSWORD"] or None, autocommit=True, connect_timeout=10,
    )


def ensure_schema(settings: Settings, schema: str) -> None:
    with _connect(settings) as conn, conn.transaction():
        if not ddl_lock_held(schema):  # inside ddl_turn this thread holds it already
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (ddl_lock_key(schema),))
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def build_env(service: str, settings: Settings) -> dict[str, str]:
    """The eventsourcing environment for one service, from settings alone."""
    if settings.uses_postgres:
        schema = settings.schema_for(service)
        ensure_schema(settings, schema)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "APPLICATION_RECORDER_TOPIC": "shared.kit.store:PostgresCommandRecorder",
            "POSTGRES_SCHEMA": schema,
            "POSTGRES_POOL_SIZE": str(settings.pg_pool_size),
            "POSTGRES_MAX_OVERFLOW": str(settings.pg_max_overflow),
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "POSTGRES_LOCK_TIMEOUT": "10",
            **parse_database_url(settings.database_url or ""),
        }
    else:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "APPLICATION_RECORDER_TOPIC": "shared.kit.store:SQLiteCommandRecorder",
            "SQLITE_DBNAME": str(settings.sqlite_path(service).resolve()),
            "SQLITE_LOCK_TIMEOUT": "30",
        }
    env["COMPRESSOR_TOPIC"] = ""
    return env


def popo_env() -> dict[str, str]:
    """In-memory store for pure application tests: idempotency kept in memory."""
    return {"PERSISTENCE_MODULE": "eventsourcing.popo"}


@contextmanager
def ddl_turn(service: str, settings: Settings) -> Iterator[None]:
    """On PostgreSQL, replicas starting together create a schema's tables one at a time: the
    schema's advisory lock is held meanwhile (taken once per thread: `Db.execute_script` inside
    does not ask again, `ddl_lock_held`). Nothing to do on SQLite."""
    if not settings.uses_postgres:
        yield
        return
    schema = settings.schema_for(service)
    held = getattr(_DDL_HELD, "schemas", frozenset())
    if schema in held:
        yield
        return
    with _connect(settings) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (ddl_lock_key(schema),))
        _DDL_HELD.schemas = held | {schema}
        try:
            yield
        finally:
            _DDL_HELD.schemas = held
            conn.execute("SELECT pg_advisory_unlock(%s)", (ddl_lock_key(schema),))


@dataclass(frozen=True)
class Store:
    """One service's event store: its factory, recorder, mapper, event store and repository."""

    name: str  # the Application's name (its env prefix)
    env: dict[str, str]
    factory: InfrastructureFactory
    recorder: ApplicationRecorder
    mapper: PlacedMapper
    events: EventStore
    repository: Repository

    @property
    def db(self) -> Db:
        """The SQL seam over the same datastore (read models, relay positions, tracking)."""
        return Db.of(self)

    def select_notifications(self, after: int, limit: int) -> list:
        return list(self.recorder.select_notifications(start=after + 1, limit=limit))

    def log_head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def close(self) -> None:
        self.factory.close()


def store_of(app_class: type, env: Mapping[str, str] | None = None) -> Store:
    """The store an instance of `app_class` would build for itself from `env` (os.environ first,
    `env` winning, as eventsourcing's `Application.construct_env` merges them)."""
    name = app_class.name
    merged = dict(app_class.env)
    if app_class.is_snapshotting_enabled or app_class.snapshotting_intervals:
        merged["IS_SNAPSHOTTING_ENABLED"] = "y"
    merged.update(os.environ)
    merged.update(env or {})
    environment = Environment(name, merged)
    factory = InfrastructureFactory.construct(environment)
    transcoder = factory.transcoder()
    if isinstance(transcoder, JSONTranscoder):  # Application.register_transcodings' three
        for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
            transcoder.register(transcoding)
    mapper = factory.mapper(transcoder=transcoder, mapper_class=PlacedMapper)
    recorder = factory.application_recorder()
    events = factory.event_store(mapper=mapper, recorder=recorder)
    cache = environment.get("AGGREGATE_CACHE_MAXSIZE")  # Application.construct_repository's options
    repository = Repository(
        event_store=events, cache_maxsize=int(cache) if cache else None,
        fastforward=strtobool(environment.get("AGGREGATE_CACHE_FASTFORWARD", "y")),
        fastforward_skipping=strtobool(environment.get("AGGREGATE_CACHE_FASTFORWARD_SKIPPING", "n")),
        deepcopy_from_cache=strtobool(environment.get("DEEPCOPY_FROM_AGGREGATE_CACHE", "y")))
    return Store(name, merged, factory, recorder, mapper, events, repository)


def open_store(app_class: type, service: str, settings: Settings) -> Store:
    """A service's store on SQLite or PostgreSQL, chosen by settings alone; on PostgreSQL its
    tables are created one replica at a time (shared/kit/store.py `ddl_turn`)."""
    env = build_env(service, settings)
    with ddl_turn(service, settings):
        return store_of(app_class, env)


@dataclass(frozen=True)
class Composition:
    """What a service's `bootstrap(settings)` builds: the store, the Application, its own read
    models (`views`, None where it keeps none) and the projections its followers keep, by source."""

    store: Store
    app: Any
    views: Any
    follows: dict[str, Any] = field(default_factory=dict)


@contextmanager
def closing_on_error(store: Store) -> Iterator[Store]:
    """The store, closed again if what is built on it fails (a half-built composition)."""
    try:
        yield store
    except BaseException:
        store.close()
        raise
