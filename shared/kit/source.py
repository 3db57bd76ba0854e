"""A follower's line to its source: `events_since` and the log head over one RPC client kept open.

A pushed message is only a wake-up (shared/kit/follower.py), so each one that is not a duplicate
costs a pull: over a client opened per call that is a broker connection, a reply queue and a
consumer each time. This keeps one signed client per source (the kit's `SharedClient`, opened on
first use, thread-safe) and, on a broken connection, tries once more on a new one.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from amqp.exceptions import ConnectionError as AmqpConnectionError
from amqp.exceptions import RecoverableConnectionError
from kombu.exceptions import OperationalError

from shared.kit.client import SharedClient

log = logging.getLogger(__name__)
GONE = (OSError, OperationalError, AmqpConnectionError, RecoverableConnectionError)


class SourceClient:
    """`make_client()` returns a (not yet entered) `ServiceClient` carrying the caller's actor,
    component and timeout."""

    def __init__(self, source: str, make_client: Callable[[], Any]) -> None:
        self.source = source
        self.client = SharedClient(make_client)

    def _call(self, rpc: str, **kwargs: Any) -> Any:
        try:
            return self.client.call(self.source, rpc, **kwargs)
        except GONE:  # SharedClient dropped the broken client: the next call opens a new one
            log.info("the connection to %s broke; reopening it", self.source)
            return self.client.call(self.source, rpc, **kwargs)

    def events_since(self, position: int, limit: int) -> list[dict]:
        return self._call("events_since", position=position, limit=limit)

    def log_head(self) -> int:
        return int(self._call("ping")["log_head"])

    def close(self, wait: bool = True) -> None:
        """Close the client; a call in flight closes it when it returns (`wait` is kept for callers
        that stop and kill: neither waits longer than a second)."""
        self.client.close()
