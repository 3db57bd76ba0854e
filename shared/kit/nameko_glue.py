"""nameko glue: the one dependency provider every service uses, and the RPC entrypoint wrapper.

A service class stays thin: it declares `kit = ServiceKit(...)` and entrypoints decorated with
`rpc_method(Contract)`, each a one-line call into its Application.
"""
from __future__ import annotations

import os
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import eventlet
from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableConnectionError
from kombu.exceptions import OperationalError
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc as NamekoRpc
from pydantic import ValidationError

from shared.catalog import SERVICES
from shared.contracts.base import Command
from shared.kit import access
from shared.kit.actor import SYSTEM
from shared.kit.assertion import verifier_for
from shared.kit.audit import AuditTrail
from shared.kit.amqp import FollowLoop, KombuPublisher
from shared.kit.client import ServiceClient, register_errors
from shared.kit.config import Settings, get_settings
from shared.kit.eventstore import Composition
from shared.kit.errors import KINDS, Forbidden, InvalidInput, LangXanhError, as_kind
from shared.kit.follower import Follower
from shared.kit.metrics import SERVER, kit_metrics, metrics_port
from shared.kit.poison import DeliveryLog
from shared.kit.public import PublicMapper
from shared.kit.relay import AdvisoryLock, FileLock, Relay
from shared.kit.rpc_guard import RequestGuard
from shared.kit.rpc_publish import ReplyingRpcConsumer
from shared.kit.source import SourceClient
from shared.kit.store import parse_database_url

log = logging.getLogger(__name__)
register_errors()

# what publishing a reply raises when the broker is gone (restarting, unreachable)
BROKER_GONE = (OSError, OperationalError, AmqpConnectionError, RecoverableConnectionError)


class Rpc(NamekoRpc):
    """nameko's RPC entrypoint, except that a reply the broker cannot take does not kill the service.

    nameko publishes the reply (a few retries) and then acks the request inside the worker; an
    exception there — the broker restarting for longer than the retries — ends the worker thread
    with an error, and nameko kills the whole container (the process exits). Here it is logged and
    the request is requeued (on a dead connection the broker requeues it by itself): it is run
    again, and a command with a `command_id` answers from its record instead of acting twice.

    A request delivered again (`redelivered`) passes the service kit's poison-request guard
    first: past `poison_max_deliveries` deliveries it is parked in `rpc-<service>.parked`, not run.
    """

    rpc_consumer = ReplyingRpcConsumer()  # replies without a publisher confirm (shared/kit/rpc_publish.py)

    def handle_message(self, body, message):  # type: ignore[no-untyped-def]
        """The poison-request guard (shared/kit/rpc_guard.py), for a request delivered again only."""
        if message.delivery_info.get("redelivered"):
            guard = self._request_guard()
            if guard is not None and guard.parks(self.method_name, message, self.rpc_consumer.queue_consumer.ack_message,
                                                 self.rpc_consumer.requeue_message):
                return None
        return super().handle_message(body, message)

    def _request_guard(self):  # type: ignore[no-untyped-def]
        for dependency in self.container.dependencies:
            guard = getattr(dependency, "request_guard", None)
            if guard is not None:
                return guard
        return None

    def handle_result(self, message, worker_ctx, result, exc_info):  # type: ignore[no-untyped-def]
        try:
            answer = super().handle_result(message, worker_ctx, result, exc_info)
        except BROKER_GONE as e:
            log.warning("%s.%s: the reply could not be sent (%s: %s); the request is requeued",
                        self.container.service_name, self.method_name, type(e).__name__, e)
            try:
                self.rpc_consumer.requeue_message(message)
            except BROKER_GONE:
                pass  # the connection is gone: the broker requeues the unacknowledged request itself
            return result, exc_info
        if message.delivery_info.get("redelivered"):
            guard = self._request_guard()
            if guard is not None:
                guard.answered(message)
        return answer

    def setup(self) -> None:
        super().setup()
        self.verifier = verifier_for(get_settings())

    def unpack_message_headers(self, message):  # type: ignore[no-untyped-def]
        """The request's context data, once its actor assertion is verified (shared/kit/assertion.py):
        a call whose actor no component's key vouches for is answered Forbidden and never runs."""
        context = super().unpack_message_headers(message)
        service = self.container.service_name
        try:
            self.verifier.verify(service, self.method_name, context, message.payload)
        except Forbidden as e:
            kit_metrics().error(service, f"actor:{e.rule}")
            log.warning("%s.%s refused: %s (%s)", service, self.method_name, e.message, e.rule)
            raise
        return context


rpc = Rpc.decorator


def invalid_from_validation(error: ValidationError) -> InvalidInput:
    problems = error.errors(include_url=False, include_input=False)
    parts = []
    for p in problems[:10]:
        loc = ".".join(str(x) for x in p["loc"]) or "payload"
        parts.append(f"{loc}: {p['msg']}")
    first = problems[0] if problems else {"loc": (), "type": "invalid"}
    field = ".".join(str(x) for x in first["loc"]) or None
    return InvalidInput("; ".join(parts) or "invalid input", field, str(first["type"]))


def rpc_method(contract: Any = None):  # type: ignore[no-untyped-def]
    """An RPC entrypoint whose input is validated by a pydantic contract and whose expected
    errors reach the caller as the kit's typed exception classes."""

    kind = "command" if isinstance(contract, type) and issubclass(contract, Command) else "query"

    def decorate(fn):  # type: ignore[no-untyped-def]
        def entry(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            outcome = "error"  # anything but a typed error is a failure of ours
            try:
                if contract is None:
                    access.guard(self, fn.__name__)  # the service's role table (shared/kit/access.py)
                    answer = fn(self, *args, **kwargs)
                else:
                    if args:
                        names = list(contract.model_fields)
                        if len(args) > len(names):
                            raise InvalidInput(f"too many arguments: {len(args)}", None, "arity")
                        for name, value in zip(names, args):
                            if name in kwargs:
                                raise InvalidInput(f"{name} given twice", name, "arity")
                            kwargs[name] = value
                    valid = contract.model_validate(kwargs)
                    access.guard(self, fn.__name__)  # the service's role table (shared/kit/access.py)
                    answer = fn(self, valid)
                outcome = "ok"
                return answer
            except ValidationError as e:
                outcome = "refused"
                raise invalid_from_validation(e) from None
            except LangXanhError as e:
                outcome = "refused"
                raise as_kind(e) from None
            finally:
                count_call(getattr(self, "name", "?"), kind, fn.__name__, outcome, time.perf_counter() - started)

        entry.__name__ = fn.__name__
        entry.__qualname__ = fn.__qualname__
        entry.__doc__ = fn.__doc__
        entry.contract = contract  # type: ignore[attr-defined]
        entry.kind = kind  # type: ignore[attr-defined]
        return rpc(expected_exceptions=KINDS)(entry)

    return decorate


def count_call(service: str, kind: str, name: str, outcome: str, seconds: float) -> None:
    """langxanh_commands_total and the latency histogram; never fails the call."""
    try:
        kit_metrics().command(service, kind, name, outcome, seconds)
    except Exception:  # noqa: BLE001
        log.exception("counting %s.%s failed", service, name)


class Kit:
    """What the kit itself answers an entrypoint (the backfill, the health, the audit trail, the
    followers); the Application, the read models and the actor come by providers of their own
    (shared/kit/providers.py)."""

    def __init__(self, provider: "ServiceKit", worker_ctx: Any) -> None:
        self.provider = provider
        self.audit = provider.audit
        self.followers = provider.followers
        self.settings = provider.settings

    def events_since(self, position: int, limit: int) -> list[dict]:
        return self.provider.mapper.events_since(position, limit)

    def health(self) -> dict:
        return self.provider.health()


class ServiceKit(DependencyProvider):
    """Builds the service's composition from settings (its `bootstrap`: store, read models,
    followed projections, Application) and its relay; runs the relay right after each save and on
    a timer."""

    def __init__(self, service: str, bootstrap: Callable[[Settings], Composition], contracts: list,
                 follows: tuple[str, ...] = ()) -> None:
        """`bootstrap(settings)` is the service's composition root (services/<name>/bootstrap.py);
        `follows` names the sources whose public streams it follows (from durable queues of its
        own), each kept by the projection the bootstrap built for it."""
        self.service = service
        self.bootstrap = bootstrap
        self.contracts = contracts
        self.follows = tuple(follows)
        self.app: Any = None
        self.views: Any = None
        self.followers: dict[str, Follower] = {}

    def setup(self) -> None:
        settings = get_settings()
        amqp_uri = self.container.config.get("AMQP_URI", settings.amqp_uri)
        self.settings = settings
        built = self.bootstrap(settings)
        if set(built.follows) != set(self.follows):
            raise LookupError(f"{self.service}: the bootstrap keeps {sorted(built.follows)}, the kit follows "
                              f"{sorted(self.follows)}")
        self.store, self.app, self.views = built.store, built.app, built.views
        db = built.store.db
        self.mapper = PublicMapper(self.service, self.app, self.contracts, place=getattr(self.app, "place_of", None))
        self.audit = AuditTrail(db, built.store, self.service)  # who did what, from the own log (shared/kit/audit.py)
        if settings.uses_postgres:
            lock: Any = AdvisoryLock(parse_database_url(settings.database_url or ""), f"langxanh-relay-{settings.schema_for(self.service)}")
        else:
            lock = FileLock(settings.data_dir / f"{self.service}.relay.lock")
        self.relay = Relay(self.mapper, db, KombuPublisher(amqp_uri, settings.exchange), lock, settings.services.relay_batch)
        self.amqp_uri = amqp_uri
        self.metrics = kit_metrics()
        self.relay_metrics = self.metrics.relay(self.service)
        self.deliveries = DeliveryLog(db)
        self.request_guard = RequestGuard(self.service, amqp_uri, self.container.config, self.deliveries,
                                          settings.services.poison_max_deliveries, on_parked=self._parked)
        self.sources: dict[str, SourceClient] = {}
        for source in self.follows:
            self.followers[source] = Follower(source, built.follows[source], self._backfill(source),
                                              metrics=self.metrics.follower(self.service, source),
                                              head=self._head(source))
        self.metrics_port = 0
        self._serving_metrics = False
        self._loops: list[FollowLoop] = []
        self._kick = threading.Event()
        self._stopping = False
        self.app.on_saved = self.kick  # the relay runs right after each save (and on its timer)

    def start(self) -> None:
        port = metrics_port(self.settings.services.metrics_port, self.service, list(SERVICES))
        if port:  # one /metrics endpoint per process (the first service's port), off by default
            self.metrics_port = SERVER.acquire(port, self.settings.services.metrics_host)
            self._serving_metrics = True
        self.container.spawn_managed_thread(self._relay_loop, identifier=f"{self.service}.relay")
        self._follow_threads = [
            self.container.spawn_managed_thread(lambda s=source, f=follower: self._follow_loop(s, f),
                                                identifier=f"{self.service}.follows.{source}")
            for source, follower in self.followers.items()]

    def _source(self, source: str) -> SourceClient:
        """One RPC client kept open per source (one reply queue), signed as this service with role
        system: a wake-up costs a warm call (shared/kit/source.py)."""
        if source not in self.sources:
            self.sources[source] = SourceClient(source, lambda: ServiceClient(
                self.settings, SYSTEM, self.settings.rpc_timeout, self.amqp_uri, component=self.service))
        return self.sources[source]

    def _backfill(self, source: str):  # type: ignore[no-untyped-def]
        return self._source(source).events_since

    def _head(self, source: str):  # type: ignore[no-untyped-def]
        return self._source(source).log_head

    def _parked(self, origin: str, kind: str = "deliveries", key: str = "", reason: str = "") -> None:
        """A message parked (`origin` rpc:<method> or follow:<source>): counted, and for a stream
        message recorded in the store (a parked request is recorded by the guard itself)."""
        self.metrics.parked_message(self.service, origin, kind)
        if origin.startswith("follow:"):
            self.deliveries.parked(f"{origin}:{key}:{uuid.uuid4().hex[:8]}", origin, reason, 0)

    def _follow_loop(self, source: str, follower: Follower) -> None:
        """Consume `source`'s public events from this service's durable queue (kit FollowLoop)."""
        loop = FollowLoop(follower, self.amqp_uri, self.settings.exchange, f"{self.service}.follows.{source}",
                          self.settings.follow_catch_up_interval, owner=self.service,
                          on_error=lambda: self.metrics.error(self.service, f"follow:{source}"),
                          max_failures=self.settings.follow_max_failures,
                          on_parked=lambda kind, key, reason: self._parked(f"follow:{source}", kind, key, reason))
        self._loops.append(loop)
        if self._stopping:
            return
        loop.run()

    def _relay_loop(self) -> None:
        while not self._stopping:
            published = 0
            try:
                published = self.relay.run_once()
                self.audit.catch_up()  # kept current beside the relay, so a trail query rarely waits
            except Exception:  # broker or store away: log, try again on the next tick
                self.metrics.error(self.service, "relay")
                log.exception("%s relay run failed; retrying", self.service)
            self._observe_relay(published)
            self._kick.wait(self.settings.services.relay_interval)
            self._kick.clear()

    def _observe_relay(self, published: int) -> None:
        try:
            self.relay_metrics.observe(self.relay.state(), published)
        except Exception:  # noqa: BLE001 - the store is away: the relay run said so already
            log.debug("%s: relay state unavailable", self.service, exc_info=True)

    def health(self) -> dict:
        """The ping answer: who answers, its log head, its relay and its followers."""
        relay = self.relay.state()
        parked = self.deliveries.counts()
        followers = {}
        for source, follower in self.followers.items():
            position = follower.position
            seen = max(follower.source_sequence, position)
            followers[source] = {"position": position, "source_sequence": seen, "source_head": follower.source_head,
                                 "lag": seen - position, "applied": follower.applied,
                                 "duplicates": follower.duplicates, "pulls": follower.pulls,
                                 "unconfirmed": follower.unconfirmed, "parked": parked.pop(f"follow:{source}", 0)}
        return {"service": self.service, "log_head": relay["head"], "pid": os.getpid(), "host": socket.gethostname(),
                "relay": {"position": relay["position"], "lag": relay["lag"], "holder": relay["holder"]},
                "followers": followers, "parked": {"requests": sum(parked.values()), "by_origin": parked},
                "metrics_port": self.metrics_port or None}

    def kick(self) -> None:
        self._kick.set()

    def stop(self) -> None:
        self._stopping = True
        self._kick.set()
        self._stop_metrics()
        for loop in list(self._loops):
            loop.stop()
        self._end_follow_threads()
        self._close_sources()
        try:
            self.relay.run_once()  # publish what the last workers saved
        except Exception:  # noqa: BLE001
            log.exception("final relay run failed; the next start publishes it")
        self.relay.close()
        self.relay.publisher.close()
        self.app.close()

    def kill(self) -> None:
        self._stopping = True
        self._kick.set()
        for loop in list(self._loops):
            loop.stop()
        self._stop_metrics()
        self._close_sources(wait=False)

    def _end_follow_threads(self, wait: float = 1.0) -> None:
        """A stopped follow loop ends by itself within half a second (its consumer's drain timeout),
        unless it is inside a call to its source: when every service stops at once (a Ctrl-C),
        that call may wait its whole RPC timeout for a source that has stopped already. Such a call
        is abandoned here, quietly (a follower's position moves only with what it applied: nothing
        is lost), instead of nameko killing the thread later with a warning."""
        deadline = time.monotonic() + wait
        for thread in getattr(self, "_follow_threads", []):
            with eventlet.Timeout(max(0.0, deadline - time.monotonic()), False):
                try:
                    thread.wait()
                except Exception:  # noqa: BLE001 - the thread's own failure: the container reports it
                    pass
        threads = getattr(self, "_follow_threads", [])
        for thread in threads:
            if not thread.dead:
                log.info("%s: a follower's call to its source abandoned at the stop", self.service)
                thread.kill()
        ends = time.monotonic() + 0.5  # a killed loop's cleanup (its connection closed) may still yield:
        while any(not t.dead for t in threads) and time.monotonic() < ends:  # let it end before nameko looks
            eventlet.sleep(0.01)

    def _close_sources(self, wait: bool = True) -> None:
        for source in getattr(self, "sources", {}).values():
            source.close(wait)

    def _stop_metrics(self) -> None:
        if getattr(self, "_serving_metrics", False):
            self._serving_metrics = False
            SERVER.release()

    def get_dependency(self, worker_ctx: Any) -> Kit:
        return Kit(self, worker_ctx)
