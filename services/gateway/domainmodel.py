"""Gateway: agencies' API keys and webhook subscriptions.

Aggregates in eventsourcing's declarative style; invariants in check_* methods raising the
kit's errors. No transport, no pydantic. Keys are kept as a SHA-256 hash (the secret is shown
once, when issued); a webhook's signing secret is kept because every delivery is signed with it.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import Conflict, InvalidInput, NotFound

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/gateway")
SCOPES = ("events:read", "reports:read", "webhooks", "open311:write", "admin")
FAMILIES = ("incident", "inspection", "violation", "manifest", "stock", "catalogue", "site", "establishment",
            "link_code", "report")


def key_id_for(prefix: str) -> UUID:
    return uuid5(NAMESPACE, f"api-key:{prefix}")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(Aggregate):
    """An agency's key: `lx_<prefix>_<secret>`; the prefix finds it, the secret's hash proves it."""

    @staticmethod
    def create_id(prefix: str) -> UUID:
        return key_id_for(prefix)

    @event("Issued")
    def __init__(self, prefix: str, secret_hash: str, agency: str, scopes: list[str], label: str | None,
                 issued_at: datetime, actor: dict) -> None:
        self.prefix = prefix
        self.secret_hash = secret_hash
        self.agency = agency
        self.scopes = list(scopes)
        self.label = label
        self.issued_at = issued_at
        self.revoked_at: datetime | None = None

    @staticmethod
    def check_scopes(scopes: list[str]) -> None:
        unknown = [s for s in scopes if s not in SCOPES]
        if not scopes or unknown:
            raise InvalidInput(f"scopes must be some of {', '.join(SCOPES)}; got {scopes}", "scopes", "enum")

    def matches(self, secret: str) -> bool:
        return self.revoked_at is None and hmac.compare_digest(self.secret_hash, hash_secret(secret))

    @event("Revoked")
    def revoke(self, revoked_at: datetime, actor: dict) -> None:
        if self.revoked_at is not None:
            raise Conflict("this key is already revoked", "key_id", "state")
        self.revoked_at = revoked_at


class Webhook(Aggregate):
    """An agency's subscription: matching public events are POSTed to `url`, signed per the
    Standard Webhooks spec with `secret`. Parked after too many failed deliveries; resumed by
    the agency; replayed from a position of a source."""

    @event("Registered")
    def __init__(self, agency: str, url: str, types: list[str], communes: list[str], secret: str,
                 registered_at: datetime, actor: dict) -> None:
        self.agency = agency
        self.url = url
        self.types = list(types)
        self.communes = list(communes)
        self.secret = secret
        self.registered_at = registered_at
        self.state = "active"
        self.parked_reason: str | None = None
        self.replays: list[dict] = []
        self.key_id: str | None = (actor or {}).get("key_id")  # the key it was registered with

    @event("Parked")
    def park(self, reason: str, parked_at: datetime) -> None:
        self.state = "parked"
        self.parked_reason = reason

    @event("Resumed")
    def resume(self, resumed_at: datetime, actor: dict) -> None:
        if self.state != "parked":
            raise Conflict(f"only a parked webhook can be resumed; this one is {self.state}", "state", "transition")
        self.state = "active"
        self.parked_reason = None

    @event("ReplayRequested")
    def request_replay(self, source: str, after: int, requested_at: datetime, actor: dict) -> None:
        self.replays = self.replays + [{"source": source, "after": after, "requested_at": requested_at.isoformat()}]

    @event("Deleted")
    def delete(self, deleted_at: datetime, actor: dict) -> None:
        self.state = "deleted"

    def check_owner(self, agency: str, admin: bool = False) -> None:
        """Another agency's webhook (or a deleted one) does not exist for the caller."""
        if (not admin and agency != self.agency) or self.state == "deleted":
            raise NotFound("no such webhook", "webhook_id", "exists")


class ReportQuota(Aggregate):
    """Open311 reports of one reporter (or one key's anonymous reporters) on one local day.
    Replicas count on the same aggregate: a concurrent count is a version conflict, retried."""

    @staticmethod
    def create_id(bucket: str, day: str) -> UUID:
        return uuid5(NAMESPACE, f"open311-quota:{bucket}:{day}")

    @event("Opened")
    def __init__(self, bucket: str, day: str) -> None:
        self.bucket = bucket
        self.day = day
        self.count = 0

    @event("Counted")
    def count_one(self) -> None:
        self.count += 1
