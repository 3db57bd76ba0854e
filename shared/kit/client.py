"""RPC client for processes that are not nameko services (CLI, tests, later the bot's pool).

Uses nameko's standalone proxy, which needs no eventlet monkey-patching. The actor travels in
the context data of every call, with an assertion signed by the calling component's key
(shared/kit/assertion.py); the kit's typed errors come back as the same classes.
"""
from __future__ import annotations

import importlib.util
import sys
import threading
import uuid
from typing import Any, Callable

from nameko.exceptions import registry
from nameko.standalone.rpc import ClusterRpcProxy

from shared.kit.actor import SYSTEM, Actor
from shared.kit.assertion import CONTEXT_KEY, Signer, signer_for
from shared.kit.config import Settings, get_settings
from shared.kit.errors import KINDS
from shared.kit.rpc_publish import ReturnAwareMethodProxy

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
    """`c.sites.register_site(...)` or `c.call("sites", "register_site", ...)`: every call is signed
    (shared/kit/assertion.py) with the key of `component` (default: the process's `component`
    setting). One started client has one reply queue; calls on it are serialised by a lock."""

    def __init__(self, settings: Settings | None = None, actor: Actor = SYSTEM, timeout: float | None = None,
                 amqp_uri: str | None = None, component: str | None = None) -> None:
        self.settings = settings or get_settings()
        self.actor = actor
        self.timeout = timeout or self.settings.rpc_timeout
        self.amqp_uri = amqp_uri or self.settings.amqp_uri
        self.component = component or self.settings.component
        self._cluster: Any = None
        self._proxy: Any = None
        self._signer: Signer | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> "ServiceClient":
        self._signer = signer_for(self.settings, self.component)
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
        return _ServiceProxy(self, service)

    def act_as(self, actor: Actor) -> None:
        """Make the next calls on this (started) client carry `actor`: a pooled client serves
        one caller at a time, each with its own actor."""
        self.actor = actor

    def call(self, service: str, rpc_name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Call `service.rpc_name` (positional-only, so an RPC argument may be named anything)."""
        return self._signed(service, rpc_name, args, kwargs, lambda method: method(*args, **kwargs))

    def call_async(self, service: str, rpc_name: str, /, *args: Any, **kwargs: Any) -> Any:
        """Send the call now and return nameko's reply handle (`.result()` waits for the answer)."""
        return self._signed(service, rpc_name, args, kwargs, lambda method: method.call_async(*args, **kwargs))

    def _signed(self, service: str, rpc_name: str, args: tuple, kwargs: dict, send: Callable[[Any], Any]) -> Any:
        if self._proxy is None or self._signer is None:
            raise RuntimeError("use ServiceClient as a context manager")
        with self._lock:  # the context data and the reply queue are this client's, one call at a time
            data = self._cluster._worker_ctx.data
            data["actor"] = self.actor.to_dict()
            data[CONTEXT_KEY] = self._signer.sign(self.actor, service, rpc_name, args, kwargs)
            # the cluster's context and reply queue, over a publisher that reads the broker's whole
            # answer to a request no service takes (shared/kit/rpc_publish.py)
            return send(ReturnAwareMethodProxy(self._cluster._worker_ctx, service, rpc_name,
                                               self._cluster._reply_listener))

    def backfill(self, service: str):  # type: ignore[no-untyped-def]
        """A `(position, limit) -> events` function for followers of `service`."""
        return lambda position, limit: self.call(service, "events_since", position=position, limit=limit)


class _ServiceProxy:
    """`client.<service>.<method>(...)`: a signed `client.call`."""

    def __init__(self, client: ServiceClient, service: str) -> None:
        self._client = client
        self._service = service

    def __getattr__(self, method: str) -> Any:
        if method.startswith("_"):
            raise AttributeError(method)
        return _Method(self._client, self._service, method)


class _Method:
    """`client.<service>.<method>(...)` or `.call_async(...)`, both signed."""

    def __init__(self, client: ServiceClient, service: str, method: str) -> None:
        self._client, self._service, self._method = client, service, method

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._client.call(self._service, self._method, *args, **kwargs)

    def call_async(self, *args: Any, **kwargs: Any) -> Any:
        return self._client.call_async(self._service, self._method, *args, **kwargs)


class SharedClient:
    """One ServiceClient kept for many calls of one caller (a follower's pulls): one reply queue
    for its life instead of one per call. Thread-safe; started on first use; a client whose call
    timed out or lost the broker is closed and the next call starts a new one."""

    def __init__(self, factory: Callable[[], ServiceClient]) -> None:
        self._factory = factory
        self._client: ServiceClient | None = None
        self._lock = threading.Lock()
        self._closed = False

    def call(self, service: str, rpc_name: str, /, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._closed:
                raise RuntimeError("this client is closed")
            if self._client is None:
                self._client = self._factory().__enter__()
            client = self._client
            try:
                return client.call(service, rpc_name, *args, **kwargs)
            except KINDS:
                raise  # a typed answer: the client is fine
            except Exception:
                self._client = None
                _quietly_close(client)
                raise
            finally:
                if self._closed and self._client is not None:  # closed while this call was in flight
                    self._client = None
                    _quietly_close(client)

    def backfill(self, service: str) -> Callable[[int, int], list]:
        return lambda position, limit: self.call(service, "events_since", position=position, limit=limit)

    def close(self) -> None:
        """Close the client; a call in flight (up to its timeout) closes it when it returns."""
        self._closed = True
        if not self._lock.acquire(timeout=1.0):
            return
        try:
            client, self._client = self._client, None
        finally:
            self._lock.release()
        if client is not None:
            _quietly_close(client)


def _quietly_close(client: ServiceClient) -> None:
    try:
        client.__exit__(None, None, None)
    except Exception:  # noqa: BLE001 - a dead connection
        pass
