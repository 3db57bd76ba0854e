"""PTB's persistence interface over the bot's database (issue 15): user data, chat data and
conversation states in tables of the bot's Db, as tagged JSON (bot/runtime/codec.py).

Why not PTB's PicklePersistence: a pickle can run code when it is loaded, it is one file per
machine, and it is written every few seconds, so N replicas cannot share it and a crash loses
the last steps. Here every write is a row in a transaction, and the runtime writes an update's
changes before the update counts as done (bot/runtime/application.py).

Replicas: nothing is cached for long. `get_user_data`/`get_chat_data`/`get_conversations` load
nothing at start; `refresh_user_data`/`refresh_chat_data` (PTB calls them before a callback) and
`conversation_states` (the runtime calls it before an update) read the rows as they are now.

An earlier version's `state.pickle` is imported once, into an empty database, then renamed aside
(`state.pickle.imported`): the file was the bot's own, private (0600), so loading it once is safe.
"""
from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.runtime import codec
from shared.kit.sql import Db

log = logging.getLogger("bot.persistence")

TABLES = (
    "CREATE TABLE IF NOT EXISTS {t:bot_user_data} (user_id TEXT PRIMARY KEY, data TEXT NOT NULL, "
    "updated_at DOUBLE PRECISION NOT NULL)",
    "CREATE TABLE IF NOT EXISTS {t:bot_chat_data} (chat_id TEXT PRIMARY KEY, data TEXT NOT NULL, "
    "updated_at DOUBLE PRECISION NOT NULL)",
    # one row per open conversation; last_update: the update that last touched it (replica-safe timeouts)
    "CREATE TABLE IF NOT EXISTS {t:bot_conversations} (name TEXT NOT NULL, conv_key TEXT NOT NULL, "
    "chat_id BIGINT NOT NULL, state TEXT NOT NULL, last_update BIGINT NOT NULL DEFAULT 0, "
    "touched_at DOUBLE PRECISION NOT NULL, PRIMARY KEY (name, conv_key))",
)


def key_text(key: tuple) -> str:
    return codec.dumps(list(key))


def key_of(text: str) -> tuple:
    return tuple(codec.loads(text))


class NotWritten(RuntimeError):
    """An update's changes could not be written: the update is not done (processed again later)."""


def private_sqlite(db: Db) -> None:
    """The bot's SQLite file (and its journal files) readable by the bot's user alone."""
    name = getattr(getattr(db.datastore, "pool", None), "db_name", None)  # eventsourcing 9.5's SQLite pool
    if db.postgres or not name or ":memory:" in str(name) or str(name).startswith("file:"):
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = Path(str(name) + suffix)
        if path.exists():
            os.chmod(path, 0o600)


class DbPersistence(BasePersistence):
    """user_data, chat_data and conversations in the bot's Db; bot_data and callback_data off.
    PTB's update_persistence hands a failed write to the error handlers and goes on; the
    runtime must know, so each failure is kept for `take_failures`."""

    def __init__(self, db: Db, legacy_pickle: Path | None = None, update_interval: float = 60) -> None:
        super().__init__(store_data=PersistenceInput(bot_data=False, callback_data=False),
                         update_interval=update_interval)
        self.db = db
        self.legacy_pickle = legacy_pickle
        self.failures: list[BaseException] = []
        self._batch: list | None = None
        db.execute_script(*TABLES)
        private_sqlite(db)

    # -- writes: one transaction per update (a batch), or one per call --------------------------
    def begin(self) -> None:
        """From now on writes are collected, to be committed together by `commit`."""
        self._batch = []

    def commit(self, touch: tuple[int, int] | None = None, done: tuple[int, str] | None = None) -> None:
        """The collected writes, the chat's touch and the update's row in the inbox marked done
        (update_id, replica), in one transaction: all or none. So an update whose changes are
        written is never processed again, and one whose changes are not is processed again."""
        ops, self._batch = self._batch or [], None
        failures = self.take_failures()
        if failures:
            raise NotWritten(f"state writes failed: {failures[0]}") from failures[0]
        try:
            with self.db.transaction() as cur:
                for fn, args in ops:
                    fn(cur, *args)
                if touch is not None:
                    self._touch(cur, *touch)
                if done is not None:
                    cur.execute("UPDATE {t:bot_inbox} SET done_at=%s, outcome='ok', worker=%s, payload='{}' "
                                "WHERE update_id=%s AND done_at IS NULL", (time.time(), done[1], int(done[0])))
        except Exception as e:
            raise NotWritten(f"state not written: {e}") from e

    async def _write(self, fn: Any, *args: Any) -> None:
        if self._batch is not None:
            self._batch.append((fn, args))
            return

        def one() -> None:
            with self.db.transaction() as cur:
                fn(cur, *args)

        try:
            await asyncio.to_thread(one)
        except Exception as e:
            self.failures.append(e)
            raise

    def take_failures(self) -> list[BaseException]:
        failures, self.failures = self.failures, []
        return failures

    # -- synchronous rows (run in a thread) -------------------------------------------------------
    def _load(self, table: str, column: str, ident: Any) -> dict:
        with self.db.transaction(commit=False) as cur:
            row = cur.execute(f"SELECT data FROM {{t:{table}}} WHERE {column}=%s", (str(ident),)).one()
        return codec.loads(row["data"]) if row else {}

    def _store(self, cur: Any, table: str, column: str, ident: Any, data: dict) -> None:
        cur.execute(f"INSERT INTO {{t:{table}}} ({column}, data, updated_at) VALUES (%s,%s,%s) "
                    f"ON CONFLICT ({column}) DO UPDATE SET data=excluded.data, updated_at=excluded.updated_at",
                    (str(ident), codec.dumps(dict(data)), time.time()))

    def _drop(self, cur: Any, table: str, column: str, ident: Any) -> None:
        cur.execute(f"DELETE FROM {{t:{table}}} WHERE {column}=%s", (str(ident),))

    def _put_conversation(self, cur: Any, name: str, key: tuple, state: Any) -> None:
        if state is None:
            cur.execute("DELETE FROM {t:bot_conversations} WHERE name=%s AND conv_key=%s", (name, key_text(key)))
            return
        cur.execute("INSERT INTO {t:bot_conversations} (name, conv_key, chat_id, state, touched_at) "
                    "VALUES (%s,%s,%s,%s,%s) ON CONFLICT (name, conv_key) DO UPDATE SET "
                    "state=excluded.state, touched_at=excluded.touched_at",
                    (name, key_text(key), int(key[0]) if key else 0, codec.dumps(state), time.time()))

    def _touch(self, cur: Any, chat_id: int, update_id: int) -> None:
        """Every open conversation of the chat saw this update (its timer starts again)."""
        cur.execute("UPDATE {t:bot_conversations} SET last_update=%s, touched_at=%s WHERE chat_id=%s",
                    (int(update_id), time.time(), int(chat_id)))

    def conversation_rows(self, chat_id: int) -> list[dict]:
        """The chat's open conversations as stored now: name, key, state, last_update, touched_at."""
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute("SELECT * FROM {t:bot_conversations} WHERE chat_id=%s", (int(chat_id),)).all()
        return [{**r, "key": key_of(r["conv_key"]), "state": codec.loads(r["state"])} for r in rows]

    def stale_conversations(self, before: float, limit: int = 50) -> list[dict]:
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute("SELECT name, conv_key, chat_id, last_update FROM {t:bot_conversations} "
                               "WHERE touched_at < %s ORDER BY touched_at LIMIT %s", (before, limit)).all()
        return [{**r, "key": key_of(r["conv_key"])} for r in rows]

    def is_empty(self) -> bool:
        with self.db.transaction(commit=False) as cur:
            users = cur.execute("SELECT COUNT(*) AS n FROM {t:bot_user_data}").scalar(0)
            convs = cur.execute("SELECT COUNT(*) AS n FROM {t:bot_conversations}").scalar(0)
        return int(users) == 0 and int(convs) == 0

    # -- PTB's interface -------------------------------------------------------------------------
    async def get_user_data(self) -> dict[int, dict]:
        if self.legacy_pickle is not None:
            await import_pickle(self, self.legacy_pickle)
            self.legacy_pickle = None
        return {}  # loaded per user by refresh_user_data, as it is in the database now

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> None:
        return None

    async def get_conversations(self, name: str) -> dict:
        return {}  # reloaded per chat before each update (bot/runtime/conversations.py)

    async def update_conversation(self, name: str, key: tuple, new_state: object | None) -> None:
        await self._write(self._put_conversation, name, tuple(key), new_state)

    async def update_user_data(self, user_id: int, data: dict) -> None:
        await self._write(self._store, "bot_user_data", "user_id", user_id, data)

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        await self._write(self._store, "bot_chat_data", "chat_id", chat_id, data)

    async def update_bot_data(self, data: dict) -> None:
        pass

    async def update_callback_data(self, data: Any) -> None:
        pass

    async def drop_chat_data(self, chat_id: int) -> None:
        await self._write(self._drop, "bot_chat_data", "chat_id", chat_id)

    async def drop_user_data(self, user_id: int) -> None:
        await self._write(self._drop, "bot_user_data", "user_id", user_id)

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        fresh = await asyncio.to_thread(self._load, "bot_user_data", "user_id", user_id)
        user_data.clear()
        user_data.update(fresh)

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        fresh = await asyncio.to_thread(self._load, "bot_chat_data", "chat_id", chat_id)
        chat_data.clear()
        chat_data.update(fresh)

    async def refresh_bot_data(self, bot_data: dict) -> None:
        pass

    async def flush(self) -> None:
        pass  # every write is already committed


async def import_pickle(persistence: DbPersistence, path: Path) -> bool:
    """The earlier version's state file, once, into an empty database; then renamed aside."""
    path = Path(path)
    if not path.exists():
        return False
    if not await asyncio.to_thread(persistence.is_empty):
        log.warning("%s left as it is: the database already holds conversation state", path)
        return False
    from telegram.ext import PicklePersistence

    old = PicklePersistence(path)
    user_data = await old.get_user_data() or {}
    chat_data = await old.get_chat_data() or {}
    persistence.begin()  # all of it or nothing
    for uid, data in user_data.items():
        await persistence.update_user_data(uid, data)
    for cid, data in chat_data.items():
        await persistence.update_chat_data(cid, data)
    for name, states in (old.conversations or {}).items():
        for key, state in states.items():
            await persistence.update_conversation(name, key, state)
    await asyncio.to_thread(persistence.commit)
    path.rename(path.with_name(path.name + ".imported"))
    log.info("imported %d users' state from %s", len(user_data), path)
    return True
