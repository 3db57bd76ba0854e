"""Service tests: nameko containers on the real RabbitMQ (one vhost per run).
eventlet is monkey-patched here, and only in this folder's test process."""
import shared  # noqa: F401  (silences eventlet's deprecation notice before it is imported)
import eventlet  # noqa: E402

eventlet.monkey_patch()

from shared.kit.green_pg import make_cooperative  # noqa: E402

make_cooperative()  # as shared/runner.py does in every service process

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


# -- every CloudEvent the services publish validates against its AsyncAPI schema -------------------
# The kit's KombuPublisher.publish is wrapped for the whole session: each message the relays of the
# services under test publish is checked against the payload schema of its channel (routing key)
# in shared/asyncapi.py's document (Draft 7, formats asserted: tests/stream_schema.py), then
# published as before. A test during which an invalid message was published fails; the last test of
# the folder (test_zz_published_events.py) fails when the validator saw nothing.
STREAM = {}


@pytest.fixture(scope="session", autouse=True)
def published_events_validator():
    from shared.kit.amqp import KombuPublisher
    from tests.stream_schema import StreamValidator

    validator = StreamValidator()
    original = KombuPublisher.publish

    def publish(self, routing_key, event):
        try:
            validator.check(routing_key, event)
        except Exception as e:  # noqa: BLE001 - a broken check must fail the test, not the relay
            validator.failures.append(f"{routing_key} {event.get('id', '?')}: the check raised {e!r}")
        return original(self, routing_key, event)

    KombuPublisher.publish = publish
    STREAM["validator"] = validator
    yield validator
    KombuPublisher.publish = original


@pytest.fixture(autouse=True)
def no_invalid_event_published(published_events_validator):
    before = len(published_events_validator.failures)
    yield  # torn down after the test's containers stopped: their relays published everything by then
    new = published_events_validator.failures[before:]
    if new:
        pytest.fail(f"{len(new)} published CloudEvent(s) do not validate against the AsyncAPI document:\n"
                    + "\n".join(new[:20]), pytrace=False)


def pytest_terminal_summary(terminalreporter):
    validator = STREAM.get("validator")
    if validator is None:
        return
    from shared.asyncapi import public_events
    from shared.kit.public import routing_key

    every = [routing_key(s, c) for s, cs in public_events().items() for c in cs]
    never = [k for k in every if k not in validator.seen]
    terminalreporter.write_line(
        f"AsyncAPI stream check: {validator.count} published CloudEvents validated, {len(validator.failures)} invalid; "
        f"{len(validator.seen)} of {len(every)} event types published; never published: {', '.join(never) or '-'}")
