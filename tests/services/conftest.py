"""Service tests: nameko containers on the real RabbitMQ (one vhost per run).
eventlet is monkey-patched here, and only in this folder's test process."""
import shared  # noqa: F401  (silences eventlet's deprecation notice before it is imported)
import eventlet  # noqa: E402

eventlet.monkey_patch()

import json  # noqa: E402
import uuid  # noqa: E402

import pytest  # noqa: E402
from kombu import Connection, Queue  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402

from shared.kit.amqp import events_exchange  # noqa: E402


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request, tmp_path, monkeypatch, schema_prefix):
    """Settings reach the service through the environment, as in production."""
    monkeypatch.setenv("LANGXANH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LANGXANH_RELAY_INTERVAL", "0.2")
    if request.param == "postgres":
        monkeypatch.setenv("LANGXANH_DATABASE_URL", request.getfixturevalue("pg_url"))
        monkeypatch.setenv("LANGXANH_SCHEMA_PREFIX", schema_prefix)
    else:
        monkeypatch.delenv("LANGXANH_DATABASE_URL", raising=False)
    return request.param


@pytest.fixture
def exchange_name(monkeypatch):
    """A public exchange per test, so tests of one run never see each other's stream."""
    name = f"langxanh.events.{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("LANGXANH_EXCHANGE", name)
    return name


@pytest.fixture
def make_container(amqp_uri):
    containers = []

    def make(service_cls):
        container = ServiceContainer(service_cls, {"AMQP_URI": amqp_uri, "serializer": "json"})
        containers.append(container)
        return container

    yield make
    for c in containers:
        try:
            c.stop()
        except Exception:  # noqa: BLE001 - a container that failed to start
            c.kill()


class Tap:
    """A queue bound to the public exchange: what an agency subscriber receives."""

    def __init__(self, amqp_uri, exchange):
        self.conn = Connection(amqp_uri)
        self.queue = Queue(f"tap-{uuid.uuid4().hex[:8]}", exchange=events_exchange(exchange), routing_key="#",
                           auto_delete=True)
        self.queue(self.conn.default_channel).declare()
        self.received = []

    def drain(self, expect, timeout=10.0):
        deadline = eventlet.hubs.get_hub().clock() + timeout
        channel = self.conn.default_channel
        while len(self.received) < expect and eventlet.hubs.get_hub().clock() < deadline:
            message = channel.basic_get(self.queue.name, no_ack=True)
            if message is None:
                eventlet.sleep(0.05)
                continue
            self.received.append((message.delivery_info["routing_key"], json.loads(message.body)))
        return self.received

    def close(self):
        self.conn.release()


@pytest.fixture
def tap(amqp_uri, exchange_name):
    t = Tap(amqp_uri, exchange_name)
    yield t
    t.close()
