"""The small nameko dependency providers an entrypoint sees, and the entrypoints every service has.

A service's composition (its Application, read models, relay, followers) is built once per
container by its `ServiceKit` (shared/kit/nameko_glue.py). Each entrypoint reaches one part of it
through a provider of its own, so a test replaces exactly one, as nameko's examples do:

    container = ServiceContainer(SitesService, config)
    app = replace_dependencies(container, "app")      # a MagicMock; the store, relay, views stay real
    service = worker_factory(SitesService, app=SitesApplication(env=popo_env(), ports=sites_ports()), actor=Actor(...))

`app` is the Application, `views` its read models, `actor` the verified actor of this call, `kit`
what the kit itself answers (events_since, ping, the audit trail).
"""
from __future__ import annotations

import json
from typing import Any

from nameko.extensions import DependencyProvider

from shared.contracts.audit import AuditTrail as AuditQuery
from shared.contracts.base import EventsSince
from shared.kit import access
from shared.kit.actor import Actor
from shared.kit.errors import LangXanhError
from shared.kit.nameko_glue import Kit, ServiceKit, rpc, rpc_method  # rpc: the kit's, which verifies the actor


class Part(DependencyProvider):
    """One part of the container's ServiceKit (`app`, `views`), injected alone."""

    def __init__(self, part: str) -> None:
        self.part = part

    def _kit(self) -> ServiceKit:
        for extension in self.container.dependencies:
            if isinstance(extension, ServiceKit):
                return extension
        raise LookupError(f"{self.container.service_name} declares no ServiceKit for its {self.part}")

    def get_dependency(self, worker_ctx: Any) -> Any:
        return getattr(self._kit(), self.part)


class CallActor(DependencyProvider):
    """The actor of this call. Over the broker the kit's `Rpc` verified its assertion before the
    worker started; in-process callers (entrypoint_hook, the offline cluster) are trusted code. A
    call that names none (a timer) or a malformed one gets `NoActor`: using it refuses, as reading
    it did, and an entrypoint that needs nobody still runs (a provider never fails the worker)."""

    def get_dependency(self, worker_ctx: Any) -> Any:
        try:
            return actor_of(worker_ctx.data)
        except LangXanhError as refusal:
            return NoActor(refusal)


class NoActor:
    """No usable actor in the call context: any use of it (its role, its id, a permission check)
    raises the refusal reading it gave (Forbidden "no actor in the call context", or InvalidInput)."""

    def __init__(self, refusal: LangXanhError) -> None:
        self._refusal = refusal

    def __getattr__(self, name: str) -> Any:
        raise self._refusal


def actor_of(data: dict) -> Actor:
    raw = data.get("actor")
    if isinstance(raw, (str, bytes)):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    return Actor.from_dict(raw)


class KitEntrypoints:
    """Entrypoints every service has (backfill, audit trail, health), and its providers."""

    kit: Kit
    app = Part("app")
    views = Part("views")
    actor = CallActor()

    @rpc_method(EventsSince)
    def events_since(self, q: EventsSince) -> list[dict]:
        """Public events (CloudEvents dicts) after `position`, at most `limit`."""
        return self.kit.events_since(q.position, q.limit)

    @rpc_method(AuditQuery)
    def audit_trail(self, q: AuditQuery) -> dict:
        """Who did what and when (shared/kit/audit.py): {service, rows newest first, next_before}."""
        return self.kit.audit.trail(self.actor, **q.model_dump())

    @rpc
    def ping(self) -> dict:
        """Health: service, log_head, pid, host, relay {position, lag, holder}, followers
        {source: {position, source_sequence, source_head, lag, applied, duplicates, pulls, unconfirmed,
        parked}},
        parked {requests, by_origin}, metrics_port."""
        access.guard(self, "ping")
        return self.kit.health()
