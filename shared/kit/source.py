"""A follower's line to its source: `events_since` and the log head over one RPC client kept open.

A pushed message is only a wake-up (shared/kit/follower.py), so each one that is not a duplicate
costs a pull: over a client opened per call that is a broker connection, a reply queue and a
consumer each time. This keeps one client per source (opened on first use), and on a broken
connection reopens it and tries once more. One caller at a time (a follower pulls under its lock).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableConnectionError
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)
GONE = (OSError, OperationalError, AmqpConnectionError, RecoverableConnectionError)


class SourceClient:
    """`make_client()` returns a (not yet entered) `ServiceClient`."""

    def __init__(self, source: str, make_client: Callable[[], Any]) -> None:
        self.source = source
        self.make_client = make_client
        self._client: Any = None
        self._lock = threading.RLock()

    def _call(self, rpc: str, **kwargs: Any) -> Any:
        with self._lock:
            for attempt in (1, 2):
                if self._client is None:
                    self._client = self.make_client().__enter__()
                try:
                    return self._client.call(self.source, rpc, **kwargs)
                except GONE:
                    self.close()
                    if attempt == 2:
                        raise
                    log.info("the connection to %s broke; reopening it", self.source)
                except Exception:
                    self.close()  # a timeout leaves a reply behind on this client's queue: start afresh
                    raise
        raise AssertionError("unreachable")

    def events_since(self, position: int, limit: int) -> list[dict]:
        return self._call("events_since", position=position, limit=limit)

    def log_head(self) -> int:
        return int(self._call("ping")["log_head"])

    def close(self, wait: bool = True) -> None:
        """Close the client; `wait=False` (a kill) gives up when a call is under way."""
        if not self._lock.acquire(blocking=wait):
            return
        try:
            client, self._client = self._client, None
            if client is not None:
                try:
                    client.__exit__(None, None, None)
                except Exception:  # noqa: BLE001 - closing a broken client
                    pass
        finally:
            self._lock.release()
