"""The update inbox and the leases, in the bot's database (issue 15).

Every update Telegram sends (by long polling or the webhook) is a row keyed by its update_id
(a redelivered update is stored once), with its chat's key. A worker in any replica takes a
chat by its lease (a row per chat: owner and expiry; taken by one atomic UPDATE that only
matches when the lease is free, expired, or already its own), processes that chat's rows in
update_id order and marks each done. A replica that dies holds its leases only until they
expire; the row it did not mark done is processed again by whoever takes the chat next.
The poller's lease ("poller") works the same way: one replica calls getUpdates at a time.
"""
from __future__ import annotations

import json
import time
from typing import Any

from shared.kit.sql import Db

TABLES = (
    "CREATE TABLE IF NOT EXISTS {t:bot_inbox} (update_id BIGINT PRIMARY KEY, chat_key TEXT NOT NULL, "
    "payload TEXT NOT NULL, received_at DOUBLE PRECISION NOT NULL, done_at DOUBLE PRECISION, outcome TEXT, "
    "worker TEXT)",
    "CREATE INDEX IF NOT EXISTS bot_inbox_pending ON {t:bot_inbox} (chat_key, update_id)",
    "CREATE TABLE IF NOT EXISTS {t:bot_leases} (name TEXT PRIMARY KEY, owner TEXT NOT NULL, "
    "expires_at DOUBLE PRECISION NOT NULL)",
)
KEEP_DONE = 86400.0  # done rows are kept a day: a redelivered update_id is recognised and dropped


def chat_key(update: dict) -> str:
    """The chat an update belongs to (as PTB's effective_chat), else its user, else itself."""
    for kind, body in update.items():
        if kind == "update_id" or not isinstance(body, dict):
            continue
        chat = body.get("chat") or (body.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return str(int(chat["id"]))
        user = body.get("from") or body.get("user")
        if isinstance(user, dict) and "id" in user:
            return f"user:{int(user['id'])}"
    return f"update:{int(update['update_id'])}"


class Inbox:
    def __init__(self, db: Db) -> None:
        self.db = db
        db.execute_script(*TABLES)

    # -- intake ----------------------------------------------------------------------------------
    def put(self, update: dict) -> bool:
        """Store one update (a dict with an int update_id); False when it was already there."""
        update_id = int(update["update_id"])
        with self.db.transaction() as cur:
            known = cur.execute("SELECT update_id FROM {t:bot_inbox} WHERE update_id=%s", (update_id,)).one()
            if known is not None:
                return False
            cur.execute("INSERT INTO {t:bot_inbox} (update_id, chat_key, payload, received_at) VALUES (%s,%s,%s,%s) "
                        "ON CONFLICT (update_id) DO NOTHING",
                        (update_id, chat_key(update), json.dumps(update, ensure_ascii=False), time.time()))
        return True

    def last_update_id(self) -> int:
        with self.db.transaction(commit=False) as cur:
            return int(cur.execute("SELECT MAX(update_id) AS n FROM {t:bot_inbox}").scalar(0))

    # -- leases ----------------------------------------------------------------------------------
    def claim(self, name: str, owner: str, ttl: float) -> bool:
        """Take (or renew) a lease: only when it is free, expired or already `owner`'s."""
        now = time.time()
        with self.db.transaction() as cur:
            cur.execute("INSERT INTO {t:bot_leases} (name, owner, expires_at) VALUES (%s,%s,%s) "
                        "ON CONFLICT (name) DO NOTHING", (name, "", 0.0))
            cur.execute("UPDATE {t:bot_leases} SET owner=%s, expires_at=%s WHERE name=%s "
                        "AND (owner=%s OR expires_at < %s)", (owner, now + ttl, name, owner, now))
            row = cur.execute("SELECT owner FROM {t:bot_leases} WHERE name=%s", (name,)).one()
        return row is not None and row["owner"] == owner

    def release(self, name: str, owner: str) -> None:
        with self.db.transaction() as cur:
            cur.execute("UPDATE {t:bot_leases} SET expires_at=0 WHERE name=%s AND owner=%s", (name, owner))

    def holder(self, name: str) -> str | None:
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT owner FROM {t:bot_leases} WHERE name=%s AND expires_at >= %s",
                              (name, time.time())).one()
        return row["owner"] if row else None

    # -- workers ---------------------------------------------------------------------------------
    def ready_chats(self, limit: int) -> list[str]:
        """Chats with updates waiting whose lease nobody holds, oldest first."""
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute(
                "SELECT i.chat_key AS chat_key, MIN(i.update_id) AS first FROM {t:bot_inbox} i "
                "LEFT JOIN {t:bot_leases} l ON l.name = ('chat:' || i.chat_key) "
                "WHERE i.done_at IS NULL AND (l.expires_at IS NULL OR l.expires_at < %s) "
                "GROUP BY i.chat_key ORDER BY MIN(i.update_id) LIMIT %s", (time.time(), limit)).all()
        return [r["chat_key"] for r in rows]

    def next(self, key: str) -> dict | None:
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT update_id, payload, received_at FROM {t:bot_inbox} WHERE chat_key=%s "
                              "AND done_at IS NULL ORDER BY update_id LIMIT 1", (key,)).one()
        return None if row is None else {**row, "payload": json.loads(row["payload"])}

    def done(self, update_id: int, outcome: str, worker: str) -> None:
        with self.db.transaction() as cur:
            # the payload goes (a location, a text): only the update_id stays, to recognise a redelivery
            cur.execute("UPDATE {t:bot_inbox} SET done_at=%s, outcome=%s, worker=%s, payload='{}' WHERE update_id=%s "
                        "AND done_at IS NULL",
                        (time.time(), outcome, worker, int(update_id)))

    def seen_before(self, key: str, update_id: int, since: float) -> int:
        """Updates of the chat received since `since` that came before this one (the flood count)."""
        with self.db.transaction(commit=False) as cur:
            return int(cur.execute("SELECT COUNT(*) AS n FROM {t:bot_inbox} WHERE chat_key=%s AND update_id < %s "
                                   "AND received_at > %s", (key, int(update_id), since)).scalar(0))

    def told_since(self, key: str, since: float) -> bool:
        with self.db.transaction(commit=False) as cur:
            return cur.execute("SELECT update_id FROM {t:bot_inbox} WHERE chat_key=%s AND outcome='flood-told' "
                               "AND done_at > %s LIMIT 1", (key, since)).one() is not None

    def pending(self) -> int:
        with self.db.transaction(commit=False) as cur:
            return int(cur.execute("SELECT COUNT(*) AS n FROM {t:bot_inbox} WHERE done_at IS NULL").scalar(0))

    def outcomes(self, key: str) -> list[dict[str, Any]]:
        """What happened to a chat's updates, in order (for tests and the operator)."""
        with self.db.transaction(commit=False) as cur:
            return cur.execute("SELECT update_id, outcome, worker FROM {t:bot_inbox} WHERE chat_key=%s "
                               "ORDER BY update_id", (key,)).all()

    def prune(self) -> None:
        with self.db.transaction() as cur:
            cur.execute("DELETE FROM {t:bot_inbox} WHERE done_at IS NOT NULL AND done_at < %s",
                        (time.time() - KEEP_DONE,))
