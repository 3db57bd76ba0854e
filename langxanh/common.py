"""What every `langxanh` command shares: the consoles, an RPC client, waiting for services."""
from __future__ import annotations

import time

import typer
from rich.console import Console

from shared.kit.actor import SYSTEM, Actor
from shared.kit.config import get_settings, redact

console = Console()
err = Console(stderr=True)


def _client(actor: Actor = SYSTEM, timeout: float | None = None):  # type: ignore[no-untyped-def]
    from shared.kit.client import ServiceClient

    return ServiceClient(actor=actor, timeout=timeout)


def wait_for(services: list[str], seconds: float = 60.0) -> None:
    """Block until every named service answers `ping` (they may still be starting)."""
    from nameko.exceptions import RpcTimeout, UnknownService

    deadline = time.monotonic() + seconds
    for name in services:
        while True:
            try:
                with _client(timeout=3) as c:
                    c.call(name, "ping")
                break
            except (RpcTimeout, UnknownService, OSError, ConnectionError):
                if time.monotonic() > deadline:
                    err.print(f"[red]service {name} does not answer on {redact(get_settings().amqp_uri)} — "
                              f"is `langxanh up` running?[/red]")
                    raise typer.Exit(3)
                time.sleep(0.5)
