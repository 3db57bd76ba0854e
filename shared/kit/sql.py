"""A tiny SQL seam over the Application's own datastore (SQLite file or PostgreSQL schema).

Read models, relay positions and follower tracking live beside the events, in the same
database, so a projection and its tracking row commit in one transaction.
Statements are written with %s placeholders and `{t:name}` table references.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_TABLE = re.compile(r"\{t:([a-z_][a-z0-9_]*)\}")


class Cursor:
    def __init__(self, raw: Any, db: "Db") -> None:
        self.raw = raw
        self.db = db

    def execute(self, sql: str, params: tuple | list = ()) -> "Cursor":
        self.raw.execute(self.db.render(sql), tuple(params))
        return self

    def executemany(self, sql: str, rows: list) -> "Cursor":
        self.raw.executemany(self.db.render(sql), rows)
        return self

    def one(self) -> dict | None:
        row = self.raw.fetchone()
        return None if row is None else dict(row)

    def all(self) -> list[dict]:
        return [dict(r) for r in self.raw.fetchall()]

    def scalar(self, default: Any = None) -> Any:
        row = self.raw.fetchone()
        if row is None:
            return default
        value = list(dict(row).values())[0]
        return default if value is None else value


class Db:
    def __init__(self, datastore: Any, *, postgres: bool, schema: str | None = None) -> None:
        self.datastore = datastore
        self.postgres = postgres
        self.schema = schema

    @classmethod
    def of(cls, app: Any) -> "Db":
        datastore = app.factory.datastore
        postgres = type(datastore).__name__.startswith("Postgres")
        return cls(datastore, postgres=postgres, schema=getattr(datastore, "schema", None))

    def render(self, sql: str) -> str:
        if self.postgres:
            return _TABLE.sub(lambda m: f'"{self.schema}"."{m.group(1)}"', sql)
        return _TABLE.sub(lambda m: m.group(1), sql).replace("%s", "?")

    @property
    def blob(self) -> str:
        return "BYTEA" if self.postgres else "BLOB"

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as raw:
            yield Cursor(raw, self)

    def look(self, sql: str, params: tuple | list = ()) -> dict | None:
        """One row of one read statement. On PostgreSQL on an autocommit connection, with no
        transaction around it (BEGIN and ROLLBACK would be two more round trips); on SQLite in a
        read transaction, as `transaction(commit=False)`."""
        if not self.postgres:
            with self.transaction(commit=False) as cur:
                return cur.execute(sql, params).one()
        with self.datastore.get_connection() as conn, conn.cursor() as raw:
            raw.execute(self.render(sql), tuple(params))
            row = raw.fetchone()
        return None if row is None else dict(row)

    def execute_script(self, *statements: str) -> None:
        """DDL; on PostgreSQL one replica at a time (a transaction-level advisory lock per schema),
        since concurrent CREATE ... IF NOT EXISTS can fail on the catalog."""
        with self.transaction() as cur:
            if self.postgres:
                from shared.kit.store import ddl_lock_held, ddl_lock_key

                if not ddl_lock_held(self.schema or ""):  # app_for already holds it while it builds the app
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (ddl_lock_key(self.schema or ""),))
            for statement in statements:
                cur.execute(statement)
