"""The link codes: one-time, expiring codes that bind a chat account to an establishment or an
agency role (issue 13, "links").

- A code's aggregate id is random; the code is found through a LinkCodeIndex whose id is an HMAC
  of the code under the service's key, so neither the store's ids nor anything published says
  anything about a code. The code itself is never stored.
- A RedeemGuard per account counts wrong codes: too many in a window and the account is refused
  for a while.
- None of these events leave the service (PRIVATE_AGGREGATES: not on the public stream, not in
  events_since).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import Forbidden

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/sites")  # the same as domainmodel's


class LinkCodeRejected(Forbidden):
    pass


class LinkCode(Aggregate):
    """A one-time, expiring code that binds a chat account to an establishment or an agency role.

    Its id is random: nothing about the code can be derived from it. The code itself is never
    stored; it is found through a LinkCodeIndex. A code's events never leave the
    service (not on the public stream, not in events_since)."""

    class Issued(Aggregate.Created):
        role: str
        establishment_id: UUID | None
        expires_at: datetime
        actor: dict
        legacy: bool
        staff: str | None
        class_version = 3

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            """v1 (before issue 13) kept sha256(code) and had an id derived from it, published on
            the public stream: such a code counts as disclosed and can no longer be redeemed."""
            state.pop("code_hash", None)
            state["legacy"] = True

        @staticmethod
        def upcast_v2_v3(state: dict) -> None:
            """v3 (issue 15): an inspector's code may name the staff account it binds to."""
            state["staff"] = None

    @event(Issued)
    def __init__(self, role: str, establishment_id: UUID | None, expires_at: datetime, actor: dict,
                 legacy: bool = False, staff: str | None = None) -> None:
        self.role = role
        self.staff = staff  # an inspector's staff e-mail: the chat account acts as staff:<e-mail>
        self.establishment_id = establishment_id
        self.expires_at = expires_at
        self.legacy = legacy
        self.redeemed_at: datetime | None = None
        self.account: str | None = None

    def redeemed_by(self, account: str) -> bool:
        return self.redeemed_at is not None and self.account == account

    def check_redeemable(self, now: datetime) -> None:
        if self.legacy:
            raise LinkCodeRejected("this link code was issued before codes were hardened; ask for a new one",
                                   "code", "reissue")
        if self.redeemed_at is not None:
            raise LinkCodeRejected("this link code was already used", "code", "once")
        if now >= self.expires_at:
            raise LinkCodeRejected("this link code has expired; ask for a new one", "code", "expired")

    @event("Redeemed")
    def redeem(self, account: str, redeemed_at: datetime, actor: dict) -> None:
        self.account = account
        self.redeemed_at = redeemed_at


class LinkCodeIndex(Aggregate):
    """Keyed hash of a code → the code's id (eventsourcing's index-aggregate pattern). Without
    the service's key neither the index's id nor its content says anything about the code."""

    @staticmethod
    def create_id(lookup: str) -> UUID:
        return uuid5(NAMESPACE, f"link-code-index:{lookup}")

    @event("Made")
    def __init__(self, lookup: str, code_id: UUID) -> None:
        self.code_id = code_id


class LinkAttemptsExceeded(Forbidden):
    pass


class RedeemGuard(Aggregate):
    """The failed link-code attempts of one account (its id: a keyed hash of the account).
    `max_failures` wrong codes within `window` lock the account for `lockout`; a success clears
    the count. In the event store, so it holds across restarts and replicas."""

    @staticmethod
    def create_id(account_key: str) -> UUID:
        return uuid5(NAMESPACE, f"link-redeem-guard:{account_key}")

    @event("Opened")
    def __init__(self, account_key: str) -> None:
        self.failures: list[datetime] = []
        self.locked_until: datetime | None = None

    def check_open(self, now: datetime) -> None:
        if self.locked_until is not None and now < self.locked_until:
            raise LinkAttemptsExceeded(
                f"too many wrong link codes; try again after {self.locked_until.isoformat(timespec='minutes')}",
                "code", "attempts")

    def record_failure(self, now: datetime, max_failures: int, window: timedelta, lockout: timedelta) -> None:
        self._failed(at=now)
        recent = [at for at in self.failures if at > now - window]
        if len(recent) >= max_failures:
            self._locked(until=now + lockout)

    @event("Failed")
    def _failed(self, at: datetime) -> None:
        self.failures.append(at)

    @event("Locked")
    def _locked(self, until: datetime) -> None:
        self.locked_until = until
        self.failures = []

    @event("Cleared")
    def clear(self) -> None:
        self.failures = []


PRIVATE_AGGREGATES = ("LinkCode", "LinkCodeIndex", "RedeemGuard")  # their events never leave the service
