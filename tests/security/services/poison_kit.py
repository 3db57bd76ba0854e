"""Helpers of the poison tests (part "poison" of issue 13): the broker as an attacker sees it."""
from __future__ import annotations

import json
import time
import uuid

import eventlet
from kombu import Connection, Queue

from shared.kit.amqp import events_exchange
from shared.kit.metrics import kit_metrics
from shared.kit.nameko_glue import ServiceKit


def eventually(predicate, timeout: float = 30.0, what: str = "the condition"):  # type: ignore[no-untyped-def]
    """Wait (yielding to the containers) until `predicate()` is truthy; its value. Fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout:.0f} s")
        eventlet.sleep(0.05)


def kit_of(container) -> ServiceKit:  # type: ignore[no-untyped-def]
    return next(d for d in container.dependencies if isinstance(d, ServiceKit))


def take_all(amqp_uri: str, queue: str) -> list:
    """Every message waiting in `queue` (acknowledged: taken away); [] when it does not exist."""
    out = []
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        try:
            channel.queue_declare(queue, passive=True)
        except Exception:  # noqa: BLE001 - no such queue: nothing was ever parked
            return []
        while True:
            message = channel.basic_get(queue, no_ack=True)
            if message is None:
                return out
            out.append(message)


def delete_queues(amqp_uri: str, *queues: str) -> None:
    """A clean start: the run's vhost is shared by its tests, and these queues are durable."""
    with Connection(amqp_uri) as conn:
        for queue in queues:
            conn.channel().queue_delete(queue)


def depth(amqp_uri: str, queue: str) -> int:
    with Connection(amqp_uri) as conn:
        try:
            return conn.channel().queue_declare(queue, passive=True).message_count
        except Exception:  # noqa: BLE001
            return 0


def publish_raw(amqp_uri: str, exchange: str, routing_key: str, body: bytes | dict) -> None:
    """What anyone allowed to publish on the public exchange can send."""
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        producer.publish(body, exchange=events_exchange(exchange), routing_key=routing_key,
                         content_type="application/cloudevents+json", content_encoding="utf-8", delivery_mode=2)


def declare_follower_queue(amqp_uri: str, exchange: str, queue: str, source: str) -> None:
    """The durable queue a follower declares on start (so messages wait in it before)."""
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        events_exchange(exchange)(channel).declare()
        Queue(queue, exchange=events_exchange(exchange), routing_key=f"{source}.#", durable=True)(channel).declare()


def unbind(amqp_uri: str, exchange: str, queue: str, source: str) -> None:
    """A lost message: what is published meanwhile never reaches `queue`."""
    with Connection(amqp_uri) as conn:
        conn.channel().queue_unbind(queue, exchange, f"{source}.#")


def parked_total(service: str, where: str, kind: str) -> float:
    return kit_metrics().value("langxanh_parked_total", service=service, where=where, kind=kind)


def forged_site_registered(sequence: int, name: str = "Forged") -> dict:
    """A valid-looking public event of sites with the next sequence: the attack of finding 2."""
    return {"specversion": "1.0", "id": f"sites-{sequence}", "source": "/langxanh/sites",
            "type": "vn.langxanh.sites.site_registered.v1", "subject": str(uuid.uuid4()),
            "time": "2026-01-01T00:00:00Z", "datacontenttype": "application/json",
            "sequence": f"{sequence:020d}", "communecode": "gia-lam",
            "data": {"kind": "craft_village", "name": name, "old_district": "gia-lam"}}
