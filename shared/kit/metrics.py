"""Prometheus metrics of a service process (prometheus-client), and its /metrics HTTP server.

One `Metrics` object holds every metric of the kit on one registry (the process's default
registry in production, so the client's process_* and python_* collectors come along; a fresh
`CollectorRegistry` in tests). Components get small views bound to their labels:

- `RelayMetrics(service)`: `langxanh_relay_*` and `langxanh_log_head` after each relay run;
- `FollowerMetrics(service, source)`: what a `Follower` saw and applied (`langxanh_follower_*`);
- `Metrics.command(...)`: the RPC wrapper counts each call and its latency.

Follower lag, precisely: `source_sequence` is the highest sequence the *source* showed this
follower — in a page its `events_since` returned, or as its log head (a short page reaches the
head; after a failed catch-up the follower asks the source's `ping` for `log_head`). A pushed
message is only a wake-up and its sequence is not trusted for it. `lag = max(0, source_sequence -
position)`, where position is the last sequence its projection applied: events the source has
that the follower has not applied, relayed or not (events_since reads the source's log).
`langxanh_parked_total` counts the poison guard's parked messages (shared/kit/poison.py).

The HTTP server (`prometheus_client.start_http_server`) is started once per process by the first
service kit that starts there, on `LANGXANH_METRICS_PORT` + the service's offset in the catalogue,
and stopped when the last one stops. It works under eventlet's monkey-patching (green threads).
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

log = logging.getLogger(__name__)

OUTCOMES = ("ok", "refused", "error")
KINDS = ("command", "query")


class Metrics:
    """Every metric of the kit, on one registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        r = REGISTRY if registry is None else registry
        self.registry = r
        self.commands = Counter(
            "langxanh_commands", "RPC calls handled, by service, kind (command or query), RPC name and outcome "
            "(ok; refused = a typed error sent to the caller; error = any other exception).",
            ["service", "kind", "command", "outcome"], registry=r)
        self.command_seconds = Histogram(
            "langxanh_command_duration_seconds", "Time to handle one RPC call (any outcome), in seconds.",
            ["service", "kind", "command"], registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
        self.log_head = Gauge("langxanh_log_head", "Last notification id of the service's own log.",
                              ["service"], registry=r)
        self.relay_position = Gauge("langxanh_relay_position",
                                    "Last notification id the relay published (confirmed by the broker) and recorded.",
                                    ["service"], registry=r)
        self.relay_lag = Gauge("langxanh_relay_lag", "Events stored but not yet published: log head - relay position.",
                               ["service"], registry=r)
        self.relay_holder = Gauge("langxanh_relay_holder",
                                  "1 when this process holds the service's relay lock (it is the one that publishes).",
                                  ["service"], registry=r)
        self.relay_published = Counter("langxanh_relay_published", "Messages the relay of this process published.",
                                       ["service"], registry=r)
        self.follower_position = Gauge("langxanh_follower_position",
                                       "Last sequence of the source's stream the follower applied.",
                                       ["service", "source"], registry=r)
        self.follower_source_sequence = Gauge(
            "langxanh_follower_source_sequence",
            "Highest sequence of the source's stream the follower has seen (pushed, or pulled with events_since).",
            ["service", "source"], registry=r)
        self.follower_lag = Gauge("langxanh_follower_lag",
                                  "Events of the source seen but not applied: source_sequence - position (>= 0).",
                                  ["service", "source"], registry=r)
        self.follower_applied = Counter("langxanh_follower_applied", "Events of the source the follower applied.",
                                        ["service", "source"], registry=r)
        self.follower_duplicates = Counter("langxanh_follower_duplicates",
                                           "Events pushed at or before the position (redeliveries), skipped.",
                                           ["service", "source"], registry=r)
        self.follower_pulls = Counter("langxanh_follower_pulls", "events_since calls made to the source (catch-ups).",
                                      ["service", "source"], registry=r)
        self.follower_unconfirmed = Counter(
            "langxanh_follower_unconfirmed", "Pushed messages announcing a sequence the source did not have when "
            "asked (forged, or ahead of the source's log): nothing of them applied.", ["service", "source"], registry=r)
        self.follower_unknown = Counter(
            "langxanh_follower_unknown", "Events of the source no contract of this process has (a newer type or "
            "version, or data its contract refuses): logged and passed over, by type.",
            ["service", "source", "type"], registry=r)
        self.parked = Counter(
            "langxanh_parked", "Messages parked by the poison guard, by where (rpc:<method> in rpc-<service>.parked, "
            "follow:<source> in <service>.follows.<source>.parked) and kind (deliveries = an RPC request delivered "
            "too often without completing; invalid = not a valid envelope; failed = handling failed too often).",
            ["service", "where", "kind"], registry=r)
        self.errors = Counter("langxanh_errors",
                              "Failures of the background work: where=relay (a relay run failed) or "
                              "follow:<source> (consuming, handling or catching up with that source failed).",
                              ["service", "where"], registry=r)

    # -- the RPC wrapper ----------------------------------------------------------------------------
    def command(self, service: str, kind: str, command: str, outcome: str, seconds: float) -> None:
        self.commands.labels(service, kind, command, outcome).inc()
        self.command_seconds.labels(service, kind, command).observe(seconds)

    def parked_message(self, service: str, where: str, kind: str) -> None:
        self.parked.labels(service, where, kind).inc()

    def error(self, service: str, where: str) -> None:
        self.errors.labels(service, where).inc()

    def relay(self, service: str) -> "RelayMetrics":
        return RelayMetrics(self, service)

    def follower(self, service: str, source: str) -> "FollowerMetrics":
        return FollowerMetrics(self, service, source)

    def value(self, name: str, **labels: str) -> float:
        """One sample's value (0 when absent): for tests and `langxanh health`."""
        found = self.registry.get_sample_value(name, labels)
        return 0.0 if found is None else found


class RelayMetrics:
    def __init__(self, metrics: Metrics, service: str) -> None:
        self.service = service
        self.head = metrics.log_head.labels(service)
        self.position = metrics.relay_position.labels(service)
        self.lag = metrics.relay_lag.labels(service)
        self.holder = metrics.relay_holder.labels(service)
        self.published = metrics.relay_published.labels(service)

    def observe(self, state: dict[str, Any], published: int = 0) -> None:
        """After a relay run: `state` as `Relay.state()` returns it, `published` its count."""
        if published:
            self.published.inc(published)
        self.head.set(state["head"])
        self.position.set(state["position"])
        self.lag.set(state["lag"])
        self.holder.set(1 if state["holder"] else 0)


class FollowerMetrics:
    """What one follower reports; `Follower` calls these as it goes."""

    def __init__(self, metrics: Metrics, service: str, source: str) -> None:
        self._position = metrics.follower_position.labels(service, source)
        self._seen = metrics.follower_source_sequence.labels(service, source)
        self._lag = metrics.follower_lag.labels(service, source)
        self._applied = metrics.follower_applied.labels(service, source)
        self._duplicates = metrics.follower_duplicates.labels(service, source)
        self._pulls = metrics.follower_pulls.labels(service, source)
        self._unconfirmed = metrics.follower_unconfirmed.labels(service, source)
        self._unknown = metrics.follower_unknown
        self._labels = (service, source)

    def applied(self, n: int = 1) -> None:
        if n:
            self._applied.inc(n)

    def duplicate(self) -> None:
        self._duplicates.inc()

    def pulled(self) -> None:
        self._pulls.inc()

    def unconfirmed(self) -> None:
        self._unconfirmed.inc()

    def unknown(self, event_type: str) -> None:
        self._unknown.labels(*self._labels, event_type[:200]).inc()

    def state(self, position: int, source_sequence: int) -> None:
        self._position.set(position)
        self._seen.set(source_sequence)
        self._lag.set(max(0, source_sequence - position))


_metrics: Metrics | None = None
_metrics_lock = threading.Lock()


def kit_metrics() -> Metrics:
    """The process's metrics, on prometheus-client's default registry (created once)."""
    global _metrics
    with _metrics_lock:
        if _metrics is None:
            _metrics = Metrics()
        return _metrics


# -- the HTTP endpoint: one per process, shared by the services it runs ------------------------------
def metrics_port(base: int, service: str, services: list[str]) -> int:
    """`base` + the service's offset in the catalogue (sites 0, inspections 1, …); 0 = off."""
    if not base:
        return 0
    return base + (services.index(service) if service in services else 0)


class MetricsServer:
    """Refcounted `start_http_server`: the first `acquire` starts it, the last `release` stops it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: Any = None
        self._users = 0
        self.port = 0

    def acquire(self, port: int, host: str = "0.0.0.0", registry: CollectorRegistry | None = None) -> int:
        """Serve /metrics on `port` unless this process already serves it; returns the port
        served (0 when the port could not be bound: logged, the service runs on without it)."""
        from prometheus_client import start_http_server

        with self._lock:
            self._users += 1
            if self._server is None:
                try:
                    self._server, self._thread = start_http_server(port, addr=host,
                                                                   registry=registry or REGISTRY)
                    self.port = self._server.server_address[1]
                    log.info("metrics on http://%s:%d/metrics", host, self.port)
                except (OSError, OverflowError) as e:
                    log.error("cannot serve metrics on %s:%d (%s); set LANGXANH_METRICS_PORT to a free port "
                              "(each process on one host needs its own)", host, port, e)
                    self.port = 0
            return self.port

    def release(self) -> None:
        with self._lock:
            self._users = max(0, self._users - 1)
            if self._users == 0 and self._server is not None:
                server, self._server = self._server, None
                self.port = 0
                try:
                    server.shutdown()
                    server.server_close()
                except Exception:  # noqa: BLE001 - stopping a server that failed
                    log.exception("stopping the metrics server failed")


SERVER = MetricsServer()
