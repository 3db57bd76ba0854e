"""StaffApplication: the workspace's accounts (event-sourced, store "staff"), their passwords,
server-side sessions and login lockout.

- Passwords: Argon2id (argon2-cffi's defaults: 64 MiB, t=3, p=4), rehashed when the parameters
  change. An unknown e-mail costs the same hash as a known one.
- Lockout: `lock_after` wrong passwords in a row lock the account for `lock_minutes` (recorded as
  events, so the audit shows them); a per-address limit in each gateway process slows guessing
  across accounts.
- Sessions: a random token in an HttpOnly cookie; only its SHA-256 is stored, with the CSRF token
  of the session, an absolute and an idle expiry. Logging out, a new password, disabling or
  changing an account revoke its sessions.
"""
from __future__ import annotations

import re
import secrets
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.gateway.staff.accounts import (StaffAccount, account_id_for, check_communes, check_password,
                                             check_role, check_unit, normal_email, token_hash)
from shared.kit.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.kit.sql import Db
from shared.kit.store import ServiceApplication

TABLES = (
    "CREATE TABLE IF NOT EXISTS {t:staff_sessions} (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
    "csrf TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL, seen_at TEXT NOT NULL, "
    "revoked INTEGER NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS staff_sessions_account ON {t:staff_sessions} (account_id)",
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class AddressLimit:
    """At most `limit` login attempts per client address per minute, in this process."""

    def __init__(self, limit: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.clock = limit, clock
        self.seen: dict[str, deque[float]] = {}

    def hit(self, address: str) -> None:
        now = self.clock()
        q = self.seen.setdefault(address, deque())
        while q and now - q[0] > 60:
            q.popleft()
        if len(q) >= self.limit:
            raise InvalidInput("too many login attempts from this address; wait a minute", "email", "rate_limit")
        q.append(now)
        if len(self.seen) > 10_000:  # bounded: forget the quietest addresses
            for key in [k for k, v in self.seen.items() if not v or now - v[-1] > 60]:
                del self.seen[key]


class StaffApplication(ServiceApplication):
    name = "Staff"

    def __init__(self, env: dict | None = None, clock: Callable[[], datetime] | None = None,
                 session_hours: float = 12, idle_minutes: float = 120, lock_after: int = 5, lock_minutes: int = 15,
                 link_hours: int = 72, per_address_per_minute: int = 20) -> None:
        super().__init__(env)
        self.clock = clock or _now
        self.hasher = PasswordHasher()
        self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        self.session_hours, self.idle_minutes = session_hours, idle_minutes
        self.lock_after, self.lock_minutes, self.link_hours = lock_after, lock_minutes, link_hours
        self.addresses = AddressLimit(per_address_per_minute)
        self.db = Db.of(self)
        # DDL in a plain transaction: app_for holds the schema's advisory lock while it constructs
        # the application (execute_script would wait on that lock from a second connection)
        with self.db.transaction() as cur:
            for statement in TABLES:
                cur.execute(statement)

    # -- accounts ----------------------------------------------------------------------------------
    def account(self, email: str) -> StaffAccount:
        try:
            return self.repository.get(account_id_for(email))
        except Exception:  # AggregateNotFoundError, or an address that is not one
            raise NotFound("no staff account with this e-mail", "email", "exists") from None

    def add(self, by: dict, email: str, role: str, communes: list[str] = (), unit: str | None = None,
            name: str | None = None) -> dict:
        """A new account and its one-time set-password link secret (shown once, never stored)."""
        email, role_ = normal_email(email), check_role(role)
        communes_, unit_ = check_communes(list(communes)), check_unit(unit)
        name = check_unit(name)  # one line, bounded
        if account_id_for(email) in self.repository:
            raise Conflict("a staff account with this e-mail exists", "email", "exists")
        now = self.clock()
        acc = StaffAccount(email=email, role=role_.value, communes=communes_, unit=unit_, name=name, at=now, actor=by)
        secret = self._issue_link(acc, by, now)
        self.save(acc)
        return {"account_id": str(acc.id), "email": email, "role": role_.value, "link_secret": f"{acc.id.hex}.{secret}"}

    def _issue_link(self, acc: StaffAccount, by: dict, now: datetime) -> str:
        secret = secrets.token_urlsafe(32)
        acc.issue_link(link_hash=token_hash(secret), expires=now + timedelta(hours=self.link_hours), at=now, actor=by)
        return secret

    def reset_link(self, by: dict, email: str) -> dict:
        acc = self.account(email)
        if acc.disabled:
            raise Conflict("this account is disabled; enable it first", "email", "state")
        secret = self._issue_link(acc, by, self.clock())
        self.save(acc)
        return {"account_id": str(acc.id), "email": acc.email, "link_secret": f"{acc.id.hex}.{secret}"}

    def _by_link(self, link_secret: str) -> tuple[StaffAccount, str]:
        head, _, secret = (link_secret or "").partition(".")
        try:
            from uuid import UUID

            acc = self.repository.get(UUID(hex=head))
        except Exception:
            raise Forbidden("this set-password link is unknown, used or expired; ask an admin for a new one",
                            "token", "link") from None
        return acc, secret

    def check_link(self, link_secret: str) -> str:
        acc, secret = self._by_link(link_secret)
        acc.check_link(secret, self.clock())
        return acc.email

    def set_password(self, link_secret: str, password: str) -> dict:
        acc, secret = self._by_link(link_secret)
        acc.check_link(secret, self.clock())
        check_password(password)
        if password.strip().lower() in {acc.email, acc.email.split("@")[0]}:
            raise InvalidInput("the password must not be the e-mail address", "password", "weak")
        acc.set_password(password_hash=self.hasher.hash(password), at=self.clock(), actor={"id": f"staff:{acc.email}",
                                                                                           "role": acc.role})
        self.save(acc)
        self.revoke_sessions(str(acc.id))
        return {"email": acc.email}

    def change(self, by: dict, email: str, role: str, communes: list[str], unit: str | None,
               name: str | None = None) -> dict:
        acc = self.account(email)
        role_ = check_role(role)
        acc.change(role=role_.value, communes=check_communes(list(communes)), unit=check_unit(unit),
                   name=check_unit(name), at=self.clock(), actor=by)
        self.save(acc)
        self.revoke_sessions(str(acc.id))  # what the sessions may do changed
        return document(acc)

    def _act(self, email: str, act: Callable[[StaffAccount, datetime], None], revoke: bool = False) -> dict:
        acc = self.account(email)
        act(acc, self.clock())
        self.save(acc)
        if revoke:
            self.revoke_sessions(str(acc.id))
        return document(acc)

    def disable(self, by: dict, email: str) -> dict:
        return self._act(email, lambda acc, now: acc.disable(at=now, actor=by), revoke=True)

    def enable(self, by: dict, email: str) -> dict:
        return self._act(email, lambda acc, now: acc.enable(at=now, actor=by))

    def unlock(self, by: dict, email: str) -> dict:
        return self._act(email, lambda acc, now: acc.unlock(at=now, actor=by))

    def accounts(self) -> list[dict]:
        ids, start = [], 1
        while True:
            page = self.recorder.select_notifications(start=start, limit=500)
            for n in page:
                if n.topic.endswith("StaffAccount.Created"):
                    ids.append(n.originator_id)
            if len(page) < 500:
                break
            start = page[-1].id + 1
        return sorted((document(self.repository.get(i)) for i in ids), key=lambda d: d["email"])

    def history(self, email: str) -> list[dict]:
        """The account's events (never its hashes or secrets), oldest first."""
        acc = self.account(email)
        out = []
        for e in self.repository.event_store.get(acc.id):
            name = type(e).__qualname__.split(".")[-1]
            actor = getattr(e, "actor", None)
            out.append({"event": name, "at": e.timestamp.isoformat(), "version": e.originator_version,
                        "actor": actor.get("id") if isinstance(actor, dict) else None})
        return out

    # -- TOTP (optional, admins) --------------------------------------------------------------------
    def totp_secret(self) -> str:
        return pyotp.random_base32()

    def enable_totp(self, by: dict, email: str, secret: str, code: str) -> dict:
        if not isinstance(secret, str) or not re.fullmatch(r"[A-Z2-7]{16,64}", secret):
            raise InvalidInput("the TOTP secret is not one the page gave; reload the page", "code", "totp")
        if not pyotp.TOTP(secret).verify(str(code or "").strip(), valid_window=1):
            raise InvalidInput("the code does not match; enter the 6 digits the app shows now", "code", "totp")
        return self._act(email, lambda acc, now: acc.enable_totp(secret=secret, at=now, actor=by))

    def disable_totp(self, by: dict, email: str) -> dict:
        return self._act(email, lambda acc, now: acc.disable_totp(at=now, actor=by))

    # -- login and sessions -------------------------------------------------------------------------
    def login(self, email: str, password: str, address: str, code: str | None = None) -> dict:
        """A new session {token, csrf, account} or Forbidden (rule credentials, locked, totp)."""
        self.addresses.hit(address or "?")
        wrong = Forbidden("wrong e-mail or password", "password", "credentials")
        try:
            acc = self.account(email)
        except (NotFound, InvalidInput):
            self._verify(self._dummy, password)
            raise wrong from None
        now = self.clock()
        if acc.locked(now):
            raise Forbidden(f"too many wrong passwords: this account is locked until "
                            f"{acc.locked_until.isoformat(timespec='minutes')}", "password", "locked")
        if acc.disabled or acc.password_hash is None or not self._verify(acc.password_hash, password):
            if not acc.disabled and acc.password_hash is not None:
                acc.fail_login(at=now, lock_after=self.lock_after, lock_minutes=self.lock_minutes)
                self.save(acc)
            raise wrong
        if acc.totp_secret and not pyotp.TOTP(acc.totp_secret).verify(str(code or "").strip(), valid_window=1):
            raise Forbidden("the one-time code is missing or wrong", "code", "totp")
        acc.log_in(at=now)
        self.save(acc)
        return self._open_session(acc, now)

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return self.hasher.verify(hashed, password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _open_session(self, acc: StaffAccount, now: datetime) -> dict:
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + timedelta(hours=self.session_hours)
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO {t:staff_sessions} (token_hash, account_id, csrf, created_at, expires_at, seen_at) "
                        "VALUES (%s,%s,%s,%s,%s,%s)",
                        (token_hash(token), str(acc.id), csrf, now.isoformat(), expires.isoformat(), now.isoformat()))
        return {"token": token, "csrf": csrf, "account": document(acc)}

    def session(self, token: str | None) -> dict | None:
        """The session's account and CSRF token, or None (unknown, revoked, expired, idle, disabled)."""
        if not token or len(token) > 200:
            return None
        now = self.clock()
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT * FROM {t:staff_sessions} WHERE token_hash=%s", (token_hash(token),)).one()
        if (row is None or row["revoked"] or now.isoformat() > row["expires_at"]
                or now - datetime.fromisoformat(row["seen_at"]) > timedelta(minutes=self.idle_minutes)):
            return None
        from uuid import UUID

        acc = self.repository.get(UUID(row["account_id"]))
        if acc.disabled:
            return None
        if now - datetime.fromisoformat(row["seen_at"]) > timedelta(seconds=60):
            with self.db.transaction() as cur:
                cur.execute("UPDATE {t:staff_sessions} SET seen_at=%s WHERE token_hash=%s",
                            (now.isoformat(), token_hash(token)))
        return {"csrf": row["csrf"], "account": document(acc)}

    def logout(self, token: str | None) -> None:
        if token:
            with self.db.transaction() as cur:
                cur.execute("UPDATE {t:staff_sessions} SET revoked=1 WHERE token_hash=%s", (token_hash(token),))

    def revoke_sessions(self, account_id: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:staff_sessions} SET revoked=1 WHERE account_id=%s", (account_id,))


def document(acc: StaffAccount) -> dict[str, Any]:
    return {"account_id": str(acc.id), "email": acc.email, "role": acc.role, "communes": list(acc.communes),
            "unit": acc.unit, "name": acc.name, "disabled": acc.disabled, "totp": acc.totp_secret is not None,
            "password_set": acc.password_hash is not None,
            "locked_until": acc.locked_until.isoformat() if acc.locked_until else None,
            "created_at": acc.created_at.isoformat()}
