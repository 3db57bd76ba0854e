"""The staff board of inspections: indexed rows for the staff workspace's lists (issue 14).

- `inspection_board`: one row per inspection with what the lists filter on (state, kind, site,
  its commune as the sites directory said when the row was projected, year and quarter of the
  scheduled date, the assigned unit and inspector) and what they show.
- `measure_board`: one row per remedial measure of every violation (deadline, done), for the
  list of overdue measures.

A projection of the service's own log with its own tracking (built from the start of the log
the first time it runs beside an existing store).
"""
from __future__ import annotations

from datetime import date
from typing import Any

from services.inspections.domainmodel import Inspection, Violation
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor

INSPECTION_COLUMNS = ("id", "state", "kind", "site_id", "establishment_id", "commune", "scheduled_for", "year",
                      "quarter", "unit", "inspector", "plan_year", "plan_ref", "incidents", "exceeded", "violations")


def quarter_of(iso_day: str) -> tuple[int, int]:
    d = date.fromisoformat(iso_day[:10])
    return d.year, (d.month - 1) // 3 + 1


class InspectionsBoard(OwnLogProjection):
    name = "inspections_board"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:inspection_board} (id TEXT PRIMARY KEY, state TEXT NOT NULL, kind TEXT NOT NULL, "
        "site_id TEXT NOT NULL, establishment_id TEXT, commune TEXT, scheduled_for TEXT NOT NULL, year INTEGER NOT NULL, "
        "quarter INTEGER NOT NULL, unit TEXT, inspector TEXT, plan_year INTEGER, plan_ref TEXT, "
        "incidents INTEGER NOT NULL, exceeded INTEGER NOT NULL, violations INTEGER NOT NULL)",
        "CREATE INDEX IF NOT EXISTS inspection_board_by_when ON {t:inspection_board} (year, quarter, scheduled_for)",
        "CREATE INDEX IF NOT EXISTS inspection_board_by_state ON {t:inspection_board} (state, scheduled_for)",
        "CREATE TABLE IF NOT EXISTS {t:measure_board} (violation_id TEXT NOT NULL, idx INTEGER NOT NULL, "
        "measure TEXT NOT NULL, deadline TEXT NOT NULL, done INTEGER NOT NULL, state TEXT NOT NULL, site_id TEXT NOT NULL, "
        "establishment_id TEXT NOT NULL, commune TEXT, inspection_id TEXT, PRIMARY KEY (violation_id, idx))",
        "CREATE INDEX IF NOT EXISTS measure_board_by_deadline ON {t:measure_board} (done, deadline)",
        "CREATE TABLE IF NOT EXISTS {t:violation_board} (id TEXT PRIMARY KEY, inspection_id TEXT, state TEXT NOT NULL, "
        "site_id TEXT NOT NULL, establishment_id TEXT NOT NULL, code TEXT NOT NULL, fine_vnd BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS violation_board_by_inspection ON {t:violation_board} (inspection_id)",
    )

    def _commune(self, site_id: Any) -> str | None:
        directory = getattr(self.app, "directory", None)
        try:
            site = directory.site(str(site_id)) if directory is not None else None
        except Exception:  # noqa: BLE001 - a directory not ready yet: the row has no commune
            site = None
        return (site or {}).get("commune")

    def project(self, cur: Cursor, event: dict) -> None:
        agg = self.aggregate_at(event)
        if isinstance(agg, Inspection):
            self._inspection(cur, agg)
        elif isinstance(agg, Violation):
            self._measures(cur, agg)

    def _inspection(self, cur: Cursor, ins: Inspection) -> None:
        year, quarter = quarter_of(ins.scheduled_for)
        samples = (ins.conducted or {}).get("samples") or []
        row = (str(ins.id), ins.state, ins.kind, str(ins.site_id),
               str(ins.establishment_id) if ins.establishment_id else None, self._commune(ins.site_id),
               ins.scheduled_for, year, quarter, getattr(ins, "unit", None), getattr(ins, "inspector", None),
               ins.plan_year, ins.plan_ref, len(ins.incident_ids), int(any(s.get("exceeds") for s in samples)),
               len(ins.violation_ids))
        cur.execute("DELETE FROM {t:inspection_board} WHERE id=%s", (str(ins.id),))
        cur.execute(f"INSERT INTO {{t:inspection_board}} ({', '.join(INSPECTION_COLUMNS)}) "
                    f"VALUES ({','.join(['%s'] * len(INSPECTION_COLUMNS))})", row)

    def _measures(self, cur: Cursor, v: Violation) -> None:
        cur.execute("DELETE FROM {t:violation_board} WHERE id=%s", (str(v.id),))
        cur.execute("INSERT INTO {t:violation_board} (id, inspection_id, state, site_id, establishment_id, code, fine_vnd) "
                    "VALUES (%s,%s,%s,%s,%s,%s,%s)",
                    (str(v.id), str(v.inspection_id) if v.inspection_id else None, v.state, str(v.site_id),
                     str(v.establishment_id), v.legal_basis["code"], int(v.fine_vnd)))
        cur.execute("DELETE FROM {t:measure_board} WHERE violation_id=%s", (str(v.id),))
        commune = self._commune(v.site_id)
        for idx, m in enumerate(v.remedial_measures):
            cur.execute(
                "INSERT INTO {t:measure_board} (violation_id, idx, measure, deadline, done, state, site_id, "
                "establishment_id, commune, inspection_id) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (str(v.id), idx, m["measure"], m["deadline"], int(bool(m["done"])), v.state, str(v.site_id),
                 str(v.establishment_id), commune, str(v.inspection_id) if v.inspection_id else None))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:inspection_board}")
        cur.execute("DELETE FROM {t:measure_board}")
        cur.execute("DELETE FROM {t:violation_board}")

    # -- queries ---------------------------------------------------------------------------------
    @staticmethod
    def _where(filters: dict[str, Any], communes: list[str] | None) -> tuple[str, list]:
        sql, params = " WHERE 1=1", []
        for column, value in filters.items():
            if value is not None:
                sql += f" AND {column}=%s"  # column names come from this module, never from a caller
                params.append(value)
        if communes:
            sql += f" AND commune IN ({','.join(['%s'] * len(communes))})"
            params.extend(communes)
        return sql, params

    def inspections(self, filters: dict[str, Any], communes: list[str] | None, limit: int, offset: int) -> dict:
        where, params = self._where(filters, communes)
        total = self.fresh_rows("SELECT COUNT(*) AS n FROM {t:inspection_board}" + where, params)[0]["n"]
        rows = self.rows("SELECT * FROM {t:inspection_board}" + where +
                         " ORDER BY scheduled_for DESC, id LIMIT %s OFFSET %s", [*params, limit, offset])
        return {"total": int(total), "offset": offset, "limit": limit,
                "rows": [dict(r, exceeded=bool(r["exceeded"])) for r in rows]}

    def states_of(self, inspection_ids: list[str]) -> dict[str, str]:
        if not inspection_ids:
            return {}
        marks = ",".join(["%s"] * len(inspection_ids))
        return {r["id"]: r["state"] for r in self.fresh_rows(
            f"SELECT id, state FROM {{t:inspection_board}} WHERE id IN ({marks})", inspection_ids)}

    def overdue_measures(self, on: date, communes: list[str] | None, limit: int, offset: int) -> dict:
        where, params = self._where({"done": 0}, communes)
        where += " AND deadline < %s AND state <> 'closed'"
        params.append(on.isoformat())
        total = self.fresh_rows("SELECT COUNT(*) AS n FROM {t:measure_board}" + where, params)[0]["n"]
        rows = self.rows("SELECT * FROM {t:measure_board}" + where +
                         " ORDER BY deadline, violation_id, idx LIMIT %s OFFSET %s", [*params, limit, offset])
        return {"total": int(total), "offset": offset, "limit": limit, "on": on.isoformat(),
                "rows": [dict(r, done=False, days_overdue=(on - date.fromisoformat(r["deadline"])).days) for r in rows]}

    def violations_at(self, inspection_id: str) -> list[str]:
        return [r["violation_id"] for r in self.fresh_rows(
            "SELECT id AS violation_id FROM {t:violation_board} WHERE inspection_id=%s ORDER BY id", (inspection_id,))]
