"""The bot's own state, in its own database (SQLite file or PostgreSQL schema `langxanh_bot`).

- accounts: a Telegram user's chat, language, pseudonym and linked role (after `/link`);
- staff links: an inspector's account bound to their staff e-mail (they act as `staff:<e-mail>`);
- tickets: incident → chat, because public events never say who reported (design §5);
- subscriptions: what an inspector or agency wants pushed (event types × communes);
- draft places: a report draft's exact location until it is filed (never in the state file);
- manifest parties: each manifest's generator, transporters, facilities and signatures, so pushes
  reach the parties (bot/pushes/);
- outbox: messages waiting to be sent. The feed writes them in the same transaction as its
  tracking row, the sender deletes each once Telegram took it: a crash loses no push.

Residents reach the services only as a pseudonym (an HMAC of their Telegram id under the
bot's key); their Telegram id stays here, where it is needed to answer them. A linked role acts
under a pseudonym of its own (domain-separated), and a code is redeemed under a third one.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.config import Settings
from shared.kit.sql import Db

TABLES = (
    "CREATE TABLE IF NOT EXISTS {t:bot_accounts} (user_id TEXT PRIMARY KEY, chat_id BIGINT NOT NULL, "
    "lang TEXT NOT NULL, role TEXT NOT NULL, establishment_id TEXT, linked_at TEXT)",
    "CREATE TABLE IF NOT EXISTS {t:bot_tickets} (incident_id TEXT PRIMARY KEY, ticket TEXT NOT NULL, "
    "user_id TEXT NOT NULL, chat_id BIGINT NOT NULL, reported_on TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {t:bot_subscriptions} (id TEXT PRIMARY KEY, chat_id BIGINT NOT NULL, "
    "user_id TEXT NOT NULL, types TEXT NOT NULL, communes TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {t:bot_outbox} (id TEXT PRIMARY KEY, chat_id BIGINT NOT NULL, lang TEXT NOT NULL, "
    "key TEXT NOT NULL, args TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)",
    # an inspector linked by a code bound to their staff account (issue 15): they act as staff:<email>
    "CREATE TABLE IF NOT EXISTS {t:bot_staff_links} (user_id TEXT PRIMARY KEY, email TEXT NOT NULL, "
    "linked_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS bot_staff_links_email ON {t:bot_staff_links} (email)",
    # a report draft's exact location, kept here (not in the conversation state file) until it is filed
    "CREATE TABLE IF NOT EXISTS {t:bot_draft_places} (draft_id TEXT PRIMARY KEY, place TEXT NOT NULL, "
    "created_at TEXT NOT NULL)",
    # who the parties of a manifest are and who has signed (bot/pushes/parties.py), from the public stream:
    # the feed asks them to sign again after a correction, and shows both sides a discrepancy
    "CREATE TABLE IF NOT EXISTS {t:bot_manifest_parties} (manifest_id TEXT PRIMARY KEY, number TEXT NOT NULL, "
    "generator TEXT NOT NULL, transporters TEXT NOT NULL, facility_1 TEXT NOT NULL, facility_2 TEXT, "
    "signed TEXT NOT NULL, resign TEXT NOT NULL, version INTEGER NOT NULL, receiver TEXT, discrepancies TEXT, accepted TEXT)",
)
DRAFT_PLACE_DAYS = 2  # a draft's place left behind (a timeout, a crash) is dropped after this


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat()


def load_secret(settings: Settings) -> bytes:
    """LANGXANH_BOT_SECRET, or the data dir's own, made by the first replica that starts. Replicas
    starting together race for it: each writes a whole secret to a file of its own and links it in
    place (atomic; only the first link succeeds), so none reads a half-written one or fails."""
    if settings.bot.secret:
        return settings.bot.secret.encode()
    path = Path(settings.data_dir) / "bot" / "secret"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        mine = path.with_name(f".secret.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(mine, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(mine, path)
        except FileExistsError:
            pass  # another replica's secret is in place first: that one is the secret
        finally:
            mine.unlink()
    return path.read_text().strip().encode()


class BotStore:
    def __init__(self, db: Db, secret: bytes) -> None:
        self.db = db
        self.secret = secret
        db.execute_script(*TABLES)

    # -- identity --------------------------------------------------------------------------------
    def _hmac(self, message: str) -> str:
        return "tg-" + hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()[:24]

    def pseudonym(self, user_id: int | str) -> str:
        """A resident's pseudonym: HMAC of the Telegram id alone (as before issue 13, so residents'
        earlier reports stay theirs)."""
        return self._hmac(str(user_id))

    def role_pseudonym(self, user_id: int | str, role: str, establishment_id: str | None) -> str:
        """The pseudonym of a linked role (business, transporter, facility, inspector, agency):
        domain-separated from the resident's, and per establishment, so nobody who sees both can
        tell that a business's signer and a resident reporter are one person."""
        return self._hmac(f"langxanh/role/{role}/{establishment_id or '-'}/{user_id}")

    def link_account(self, user_id: int | str) -> str:
        """Who redeems a link code, as the sites service sees it: unrelated to either pseudonym."""
        return self._hmac(f"langxanh/link/{user_id}")

    def link_command_id(self, user_id: int | str, code: str) -> str:
        """The same user with the same code: the same command id (a retry acts once)."""
        return "bot-link-" + hmac.new(self.secret, f"langxanh/link-command/{user_id}/{code}".encode(),
                                      hashlib.sha256).hexdigest()[:32]

    def account(self, user_id: int | str) -> dict | None:
        with self.db.transaction(commit=False) as cur:
            return cur.execute("SELECT * FROM {t:bot_accounts} WHERE user_id=%s", (str(user_id),)).one()

    def staff_email(self, user_id: int | str) -> str | None:
        """The staff e-mail an inspector's account is bound to (a staff-bound link code), if any."""
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT email FROM {t:bot_staff_links} WHERE user_id=%s", (str(user_id),)).one()
        return row["email"] if row else None

    def actor(self, user_id: int | str) -> Actor:
        row = self.account(user_id)
        if row is None or row["role"] == Role.RESIDENT.value:
            return Actor(id=self.pseudonym(user_id), role=Role.RESIDENT)
        if row["role"] == Role.INSPECTOR.value:
            email = self.staff_email(user_id)
            if email:  # the services check what is assigned to this staff account (services/inspections)
                return Actor(id=f"staff:{email}", role=Role.INSPECTOR)
        return Actor(id=self.role_pseudonym(user_id, row["role"], row["establishment_id"]), role=Role(row["role"]),
                     establishment=row["establishment_id"])

    def remember(self, user_id: int | str, chat_id: int, lang: str) -> None:
        """Keep the chat and language of a user (needed to push them news later)."""
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t:bot_accounts} (user_id, chat_id, lang, role) VALUES (%s,%s,%s,%s) "
                "ON CONFLICT (user_id) DO UPDATE SET chat_id=excluded.chat_id, lang=excluded.lang",
                (str(user_id), chat_id, lang, Role.RESIDENT.value),
            )

    def link(self, user_id: int | str, chat_id: int, lang: str, role: str, establishment_id: str | None,
             staff: str | None = None) -> None:
        """Bind the account to a role (and a staff account for an inspector's staff-bound code); a
        new link replaces the old one, its staff binding too."""
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:bot_staff_links} WHERE user_id=%s", (str(user_id),))
            if staff and role == Role.INSPECTOR.value:
                cur.execute("INSERT INTO {t:bot_staff_links} (user_id, email, linked_at) VALUES (%s,%s,%s)",
                            (str(user_id), staff.strip().lower(), now_iso()))
            cur.execute(
                "INSERT INTO {t:bot_accounts} (user_id, chat_id, lang, role, establishment_id, linked_at) "
                "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (user_id) DO UPDATE SET chat_id=excluded.chat_id, "
                "lang=excluded.lang, role=excluded.role, establishment_id=excluded.establishment_id, "
                "linked_at=excluded.linked_at",
                (str(user_id), chat_id, lang, role, establishment_id, now_iso()),
            )

    # -- report drafts' exact places --------------------------------------------------------------
    def put_place(self, draft_id: str, place: dict) -> None:
        stale = (datetime.now(timezone.utc) - timedelta(days=DRAFT_PLACE_DAYS)).isoformat()
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:bot_draft_places} WHERE created_at < %s", (stale,))
            cur.execute("INSERT INTO {t:bot_draft_places} (draft_id, place, created_at) VALUES (%s,%s,%s) "
                        "ON CONFLICT (draft_id) DO UPDATE SET place=excluded.place, created_at=excluded.created_at",
                        (draft_id, json.dumps(place), now_iso()))

    def place(self, draft_id: str) -> dict | None:
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT place FROM {t:bot_draft_places} WHERE draft_id=%s", (draft_id,)).one()
        return json.loads(row["place"]) if row else None

    def drop_place(self, draft_id: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:bot_draft_places} WHERE draft_id=%s", (draft_id,))

    # -- tickets ---------------------------------------------------------------------------------
    def add_ticket(self, incident_id: str, ticket: str, user_id: int | str, chat_id: int) -> None:
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t:bot_tickets} (incident_id, ticket, user_id, chat_id, reported_on, created_at) "
                "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT (incident_id) DO NOTHING",
                (incident_id, ticket, str(user_id), chat_id, local_date(datetime.now(timezone.utc)).isoformat(),
                 now_iso()),
            )

    def reports_today(self, user_id: int | str) -> int:
        today = local_date(datetime.now(timezone.utc)).isoformat()
        with self.db.transaction(commit=False) as cur:
            return int(cur.execute("SELECT COUNT(*) AS n FROM {t:bot_tickets} WHERE user_id=%s AND reported_on=%s",
                                   (str(user_id), today)).scalar(0))

    # -- subscriptions ---------------------------------------------------------------------------
    def subscribe(self, user_id: int | str, chat_id: int, types: list[str], communes: list[str]) -> str:
        sid = uuid.uuid4().hex[:8]
        with self.db.transaction() as cur:
            cur.execute(
                "INSERT INTO {t:bot_subscriptions} (id, chat_id, user_id, types, communes, created_at) "
                "VALUES (%s,%s,%s,%s,%s,%s)",
                (sid, chat_id, str(user_id), json.dumps(sorted(types)), json.dumps(sorted(communes)), now_iso()),
            )
        return sid

    def subscriptions(self, user_id: int | str | None = None) -> list[dict]:
        sql, params = "SELECT * FROM {t:bot_subscriptions}", []
        if user_id is not None:
            sql += " WHERE user_id=%s"
            params.append(str(user_id))
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute(sql + " ORDER BY created_at, id", params).all()
        for r in rows:
            r["types"], r["communes"] = json.loads(r["types"]), json.loads(r["communes"])
        return rows

    def unsubscribe(self, user_id: int | str, sid: str) -> bool:
        with self.db.transaction() as cur:
            found = cur.execute("SELECT id FROM {t:bot_subscriptions} WHERE user_id=%s AND id=%s",
                                (str(user_id), sid)).one()
            cur.execute("DELETE FROM {t:bot_subscriptions} WHERE user_id=%s AND id=%s", (str(user_id), sid))
            return found is not None

    # -- outbox ----------------------------------------------------------------------------------
    def pending(self, limit: int = 30) -> list[dict]:
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute("SELECT * FROM {t:bot_outbox} ORDER BY created_at, id LIMIT %s", (limit,)).all()
        for r in rows:
            r["args"] = json.loads(r["args"])
        return rows

    def sent(self, message_id: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:bot_outbox} WHERE id=%s", (message_id,))

    def failed(self, message_id: str, give_up_after: int = 20) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:bot_outbox} SET attempts=attempts+1 WHERE id=%s", (message_id,))
            cur.execute("DELETE FROM {t:bot_outbox} WHERE id=%s AND attempts>=%s", (message_id, give_up_after))


def enqueue(cur: Any, message_id: str, chat_id: int, lang: str, key: str, args: dict) -> None:
    """Queue one message in the caller's transaction (the feed's, beside its tracking row)."""
    cur.execute(
        "INSERT INTO {t:bot_outbox} (id, chat_id, lang, key, args, created_at) VALUES (%s,%s,%s,%s,%s,%s) "
        "ON CONFLICT (id) DO NOTHING",
        (message_id, chat_id, lang, key, json.dumps(args, ensure_ascii=False), now_iso()),
    )


def open_store(settings: Settings, name: str = "bot") -> BotStore:
    """The bot's store (`name` = "bot_console" keeps `langxanh chat` apart from a running bot)."""
    from shared.kit.store import plain_db

    return BotStore(plain_db(name, settings), load_secret(settings))
