"""A RabbitMQ node of a run's own, for runs that restart their broker (`make chaos`) or must not share
one (a bench): `rabbitmq-server` started in a temporary directory on free ports, under its own node
name, stopped and removed at the end. It needs the RabbitMQ server installed on this machine (Debian's
`rabbitmq-server`), and root or the `rabbitmq` user to run it.

    with PrivateBroker() as broker:
        broker.amqp_uri("/")        # amqp://guest:guest@127.0.0.1:PORT/
        broker.ctl("stop_app")      # rabbitmqctl -n NODE stop_app
"""
from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import uuid
from pathlib import Path

from tests.metrics_scrape import free_ports

HOST = "127.0.0.1"


def rabbitmqctl(node: str | None, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    exe = shutil.which("rabbitmqctl") or "rabbitmqctl"
    node_args = ["-n", node] if node else []
    return subprocess.run([exe, *node_args, *args], capture_output=True, text=True, timeout=timeout)


def port_answers(port: int, timeout: float = 120, host: str = HOST) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"nothing answers on {host}:{port} after {timeout:.0f} s")


class PrivateBroker:
    def __init__(self, startup_timeout: float = 120) -> None:
        self.port = free_ports(1)
        self.dist_port = free_ports(1)
        self.node = f"lxprivate{uuid.uuid4().hex[:6]}@localhost"
        self.dir = Path(tempfile.mkdtemp(prefix="langxanh-rabbitmq-"))
        self.startup_timeout = startup_timeout

    def amqp_uri(self, vhost: str = "/") -> str:
        path = "/" + urllib.parse.quote(vhost, safe="") if vhost != "/" else "/"
        return f"amqp://guest:guest@{HOST}:{self.port}{path}"

    def ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        return rabbitmqctl(self.node, *args, timeout=timeout)

    def start(self) -> PrivateBroker:
        server = shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server"
        if not Path(server).exists():
            raise RuntimeError("a private broker needs rabbitmq-server (Debian: apt-get install rabbitmq-server)")
        (self.dir / "rabbitmq.conf").write_text(f"listeners.tcp.local = {HOST}:{self.port}\n"
                                                "loopback_users = none\n")
        (self.dir / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:  # the server script runs the node as the rabbitmq user
            try:
                user = pwd.getpwnam("rabbitmq")
            except KeyError:
                user = None
            if user:
                for path in (self.dir, *self.dir.iterdir()):
                    os.chown(path, user.pw_uid, user.pw_gid)
        env = dict(os.environ, RABBITMQ_NODENAME=self.node, RABBITMQ_NODE_PORT=str(self.port),
                   RABBITMQ_DIST_PORT=str(self.dist_port), RABBITMQ_CONFIG_FILE=str(self.dir / "rabbitmq.conf"),
                   RABBITMQ_MNESIA_BASE=str(self.dir / "mnesia"), RABBITMQ_LOG_BASE=str(self.dir / "log"),
                   RABBITMQ_ENABLED_PLUGINS_FILE=str(self.dir / "enabled_plugins"),
                   RABBITMQ_PID_FILE=str(self.dir / "pid"))
        subprocess.run([server, "-detached"], env=env, check=True, capture_output=True, timeout=60)
        deadline = time.monotonic() + self.startup_timeout
        while True:  # the detached node registers with epmd a few seconds later
            done = self.ctl("await_startup", "--timeout", "30", timeout=60)
            if done.returncode == 0:
                break
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the private broker {self.node} did not start: {done.stderr or done.stdout} "
                                   f"(logs in {self.dir / 'log'})")
            time.sleep(1)
        port_answers(self.port, self.startup_timeout)
        return self

    def stop(self) -> None:
        self.ctl("stop", timeout=120)
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PrivateBroker:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
