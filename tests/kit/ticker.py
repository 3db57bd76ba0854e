"""A 10 ms ticker greenthread for the probes that check a service process keeps taking turns
(tests/kit/*_ticker_probe.py, run in a process eventlet patched first). `gaps` are how long it
waited for each of its turns: work that never yields shows as one gap its whole length."""
from __future__ import annotations

import time

import eventlet


class Ticker:
    def __init__(self, every: float = 0.01) -> None:
        self.every = every
        self.gaps: list[float] = []
        self._running = False
        self._thread = None

    def _run(self) -> None:
        last = time.monotonic()
        while self._running:
            eventlet.sleep(self.every)
            now = time.monotonic()
            self.gaps.append(now - last)
            last = now

    def __enter__(self) -> "Ticker":
        self._running = True
        self._thread = eventlet.spawn(self._run)
        eventlet.sleep(0.02)
        self.gaps.clear()  # from here on: the work's own
        return self

    def __exit__(self, *exc: object) -> None:
        self._running = False
        self._thread.wait()  # type: ignore[union-attr]

    def max_gap_ms(self, otherwise: float) -> float:
        """The longest wait in ms (`otherwise` seconds when it never got a turn)."""
        return round(max(self.gaps, default=otherwise) * 1000, 1)
