"""Store factory and the base Application every service uses.

- `build_env(service, settings)`: the eventsourcing environment for SQLite (one file per service
  in the data dir) or PostgreSQL (one schema per service), from settings alone.
- Recorders that also write a command record in the same transaction as the events, so a
  command id acts once: the same id again returns the stored answer.
- `ServiceApplication`: eventsourcing Application with idempotent, conflict-retrying commands.
"""
from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from shared.kit.config import Settings
from shared.kit.eventstore import (  # noqa: F401  (re-exported: the store's settings side)
    Store, build_env, ddl_lock_held, ddl_lock_key, ddl_turn, ensure_schema, parse_database_url, popo_env,
)
from shared.kit.errors import Conflict, InvalidInput, LangXanhError, NotFound
from shared.kit.group_commit import GroupCommit
from shared.kit.places import PlacedMapper, mark, unmark
from shared.kit.turns import Turn, Turns

COMMAND_ID_MAX = 200
log = logging.getLogger(__name__)


class _CommandTable:
    """The command record table's statements, shared by both recorders."""

    def command_rows(self, kwargs: dict) -> list[tuple[str, str, str]]:
        """The command records to write with these events: one command's (`command`), or those of
        the commands of a group commit (`commands`, shared/kit/group_commit.py)."""
        commands = list(kwargs.get("commands") or ())
        if kwargs.get("command"):
            commands.append(kwargs["command"])
        now = datetime.now(timezone.utc).isoformat()
        return [(command_id, json.dumps(result, sort_keys=True, default=str), now) for command_id, result in commands]


class SQLiteCommandRecorder(SQLiteApplicationRecorder, _CommandTable):
    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + [
            "CREATE TABLE IF NOT EXISTS lx_commands (command_id TEXT PRIMARY KEY, result TEXT NOT NULL, recorded_at TEXT NOT NULL)"
        ]

    def _insert_events(self, c, stored_events, **kwargs):  # type: ignore[no-untyped-def]
        returning = super()._insert_events(c, stored_events, **kwargs)
        rows = self.command_rows(kwargs)
        if rows:
            c.executemany("INSERT INTO lx_commands VALUES (?,?,?)", rows)
        return returning

    def select_command(self, command_id: str) -> Any | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT result FROM lx_commands WHERE command_id=?", (command_id,))
            row = c.fetchone()
        return None if row is None else json.loads(row["result"])


NO_AUTO_PREPARE = 2**62  # executions before psycopg prepares a statement by itself: never


class PostgresCommandRecorder(PostgresApplicationRecorder, _CommandTable):
    @property
    def commands_table(self) -> str:
        return f'"{self.datastore.schema}"."{self.events_table_name}_commands"'

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from psycopg.sql import SQL

        super().__init__(*args, **kwargs)
        self.sql_create_statements.append(SQL(
            f"CREATE TABLE IF NOT EXISTS {self.commands_table} "
            "(command_id TEXT PRIMARY KEY, result TEXT NOT NULL, recorded_at TEXT NOT NULL)"
        ))

    def _insert_events(self, curs, stored_events, **kwargs):  # type: ignore[no-untyped-def]
        from psycopg.sql import SQL

        # psycopg prepares a statement by itself on its sixth execution, and inside a pipeline
        # (eventsourcing's insert_events, which this opens) it never checks that preparation: after a
        # write that failed in the pipeline (a twin's command record, a raced version) the connection
        # counted a statement as prepared that the server never kept, and a later write on it failed
        # with 'prepared statement "_pg3_N" does not exist'. Only the statements eventsourcing
        # prepares on purpose (prepare=True, checked) are prepared on a writer's connection.
        curs.connection.prepare_threshold = NO_AUTO_PREPARE
        super()._insert_events(curs, stored_events, **kwargs)
        rows = self.command_rows(kwargs)
        if rows:
            curs.executemany(SQL(f"INSERT INTO {self.commands_table} VALUES (%s,%s,%s)"), rows)

    def select_command(self, command_id: str) -> Any | None:
        """One statement on an autocommit connection, no transaction around it (BEGIN and ROLLBACK
        were two more round trips, each a turn of the hub, on every command's first look)."""
        from psycopg.sql import SQL

        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL(f"SELECT result FROM {self.commands_table} WHERE command_id=%s"), (command_id,),
                         prepare=True)
            row = curs.fetchone()
        return None if row is None else json.loads(row["result"])


def green() -> bool:
    """Is this a service process, whose `time.sleep` eventlet patched (greenthreads share one hub)?"""
    patcher = sys.modules.get("eventlet.patcher")
    return patcher is not None and bool(patcher.is_monkey_patched("time"))


def cooperatively(items: Iterable[Any]) -> Iterator[Any]:
    """Iterate a long scan (a timer's due aggregates, a page of the log being mapped for a follower
    or relayed) giving other work a turn after each item: in a service process (eventlet)
    `time.sleep(0)` yields to the hub, so `ping`, RPCs, the relay and the followers go on during the
    scan instead of waiting for its end. Never inside a SQLite transaction: a greenthread blocked in
    SQLite's C lock wait would hold the hub. Outside eventlet (a CLI, a benchmark, tests) threads are
    preempted anyway, and a real `sleep(0)` per item only costs a system call (a third of an
    in-process rebuild's time on a loaded machine): nothing is done there."""
    if not green():
        yield from items
        return
    for item in items:
        yield item
        time.sleep(0)


def raced(error: Exception) -> bool:
    """Did this save fail because another writer got there first? A unique violation says so
    (IntegrityError). On PostgreSQL, psycopg's pipeline (eventsourcing inserts in pipeline mode)
    sometimes reports that same violation only as `PipelineAborted`, an OperationalError whose
    cause names it; the transaction was rolled back either way, so it is retried like a conflict."""
    if isinstance(error, IntegrityError):
        return True
    return isinstance(error, OperationalError) and type(error.__cause__).__name__ == "PipelineAborted"

class _Raced(Exception):
    """A save lost an optimistic-concurrency race (`error` says how); the command is tried again."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class ServiceApplication(Application):
    """Base Application: idempotent commands, retried on optimistic-concurrency conflicts.

    A command method returns `self.execute(command_id, work)` where `work()` reads aggregates,
    calls their methods and returns `(aggregates_to_save, answer)`. The events and the command
    record are written in one transaction; the same command id again returns the stored answer
    and changes nothing.
    """

    # A lost race is retried after a random wait of up to backoff × 2^attempt seconds (capped):
    # "full jitter", so writers that collided do not collide again in step. In a service process
    # the wait is eventlet's green sleep, and the other writers go on meanwhile.
    conflict_attempts = 12
    conflict_backoff = 0.004
    conflict_backoff_max = 0.25
    retry_sleep = staticmethod(lambda seconds: time.sleep(seconds))

    def __init__(self, env: dict | None = None, *, store: Store | None = None) -> None:
        """On `store` (shared/kit/eventstore.py, built first by the service's bootstrap) the
        Application uses that store's factory, recorder, mapper, event store and repository;
        without one it builds its own from `env` (an explicit env wins over os.environ for the
        keys it names: tests choose their store)."""
        if store is not None and store.name != self.name:
            raise ValueError(f"a store opened for {store.name} given to {self.name}")
        self._store = store
        super().__init__(store.env if store is not None else env)
        self._memory_commands: dict[str, Any] = {}
        self._turns = Turns()  # writers of one aggregate in this process take turns (shared/kit/turns.py)
        self._group = GroupCommit(self._record)  # concurrent saves in one transaction (shared/kit/group_commit.py)
        self.on_saved: Callable[[], None] | None = None  # e.g. wake the relay

    # -- eventsourcing's construction hooks: the given store's parts, when there is one ----------
    def construct_factory(self, env: Any) -> Any:
        return self._store.factory if self._store is not None else super().construct_factory(env)

    def construct_recorder(self) -> Any:
        return self._store.recorder if self._store is not None else super().construct_recorder()

    def construct_event_store(self) -> Any:
        return self._store.events if self._store is not None else super().construct_event_store()

    def construct_repository(self) -> Any:
        return self._store.repository if self._store is not None else super().construct_repository()

    # -- the place of each event, fixed when it is written (shared/kit/places.py) ----------------
    def construct_mapper(self) -> PlacedMapper:
        if self._store is not None:
            return self._store.mapper
        return self.factory.mapper(transcoder=self.construct_transcoder(), mapper_class=PlacedMapper)

    def places_for(self, events: list, aggregates: dict) -> dict[int, str | None]:
        """{index of a pending event: its place} for the events whose public `communecode` this
        service knows; `aggregates` as the command left them. None here (no place)."""
        return {}

    def _record(self, processing_event: Any) -> list:
        """eventsourcing's `_record`, each event stored with its place (the same row)."""
        events = processing_event.events
        try:
            places = self.places_for(events, processing_event.aggregates)
        except Exception:  # noqa: BLE001 - the place is then looked up when published, as before
            log.exception("%s: the place of %d events could not be worked out", self.name, len(events))
            places = {}
        mark(events, places)
        try:
            return super()._record(processing_event)
        finally:
            unmark(events)

    def save(self, *objs: Any, **kwargs: Any) -> list:
        """eventsourcing's `save`, the write joined with those of concurrent commands of this
        process into one transaction (shared/kit/group_commit.py); raises this save's own error."""
        processing_event: ProcessingEvent = ProcessingEvent()
        processing_event.collect_events(*objs, **kwargs)
        recordings = self._group.save(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _notify(self, recordings: list) -> None:
        """Called by eventsourcing after new events were recorded."""
        if recordings and self.on_saved is not None:
            self.on_saved()

    # -- idempotent commands -------------------------------------------------------------------
    def recorded_answer(self, command_id: str) -> Any | None:
        select = getattr(self.recorder, "select_command", None)
        if select is None:
            return self._memory_commands.get(command_id)
        return select(command_id)

    def execute(self, command_id: str | None, work: Callable[[], tuple[Sequence[Any], Any]]) -> Any:
        if command_id is not None:
            if not isinstance(command_id, str) or not command_id.strip() or len(command_id) > COMMAND_ID_MAX:
                raise InvalidInput(
                    f"command_id must be a non-empty string of at most {COMMAND_ID_MAX} characters",
                    "command_id", "length",
                )
            answer = self.recorded_answer(command_id)
            if answer is not None:
                return answer
        retrying = Retrying(stop=stop_after_attempt(self.conflict_attempts), reraise=True,
                            wait=wait_random_exponential(multiplier=self.conflict_backoff, max=self.conflict_backoff_max),
                            retry=retry_if_exception_type(_Raced), sleep=self.retry_sleep)
        try:
            with self._turns.command() as turn:
                return retrying(self._attempt, command_id, work, turn)
        except LangXanhError:
            stored = self.recorded_answer(command_id) if command_id is not None else None
            if stored is not None:  # a twin of this command acted after the look above: its answer, once
                return stored
            raise
        except _Raced as race:
            if not isinstance(race.error, IntegrityError):
                raise race.error from None  # an aborted pipeline every time: its own error, not Conflict
            raise Conflict("the record changed under this command too many times; try again",
                           None, "concurrency") from None

    def _attempt(self, command_id: str | None, work: Callable[[], tuple[Sequence[Any], Any]], turn: Turn) -> Any:
        """One try of a command: read, decide, take the aggregates' turn, save. A lost race raises
        `_Raced` (retried by `execute` after a jittered wait), unless a concurrent twin of this very
        command won it."""
        turn.reading()
        aggregates, answer = work()
        if turn.take(getattr(a, "id", None) for a in aggregates):  # another writer here saved first
            stored = self.recorded_answer(command_id) if command_id is not None else None
            if stored is not None:  # it was this very command (a double click): its answer, once
                return stored
            aggregates, answer = work()  # decide on what it saved (under the turn: nobody here saves now)
        kwargs = {"command": (command_id, answer)} if command_id else {}
        try:
            self.save(*aggregates, **kwargs)
            turn.saved()
        except (IntegrityError, OperationalError) as e:
            if not raced(e):
                raise  # not a race: its own error
            if command_id is not None:
                stored = self.recorded_answer(command_id)
                if stored is not None:  # a concurrent twin won the race: same answer
                    return stored
            self.repository.cache and self.repository.cache.cache.clear()  # type: ignore[attr-defined]
            raise _Raced(e) from e  # another writer changed an aggregate: read again and retry
        answer = json.loads(json.dumps(answer, default=str))
        if command_id is not None and not hasattr(self.recorder, "select_command"):
            self._memory_commands[command_id] = answer
        return answer

    def save_unless_raced(self, *aggregates: Any) -> bool:
        """Save what a timer decided; False when another replica saved the same versions first
        (its timer reached the same decision), which is not an error."""
        try:
            self.save(*aggregates)
        except (IntegrityError, OperationalError) as e:
            if not raced(e):
                raise
            return False
        return True

    # -- reading ---------------------------------------------------------------------------------
    def get_or_none(self, aggregate_id: Any) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def get_or_raise(self, aggregate_id: Any, what: str, field: str) -> Any:
        aggregate = self.get_or_none(aggregate_id)
        if aggregate is None:
            raise NotFound(f"no {what} with id {aggregate_id}", field, "exists")
        return aggregate

    def log_head(self) -> int:
        return self.recorder.max_notification_id() or 0

    def select_notifications(self, after: int, limit: int) -> list:
        """Read the notification log with the recorder (notification_log.select caps at 10)."""
        return list(self.recorder.select_notifications(start=after + 1, limit=limit))


def app_for(app_class: type[ServiceApplication], service: str, settings: Settings, **options: Any) -> ServiceApplication:
    """An Application on SQLite or PostgreSQL, chosen by settings alone (`options` go to its
    constructor), building its store itself: for an Application without ports (the gateway's, a
    test's). A service builds its own with its bootstrap (services/<name>/bootstrap.py), store first."""
    env = build_env(service, settings)
    # Keys the operator set for this app in os.environ (e.g. SITES_...) stay possible, but our
    # computed store keys win so a stray PERSISTENCE_MODULE cannot split a service's log.
    with ddl_turn(service, settings):  # replicas starting together create the tables one at a time
        return app_class(env=env, **options)


def plain_db(name: str, settings: Settings):  # type: ignore[no-untyped-def]
    """A SQL store of its own for a component that keeps state but no event log (the bot):
    `<data dir>/<name>.sqlite3`, or schema `<prefix><name>` on PostgreSQL."""
    from eventsourcing.persistence import InfrastructureFactory
    from eventsourcing.utils import Environment

    from shared.kit.sql import Db

    env = build_env(name, settings)
    factory = InfrastructureFactory.construct(Environment(name.capitalize(), env))
    return Db(factory.datastore, postgres=settings.uses_postgres,
              schema=settings.schema_for(name) if settings.uses_postgres else None)
