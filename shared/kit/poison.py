"""The poison guard: a message that keeps failing is parked, never redelivered forever.

- `StreamGuard` (a queue on the public stream, e.g. a follower's `<service>.follows.<source>`):
  a message that is not a valid envelope is parked at once; one whose handler failed
  `max_failures` times is parked; otherwise it is requeued (after a short pause) as before.
  Failures are counted in memory by message id; a message delivered again by the broker
  (`redelivered`: the consumer before died holding it) counts as one failure already.
- `RequestGuard` (a nameko RPC queue `rpc-<service>`): an RPC request that is never acknowledged
  — the worker crashed or was OOM-killed, or its reply could not be sent — is redelivered by
  RabbitMQ to every restart and every replica. The first delivery costs nothing; a delivery with
  `redelivered` set bumps a durable attempt count (`DeliveryLog`, in the service's own store, keyed
  by the request's correlation id) *before* it runs, and past `max_deliveries` the request is
  parked instead of run, and its caller answered with a typed `Conflict` (rule `parked`).

Parked = published (with confirms) to the durable queue `<queue>.parked` with the reason in its
headers (`x-langxanh-parked-reason`, `-attempts`, `-from`, `-routing-key`), then acknowledged.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from kombu import Connection, Exchange, Queue

from shared.kit.envelope import BadEnvelope, check_envelope
from shared.kit.sql import Db

log = logging.getLogger(__name__)
PARKED_SUFFIX = ".parked"
# Parked messages go through a topic exchange of their own, routing key = the parked queue's name:
# nobody may publish on the default exchange (it reaches any queue by name), and each component's
# topic permission there names only its own parked queues (shared/brokeracl.py).
PARKED_EXCHANGE = Exchange("langxanh.parked", type="topic", durable=True)


def parked_queue(queue: str) -> str:
    return f"{queue}{PARKED_SUFFIX}"


def park(amqp_uri: str, queue: str, message: Any, reason: str, attempts: int) -> None:
    """Publish `message` (a kombu message) unchanged to `<queue>.parked`, with the reason in its
    headers; returns once the broker confirmed it. The caller acknowledges the original after."""
    target = parked_queue(queue)
    props = message.properties or {}
    headers = dict(message.headers or {})
    headers.update({"x-langxanh-parked-reason": reason[:1000], "x-langxanh-parked-attempts": attempts,
                    "x-langxanh-parked-from": queue,
                    "x-langxanh-parked-routing-key": (message.delivery_info or {}).get("routing_key", ""),
                    "x-langxanh-parked-at": datetime.now(timezone.utc).isoformat()})
    if props.get("reply_to"):
        headers["x-langxanh-parked-reply-to"] = props["reply_to"]
    with Connection(amqp_uri, connect_timeout=10, transport_options={"confirm_publish": True}) as conn:
        producer = conn.Producer()
        producer.publish(message.body, exchange=PARKED_EXCHANGE, routing_key=target, headers=headers,
                         content_type=message.content_type or "application/octet-stream",
                         content_encoding=message.content_encoding or "binary", delivery_mode=2,
                         correlation_id=props.get("correlation_id"), message_id=props.get("message_id"),
                         declare=[Queue(target, exchange=PARKED_EXCHANGE, routing_key=target, durable=True,
                                        auto_delete=False)], retry=False)
    log.warning("message parked in %s after %d attempt(s): %s", target, attempts, reason)


def message_key(message: Any) -> str:
    """A stable key of a delivery: its message id or correlation id, else a digest of its body."""
    props = message.properties or {}
    key = props.get("message_id") or props.get("correlation_id")
    if key:
        return str(key)[:200]
    body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
    return "sha256:" + hashlib.sha256(body).hexdigest()


class StreamGuard:
    """What a stream consumer does with each message (see the module's docstring).

    `durable=False` (an exclusive tail: the CLI, an SSE client): a poison message is dropped
    (rejected without requeue) instead of parked. `on_parked(kind, key, reason)` is told of each
    (kind: "invalid" or "failed"; key: the event id or a digest of the body)."""

    def __init__(self, amqp_uri: str, queue: str, source: str | None, durable: bool = True,
                 max_failures: int = 5, on_parked: Callable[[str, str, str], None] | None = None,
                 pause: Callable[[float], Any] = time.sleep, keep: int = 10_000) -> None:
        self.amqp_uri = amqp_uri
        self.queue = queue
        self.source = source
        self.durable = durable
        self.max_failures = max_failures
        self.on_parked = on_parked
        self.pause = pause
        self.keep = keep
        self.failures: OrderedDict[str, int] = OrderedDict()
        self.parked = 0
        self._lock = threading.Lock()

    def deliver(self, message: Any, handler: Callable[[dict], None]) -> None:
        """Validate, hand to `handler`, then ack; requeue a failure; park a poison."""
        try:
            event = check_envelope(message.body, self.source)
        except BadEnvelope as e:
            self._park(message, "invalid", f"not a valid envelope: {e}", 1, message_key(message))
            return
        key = str(event["id"])
        try:
            handler(event)
        except Exception as e:  # noqa: BLE001 - any failure of the handler counts
            failures = self._failed(key, message)
            if failures >= self.max_failures:
                self._park(message, "failed", f"handling failed {failures} times; last: {type(e).__name__}: {e}",
                           failures, key)
                return
            log.warning("handling %s failed (%d of %d: %s: %s); requeued", key, failures, self.max_failures,
                        type(e).__name__, e, exc_info=failures == 1)
            self.pause(0.5)  # do not spin on a failure that needs time (the source is down)
            message.requeue()
            return
        with self._lock:
            self.failures.pop(key, None)
        message.ack()

    def _failed(self, key: str, message: Any) -> int:
        with self._lock:
            before = self.failures.get(key)
            if before is None and (message.delivery_info or {}).get("redelivered"):
                before = 1  # delivered before and never acknowledged: the consumer before us failed on it
            self.failures[key] = (before or 0) + 1
            self.failures.move_to_end(key)
            while len(self.failures) > self.keep:
                self.failures.popitem(last=False)
            return self.failures[key]

    def _park(self, message: Any, kind: str, reason: str, attempts: int, key: str) -> None:
        if self.durable:
            try:
                park(self.amqp_uri, self.queue, message, reason, attempts)
            except Exception:  # noqa: BLE001 - the broker refused: keep the message, try again
                log.exception("parking a message of %s failed; requeued", self.queue)
                self.pause(0.5)
                message.requeue()
                return
            message.ack()
        else:
            log.warning("message of %s dropped: %s", self.queue, reason)
            message.reject(requeue=False)
        with self._lock:
            self.parked += 1
            self.failures.pop(key, None)
        if self.on_parked is not None:
            try:
                self.on_parked(kind, key, reason)
            except Exception:  # noqa: BLE001 - counting never stops the consumer
                log.exception("on_parked failed")


class DeliveryLog:
    """Durable attempt counts and parked messages of one service (table `lx_poison`, in its store)."""

    def __init__(self, db: Db) -> None:
        self.db = db
        db.execute_script(
            "CREATE TABLE IF NOT EXISTS {t:lx_poison} (key TEXT PRIMARY KEY, origin TEXT NOT NULL, "
            "attempts INTEGER NOT NULL, parked INTEGER NOT NULL DEFAULT 0, reason TEXT, updated_at TEXT NOT NULL)")

    def attempt(self, key: str, origin: str) -> int:
        """One more delivery of `key` (the first one recorded is its 2nd: the 1st cost nothing)."""
        now = datetime.now(timezone.utc).isoformat()
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO {t:lx_poison} (key, origin, attempts, updated_at) VALUES (%s, %s, 2, %s) "
                        "ON CONFLICT (key) DO UPDATE SET attempts = {t:lx_poison}.attempts + 1, updated_at = %s",
                        (key, origin, now, now))
            return int(cur.execute("SELECT attempts FROM {t:lx_poison} WHERE key=%s", (key,)).scalar(0))

    def parked(self, key: str, origin: str, reason: str, attempts: int) -> None:
        now = datetime.now(timezone.utc).isoformat()
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO {t:lx_poison} (key, origin, attempts, parked, reason, updated_at) "
                        "VALUES (%s, %s, %s, 1, %s, %s) ON CONFLICT (key) DO UPDATE SET parked = 1, "
                        "reason = %s, attempts = %s, updated_at = %s",
                        (key, origin, attempts, reason[:1000], now, reason[:1000], attempts, now))

    def forget(self, key: str) -> None:
        """The request was answered at last: its count goes (parked ones stay as the record)."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:lx_poison} WHERE key=%s AND parked=0", (key,))

    def counts(self) -> dict[str, int]:
        """Parked messages by origin (`rpc:<method>`, `follow:<source>`)."""
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute("SELECT origin, COUNT(*) AS n FROM {t:lx_poison} WHERE parked=1 GROUP BY origin").all()
        return {r["origin"]: int(r["n"]) for r in rows}
