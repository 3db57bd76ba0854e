"""`langxanh health`: ping every service over RPC, in parallel, each with a short timeout.

A plain client (no eventlet). Each ping runs in a daemon thread with its own RPC client, so a
service that does not answer costs its timeout once, not once per service, and an unreachable
broker cannot hang the command past `timeout` + a few seconds.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from shared.kit.config import Settings, redact


def ping(service: str, settings: Settings, timeout: float) -> dict[str, Any]:
    """One service's ping answer with `ok` and `ms` (the round trip of the call alone), or
    `ok: False` and `error`."""
    from nameko.exceptions import RpcTimeout, UnknownService

    from shared.kit.client import ServiceClient

    try:
        with ServiceClient(settings=settings, timeout=timeout) as client:
            started = time.perf_counter()
            answer = client.call(service, "ping")
            ms = (time.perf_counter() - started) * 1000
    except RpcTimeout:
        return {"service": service, "ok": False, "error": f"no answer within {timeout:g} s"}
    except UnknownService:
        return {"service": service, "ok": False, "error": "not running (no RPC queue on the broker)"}
    except Exception as e:  # noqa: BLE001 - the broker is away, or the answer is an error
        return {"service": service, "ok": False, "error": f"{type(e).__name__}: {e}"}
    return {**answer, "service": service, "ok": True, "ms": round(ms, 1)}


def check(services: list[str], settings: Settings, timeout: float) -> list[dict[str, Any]]:
    """Ping each service in parallel; a result per service, in the order given."""
    import shared.kit.client  # noqa: F401 - imports nameko (and eventlet) in this thread, not in a worker:
    # imported first in a short-lived thread, eventlet keeps that thread from ever being joined.

    results: dict[str, dict] = {}

    def run(name: str) -> None:
        results[name] = ping(name, settings, timeout)

    threads = [threading.Thread(target=run, args=(name,), daemon=True, name=f"health-{name}") for name in services]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout + 10  # connecting to the broker has its own timeout (10 s)
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    broker = redact(settings.amqp_uri)
    return [results.get(name) or {"service": name, "ok": False, "error": f"no answer (broker {broker})"}
            for name in services]


def follower_lags(result: dict[str, Any]) -> str:
    """`source lag` per line; the lag counts from the source's log head (shared/kit/follower.py)."""
    followers = result.get("followers") or {}
    return "\n".join(f"{source} {f['lag']}" for source, f in followers.items()) or "-"


def parked(result: dict[str, Any]) -> str:
    """What the poison guard parked (shared/kit/poison.py): RPC requests by method, follower
    messages by source; '-' when nothing."""
    lines = [f"{origin} {n}" for origin, n in ((result.get("parked") or {}).get("by_origin") or {}).items() if n]
    lines += [f"follow:{source} {f['parked']}" for source, f in (result.get("followers") or {}).items()
              if f.get("parked")]
    return "\n".join(lines) or "-"
