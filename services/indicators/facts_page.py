"""The writes of one transaction of the indicators' facts, batched (issue 18, P3).

A transaction applies up to a follower's `per_transaction` events. Projected one by one, each event
cost one to three statements, reads included (a manifest's row before changing it, a case's
before upserting it): on PostgreSQL each is a round trip. A `FactsPage` instead

- reads every manifest and case the transaction's events concern in one SELECT per table, first;
- keeps those rows in memory while the events change them, in order;
- then writes: the inserted rows in one `executemany` per statement, then the updates (so a row
  inserted and changed in the same transaction is inserted first), then the manifests and cases,
  new ones inserted and changed ones updated, one `executemany` each.

The rows written are the rows the statements one by one wrote (tests/application/
test_indicators_pages.py compares them, transactions of one event against pages of every size).
"""
from __future__ import annotations

from typing import Any

from shared.kit.sql import Cursor

_IN = 400  # ids per SELECT … IN (…): far inside SQLite's and PostgreSQL's parameter limits


class Rows:
    """The rows of one table the transaction touches, by key: read once, changed in memory,
    written back at the end (new ones inserted, changed ones updated, every column but the key)."""

    def __init__(self, table: str, key: str, columns: tuple[str, ...]) -> None:
        self.table, self.key, self.columns = table, key, columns
        self.rows: dict[str, dict | None] = {}
        self.new: list[str] = []  # the rows inserted, in order (twice: the second INSERT fails, as it did)
        self.changed: dict[str, None] = {}  # the stored rows changed, in order
        self.inserted: set[str] = set()

    def load(self, cur: Cursor, ids: list[str]) -> None:
        wanted = [i for i in dict.fromkeys(ids) if i not in self.rows]
        for start in range(0, len(wanted), _IN):
            part = wanted[start:start + _IN]
            marks = ",".join(["%s"] * len(part))
            for row in cur.execute(f"SELECT * FROM {{t:{self.table}}} WHERE {self.key} IN ({marks})", part).all():
                self.rows[row[self.key]] = row
        for i in wanted:
            self.rows.setdefault(i, None)

    def get(self, cur: Cursor, key: str) -> dict | None:
        if key not in self.rows:
            self.load(cur, [key])
        row = self.rows[key]
        return None if row is None else dict(row)

    def insert(self, row: dict) -> None:
        """A new row (every column given; one already there fails at the end, as its INSERT would)."""
        key = row[self.key]
        self.rows[key] = {c: row.get(c) for c in self.columns}
        self.new.append(key)
        self.inserted.add(key)

    def update(self, key: str, fields: dict[str, Any]) -> None:
        row = self.rows.get(key)
        if row is None:
            return
        row.update(fields)
        if key not in self.inserted:
            self.changed[key] = None

    def write(self, cur: Cursor) -> None:
        if self.new:
            cols = ", ".join(self.columns)
            marks = ",".join(["%s"] * len(self.columns))
            cur.executemany(f"INSERT INTO {{t:{self.table}}} ({cols}) VALUES ({marks})",
                            [tuple(self.rows[k][c] for c in self.columns) for k in self.new])  # type: ignore[index]
        if self.changed:
            rest = [c for c in self.columns if c != self.key]
            sets = ", ".join(f"{c}=%s" for c in rest)
            cur.executemany(f"UPDATE {{t:{self.table}}} SET {sets} WHERE {self.key}=%s",
                            [tuple(self.rows[k][c] for c in rest) + (k,) for k in self.changed])  # type: ignore[index]


MANIFEST_COLUMNS = ("manifest_id", "generator_id", "lines", "handed_over_on", "handed_over_recorded", "handed_over_kg",
                    "treated_on", "treated_recorded", "treated_kg", "measured_kg", "state", "event_ids")
CASE_COLUMNS = ("id", "kind", "site_id", "state", "on_date", "detail")


class FactsPage:
    """What the handlers of services/indicators/views.py write to, for one transaction."""

    def __init__(self, cur: Cursor) -> None:
        self.cur = cur
        self.inserts: dict[str, list[tuple]] = {}
        self.updates: dict[str, list[tuple]] = {}
        self.manifests = Rows("ind_manifest", "manifest_id", MANIFEST_COLUMNS)
        self.cases = Rows("ind_case", "id", CASE_COLUMNS)

    def insert(self, sql: str, params: tuple) -> None:
        self.inserts.setdefault(sql, []).append(params)

    def update(self, sql: str, params: tuple) -> None:
        """Run after every insert of the transaction (each statement's rows in the events' order)."""
        self.updates.setdefault(sql, []).append(params)

    def manifest(self, manifest_id: str) -> dict | None:
        return self.manifests.get(self.cur, manifest_id)

    def case(self, case_id: str) -> dict | None:
        return self.cases.get(self.cur, case_id)

    def write(self) -> None:
        for statements in (self.inserts, self.updates):
            for sql, rows in statements.items():
                self.cur.executemany(sql, rows)
        self.manifests.write(self.cur)
        self.cases.write(self.cur)
