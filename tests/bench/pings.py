"""Every service's `ping` answered while it works (issue 18, P5): one thread per service sends a
ping every `interval` seconds through its own client and records how long the answer took. A ping
not answered within `timeout` counts as that long (a hub blocked for minutes shows as such, it is
not skipped). `summary()` gives per service the samples, p50/p99/max in ms and the misses."""
from __future__ import annotations

import threading
import time

from shared.kit.client import ServiceClient
from tests.bench.common import pct


class PingWatch:
    def __init__(self, amqp_uri: str, services: tuple[str, ...], interval: float = 0.5, timeout: float = 10.0) -> None:
        self.amqp_uri, self.services, self.interval, self.timeout = amqp_uri, services, interval, timeout
        self.seconds: dict[str, list[float]] = {s: [] for s in services}
        self.missed: dict[str, int] = {s: 0 for s in services}
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._watch, args=(s,), daemon=True) for s in services]

    def __enter__(self) -> "PingWatch":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopped.set()
        for t in self.threads:
            t.join(self.timeout + 5)

    def _watch(self, service: str) -> None:
        with ServiceClient(amqp_uri=self.amqp_uri, timeout=self.timeout) as c:
            while not self.stopped.is_set():
                t0 = time.perf_counter()
                try:
                    c.call(service, "ping")
                    self.seconds[service].append(time.perf_counter() - t0)
                except Exception:  # noqa: BLE001 - not answered in time (or not up yet): counted as the timeout
                    self.seconds[service].append(max(self.timeout, time.perf_counter() - t0))
                    self.missed[service] += 1
                self.stopped.wait(self.interval)

    def summary(self) -> dict[str, dict]:
        out = {}
        for s, values in self.seconds.items():
            out[s] = {"samples": len(values), "missed": self.missed[s],
                      "p50_ms": pct(values, 50) * 1000 if values else None,
                      "p99_ms": pct(values, 99) * 1000 if values else None,
                      "max_ms": max(values) * 1000 if values else None}
        return out
