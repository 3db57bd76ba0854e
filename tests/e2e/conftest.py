"""End-to-end: real service processes (python -m shared.runner), real RabbitMQ, kill -9."""
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Queue

from shared.kit.actor import Actor
from shared.kit.amqp import events_exchange
from shared.kit.client import ServiceClient

ROOT = Path(__file__).resolve().parents[2]


class ServiceProcess:
    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self.proc = None

    def start(self, wait=True):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "shared.runner", "sites"], env=self.env, cwd=ROOT,
                                     stdout=log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=60):
        from nameko.exceptions import RpcTimeout, UnknownService

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"service died: {self.log_path.read_text()[-3000:]}"
            try:
                with ServiceClient(amqp_uri=self.env["AMQP_URI"], timeout=2) as c:
                    c.sites.ping()
                return
            except (RpcTimeout, UnknownService, OSError):
                time.sleep(0.2)
        raise AssertionError("service did not answer in time")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def system_env_for(amqp_uri: str, data_dir: Path) -> dict:
    """The environment of one whole system (`langxanh up`): its broker, data dir, own exchange and port."""
    env = dict(os.environ)
    env.update({
        "AMQP_URI": amqp_uri,
        "LANGXANH_DATA_DIR": str(data_dir),
        "LANGXANH_EXCHANGE": f"langxanh.events.{uuid.uuid4().hex[:8]}",
        "LANGXANH_GATEWAY_PORT": str(free_port()),
        "LANGXANH_RELAY_INTERVAL": "0.2",
        # two test workers run whole systems on one PostgreSQL server (max_connections 100): small pools
        "LANGXANH_PG_POOL_SIZE": "2",
        "LANGXANH_PG_MAX_OVERFLOW": "8",
        "PYTHONUNBUFFERED": "1",
    })
    env.pop("LANGXANH_DATABASE_URL", None)
    return env


@pytest.fixture
def system_env(amqp_uri, tmp_path):
    return system_env_for(amqp_uri, tmp_path / "var")


@pytest.fixture
def sites_process(system_env, tmp_path):
    procs = []

    def make():
        p = ServiceProcess(system_env, tmp_path / f"sites-{len(procs)}.log")
        procs.append(p)
        return p

    yield make
    for p in procs:
        p.stop()


@pytest.fixture
def client(system_env):
    with ServiceClient(actor=Actor("officer-1", "agency"), amqp_uri=system_env["AMQP_URI"], timeout=30) as c:
        yield c


class Subscriber:
    """An agency's durable queue bound to the public exchange."""

    def __init__(self, amqp_uri, exchange, declare_exchange=True):
        self.conn = Connection(amqp_uri)
        self.exchange = exchange
        self.name = f"agency-{uuid.uuid4().hex[:8]}"
        self.received = []
        if declare_exchange:
            self.bind()

    def bind(self):
        Queue(self.name, exchange=events_exchange(self.exchange), routing_key="sites.#",
              durable=True)(self.conn.default_channel).declare()

    def drain_until(self, predicate, timeout=30.0):
        deadline = time.monotonic() + timeout
        channel = self.conn.default_channel
        while time.monotonic() < deadline:
            message = channel.basic_get(self.name, no_ack=True)
            if message is None:
                if predicate(self.received):
                    return self.received
                time.sleep(0.05)
                continue
            self.received.append(json.loads(message.body))
        return self.received

    def close(self):
        try:
            self.conn.default_channel.queue_delete(self.name)
        finally:
            self.conn.release()


def run_cli(env, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "langxanh", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
