"""A pool of RPC clients used from worker threads, for asyncio programs (the bot, the gateway).

They run on asyncio and are never monkey-patched. Each call borrows one started nameko
standalone client from the pool, sets the caller's actor on it (each call is signed with the
component's key) and runs in the pool's own thread executor (`loop.run_in_executor`), so `size`
calls are in flight at once and the event loop never blocks. A client that timed out or lost
its connection is dropped and replaced.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from amqp.exceptions import ConnectionError as AmqpConnectionError
from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService

from shared.kit.actor import Actor
from shared.kit.client import ServiceClient
from shared.kit.config import Settings, get_settings

log = logging.getLogger(__name__)


class Unavailable(Exception):
    """A service did not answer (not running, broker down, or too slow)."""


class Services(Protocol):
    async def call(self, actor: Actor, service: str, rpc: str, /, **kwargs: Any) -> Any: ...

    def close(self) -> None: ...


class PooledServices:
    def __init__(self, settings: Settings | None = None, size: int = 8, timeout: float | None = None,
                 component: str | None = None) -> None:
        """`component`: whose key signs the calls (the bot, the gateway; default: the `component` setting)."""
        self.settings = settings or get_settings()
        self.component = component or self.settings.component
        self.size = size
        self.timeout = timeout or self.settings.bot.rpc_timeout  # an interactive caller's patience
        self._idle: queue.LifoQueue[ServiceClient] = queue.LifoQueue()
        self._executor = ThreadPoolExecutor(size, thread_name_prefix="lx-rpc")
        self._lock = threading.Lock()
        self._open: set[ServiceClient] = set()

    def _borrow(self) -> ServiceClient:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            client = ServiceClient(self.settings, timeout=self.timeout, component=self.component).__enter__()
            with self._lock:
                self._open.add(client)
            return client

    def _drop(self, client: ServiceClient) -> None:
        with self._lock:
            self._open.discard(client)
        try:
            client.__exit__(None, None, None)
        except Exception:  # noqa: BLE001 - a dead connection
            pass

    def _call(self, actor: Actor, service: str, rpc: str, kwargs: dict) -> Any:
        try:
            client = self._borrow()
        except Exception as e:  # the broker is away
            raise Unavailable(f"broker: {type(e).__name__}: {e}") from None
        try:
            client.act_as(actor)
            result = client.call(service, rpc, **kwargs)
        except (RpcTimeout, UnknownService) as e:
            self._drop(client)
            raise Unavailable(f"{service}.{rpc}: {type(e).__name__}") from None
        except (OSError, ConnectionError, OperationalError, AmqpConnectionError) as e:  # the broker went away
            self._drop(client)
            raise Unavailable(f"{service}.{rpc}: {type(e).__name__}: {e}") from None
        except Exception:
            self._idle.put(client)  # a typed error from the service: the client is fine
            raise
        self._idle.put(client)
        return result

    async def call(self, actor: Actor, service: str, rpc: str, /, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._call, actor, service, rpc, kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            clients = list(self._open)
        for client in clients:
            self._drop(client)
