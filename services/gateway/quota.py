"""The Open311 reports per reporter per day, a counter row per (reporter, day) in the gateway's store.

Counting used to be an event-sourced `ReportQuota` aggregate: on every report a look for the
command's record, a read of the aggregate, and a save (the events table locked on PostgreSQL, the
event and the command's record written). Now it is one write transaction of two statements:
an UPSERT that adds one unless the day's limit is reached, and the command's record. The
semantics are those of before:
- a report past the limit is refused (`TooMany`) and nothing is written;
- the same command id again (a retry, a second replica, a twin at the same moment) is counted
  once and answers the first count, even once the limit is reached: the look for its record comes
  first; a twin that raced it fails on the record's primary key, which undoes its increment, or
  finds the limit reached, and then looks for the record again;
- replicas count on the same row (the same SQLite file or PostgreSQL schema). On PostgreSQL the
  UPSERT locks the row, so concurrent counts of one reporter take turns in the database; on
  SQLite one writer at a time.
Rows of past days are kept (one small row per reporter and day, and one per report).
The old `ReportQuota` events stay in the log (read by nothing); counts of the day this version is
deployed start again from zero.
"""
from __future__ import annotations

from eventsourcing.persistence import IntegrityError

from shared.kit.sql import Db

COUNTS, COMMANDS = "gw_report_counts", "gw_report_count_commands"


class ReportCounts:
    def __init__(self, db: Db) -> None:
        self.db = db
        db.execute_script(
            f"CREATE TABLE IF NOT EXISTS {{t:{COUNTS}}} (bucket TEXT NOT NULL, day TEXT NOT NULL, "
            "reports INTEGER NOT NULL, PRIMARY KEY (bucket, day))",
            f"CREATE TABLE IF NOT EXISTS {{t:{COMMANDS}}} (command_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, "
            "day TEXT NOT NULL, reports INTEGER NOT NULL)",
        )

    def counted(self, command_id: str) -> dict | None:
        """The answer of a command counted already, or None."""
        row = self.db.look(f"SELECT bucket, day, reports FROM {{t:{COMMANDS}}} WHERE command_id=%s", (command_id,))
        return None if row is None else {"bucket": row["bucket"], "day": row["day"], "count": row["reports"]}

    def count(self, command_id: str, bucket: str, day: str, limit: int) -> dict | int:
        """Count one report: its answer {bucket, day, count}, or the day's count (an int) when the
        limit is reached and nothing was counted."""
        stored = self.counted(command_id)
        if stored is not None:
            return stored
        if limit < 1:
            return 0
        try:
            with self.db.transaction() as cur:
                row = cur.execute(
                    f"INSERT INTO {{t:{COUNTS}}} AS c (bucket, day, reports) VALUES (%s, %s, 1) "
                    "ON CONFLICT (bucket, day) DO UPDATE SET reports = c.reports + 1 WHERE c.reports < %s "
                    "RETURNING reports", (bucket, day, limit)).one()
                if row is None:  # the limit: nothing changed
                    reached = self._reports(cur, bucket, day)
                else:
                    cur.execute(f"INSERT INTO {{t:{COMMANDS}}} (command_id, bucket, day, reports) "
                                "VALUES (%s, %s, %s, %s)", (command_id, bucket, day, row["reports"]))
                    return {"bucket": bucket, "day": day, "count": row["reports"]}
        except IntegrityError:  # a twin of this command counted first (its increment was undone with ours)
            stored = self.counted(command_id)
            if stored is None:
                raise
            return stored
        # A twin that counted after our first look reached the limit with its own report: its
        # answer (it committed before our UPSERT saw the row: the row's lock, or SQLite's writer).
        return self.counted(command_id) or reached

    def _reports(self, cur, bucket: str, day: str) -> int:  # type: ignore[no-untyped-def]
        return int(cur.execute(f"SELECT reports FROM {{t:{COUNTS}}} WHERE bucket=%s AND day=%s",
                               (bucket, day)).scalar(0))
