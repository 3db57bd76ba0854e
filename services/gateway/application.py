"""The gateway's Application: API keys and webhook subscriptions (commands get → call → save;
queries return plain data). No HTTP, no pydantic."""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlparse
from uuid import UUID

from services.gateway.domainmodel import SCOPES, ApiKey, Webhook, hash_secret, key_id_for
from shared.kit.actor import Actor
from shared.kit.errors import Forbidden, InvalidInput, NotFound
from shared.kit.store import ServiceApplication

KEY_PREFIX_LEN = 8
AGENCY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$"


class Caller:
    """Who calls the gateway: an agency with scopes (from its key), or nobody (public)."""

    def __init__(self, agency: str | None, scopes: list[str], key_id: str | None = None) -> None:
        self.agency = agency
        self.scopes = list(scopes)
        self.key_id = key_id

    def require(self, scope: str) -> None:
        if self.agency is None:
            raise Forbidden(f"an API key with scope {scope} is required (header X-API-Key)", "X-API-Key", "required")
        if scope not in self.scopes and "admin" not in self.scopes:
            raise Forbidden(f"this key lacks scope {scope}", "X-API-Key", "scope")

    @property
    def admin(self) -> bool:
        return "admin" in self.scopes

    def actor(self) -> Actor:
        """How the services see this caller: agency staff, or the public role (services.gateway.actors)."""
        from services.gateway.actors import actor_for

        return actor_for(self)

    def to_dict(self) -> dict:
        return {"agency": self.agency, "scopes": self.scopes, "key_id": self.key_id}


PUBLIC = Caller(None, [])


def _now() -> datetime:
    return datetime.now(timezone.utc)


class TooMany(InvalidInput):
    """A limit per key or per reporter reached (the gateway answers 429)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message, field, "rate_limit")


def check_url(url: str, allow_http: bool, allow_private: bool = False) -> None:
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or not parsed.netloc or len(url) > 2000:
        raise InvalidInput("url must be an absolute https:// URL of at most 2000 characters", "url", "format")
    if parsed.scheme == "http" and not allow_http:
        raise InvalidInput("url must use https (plain http only for loopback tests)", "url", "https")
    if not allow_private:
        from services.gateway.targets import checked_address

        checked_address(url)


class GatewayApplication(ServiceApplication):
    name = "Gateway"

    def __init__(self, env: dict | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self.clock = clock or _now
        self.allow_http_webhooks = False
        self.allow_private_webhooks = False
        self._report_counts: Any = None  # the Open311 day quotas' counters, made on first use

    # -- API keys --------------------------------------------------------------------------------
    def issue_key(self, by: Caller | None, command_id: str | None, agency: str, scopes: list[str],
                  label: str | None = None) -> dict:
        """A new key for `agency`; the answer carries the key itself, shown this once.
        `by` None = the operator on the gateway's host (`langxanh gateway key add`)."""
        if by is not None:
            by.require("admin")
        agency = (agency or "").strip()
        if not re.fullmatch(AGENCY_PATTERN, agency):
            raise InvalidInput("agency must be 1-80 letters, digits, '-', '_' or '.', starting with a letter or digit",
                               "agency", "format")
        ApiKey.check_scopes(list(scopes))
        prefix = secrets.token_hex(KEY_PREFIX_LEN // 2)
        secret = secrets.token_urlsafe(24)

        def work():  # type: ignore[no-untyped-def]
            key = ApiKey(prefix=prefix, secret_hash=hash_secret(secret), agency=agency, scopes=sorted(set(scopes)),
                         label=label, issued_at=self.clock(), actor=(by or PUBLIC).to_dict() | {"operator": by is None})
            return [key], {"key_id": str(key.id), "agency": agency, "scopes": key.scopes,
                           "api_key": f"lx_{prefix}_{secret}"}

        return self.execute(command_id, work)

    def authenticate(self, api_key: str | None) -> Caller:
        """The caller a key stands for; no key = the public; a wrong or revoked key = Forbidden."""
        if not api_key:
            return PUBLIC
        parts = api_key.split("_", 2)
        if len(parts) != 3 or parts[0] != "lx" or len(parts[1]) != KEY_PREFIX_LEN:
            raise Forbidden("malformed API key", "X-API-Key", "format")
        key = self.get_or_none(key_id_for(parts[1]))
        if not isinstance(key, ApiKey) or not key.matches(parts[2]):
            raise Forbidden("unknown or revoked API key", "X-API-Key", "valid")
        return Caller(key.agency, key.scopes, str(key.id))

    def revoke_key(self, by: Caller | None, command_id: str | None, key_id: str) -> dict:
        if by is not None:
            by.require("admin")

        def work():  # type: ignore[no-untyped-def]
            k = self._get(ApiKey, key_id, "key_id")
            at, actor = self.clock(), (by or PUBLIC).to_dict()
            k.revoke(revoked_at=at, actor=actor)
            hooks = self._webhooks_of_key(k)
            for hook in hooks:  # a revoked key's webhooks go with it, in the same transaction
                hook.delete(deleted_at=at, actor=actor | {"reason": "key revoked"})
            return [k, *hooks], {"key_id": str(k.id), "revoked": True, "webhooks_deleted": len(hooks)}

        return self.execute(command_id, work)

    def _webhooks_of_key(self, key: ApiKey) -> list[Webhook]:
        from services.gateway.views import GatewayViews
        from shared.kit.sql import Db

        views = GatewayViews(Db.of(self), self)
        hooks = [self.webhook(i) for i in views.webhook_ids(key.agency)]
        return [h for h in hooks if h is not None and h.state != "deleted" and h.key_id == str(key.id)]

    # -- Open311 quotas --------------------------------------------------------------------------
    def count_report(self, command_id: str, bucket: str, day: str, limit: int) -> dict:
        """One more report of `bucket` on `day`; TooMany past `limit`. A retry of the same
        command (same id) is counted once. Kept in the store, a counter row per reporter and day
        (services/gateway/quota.py): every replica sees the same count."""
        if self._report_counts is None:
            from services.gateway.quota import ReportCounts
            from shared.kit.sql import Db

            self._report_counts = ReportCounts(Db.of(self))
        counted = self._report_counts.count(command_id, bucket, day, limit)
        if isinstance(counted, int):
            raise TooMany(f"this reporter has filed {counted} reports today, the most a day "
                          f"({limit}); try again tomorrow", "email")
        return counted

    # -- webhooks --------------------------------------------------------------------------------
    def register_webhook(self, by: Caller, command_id: str | None, url: str, types: list[str],
                         communes: list[str]) -> dict:
        by.require("webhooks")
        check_url(url, self.allow_http_webhooks, self.allow_private_webhooks)
        if not types or len(types) > 50 or any(not isinstance(t, str) or not 1 <= len(t) <= 80 for t in types):
            raise InvalidInput("types: 1 to 50 event names or globs, e.g. incident_* or inspections.*", "types", "items")
        if len(communes) > 200 or any(not isinstance(c, str) or not 1 <= len(c) <= 80 for c in communes):
            raise InvalidInput("communes: at most 200 commune codes", "communes", "items")

        def work():  # type: ignore[no-untyped-def]
            hook = Webhook(agency=by.agency, url=url, types=list(types), communes=list(communes),
                           secret="whsec_" + secrets.token_urlsafe(32).replace("-", "A").replace("_", "B")[:43],
                           registered_at=self.clock(), actor=by.to_dict())
            return [hook], webhook_document(hook, with_secret=True)

        return self.execute(command_id, work)

    def _webhook(self, by: Caller, webhook_id: str) -> Webhook:
        by.require("webhooks")
        hook = self._get(Webhook, webhook_id, "webhook_id")
        hook.check_owner(by.agency or "", by.admin)
        return hook

    def _on_webhook(self, by: Caller, command_id: str | None, webhook_id: str, act: Callable[[Webhook], None]) -> dict:
        self._webhook(by, webhook_id)

        def work():  # type: ignore[no-untyped-def]
            hook = self._webhook(by, webhook_id)
            act(hook)
            return [hook], webhook_document(hook)

        return self.execute(command_id, work)

    def resume_webhook(self, by: Caller, command_id: str | None, webhook_id: str) -> dict:
        return self._on_webhook(by, command_id, webhook_id, lambda h: h.resume(resumed_at=self.clock(),
                                                                                actor=by.to_dict()))

    def replay_webhook(self, by: Caller, command_id: str | None, webhook_id: str, source: str, after: int) -> dict:
        from shared.catalog import SERVICES

        self._webhook(by, webhook_id)  # 404 unless the caller's
        by.require("events:read")  # a replay reads history: a webhooks-only key may not
        if source not in SERVICES:
            raise InvalidInput(f"source must be one of {', '.join(SERVICES)}", "source", "enum")
        if not isinstance(after, int) or after < 0:
            raise InvalidInput("after must be a position >= 0", "after", "minimum")
        return self._on_webhook(by, command_id, webhook_id, lambda h: h.request_replay(
            source=source, after=after, requested_at=self.clock(), actor=by.to_dict()))

    def delete_webhook(self, by: Caller, command_id: str | None, webhook_id: str) -> dict:
        return self._on_webhook(by, command_id, webhook_id, lambda h: h.delete(deleted_at=self.clock(),
                                                                                actor=by.to_dict()))

    def park_webhook(self, webhook_id: str, reason: str) -> bool:
        """The dispatcher gives up on a webhook after too many failures (a timer-like decision)."""
        hook = self.get_or_none(UUID(str(webhook_id)))
        if not isinstance(hook, Webhook) or hook.state != "active":
            return False
        hook.park(reason=reason[:500], parked_at=self.clock())
        return self.save_unless_raced(hook)

    def get_webhook(self, by: Caller, webhook_id: str) -> dict:
        return webhook_document(self._webhook(by, webhook_id))

    def webhook(self, webhook_id: str) -> Webhook | None:
        hook = self.get_or_none(UUID(str(webhook_id)))
        return hook if isinstance(hook, Webhook) else None

    # -- helpers ---------------------------------------------------------------------------------
    def _get(self, kind: type, aggregate_id: str, field: str) -> Any:
        try:
            uid = UUID(str(aggregate_id))
        except ValueError:
            raise InvalidInput(f"{field} must be a UUID", field, "uuid") from None
        found = self.get_or_none(uid)
        if not isinstance(found, kind):
            raise NotFound(f"no such {kind.__name__.lower()}", field, "exists")
        return found


def webhook_document(hook: Webhook, with_secret: bool = False) -> dict:
    doc = {"id": str(hook.id), "agency": hook.agency, "url": hook.url, "types": hook.types, "communes": hook.communes,
           "state": hook.state, "parked_reason": hook.parked_reason, "registered_at": hook.registered_at.isoformat(),
           "replays": hook.replays, "version": hook.version}
    if with_secret:
        doc["secret"] = hook.secret
    return doc


__all__ = ["GatewayApplication", "Caller", "PUBLIC", "SCOPES", "TooMany", "webhook_document"]
