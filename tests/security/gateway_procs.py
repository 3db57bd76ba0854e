"""Helpers of the gateway's security tests (issue 13): real processes — service runners
(`python -m shared.runner <service>`) and the gateway under uvicorn — on the test run's RabbitMQ
vhost and a store of the test's kind, and what the tests read about them (/proc, rabbitmqctl)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(amqp_uri: str, tmp_path: Path, store: str, pg_url: str | None, schema_prefix: str,
                **settings: str) -> dict:
    """The environment of every process of one test: its vhost, its exchange, its store."""
    env = dict(os.environ)
    env.update({"AMQP_URI": amqp_uri, "LANGXANH_DATA_DIR": str(tmp_path / "var"),
                "LANGXANH_EXCHANGE": f"langxanh.events.{uuid.uuid4().hex[:8]}", "LANGXANH_RELAY_INTERVAL": "0.2",
                "LANGXANH_GATEWAY_PORT": str(free_port()), "PYTHONUNBUFFERED": "1"})
    env.pop("LANGXANH_DATABASE_URL", None)
    if store == "postgres":
        env.update({"LANGXANH_DATABASE_URL": pg_url or "", "LANGXANH_SCHEMA_PREFIX": schema_prefix})
    env.update({f"LANGXANH_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def settings_of(env: dict):  # type: ignore[no-untyped-def]
    from shared.kit.config import Settings

    return Settings(amqp_uri=env["AMQP_URI"], data_dir=Path(env["LANGXANH_DATA_DIR"]),
                    exchange=env["LANGXANH_EXCHANGE"], database_url=env.get("LANGXANH_DATABASE_URL") or None,
                    schema_prefix=env.get("LANGXANH_SCHEMA_PREFIX", "langxanh_"))


class Process:
    def __init__(self, argv: list[str], env: dict, log: Path) -> None:
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def alive(self) -> None:
        assert self.proc.poll() is None, f"the process died: {self.log.read_text()[-3000:]}"

    def status(self, field: str) -> int:
        """A number of /proc/<pid>/status: VmHWM and VmRSS in kB, Threads."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc/{self.proc.pid}/status")

    def local_ports(self) -> set[int]:
        """The local ports of this process's TCP sockets (/proc/<pid>/fd matched to /proc/net/tcp*)."""
        inodes = set()
        for fd in Path(f"/proc/{self.proc.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        ports = set()
        for table in ("tcp", "tcp6"):
            for line in Path(f"/proc/{self.proc.pid}/net/{table}").read_text().splitlines()[1:]:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        return ports

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_service(name: str, env: dict, tmp_path: Path) -> Process:
    from nameko.exceptions import RpcTimeout, UnknownService

    from shared.kit.client import ServiceClient

    p = Process([sys.executable, "-m", "shared.runner", name], env, tmp_path / f"{name}.log")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        p.alive()
        try:
            with ServiceClient(amqp_uri=env["AMQP_URI"], timeout=3) as c:
                getattr(c, name).ping()
            return p
        except (RpcTimeout, UnknownService, OSError):
            time.sleep(0.3)
    raise AssertionError(f"{name} did not answer")


def start_gateway(env: dict, tmp_path: Path) -> Process:
    p = Process([sys.executable, "-m", "uvicorn", "--factory", "services.gateway.service:create_app", "--host",
                 "127.0.0.1", "--port", env["LANGXANH_GATEWAY_PORT"], "--log-level", "warning"], env,
                tmp_path / "gateway.log")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        p.alive()
        try:
            httpx.get(f"{base(env)}/openapi.json", timeout=3).raise_for_status()
            return p
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError("the gateway did not answer")


def base(env: dict) -> str:
    return f"http://127.0.0.1:{env['LANGXANH_GATEWAY_PORT']}"


def issue_key(env: dict, agency: str, *scopes: str) -> dict:
    """A key issued on the gateway's store, as `langxanh gateway key` does: {id, header}."""
    from services.gateway.application import GatewayApplication
    from shared.kit.store import app_for

    app = app_for(GatewayApplication, "gateway", settings_of(env))
    try:
        issued = app.issue_key(None, None, agency, list(scopes))
    finally:
        app.close()
    return {"id": issued["key_id"], "header": {"X-API-Key": issued["api_key"]}}


# -- the broker, as rabbitmqctl sees the test's vhost ---------------------------------------------
def vhost_of(amqp_uri: str) -> str:
    return urlsplit(amqp_uri).path.lstrip("/") or "/"


def _ctl(*args: str) -> list[list[str]]:
    exe = shutil.which("rabbitmqctl")
    assert exe, "rabbitmqctl is needed to read the broker's queues and connections"
    out = subprocess.run([exe, "-q", "--no-table-headers", *args], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [line.split("\t") for line in out.stdout.splitlines() if line.strip()]


def exclusive_queues(amqp_uri: str) -> list[tuple[str, int]]:
    """(name, consumers) of the server-named exclusive queues (a live stream's) in the vhost."""
    rows = _ctl("list_queues", "-p", vhost_of(amqp_uri), "name", "exclusive", "consumers")
    return [(r[0], int(r[2])) for r in rows if len(r) == 3 and r[1] == "true" and r[0].startswith("amq.gen-")]


def connections(amqp_uri: str, besides: "Process | None" = None) -> int:
    """The broker's connections in the vhost; with `besides`, leaving out those whose client end is
    a socket of that process (the broker's peer port matched against the process's TCP sockets)."""
    vhost = vhost_of(amqp_uri)
    rows = [r for r in _ctl("list_connections", "vhost", "peer_port") if len(r) == 2 and r[0] == vhost]
    if besides is None:
        return len(rows)
    theirs = besides.local_ports()
    return sum(1 for r in rows if int(r[1]) not in theirs)


def wait_until(predicate, timeout: float, what: str, every: float = 0.5):  # type: ignore[no-untyped-def]
    """Poll `predicate` until it returns a true value (returned) or `timeout` passes (fails)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout:.0f} s (last: {last!r})")
