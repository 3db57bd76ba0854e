"""RabbitMQ plumbing with kombu: the public exchange, a confirming publisher, a stream consumer."""
from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from kombu import Connection, Exchange, Producer, Queue
from nameko.exceptions import UnknownService

from shared.kit.poison import StreamGuard
from shared.kit.store import green

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/cloudevents+json"


def events_exchange(name: str) -> Exchange:
    return Exchange(name, type="topic", durable=True)


class Nacked(Exception):
    """The broker refused (nacked) a message, or did not confirm it in time."""


class KombuPublisher:
    """Publishes CloudEvents with publisher confirms.

    `publish` returns once the broker acked the message. Inside `with publisher.confirms():` it
    only sends, and the block's exit waits for the broker to have acked every message sent in it
    (raising `Nacked` on a refusal or a timeout): a batch costs one confirm round trip (and one
    broker fsync) instead of one per message, and nothing sent is taken as confirmed before exit.
    """

    def __init__(self, amqp_uri: str, exchange: str, confirm_timeout: float = 30.0) -> None:
        self.amqp_uri = amqp_uri
        self.exchange = events_exchange(exchange)
        self.confirm_timeout = confirm_timeout
        self.connection: Connection | None = None
        self.producer: Producer | None = None
        self._batching = False
        self._next_tag = 0           # delivery tag of the last message sent on this channel
        self._unconfirmed: set[int] = set()
        self._nacked = False

    def _on_ack(self, delivery_tag: int, multiple: bool) -> None:
        if multiple:
            self._unconfirmed = {t for t in self._unconfirmed if t > delivery_tag}
        else:
            self._unconfirmed.discard(delivery_tag)

    def _on_nack(self, delivery_tag: int, multiple: bool) -> None:
        self._nacked = True
        self._on_ack(delivery_tag, multiple)

    def _producer(self) -> Producer:
        if self.producer is None:
            self.connection = Connection(self.amqp_uri, connect_timeout=10)
            channel = self.connection.channel()
            self.exchange(channel).declare()
            channel.confirm_select()
            channel.events["basic_ack"].add(self._on_ack)
            channel.events["basic_nack"].add(self._on_nack)
            self._next_tag, self._unconfirmed, self._nacked = 0, set(), False
            self.producer = Producer(channel, exchange=self.exchange)
        return self.producer

    def publish(self, routing_key: str, event: dict) -> None:
        try:
            self._producer().publish(
                json.dumps(event, ensure_ascii=False).encode(),
                routing_key=routing_key,
                content_type=CONTENT_TYPE,
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=event["id"],
                mandatory=False,
            )
            self._next_tag += 1
            self._unconfirmed.add(self._next_tag)
            if not self._batching:
                self._wait_confirms()
        except Exception:
            self.close()  # a broken channel: reconnect on the next publish
            raise

    def _wait_confirms(self) -> None:
        deadline = time.monotonic() + self.confirm_timeout
        while self._unconfirmed and not self._nacked:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Nacked(f"{len(self._unconfirmed)} message(s) not confirmed in {self.confirm_timeout:.0f} s")
            try:
                self.connection.drain_events(timeout=remaining)  # type: ignore[union-attr]
            except socket.timeout:
                pass
        if self._nacked:
            raise Nacked("the broker nacked a message")

    @contextmanager
    def confirms(self) -> Iterator[None]:
        """Send every publish of the block at once; return only when all of them were confirmed."""
        self._batching = True
        try:
            yield
        finally:
            self._batching = False
        if self.producer is not None:
            try:
                self._wait_confirms()
            except Exception:
                self.close()
                raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.release()
            except Exception:  # noqa: BLE001 - closing a dead connection
                pass
        self.connection = None
        self.producer = None
        self._unconfirmed = set()


def decode(body: bytes | str | dict) -> dict:
    if isinstance(body, dict):
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    return json.loads(body)


class StreamConsumer:
    """Consumes the public stream from a queue bound to `langxanh.events`.

    `durable=True` for a follower's own queue (messages wait while it is down); a CLI tail uses
    an exclusive auto-delete queue. `bind()` declares and binds before anything is consumed, so a
    caller can bind, backfill, then consume with no gap. The handler acks by returning; an
    exception requeues the message — through the poison guard (shared/kit/poison.py): a message
    that is not a valid envelope of `source` (by default the service of patterns `<service>.#`) is
    parked in `<queue>.parked` at once (dropped from a non-durable queue), one whose handling failed
    `max_failures` times is parked.
    """

    def __init__(self, amqp_uri: str, exchange: str, patterns: list[str], queue: str | None = None,
                 durable: bool = True, prefetch: int = 50, source: str | None = None, max_failures: int = 5,
                 on_parked: Callable[[str, str, str], None] | None = None) -> None:
        self.amqp_uri = amqp_uri
        self.source = source or _source_of(patterns)
        self.durable = durable
        self.max_failures = max_failures
        self.on_parked = on_parked
        self.guard: StreamGuard | None = None
        self.connection = Connection(amqp_uri, connect_timeout=10)
        self.exchange = events_exchange(exchange)
        name = queue or ""
        self.queues = [
            Queue(name, exchange=self.exchange, routing_key=pattern, durable=durable,
                  exclusive=not durable, auto_delete=not durable)
            for pattern in patterns
        ]
        self.prefetch = prefetch
        self.stopped = threading.Event()
        self._consumer = None

    def bind(self) -> str:
        channel = self.connection.default_channel
        self.exchange(channel).declare()
        first = self.queues[0](channel)
        first.declare()
        self.queue_name = first.name
        for q in self.queues[1:]:
            channel.queue_bind(self.queue_name, self.exchange.name, q.routing_key)
        return self.queue_name

    def unbind(self) -> None:
        """Take the queue off the exchange (its patterns) for a catch-up by pulling that reads all
        of it anyway (FollowLoop's start); `bind()` puts it back. What is in the queue stays there
        (garbage in it is still parked when consumed, not dropped unseen)."""
        channel = self.connection.default_channel
        for q in self.queues:
            channel.queue_unbind(self.queue_name, self.exchange.name, q.routing_key)

    def run(self, handler: Callable[[dict], None], idle: Callable[[], None] | None = None) -> None:
        if not getattr(self, "queue_name", None):
            self.bind()
        channel = self.connection.default_channel
        channel.basic_qos(0, self.prefetch, False)
        if self.guard is None:
            self.guard = StreamGuard(self.amqp_uri, self.queue_name, self.source, durable=self.durable,
                                     max_failures=self.max_failures, on_parked=self.on_parked,
                                     pause=self.stopped.wait)
        guard = self.guard

        def on_message(message):  # type: ignore[no-untyped-def]
            guard.deliver(message, handler)

        queue = Queue(self.queue_name, exchange=self.exchange, no_declare=True)
        with self.connection.Consumer([queue], on_message=on_message, channel=channel):
            turn = green()
            while not self.stopped.is_set():
                try:
                    self.connection.drain_events(timeout=0.5)
                except socket.timeout:
                    pass
                if turn:
                    # A green socket's recv yields only when nothing is there to read: with a full
                    # queue (a follower that caught up by pulling drains the relay's duplicates)
                    # this loop would hold the hub until the queue is empty (P5's pings waited
                    # 4-5 s). After each message the service gets a turn.
                    time.sleep(0)
                if idle:
                    idle()  # on its own interval, even while messages keep coming

    def stop(self) -> None:
        self.stopped.set()

    def close(self) -> None:
        self.stop()
        try:
            self.connection.release()
        except Exception:  # noqa: BLE001
            pass


def _source_of(patterns: list[str]) -> str | None:
    """`sites` for ["sites.#"]: the one service whose stream the patterns select, if any."""
    services = {p.split(".", 1)[0] for p in patterns}
    service = services.pop() if len(services) == 1 else ""
    return service if re.fullmatch(r"[a-z][a-z0-9_]*", service) else None


class FollowLoop:
    """Feeds a follower from its own durable queue on the public stream: catches up at start and
    every `interval` seconds when idle, reconnects after a broker failure. Runs until `stop()`.
    Used by services (in a nameko managed thread) and by the bot (in a plain thread)."""

    def __init__(self, follower, amqp_uri: str, exchange: str, queue: str, interval: float,  # type: ignore[no-untyped-def]
                 owner: str, on_error: Callable[[], None] | None = None, max_failures: int = 5,
                 on_parked: Callable[[str, str, str], None] | None = None) -> None:
        """`on_error()` is called on each failure (a catch-up, a handled event, the consumer);
        `on_parked(kind, key, reason)` on each message the poison guard parked."""
        self.follower = follower
        self.max_failures = max_failures
        self.on_parked = on_parked
        self.parked = 0
        self.on_error = on_error
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.queue = queue
        self.interval = interval
        self.owner = owner
        self._stopping = threading.Event()
        self._consumer: StreamConsumer | None = None
        self._last = 0.0
        self.ready = threading.Event()  # set once the start's catch-up is done and pushes come again

    def _failed(self) -> None:
        if self.on_error is not None:
            try:
                self.on_error()
            except Exception:  # noqa: BLE001 - counting must never stop the loop
                log.exception("on_error failed")

    def _handle(self, event: dict) -> None:
        try:
            self.follower.handle(event)
        except Exception:
            self._failed()
            raise  # the consumer requeues the message

    def _idle(self, force: bool = False) -> None:
        if not force and time.monotonic() - self._last < self.interval:
            return
        self._last = time.monotonic()
        if self._stopping.is_set():
            return  # no new call to a source while this process stops (its clients are closing)
        try:
            self.follower.catch_up()
        except Exception as e:  # the source may be down (or still starting): try again later
            self._failed()
            self._log_failed_catch_up(e)
            try:
                self.follower.refresh_head()  # the lag counts from the source's head all the same
            except Exception:  # noqa: BLE001 - the source is away
                log.debug("%s: the head of %s is unknown", self.owner, self.follower.source, exc_info=True)

    def _log_failed_catch_up(self, e: Exception) -> None:
        """A source that never started on this broker yet (nameko: `UnknownService`, its queue does
        not exist) is the rule on a first `langxanh up`, where every process starts at once: said
        at INFO, not as a warning. A failure while this process stops is its own closing clients."""
        if self._stopping.is_set():
            log.debug("%s: catching up with %s stopped (%s)", self.owner, self.follower.source, type(e).__name__)
        elif isinstance(e, UnknownService):
            log.info("%s: %s is not running yet; catching up when it answers (every %.0f s)", self.owner,
                     self.follower.source, self.interval)
        else:
            log.warning("%s: catching up with %s failed (%s: %s); retrying in %.0f s", self.owner,
                        self.follower.source, type(e).__name__, e, self.interval)

    def run(self) -> None:
        source = self.follower.source
        while not self._stopping.is_set():
            consumer = StreamConsumer(self.amqp_uri, self.exchange, [f"{source}.#"], queue=self.queue, durable=True,
                                      source=source, max_failures=self.max_failures, on_parked=self._parked)
            self._consumer = consumer
            try:
                consumer.bind()
                self._start_unbound(consumer)
                self.ready.set()
                consumer.run(self._handle, idle=self._idle)
            except Exception:
                if self._stopping.is_set():
                    break
                self._failed()
                log.warning("%s: following %s failed; reconnecting", self.owner, source, exc_info=True)
                self._stopping.wait(1)
            finally:
                consumer.close()
                self._consumer = None

    def _start_unbound(self, consumer: StreamConsumer) -> None:
        """The start's catch-up, with the queue off the exchange: everything the source has is
        pulled, so what its relay pushes meanwhile (a long backlog's every event) would only be
        duplicates, each a persistent delivery and an ack for the broker and a message for this
        process (P5). Then the queue is bound again and the follower pulls once more, so an event
        stored while it was unbound is not missed; from there on, pushes. What waited in the queue
        before the start is consumed after it (duplicates by then, garbage parked). A replica of
        this service consuming the same queue meanwhile still catches up every `interval` seconds."""
        consumer.unbind()
        try:
            self._idle(force=True)
        finally:
            consumer.bind()
        self._idle(force=True)

    def _parked(self, kind: str, key: str, reason: str) -> None:
        self.parked += 1
        self._failed()
        if self.on_parked is not None:
            self.on_parked(kind, key, reason)

    def stop(self) -> None:
        self._stopping.set()
        if self._consumer is not None:
            self._consumer.stop()
