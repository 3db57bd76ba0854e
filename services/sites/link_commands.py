"""The sites Application's link-code commands (issue 13, "links"): issue and redeem.

- A code is 16 symbols of Crockford's base32 (80 bits), shown as four groups of four; typed in
  any case, with or without dashes or spaces (O reads as 0, I and L as 1).
- It is looked up by an HMAC under the service's key (`LinkPolicy.key`, LANGXANH_LINK_CODE_SECRET
  or a key file in the data dir): the store's ids say nothing about a code.
- Redeeming is idempotent per account: the same account with the same code again gets the same
  answer (a retry after a timeout); another account is refused.
- Wrong codes are counted per account (RedeemGuard); too many in the window and the account is
  refused for the lockout, whatever code it brings.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.errors import Forbidden, InvalidInput, NotFound
from services.sites.linkcodes import LinkCode, LinkCodeIndex, LinkCodeRejected, RedeemGuard

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32: no I, L, O, U
CODE_GROUPS, GROUP_SIZE = 4, 4  # 16 symbols x 5 bits = 80 bits
CODE_BITS = CODE_GROUPS * GROUP_SIZE * 5
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
ESTABLISHMENT_ROLES = ("business", "transporter", "treatment_facility")


def new_code() -> str:
    symbols = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUPS * GROUP_SIZE))
    return "-".join(symbols[i:i + GROUP_SIZE] for i in range(0, len(symbols), GROUP_SIZE))


def normalise(code: str) -> str:
    """The code as issued, without its dashes, whatever case and separators it was typed with."""
    return code.strip().upper().translate(_READ_AS)


@dataclass(frozen=True)
class LinkPolicy:
    key: bytes
    max_failures: int = 5
    window: timedelta = timedelta(hours=1)
    lockout: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Any) -> "LinkPolicy":
        from shared.kit.keys import load_key

        key = load_key(settings.services.link_code_secret, Path(settings.data_dir) / "sites" / "link-code.key")
        return cls(key=key, max_failures=settings.services.link_redeem_max_failures,
                   window=timedelta(minutes=settings.services.link_redeem_window_minutes),
                   lockout=timedelta(minutes=settings.services.link_redeem_lockout_minutes))

    def keyed(self, purpose: str, value: str) -> str:
        return hmac.new(self.key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def lookup(self, code: str) -> str:
        return self.keyed("link-code", normalise(code))


def check_staff_binding(actor: Actor, role: str, staff: str | None) -> None:
    """An inspector issues only a code for themself (`staff` = their own e-mail); an admin or the
    agency may bind an inspector's code to a staff account (the gateway checks that account's
    role); any other code names no staff account."""
    if staff is not None and role != "inspector":
        raise InvalidInput("only an inspector's link code names a staff account", "staff", "inspector_only")
    if actor.role == Role.INSPECTOR and (role != "inspector" or staff is None or actor.id != f"staff:{staff}"):
        raise Forbidden("an inspector may issue only their own inspector code (staff: their e-mail)", "staff", "own")


def answer(link: LinkCode, establishment_id: str | None) -> dict:
    return {"id": str(link.id), "version": link.version, "role": link.role, "establishment_id": establishment_id,
            "staff": getattr(link, "staff", None)}


class LinkCommands:
    """Mixed into SitesApplication (which gives execute, get_or_none, clock, _establishment)."""

    link_policy: LinkPolicy  # a port of the Application (SitesPorts)

    def issue_link_code(self, actor: Actor, command_id: str | None, role: str, establishment_id: str | None,
                        ttl_hours: int, staff: str | None = None) -> dict:
        actor.require(Role.AGENCY, Role.ADMIN, Role.INSPECTOR, action="issue a link code")
        check_staff_binding(actor, role, staff)
        if role in ESTABLISHMENT_ROLES and not establishment_id:
            raise InvalidInput(f"a {role} link code needs the establishment it binds to", "establishment_id", "required")
        if role not in ESTABLISHMENT_ROLES and establishment_id:
            raise InvalidInput(f"a {role} link code binds to no establishment", "establishment_id", "forbidden")
        if role == "agency" and actor.role != Role.ADMIN:
            raise InvalidInput("only an admin may issue agency link codes", "role", "admin_only")

        def work():  # type: ignore[no-untyped-def]
            est = None
            if establishment_id:
                est = self._establishment(establishment_id)  # type: ignore[attr-defined]
                est.check_active()
                needed = {"transporter": est.transporter, "treatment_facility": est.treatment_facility}
                if role in needed and not needed[role]:
                    raise InvalidInput(f"{est.name} is not registered as a {role}", "role", "establishment_role")
            code = new_code()
            expires = self.clock() + timedelta(hours=ttl_hours)  # type: ignore[attr-defined]
            link = LinkCode(role=role, establishment_id=est.id if est else None, expires_at=expires,
                            actor=actor.to_dict(), staff=staff)
            index = LinkCodeIndex(lookup=self.link_policy.lookup(code), code_id=link.id)
            return [link, index], {"id": str(link.id), "version": link.version, "code": code,
                                   "expires_at": expires.isoformat()}

        return self.execute(command_id, work)  # type: ignore[attr-defined]

    def redeem_link_code(self, actor: Actor, command_id: str | None, code: str, account: str) -> dict:
        policy, now = self.link_policy, self.clock()  # type: ignore[attr-defined]
        account_key = policy.keyed("link-account", account)
        guard = self.get_or_none(RedeemGuard.create_id(account_key))  # type: ignore[attr-defined]
        if isinstance(guard, RedeemGuard):
            guard.check_open(now)

        def work():  # type: ignore[no-untyped-def]
            index = self.get_or_none(LinkCodeIndex.create_id(policy.lookup(code)))  # type: ignore[attr-defined]
            link = self.get_or_none(index.code_id) if isinstance(index, LinkCodeIndex) else None  # type: ignore[attr-defined]
            if not isinstance(link, LinkCode):
                raise NotFound("no such link code", "code", "exists")
            est = str(link.establishment_id) if link.establishment_id else None
            if link.redeemed_by(account):  # the same account again (a retry): the same answer, nothing new
                return [], answer(link, est)
            link.check_redeemable(now)
            link.redeem(account=account, redeemed_at=now, actor=actor.to_dict())
            changed: list = [link]
            current = self.get_or_none(RedeemGuard.create_id(account_key))  # type: ignore[attr-defined]
            if isinstance(current, RedeemGuard) and current.failures:
                current.clear()
                changed.append(current)
            return changed, answer(link, est)

        try:
            return self.execute(command_id, work)  # type: ignore[attr-defined]
        except (NotFound, LinkCodeRejected):
            self._count_failure(account_key)
            raise

    def _count_failure(self, account_key: str) -> None:
        policy = self.link_policy
        for _attempt in range(5):
            guard = self.get_or_none(RedeemGuard.create_id(account_key))  # type: ignore[attr-defined]
            if not isinstance(guard, RedeemGuard):
                guard = RedeemGuard(account_key=account_key)
            guard.record_failure(self.clock(), policy.max_failures, policy.window, policy.lockout)  # type: ignore[attr-defined]
            if self.save_unless_raced(guard):  # type: ignore[attr-defined]
                return
            cache = self.repository.cache  # type: ignore[attr-defined]
            cache and cache.cache.clear()
