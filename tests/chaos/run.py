"""Chaos: the demo generator drives mixed commands while every service is killed with SIGKILL
once (and restarted) and the broker is restarted once; then the guarantees are checked.

    python -m tests.chaos.run --commands 10000 [--store sqlite|postgres] [--no-broker-restart]
                              [--shared-broker]

The broker is a private RabbitMQ node (tests/private_broker.py: rabbitmq-server on free ports in a
temporary directory, stopped after), so restarting it disturbs nothing else on the machine;
`--shared-broker` takes this machine's (port 5672) instead. The run gets its own vhost on it
(rabbitmqctl, deleted after), its own exchange, data dir and
PostgreSQL schema prefix. A durable queue bound to the exchange with '#' is declared before any
service starts. The four services run as `python -m shared.runner NAME` processes. The demo
(bot/demo.py, the bot's real handlers over RPC) runs round after round until N calls were
acknowledged; its RPC goes through `Resilient`, which gives every command a command_id when the
caller did not and retries a call that got Unavailable (the same command_id) until it answers or
`patience` runs out (then it is counted as not acknowledged).

Checked after quiescence:
 1. per service, the public events of its log (events_since from 0) and the subscriber's
    received events (dedup by id) are the same set of ids;
 2. exactly once: every acknowledged command (each has a command_id) has its recorded answer in
    the service's lx_commands (written in the same transaction as its events, primary key =
    command_id, so at most once), and every aggregate's stored versions are contiguous 1..n
    (none doubled or lost; (originator_id, version) is unique in the store);
 3. every follower equals a from-scratch rebuild: the indicators' facts (dump() of all tables) and
    the sites directory of inspections and manifests, rebuilt into fresh stores by pulling each
    source from 0;
 4. no reporter identity (the residents' `tg-…` pseudonyms) in any public event, while the
    private stored events do hold them (the check is not vacuous);
 5. no service exited by itself: the supervisor restarts one that did (as `langxanh up` does),
    and the run counts it as a failure (a broker restart used to end a service whose RPC reply
    could not be sent).
Exit status 1 when a check fails.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.private_broker import PrivateBroker, port_answers, rabbitmqctl

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("sites", "inspections", "manifests", "indicators")
PSEUDONYM = re.compile(r"tg-[0-9a-f]{8,}")
AMQP_HOST = os.environ.get("LANGXANH_TEST_AMQP_HOST", "127.0.0.1")
PG_URL = os.environ.get("LANGXANH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")


# -- the broker ------------------------------------------------------------------------------------
@dataclass
class Broker:
    """Where the run's broker is: the machine's (port 5672, default node) or a private node's."""
    port: int = 5672
    node: str | None = None

    def ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return rabbitmqctl(self.node, *args, timeout=timeout)

    def restart(self) -> float:
        started = time.monotonic()
        done = self.ctl("stop_app")
        if done.returncode:
            raise RuntimeError(f"rabbitmqctl stop_app: {done.stderr or done.stdout}")
        time.sleep(1.0)
        done = self.ctl("start_app")
        if done.returncode:
            raise RuntimeError(f"rabbitmqctl start_app: {done.stderr or done.stdout}")
        self.ctl("await_startup")
        port_answers(self.port, host=AMQP_HOST)
        return time.monotonic() - started


# -- the calls: commands get a command_id, Unavailable is retried -----------------------------------
def rpc_kinds() -> dict[tuple[str, str], str]:
    """(service, rpc) -> 'command' | 'query', read from the services' entrypoints."""
    from services.indicators.service import IndicatorsService
    from services.inspections.service import InspectionsService
    from services.manifests.service import ManifestsService
    from services.sites.service import SitesService

    kinds = {}
    for cls in (SitesService, InspectionsService, ManifestsService, IndicatorsService):
        for attr in dir(cls):
            kind = getattr(getattr(cls, attr, None), "kind", None)
            if kind in ("command", "query"):
                kinds[(cls.name, attr)] = kind
    return kinds


class Resilient:
    """The demo's `services`: a PooledServices that retries Unavailable (same command_id)."""

    def __init__(self, inner: Any, patience: float = 180.0) -> None:
        self.inner = inner
        self.kinds = rpc_kinds()
        self.patience = patience
        self.acknowledged = 0            # calls answered (commands and queries, typed refusals excluded)
        self.commands: dict[str, set[str]] = {s: set() for s in SERVICES}  # acknowledged command ids
        self.refused = 0
        self.retries = 0
        self.gave_up: list[str] = []
        self.lock = threading.Lock()

    async def call(self, actor: Any, service: str, rpc: str, /, **kwargs: Any) -> Any:
        from shared.kit.errors import LangXanhError
        from shared.kit.pool import Unavailable

        command = self.kinds.get((service, rpc)) == "command"
        if command and not kwargs.get("command_id"):
            kwargs["command_id"] = f"chaos:{uuid.uuid4().hex}"
        deadline = time.monotonic() + self.patience
        while True:
            try:
                answer = await self.inner.call(actor, service, rpc, **kwargs)
            except Unavailable as e:
                with self.lock:
                    self.retries += 1
                if time.monotonic() > deadline:
                    with self.lock:
                        self.gave_up.append(f"{service}.{rpc}: {e}")
                    raise
                await asyncio.sleep(0.5)
                continue
            except LangXanhError:
                with self.lock:
                    self.refused += 1
                raise
            with self.lock:
                self.acknowledged += 1
                if command:
                    self.commands[service].add(kwargs["command_id"])
            return answer

    def close(self) -> None:
        self.inner.close()


# -- the processes -----------------------------------------------------------------------------------
class Service:
    def __init__(self, name: str, env: dict, logs: Path) -> None:
        self.name, self.env, self.logs = name, env, logs
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.logs / f"{self.name}-{self.starts}.log", "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "shared.runner", self.name], env=self.env, cwd=ROOT,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def ping(settings: Any, name: str, timeout: float = 3.0) -> dict | None:
    from shared.kit.client import ServiceClient

    try:
        with ServiceClient(settings=settings, timeout=timeout) as c:
            return c.call(name, "ping")
    except Exception:  # noqa: BLE001 - not up (yet)
        return None


def wait_up(settings: Any, names: Any, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    for name in names:
        while ping(settings, name) is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer")
            time.sleep(0.3)


# -- the result --------------------------------------------------------------------------------------
@dataclass
class Result:
    commands_target: int
    store: str
    acknowledged: int = 0                       # calls answered
    commands_acknowledged: int = 0              # of which commands (with a command_id)
    by_call: Counter = field(default_factory=Counter)
    refused: int = 0                            # typed refusals (the scenario's own, not chaos)
    retries: int = 0                            # Unavailable answers retried
    not_acknowledged: list[str] = field(default_factory=list)
    demo_failures: list[str] = field(default_factory=list)
    rounds: int = 0
    kills: list[str] = field(default_factory=list)
    broker_restarts: int = 0
    unplanned_restarts: list[str] = field(default_factory=list)
    events: dict[str, int] = field(default_factory=dict)
    received: dict[str, int] = field(default_factory=dict)
    received_duplicates: int = 0
    aggregates: dict[str, int] = field(default_factory=dict)
    rebuilt_rows: dict[str, int] = field(default_factory=dict)
    pseudonyms_private: int = 0
    seconds: float = 0.0
    load_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def figures(self) -> str:
        lines = [
            f"chaos ({self.store}): {self.acknowledged} calls acknowledged ({self.commands_acknowledged} commands) "
            f"in {self.load_seconds:.0f} s of load, {self.rounds} demo rounds; {self.seconds:.0f} s in all",
            f"  kills (SIGKILL + restart): {', '.join(self.kills) or 'none'}; broker restarts: {self.broker_restarts}; "
            f"unplanned restarts: {', '.join(self.unplanned_restarts) or 'none'}",
            f"  Unavailable retried: {self.retries}; not acknowledged (gave up): {len(self.not_acknowledged)}; "
            f"typed refusals: {self.refused}; demo steps that failed: {len(self.demo_failures)}",
            "  events per service (log = subscriber, dedup by id): " + ", ".join(
                f"{s} {self.events.get(s, 0)}={self.received.get(s, 0)}" for s in SERVICES)
            + f"; redeliveries seen by the subscriber: {self.received_duplicates}",
            "  aggregates with contiguous versions: " + ", ".join(f"{s} {n}" for s, n in self.aggregates.items()),
            "  rebuilt from scratch and equal: " + ", ".join(f"{k} ({n} rows)" for k, n in self.rebuilt_rows.items()),
            f"  reporter pseudonyms: {self.pseudonyms_private} in private stored events, 0 allowed in public ones",
            f"  failures: {len(self.failures)}",
        ]
        lines += [f"    - {f}" for f in self.failures[:30]]
        lines += [f"    (demo) {f}" for f in self.demo_failures[:10]]
        return "\n".join(lines)


# -- the run -----------------------------------------------------------------------------------------
def sizes_for(n: int, round_no: int) -> Any:
    from bot.demo import Sizes

    if n < 2000:
        return Sizes(residents=6, reports=2, manifests=3, villages=3, seed=307 + round_no)
    return Sizes(residents=20, reports=2, manifests=8, villages=8, seed=307 + round_no)


def run(commands: int = 10_000, store: str = "sqlite", broker_restart: bool = True, kill: bool = True,
        workdir: Path | None = None, patience: float = 180.0, echo: Any = print,
        amqp_uri: str | None = None, broker: Broker | None = None) -> Result:
    """`amqp_uri` given (a vhost of the caller's, e.g. the test run's): no vhost is created. `broker`:
    the one that is restarted and where the vhost is made (default: this machine's, port 5672)."""
    from kombu import Connection, Queue

    from shared.kit.amqp import events_exchange
    from shared.kit.config import Settings, with_values

    started = time.monotonic()
    broker = broker or Broker()
    result = Result(commands, store)
    run_id = uuid.uuid4().hex[:8]
    vhost = None if amqp_uri else f"langxanh-chaos-{run_id}"
    own_dir = workdir is None
    workdir = Path(workdir or tempfile.mkdtemp(prefix="langxanh-chaos-"))
    (workdir / "logs").mkdir(parents=True, exist_ok=True)
    if vhost:
        for args in (("add_vhost", vhost), ("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")):
            done = broker.ctl(*args)
            if done.returncode:
                raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {done.stderr or done.stdout}")
        amqp_uri = f"amqp://guest:guest@{AMQP_HOST}:{broker.port}/{vhost}"
    exchange = f"langxanh.events.chaos.{run_id}"
    prefix = f"chaos{run_id}_"
    env = dict(os.environ, AMQP_URI=amqp_uri, LANGXANH_AMQP_URI=amqp_uri, LANGXANH_DATA_DIR=str(workdir / "var"),
               LANGXANH_EXCHANGE=exchange, LANGXANH_RELAY_INTERVAL="0.2", LANGXANH_FOLLOW_CATCH_UP_INTERVAL="1",
               LANGXANH_METRICS_PORT="0", PYTHONUNBUFFERED="1")
    env.pop("LANGXANH_DATABASE_URL", None)
    if store == "postgres":
        env.update(LANGXANH_DATABASE_URL=PG_URL, LANGXANH_SCHEMA_PREFIX=prefix)
    settings = with_values(Settings(amqp_uri=amqp_uri, data_dir=workdir / "var", exchange=exchange,
                                    database_url=PG_URL if store == "postgres" else None,
                                    schema_prefix=prefix if store == "postgres" else Settings().schema_prefix,
                                    rpc_timeout=10.0), follow_catch_up_interval=1.0)
    conn = Connection(amqp_uri)
    subscriber = Queue(f"chaos-subscriber-{run_id}", exchange=events_exchange(exchange), routing_key="#",
                       durable=True)
    subscriber(conn.default_channel).declare()  # bound before anything is published
    procs = {name: Service(name, env, workdir / "logs") for name in SERVICES}
    try:
        for p in procs.values():
            p.start()
        wait_up(settings, SERVICES)
        echo(f"chaos: services up ({store}, vhost {vhost}, work dir {workdir})")
        load(result, settings, procs, commands, broker if broker_restart else None, kill, patience, echo)
        quiesce(settings, procs, result, echo)
        conn.release()  # it may have died with the broker's restart; the queue is durable
        conn = Connection(amqp_uri)
        check(result, settings, conn, subscriber.name, echo)
    except Exception as e:  # noqa: BLE001 - a run that could not finish is a failed run, shown
        result.failures.append(f"run aborted: {type(e).__name__}: {e}")
    finally:
        for p in procs.values():
            p.stop()
        try:
            conn.release()
        except Exception:  # noqa: BLE001
            pass
        try:
            with Connection(amqp_uri) as c:
                c.default_channel.queue_delete(subscriber.name)
        except Exception:  # noqa: BLE001 - gone with the vhost anyway
            pass
        if vhost:
            broker.ctl("delete_vhost", vhost)
        if store == "postgres":
            drop_schemas(prefix)
        if own_dir and result.ok:
            shutil.rmtree(workdir, ignore_errors=True)
        elif not result.ok:
            echo(f"chaos: logs kept in {workdir / 'logs'}")
    result.seconds = time.monotonic() - started
    return result


def drop_schemas(prefix: str) -> None:
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as c:
        for (schema,) in c.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                                   (prefix.replace("_", r"\_") + "%",)).fetchall():
            c.execute(f'DROP SCHEMA "{schema}" CASCADE')


def load(result: Result, settings: Any, procs: dict, n: int, broker: Broker | None, kill: bool, patience: float,
         echo: Any) -> None:
    """The demo rounds in this thread's event loop; the chaos thread kills and restarts meanwhile."""
    from bot.demo import Demo
    from shared.kit.pool import PooledServices

    services = Resilient(PooledServices(settings, size=8, timeout=settings.rpc_timeout), patience)
    plan: list[str] = []
    if kill:
        plan += ["sites", "inspections"]
    if broker:
        plan.append("broker")
    if kill:
        plan += ["manifests", "indicators"]
    # spread out: the k-th action when k/(len+1) of the calls are acknowledged
    marks = [int(n * (k + 1) / (len(plan) + 1)) for k in range(len(plan))]
    stop = threading.Event()
    planned = threading.Event()  # set while a planned kill or restart is going on
    chaos_errors: list[str] = []

    def chaos() -> None:
        try:
            for k, action in enumerate(plan):
                while services.acknowledged < marks[k]:
                    if stop.wait(0.1):
                        return
                planned.set()
                at = services.acknowledged
                if action == "broker":
                    seconds = broker.restart()
                    result.broker_restarts += 1
                    echo(f"chaos: broker restarted at {at} calls ({seconds:.1f} s)")
                else:
                    procs[action].kill9()
                    time.sleep(1.0)
                    procs[action].start()
                    result.kills.append(f"{action}@{at}")
                    echo(f"chaos: {action} killed with SIGKILL at {at} calls, restarted")
                planned.clear()
        except Exception as e:  # noqa: BLE001
            chaos_errors.append(f"chaos thread: {type(e).__name__}: {e}")
            planned.clear()

    def supervise() -> None:
        """Like `langxanh up`: a process that died on its own is restarted (and reported)."""
        while not stop.wait(1.0):
            if planned.is_set():
                continue
            for name, p in procs.items():
                if not p.alive():
                    result.unplanned_restarts.append(f"{name} (exit {p.proc.returncode})")
                    echo(f"chaos: {name} exited by itself ({p.proc.returncode}); restarted")
                    p.start()

    threads = [threading.Thread(target=chaos, daemon=True), threading.Thread(target=supervise, daemon=True)]
    for t in threads:
        t.start()
    began = time.monotonic()

    async def rounds() -> None:
        while services.acknowledged < n:
            result.rounds += 1
            try:
                outcome = await Demo(settings, sizes_for(n, result.rounds), services=services).run()
            except Exception as e:  # noqa: BLE001 - a round broken by a failure: counted, the load goes on
                result.demo_failures.append(f"round {result.rounds}: {type(e).__name__}: {e}"[:300])
                continue
            result.by_call.update(outcome.acknowledged)
            result.demo_failures += outcome.failed
            echo(f"chaos: round {result.rounds}: {services.acknowledged} calls acknowledged")

    try:
        # a loop of its own in a thread of its own: the caller's thread may run one already
        # (Playwright's sync API keeps one running in a test worker that drove a browser)
        with ThreadPoolExecutor(1) as own:
            own.submit(asyncio.run, rounds()).result()
        # the load is over: the remaining actions, if the load finished before their mark
        while any(t.is_alive() for t in threads[:1]) and time.monotonic() - began < 600:
            marks[:] = [min(m, services.acknowledged) for m in marks]
            threads[0].join(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
        services.close()
    result.load_seconds = time.monotonic() - began
    result.acknowledged = services.acknowledged
    result.commands_acknowledged = sum(len(c) for c in services.commands.values())
    result.refused, result.retries = services.refused, services.retries
    result.not_acknowledged = services.gave_up
    result.failures += chaos_errors
    result._commands = services.commands  # type: ignore[attr-defined]
    for name, p in procs.items():
        if not p.alive():
            result.unplanned_restarts.append(f"{name} (exit {p.proc.returncode}, after the load)")
            p.start()
    wait_up(settings, SERVICES)


def quiesce(settings: Any, procs: dict, result: Result, echo: Any, timeout: float = 180.0) -> None:
    """Until every relay has published its whole log and every follower is at its source's head."""
    deadline = time.monotonic() + timeout
    while True:
        pings = {name: ping(settings, name, 10.0) for name in SERVICES}
        heads = {name: (p or {}).get("log_head") for name, p in pings.items()}
        waiting = []
        for name, p in pings.items():
            if p is None:
                waiting.append(f"{name} does not answer")
                continue
            if p["relay"]["lag"]:
                waiting.append(f"{name} relay lag {p['relay']['lag']}")
            for source, f in (p.get("followers") or {}).items():
                if heads.get(source) is None or f["position"] < heads[source]:
                    waiting.append(f"{name} follows {source} at {f['position']}/{heads.get(source)}")
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise RuntimeError("no quiescence: " + "; ".join(waiting))
        time.sleep(1.0)


def check(result: Result, settings: Any, conn: Any, queue: str, echo: Any) -> None:
    from shared.kit.client import ServiceClient
    from shared.kit.follower import Follower, pull_all
    from shared.kit.sql import Db
    from shared.kit.eventstore import open_store
    from shared.kit.store import plain_db
    from services.inspections.permit_directory import InspectionsDirectory
    from shared.directory import SitesDirectory
    from services.indicators.application import IndicatorsApplication
    from services.indicators.views import IndicatorFacts
    from services.inspections.application import InspectionsApplication
    from services.manifests.application import ManifestsApplication
    from services.sites.application import SitesApplication

    fail = result.failures.append
    # 5. only the planned SIGKILLs stopped a service
    for exited in result.unplanned_restarts:
        fail(f"a service exited by itself: {exited}")
    with ServiceClient(settings=settings, timeout=120) as c:
        logged = {name: pull_all(c.backfill(name), page=1000) for name in SERVICES}

    # 1. the subscriber received every public event of every log, and nothing else
    received: dict[str, dict[str, dict]] = {name: {} for name in SERVICES}
    channel, idle_since = conn.default_channel, time.monotonic()
    total = 0
    while time.monotonic() - idle_since < 3.0:
        message = channel.basic_get(queue, no_ack=True)
        if message is None:
            time.sleep(0.05)
            continue
        idle_since = time.monotonic()
        event = json.loads(message.body)
        total += 1
        received.setdefault(event["source"].rsplit("/", 1)[1], {})[event["id"]] = event
    result.received_duplicates = total - sum(len(r) for r in received.values())
    for name in SERVICES:
        ids = {e["id"] for e in logged[name]}
        result.events[name], result.received[name] = len(ids), len(received[name])
        if len(ids) != len(logged[name]):
            fail(f"{name}: the log's public events repeat an id")
        if ids != set(received[name]):
            lost, extra = sorted(ids - set(received[name]))[:5], sorted(set(received[name]) - ids)[:5]
            fail(f"{name}: subscriber differs from the log: missing {len(ids - set(received[name]))} {lost}, "
                 f"extra {len(set(received[name]) - ids)} {extra}")
    for name in set(received) - set(SERVICES):
        fail(f"subscriber received events of an unknown source {name}")

    # 2. exactly once: acknowledged commands recorded once; versions contiguous per aggregate
    commands = getattr(result, "_commands", {})
    classes = {"sites": SitesApplication, "inspections": InspectionsApplication, "manifests": ManifestsApplication,
               "indicators": IndicatorsApplication}
    apps = {name: open_store(cls, name, settings) for name, cls in classes.items()}  # the logs are all it reads
    try:
        for name, app in apps.items():
            missing = [cid for cid in commands.get(name, ()) if app.recorder.select_command(cid) is None]
            if missing:
                fail(f"{name}: {len(missing)} acknowledged commands have no recorded answer, e.g. {missing[:3]}")
            versions: dict[Any, list[int]] = {}
            position = 0
            while True:
                page = app.select_notifications(position, 1000)
                if not page:
                    break
                for n in page:
                    versions.setdefault(n.originator_id, []).append(int(n.originator_version))
                    if name == "inspections":
                        result.pseudonyms_private += len(PSEUDONYM.findall(bytes(n.state).decode("utf-8", "replace")))
                position = page[-1].id
            bad = {str(k): v for k, v in versions.items() if sorted(v) != list(range(1, len(v) + 1))}
            if bad:
                fail(f"{name}: {len(bad)} aggregates with versions not 1..n, e.g. {list(bad.items())[:2]}")
            result.aggregates[name] = len(versions)

        # 3. every follower equals a from-scratch rebuild
        rebuild_settings = settings.model_copy(update={"data_dir": Path(settings.data_dir) / "rebuild",
                                                       "schema_prefix": settings.schema_prefix + "rb_"})
        with ServiceClient(settings=settings, timeout=120) as c:
            fresh_facts = IndicatorFacts(plain_db("chaos_rebuild_indicators", rebuild_settings))
            for source in ("sites", "inspections", "manifests"):
                Follower(source, fresh_facts,
                         lambda p, n, s=source: c.call(s, "events_since", position=p, limit=n), page=1000).rebuild()
            live = IndicatorFacts(Db.of(apps["indicators"])).dump()
            rebuilt = fresh_facts.dump()
            result.rebuilt_rows["indicators facts"] = sum(len(v) for v in rebuilt.values())
            for table in live:
                if normal(live[table]) != normal(rebuilt[table]):
                    fail(f"indicators: {table} differs from a rebuild ({len(live[table])} vs {len(rebuilt[table])} rows)")
            # each service's own directory class (inspections keeps each site's places for the staff inbox
            # and each establishment's permit for the limits and the reports owed)
            directories = {"inspections": (InspectionsDirectory, ("site_place", "establishment_permit", "known_permit")),
                           "manifests": (SitesDirectory, ())}
            for name, (directory, extra) in directories.items():
                fresh = directory(plain_db(f"chaos_rebuild_{name}_directory", rebuild_settings))
                Follower("sites", fresh, lambda p, n: c.call("sites", "events_since", position=p, limit=n),
                         page=1000).rebuild()
                mine = directory(Db.of(apps[name]))
                rows = 0
                for table in ("known_site", "known_establishment", "known_site_district", *extra):
                    sql = f"SELECT * FROM {{t:{table}}} ORDER BY id"
                    a, b = mine.rows(sql), fresh.rows(sql)
                    rows += len(b)
                    if normal(a) != normal(b):
                        fail(f"{name}: sites directory {table} differs from a rebuild ({len(a)} vs {len(b)} rows)")
                at, rebuilt = mine.view.max_tracking_id("sites"), fresh.view.max_tracking_id("sites")
                if at != rebuilt:
                    fail(f"{name}: directory at {at}, rebuild at {rebuilt}")
                result.rebuilt_rows[f"{name} sites directory"] = rows
    finally:
        for app in apps.values():
            try:
                app.close()
            except Exception:  # noqa: BLE001
                pass

    # 4. no reporter identity in any public event
    for name in SERVICES:
        for event in [*logged[name], *received[name].values()]:
            if PSEUDONYM.search(json.dumps(event, ensure_ascii=False)):
                fail(f"{name}: a reporter pseudonym in public event {event['id']}")
                break
    if result.by_call.get("inspections.report_incident") and not result.pseudonyms_private:
        fail("no reporter pseudonym found in the private store either: the identity check would be vacuous")


def normal(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=10_000, help="calls to acknowledge (about)")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--no-broker-restart", action="store_true", help="do not restart the broker")
    parser.add_argument("--no-kill", action="store_true", help="no SIGKILL (a baseline)")
    parser.add_argument("--workdir", type=Path, default=None, help="keep data and logs here")
    parser.add_argument("--shared-broker", action="store_true",
                        help="use (and restart) this machine's broker on port 5672 instead of a private node")
    args = parser.parse_args(argv)
    import logging

    logging.basicConfig(level=logging.ERROR)

    def go(broker: Broker) -> Result:
        return run(args.commands, args.store, not args.no_broker_restart, not args.no_kill, args.workdir,
                   echo=lambda s: print(s, flush=True), broker=broker)

    if args.shared_broker:
        result = go(Broker())
    else:  # a broker of the run's own: restarting it disturbs nothing else on this machine
        with PrivateBroker() as private:
            print(f"chaos: private broker {private.node} on port {private.port}", flush=True)
            result = go(Broker(private.port, private.node))
    print(result.figures(), flush=True)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
