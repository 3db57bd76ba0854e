"""RPC client for processes that are not nameko services (CLI, tests, later the bot's pool).

Uses nameko's standalone proxy, which needs no eventlet monkey-patching. The actor travels in
the context data of every call; the kit's typed errors come back as the same classes.
"""
from __future__ import annotations

import importlib.util
import sys
import uuid
from typing import Any

from nameko.exceptions import registry
from nameko.standalone.rpc import ClusterRpcProxy

from shared.kit.actor import SYSTEM, Actor
from shared.kit.config import Settings
from shared.kit.errors import KINDS

# kombu tries `import librabbitmq` in every Connection() made outside eventlet/gevent, and nameko's
# standalone client makes one per call: when it is not installed, that failed import searched
# every sys.path entry on disk on each RPC. Record once that it is absent (None = "not importable").
if "librabbitmq" not in sys.modules and importlib.util.find_spec("librabbitmq") is None:
    sys.modules["librabbitmq"] = None  # type: ignore[assignment]


def register_errors() -> None:
    """Make nameko deserialise the kit's errors back into their own classes."""
    for kind in KINDS:
        registry[f"{kind.__module__}.{kind.__name__}"] = kind


register_errors()


def new_command_id(prefix: str = "cmd") -> str:
    return f"{prefix}-{uuid.uuid4()}"


class ServiceClient:
    def __init__(self, settings: Settings | None = None, actor: Actor = SYSTEM, timeout: float | None = None,
                 amqp_uri: str | None = None) -> None:
        self.settings = settings or Settings()
        self.actor = actor
        self.timeout = timeout or self.settings.rpc_timeout
        self.amqp_uri = amqp_uri or self.settings.amqp_uri
        self._cluster: Any = None
        self._proxy: Any = None

    def __enter__(self) -> "ServiceClient":
        self._cluster = ClusterRpcProxy(
            {"AMQP_URI": self.amqp_uri}, context_data={"actor": self.actor.to_dict()}, timeout=self.timeout
        )
        self._proxy = self._cluster.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._cluster is not None:
            self._cluster.stop()
        self._cluster = self._proxy = None

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        if self._proxy is None:
            raise RuntimeError("use ServiceClient as a context manager")
        return getattr(self._proxy, service)

    def act_as(self, actor: Actor) -> None:
        """Make the next calls on this (started) client carry `actor`: a pooled client serves
        one caller at a time, each with its own actor."""
        self.actor = actor
        if self._cluster is not None:
            self._cluster._worker_ctx.data["actor"] = actor.to_dict()

    def call(self, service: str, rpc_name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call `service.rpc_name` (positional-only, so an RPC argument may be named anything)."""
        return getattr(getattr(self, service), rpc_name)(*args, **kwargs)

    def backfill(self, service: str):  # type: ignore[no-untyped-def]
        """A `(position, limit) -> events` function for followers of `service`."""
        return lambda position, limit: self.call(service, "events_since", position=position, limit=limit)
