"""A call to a service that has no queue on the broker yet (the first run: it has not started) is
refused with nameko's `UnknownService` at once, and the broker's confirm that follows the return is
read before the channel goes back to the pool: no "Received method (60, 80) during closing channel"
warning from py-amqp (shared/kit/rpc_publish.py), however many calls are refused."""
import logging
import uuid

import amqp
import pytest
from nameko.exceptions import UnknownService

from shared.kit.client import ServiceClient


def test_calls_to_a_service_not_started_are_refused_without_broker_noise(amqp_uri, caplog):
    absent = f"absent_{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.DEBUG, logger="amqp")
    with ServiceClient(amqp_uri=amqp_uri, timeout=5) as client:
        for _ in range(3):
            with pytest.raises(UnknownService):
                client.call(absent, "ping")
    noise = [r.getMessage() for r in caplog.records if r.name == "amqp" and r.levelno >= logging.WARNING]
    assert noise == []


def test_a_refused_call_keeps_the_pooled_connection(amqp_uri, monkeypatch):
    """Before, py-amqp raised on the return with the ack unread, and kombu replaced (closed, then
    opened anew) the pooled broker connection on every refused call."""
    absent = f"absent_{uuid.uuid4().hex[:8]}"
    opened = []
    connect = amqp.Connection.connect
    monkeypatch.setattr(amqp.Connection, "connect", lambda self, *a, **k: (opened.append(self), connect(self, *a, **k))[1])
    with ServiceClient(amqp_uri=amqp_uri, timeout=5) as client:
        with pytest.raises(UnknownService):
            client.call(absent, "ping")  # the publisher's pooled connection is opened (once)
        opened.clear()
        for _ in range(3):
            with pytest.raises(UnknownService):
                client.call(absent, "ping")
    assert opened == []
