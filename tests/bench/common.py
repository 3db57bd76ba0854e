"""Helpers shared by the benchmarks: service processes on a fresh data dir / schema / exchange,
percentiles, RSS, PostgreSQL clean-up."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shared.kit.client import ServiceClient
from shared.kit.config import Settings, with_values

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("LANGXANH_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
SERVICES = ("sites", "inspections", "manifests", "indicators")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def service_env(store: str, data_dir: Path, schema_prefix: str | None = None, amqp_uri: str | None = None) -> dict:
    """The environment of service processes on a fresh data dir (SQLite) or fresh schemas
    (PostgreSQL) and a fresh exchange."""
    env = dict(os.environ)
    env.update({"LANGXANH_DATA_DIR": str(data_dir), "LANGXANH_EXCHANGE": f"langxanh.bench.{uuid.uuid4().hex[:6]}",
                "LANGXANH_SCHEMA_PREFIX": schema_prefix or f"lxbench{uuid.uuid4().hex[:6]}_"})
    if amqp_uri:
        env["AMQP_URI"] = amqp_uri
    env.setdefault("AMQP_URI", Settings().amqp_uri)
    # the bench's own clients and the services sign and verify with the same keys (issue 13)
    env.setdefault("LANGXANH_ACTOR_KEYS_DIR", str(Settings().keys_dir.resolve()))
    if store == "postgres":
        env["LANGXANH_DATABASE_URL"] = PG_URL
    else:
        env.pop("LANGXANH_DATABASE_URL", None)
    return env


def settings_of(env: dict, **update) -> Settings:  # type: ignore[no-untyped-def]
    """The Settings the service processes started with `env` see (for direct appends/reads)."""
    s = Settings(amqp_uri=env["AMQP_URI"], data_dir=Path(env["LANGXANH_DATA_DIR"]), exchange=env["LANGXANH_EXCHANGE"],
                 database_url=env.get("LANGXANH_DATABASE_URL"), schema_prefix=env["LANGXANH_SCHEMA_PREFIX"],
                 actor_keys_dir=env.get("LANGXANH_ACTOR_KEYS_DIR"))
    return with_values(s, **update) if update else s


def start(env: dict, *services: str, wait: float = 90) -> list[subprocess.Popen]:
    """Start `shared.runner <service>` processes and wait until each answers ping.
    LANGXANH_BENCH_PROFILE=<dir> runs each under cProfile (<dir>/<service>.prof, written when it stops)."""
    profile = os.environ.get("LANGXANH_BENCH_PROFILE")

    def argv(s: str) -> list[str]:
        if profile:
            Path(profile).mkdir(parents=True, exist_ok=True)
            return [sys.executable, "-m", "cProfile", "-o", str(Path(profile) / f"{s}.prof"), "-m", "shared.runner", s]
        return [sys.executable, "-m", "shared.runner", s]

    procs = [subprocess.Popen(argv(s), env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for s in services]
    deadline = time.monotonic() + wait
    for s in services:
        while True:
            try:
                with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=2) as c:
                    c.call(s, "ping")
                break
            except Exception:  # noqa: BLE001 - still starting
                if time.monotonic() > deadline:
                    stop(procs)
                    raise SystemExit(f"{s} did not start")
                time.sleep(0.3)
    return procs


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """VmRSS of a process (KiB) from /proc/<pid>/status; `VmHWM`: its peak so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(f"no {field} for {pid}")


def drop_schemas(prefix: str) -> None:
    """Drop every PostgreSQL schema whose name starts with `prefix` (a bench's own)."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        names = [r[0] for r in conn.execute("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE %s",
                                            (prefix.replace("_", r"\_") + "%",)).fetchall()]
        for name in names:
            conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@contextmanager
def generated_history(store: str, events: int, tag: str) -> Iterator[Any]:
    """tests.history's History of about `events` events on a fresh SQLite data dir or fresh PostgreSQL
    schemas (dropped afterwards); its applications closed at the end."""
    from tests.bench.all import HISTORY_EVENTS_AT_SCALE_1
    from tests.bench.indicators_rebuild import generate, history_for

    prefix = f"{tag}{uuid.uuid4().hex[:6]}_"
    tmp = Path(tempfile.mkdtemp(prefix=f"lx-bench-{tag}-"))
    settings = Settings(data_dir=tmp, **({"database_url": PG_URL, "schema_prefix": prefix} if store == "postgres" else {}))
    history = history_for(settings)
    try:
        print(f"{generate(history, events / HISTORY_EVENTS_AT_SCALE_1)} events appended ({store})")
        yield history
    finally:
        for app in (history.sites, history.inspections, history.manifests):
            app.close()
        if store == "postgres":
            drop_schemas(prefix)


# -- RabbitMQ: a vhost of the bench's own (RPC queues are named by service, so services of
#    another run on the same broker would otherwise answer this run's calls) ----------------------
def _management(method: str, path: str, body: dict | None = None) -> bool:
    import base64
    import json
    import urllib.error
    import urllib.parse
    import urllib.request

    base = urllib.parse.urlsplit(Settings().amqp_uri)
    req = urllib.request.Request(f"http://{base.hostname or '127.0.0.1'}:15672/api/{path}", method=method,
                                 data=json.dumps(body or {}).encode() if method == "PUT" else None,
                                 headers={"content-type": "application/json"})
    token = f"{base.username or 'guest'}:{base.password or 'guest'}".encode()
    req.add_header("Authorization", "Basic " + base64.b64encode(token).decode())
    try:
        urllib.request.urlopen(req, timeout=5)
        return True
    except (urllib.error.URLError, OSError):
        return False


def _rabbitmqctl(*args: str) -> bool:
    import shutil

    exe = shutil.which("rabbitmqctl")
    return bool(exe) and subprocess.run([exe, *args], capture_output=True, timeout=60).returncode == 0


def create_vhost() -> str:
    """A fresh vhost; answers the AMQP URI on it. LANGXANH_BENCH_OWN_BROKER=1: AMQP_URI is a
    broker of the bench's own (nothing else runs on it), used as it is."""
    import urllib.parse

    if os.environ.get("LANGXANH_BENCH_OWN_BROKER"):
        return Settings().amqp_uri

    name = f"langxanh-bench-{uuid.uuid4().hex[:8]}"
    base = urllib.parse.urlsplit(Settings().amqp_uri)
    user = base.username or "guest"
    deadline = time.monotonic() + 120  # the broker may be restarting (another run's chaos test)
    while not (_management("PUT", f"vhosts/{name}") and _management(
            "PUT", f"permissions/{name}/{user}", {"configure": ".*", "write": ".*", "read": ".*"})):
        if _rabbitmqctl("add_vhost", name) and _rabbitmqctl("set_permissions", "-p", name, user, ".*", ".*", ".*"):
            break
        if time.monotonic() > deadline:
            raise SystemExit("cannot create a RabbitMQ vhost (management plugin or rabbitmqctl needed)")
        time.sleep(2)
    return urllib.parse.urlunsplit(base._replace(path="/" + name))


def delete_vhost(amqp_uri: str) -> None:
    import urllib.parse

    name = urllib.parse.urlsplit(amqp_uri).path.lstrip("/")
    if os.environ.get("LANGXANH_BENCH_OWN_BROKER"):
        return
    if name and not _management("DELETE", f"vhosts/{name}"):
        _rabbitmqctl("delete_vhost", name)
