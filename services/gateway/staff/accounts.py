"""Staff accounts of the workspace: event-sourced, so who created, changed or disabled one is in
its history (the audit page reads it).

A staff member is the agency's staff, a commune officer (an account with communes) or an
inspector (with a unit). The password is kept as an Argon2id hash; the one-time set-password
link as the SHA-256 of its secret, with an expiry; the optional TOTP secret (admins) is kept
because every login checks a code against it. No transport, no pydantic.
"""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.actor import Role
from shared.kit.errors import Conflict, Forbidden, InvalidInput

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/gateway/staff")
STAFF_ROLES = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,180}\.[A-Za-z]{2,24}$")
AREA = re.compile(r"^[A-Za-z0-9_.:-]{1,60}$")
MAX_COMMUNES = 50
PASSWORD_MIN, PASSWORD_MAX = 12, 256


def normal_email(email: object) -> str:
    if not isinstance(email, str) or not EMAIL.match(email.strip()):
        raise InvalidInput("an e-mail address such as ten@hanoi.gov.vn", "email", "format")
    return email.strip().lower()


def account_id_for(email: str) -> UUID:
    return uuid5(NAMESPACE, f"staff:{normal_email(email)}")


def staff_actor_id(email: str) -> str:
    """The actor id the services record for a staff member's actions."""
    return f"staff:{normal_email(email)}"


def check_role(role: object) -> Role:
    try:
        r = Role(role)
    except ValueError:
        r = None
    if r not in STAFF_ROLES:
        raise InvalidInput(f"a staff role is one of {', '.join(x.value for x in STAFF_ROLES)}", "role", "enum")
    return r


def check_communes(communes: object) -> list[str]:
    if not isinstance(communes, (list, tuple)) or len(communes) > MAX_COMMUNES:
        raise InvalidInput(f"at most {MAX_COMMUNES} commune or district codes", "communes", "length")
    out = []
    for c in communes:
        if not isinstance(c, str) or not AREA.match(c.strip()):
            raise InvalidInput(f"not a commune or district code: {str(c)[:60]!r}", "communes", "format")
        if c.strip() not in out:
            out.append(c.strip())
    return out


def check_unit(unit: object) -> str | None:
    if unit is None or unit == "":
        return None
    if not isinstance(unit, str) or len(unit.strip()) > 80 or not unit.strip() or "\n" in unit:
        raise InvalidInput("a unit is one line of at most 80 characters", "unit", "length")
    return unit.strip()


def check_password(password: object) -> str:
    if not isinstance(password, str) or not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidInput(f"a password of {PASSWORD_MIN} to {PASSWORD_MAX} characters", "password", "length")
    return password


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class StaffAccount(Aggregate):
    @staticmethod
    def create_id(email: str) -> UUID:
        return account_id_for(email)

    @event("Created")
    def __init__(self, email: str, role: str, communes: list[str], unit: str | None, name: str | None,
                 at: datetime, actor: dict) -> None:
        self.email = email
        self.role = role
        self.communes = list(communes)
        self.unit = unit
        self.name = name
        self.created_at = at
        self.password_hash: str | None = None
        self.link_hash: str | None = None
        self.link_expires: datetime | None = None
        self.disabled = False
        self.failures = 0
        self.locked_until: datetime | None = None
        self.totp_secret: str | None = None
        self.password_changed_at: datetime | None = None

    @event("PasswordLinkIssued")
    def issue_link(self, link_hash: str, expires: datetime, at: datetime, actor: dict) -> None:
        self.link_hash = link_hash
        self.link_expires = expires

    def check_link(self, secret: str, now: datetime) -> None:
        if (self.disabled or self.link_hash is None or self.link_expires is None or now > self.link_expires
                or not hmac.compare_digest(self.link_hash, token_hash(secret))):
            raise Forbidden("this set-password link is unknown, used or expired; ask an admin for a new one",
                            "token", "link")

    @event("PasswordSet")
    def set_password(self, password_hash: str, at: datetime, actor: dict) -> None:
        self.password_hash = password_hash
        self.link_hash = None
        self.link_expires = None
        self.failures = 0
        self.locked_until = None
        self.password_changed_at = at

    @event("LoginFailed")
    def fail_login(self, at: datetime, lock_after: int, lock_minutes: int) -> None:
        self.failures += 1
        if self.failures >= lock_after:
            self.locked_until = at + timedelta(minutes=lock_minutes)
            self.failures = 0

    @event("LoggedIn")
    def log_in(self, at: datetime) -> None:
        self.failures = 0
        self.locked_until = None

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    @event("Changed")
    def change(self, role: str, communes: list[str], unit: str | None, name: str | None, at: datetime,
               actor: dict) -> None:
        self.role, self.communes, self.unit, self.name = role, list(communes), unit, name

    @event("Disabled")
    def disable(self, at: datetime, actor: dict) -> None:
        if self.disabled:
            raise Conflict("this account is already disabled", "account", "state")
        self.disabled = True
        self.link_hash = None

    @event("Enabled")
    def enable(self, at: datetime, actor: dict) -> None:
        if not self.disabled:
            raise Conflict("this account is not disabled", "account", "state")
        self.disabled = False

    @event("Unlocked")
    def unlock(self, at: datetime, actor: dict) -> None:
        self.failures = 0
        self.locked_until = None

    @event("TotpEnabled")
    def enable_totp(self, secret: str, at: datetime, actor: dict) -> None:
        self.totp_secret = secret

    @event("TotpDisabled")
    def disable_totp(self, at: datetime, actor: dict) -> None:
        self.totp_secret = None
