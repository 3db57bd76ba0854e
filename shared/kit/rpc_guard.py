"""The poison-request guard of a service's RPC queue (see shared/kit/poison.py for the idea).

Called by the kit's `Rpc` entrypoint only for a request RabbitMQ delivers *again* (`redelivered`):
the normal path has no extra I/O. The attempt count is durable (the service's store), so it
survives the crash it counts, and every replica on the same store sees it.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from nameko.constants import DEFAULT_SERIALIZER, SERIALIZER_CONFIG_KEY
from nameko.rpc import Responder, get_rpc_exchange

from shared.kit.errors import Conflict
from shared.kit.poison import DeliveryLog, message_key, park

log = logging.getLogger(__name__)


def parked_error(method: str, attempts: int) -> Conflict:
    return Conflict(f"{method}: this request was set aside (parked) after {attempts} deliveries that never "
                    "completed; it will not be run again", None, "parked")


class RequestGuard:
    """`on_parked(origin)` is told of each parked request (origin = `rpc:<method>`)."""

    def __init__(self, service: str, amqp_uri: str, config: dict, deliveries: DeliveryLog, max_deliveries: int,
                 on_parked: Callable[[str], None] | None = None) -> None:
        self.service = service
        self.amqp_uri = amqp_uri
        self.config = config
        self.deliveries = deliveries
        self.max_deliveries = max_deliveries
        self.on_parked = on_parked
        self.queue = f"rpc-{service}"

    def parks(self, method: str, message: Any, ack: Callable[[Any], None], requeue: Callable[[Any], None]) -> bool:
        """A redelivered request of `method`: True when it was parked (acknowledged, the caller
        answered), False when it is to run (one more attempt counted)."""
        key, origin = message_key(message), f"rpc:{method}"
        try:
            attempts = self.deliveries.attempt(key, origin)
        except Exception:  # noqa: BLE001 - the store is away: run it (the guard never blocks a request)
            log.exception("%s: counting the deliveries of %s failed; it runs", self.service, key)
            return False
        if attempts <= self.max_deliveries:
            log.warning("%s.%s: request %s delivered again (%d of at most %d)", self.service, method, key,
                        attempts, self.max_deliveries)
            return False
        reason = (f"delivered {attempts} times without completing (the worker crashed or was killed, "
                  "or its reply could not be sent)")
        try:
            park(self.amqp_uri, self.queue, message, reason, attempts)
        except Exception:  # noqa: BLE001 - the broker refused: keep it, the next delivery tries again
            log.exception("%s: parking %s failed; requeued", self.service, key)
            requeue(message)
            return True
        self._record(key, origin, reason, attempts)
        self._answer(message, parked_error(f"{self.service}.{method}", attempts))
        ack(message)
        return True

    def answered(self, message: Any) -> None:
        """A redelivered request completed: forget its count."""
        try:
            self.deliveries.forget(message_key(message))
        except Exception:  # noqa: BLE001
            log.debug("forgetting a delivery count failed", exc_info=True)

    def _record(self, key: str, origin: str, reason: str, attempts: int) -> None:
        try:
            self.deliveries.parked(key, origin, reason, attempts)
        except Exception:  # noqa: BLE001 - parked in the broker already; the record is for health
            log.exception("%s: recording parked request %s failed", self.service, key)
        if self.on_parked is not None:
            try:
                self.on_parked(origin)
            except Exception:  # noqa: BLE001
                log.exception("on_parked failed")

    def _answer(self, message: Any, error: Exception) -> None:
        """The typed error to a caller that may still wait (best effort: it may have timed out)."""
        if not (message.properties or {}).get("reply_to"):
            return
        try:
            responder = Responder(self.amqp_uri, get_rpc_exchange(self.config),
                                  self.config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message)
            responder.send_response(None, (type(error), error, None))
        except Exception:  # noqa: BLE001 - its reply queue is gone, or the broker is away
            log.warning("%s: the caller of a parked request could not be answered", self.service, exc_info=True)
