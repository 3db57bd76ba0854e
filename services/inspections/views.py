"""Read models of inspections.

- `InboxSitesDirectory` (places.py, on shared/directory.py): what the sites stream says about sites
  and establishments (followed from `langxanh.events` with the kit's follower).
- `InspectionsViews`: the service's own incidents, inspections and violations, for lists,
  counts, duplicate suggestions, the deadline timer and the staff inbox (projected from its own log).

Versioned by name: when the columns of a table change, the table and the projection get a new
name (`incident_view_v2`, `inspections_views_v2`), so a data dir projected by an older release
starts the new projection at position 0 and rebuilds it from the log (the old table stays,
unused); the unchanged tables are rewritten in place (each row is replaced), which converges.

The deadline timer reads only what is due: each incident row keeps `next_due` (the earliest of its
pending triage and resolution deadlines, absolute instants the incident carries) and `closes_since`
(its `resolved_at` while resolved: the reopen window is a setting, so the timer adds it at the
tick, and a changed setting applies to every row at once); each violation row keeps `next_due`,
the earliest deadline (a date) of its measures not done and not yet marked overdue. NULL when
nothing is pending; the timer selects `next_due < now` by a range scan of the index.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from shared.kit.calendar import distance_m, instant_key
from shared.directory import SitesDirectory  # noqa: F401  (services/inspections/places.py extends it)
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.inspections.domainmodel import Incident, Inspection, Violation

DUPLICATE_RADIUS_M = 300
DUPLICATE_WINDOW = timedelta(days=7)


OPEN_CLOCK = {"reported": "triage", "triaged": "resolution", "assigned": "resolution", "verified": "resolution",
              "reopened": "resolution"}  # which deadline runs in each open state (none in the others)
INBOX_COLUMNS = ("id, state, category, priority, site_id, lat, lon, reported_at, unit, inspector, assigned_due, "
                 "triage_due, resolution_due, due_at, overdue, reopened")  # never the reporter


def running_due(state: str, triage_due: datetime, resolution_due: datetime) -> datetime | None:
    """The deadline running in that state: triage while reported, resolution while open, else none."""
    clock = OPEN_CLOCK.get(state)
    return None if clock is None else (triage_due if clock == "triage" else resolution_due)


def sort_key(state: str, triage_due: datetime, resolution_due: datetime, reported_at: datetime) -> str:
    """Open incidents by their running deadline (the overdue first), then the others, newest first."""
    due = running_due(state, triage_due, resolution_due)
    if due is not None:
        return instant_key(due)
    return f"~{9_999_999_999 - int(reported_at.timestamp()):010d}"


def incident_next_due(i: Incident) -> str | None:
    """The earliest deadline the timer has still to mark (the rules of check_deadlines): triage
    while reported, resolution while open; None once marked or in another state."""
    pending = []
    if i.state == "reported" and "triage" not in i.overdue:
        pending.append(i.triage_due)
    if i.state in OPEN_CLOCK and "resolution" not in i.overdue:
        pending.append(i.resolution_due)
    return instant_key(min(pending)) if pending else None


def incident_closes_since(i: Incident) -> str | None:
    """When the reopen window of a resolved incident started (the timer closes it after the window)."""
    return instant_key(i.resolved_at) if i.state == "resolved" and i.resolved_at else None


def violation_next_due(v: Violation) -> str | None:
    """The earliest deadline day of a measure not done and not yet marked overdue; None when closed."""
    if v.state == "closed":
        return None
    days = [date.fromisoformat(m["deadline"]) for m in v.remedial_measures
            if not m["done"] and m["measure"] not in v.overdue]
    return min(days).isoformat() if days else None


class InspectionsViews(OwnLogProjection):
    name = "inspections_views_v3"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:incident_view_v3} (id TEXT PRIMARY KEY, state TEXT NOT NULL, "
        "category TEXT NOT NULL, priority TEXT, site_id TEXT, reporter TEXT NOT NULL, lat DOUBLE PRECISION, "
        "lon DOUBLE PRECISION, reported_at TEXT NOT NULL, unit TEXT, inspector TEXT, assigned_due TEXT, "
        "triage_due TEXT NOT NULL, resolution_due TEXT NOT NULL, due_at TEXT, sort_key TEXT NOT NULL, "
        "overdue TEXT NOT NULL, reopened INTEGER NOT NULL, doc TEXT NOT NULL, next_due TEXT, closes_since TEXT)",
        "CREATE INDEX IF NOT EXISTS incident_v3_next_due ON {t:incident_view_v3} (next_due) WHERE next_due IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS incident_v3_closes_since ON {t:incident_view_v3} (closes_since) "
        "WHERE closes_since IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS incident_v3_sort ON {t:incident_view_v3} (sort_key, id)",
        "CREATE INDEX IF NOT EXISTS incident_v3_state ON {t:incident_view_v3} (state, sort_key)",
        "CREATE INDEX IF NOT EXISTS incident_v3_site ON {t:incident_view_v3} (site_id, sort_key)",
        "CREATE INDEX IF NOT EXISTS incident_v3_category ON {t:incident_view_v3} (category, reported_at)",
        "CREATE INDEX IF NOT EXISTS incident_v3_inspector ON {t:incident_view_v3} (inspector, sort_key)",
        "CREATE INDEX IF NOT EXISTS incident_v3_unit ON {t:incident_view_v3} (unit, sort_key)",
        "CREATE INDEX IF NOT EXISTS incident_v3_reporter ON {t:incident_view_v3} (reporter, reported_at)",
        "CREATE TABLE IF NOT EXISTS {t:violation_view_v2} (id TEXT PRIMARY KEY, state TEXT NOT NULL, "
        "establishment_id TEXT NOT NULL, site_id TEXT NOT NULL, doc TEXT NOT NULL, next_due TEXT)",
        "CREATE INDEX IF NOT EXISTS violation_v2_next_due ON {t:violation_view_v2} (next_due) WHERE next_due IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS {t:inspection_view} (id TEXT PRIMARY KEY, state TEXT NOT NULL, site_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, scheduled_for TEXT NOT NULL)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        agg = self.aggregate_at(event)
        if isinstance(agg, Incident):
            self._project_incident(cur, agg)
        elif isinstance(agg, Violation):
            cur.execute("DELETE FROM {t:violation_view_v2} WHERE id=%s", (str(agg.id),))
            cur.execute("INSERT INTO {t:violation_view_v2} (id, state, establishment_id, site_id, doc, next_due) "
                        "VALUES (%s,%s,%s,%s,%s,%s)",
                        (str(agg.id), agg.state, str(agg.establishment_id), str(agg.site_id),
                         json.dumps({"fine_vnd": agg.fine_vnd, "overdue": agg.overdue}), violation_next_due(agg)))
        elif isinstance(agg, Inspection):
            cur.execute("DELETE FROM {t:inspection_view} WHERE id=%s", (str(agg.id),))
            cur.execute("INSERT INTO {t:inspection_view} (id, state, site_id, kind, scheduled_for) VALUES (%s,%s,%s,%s,%s)",
                        (str(agg.id), agg.state, str(agg.site_id), agg.kind, agg.scheduled_for))

    def _project_incident(self, cur: Cursor, agg: Incident) -> None:
        loc = agg.location or {}
        job = agg.assignment or {}
        due = running_due(agg.state, agg.triage_due, agg.resolution_due)
        cur.execute("DELETE FROM {t:incident_view_v3} WHERE id=%s", (str(agg.id),))
        cur.execute(
            "INSERT INTO {t:incident_view_v3} (id, state, category, priority, site_id, reporter, lat, lon, reported_at, "
            "unit, inspector, assigned_due, triage_due, resolution_due, due_at, sort_key, overdue, reopened, doc, "
            "next_due, closes_since) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (str(agg.id), agg.state, agg.category, agg.priority, str(agg.site_id) if agg.site_id else None,
             agg.reporter, loc.get("lat"), loc.get("lon"), agg.reported_at.isoformat(), job.get("unit"),
             job.get("inspector"), job.get("due"), instant_key(agg.triage_due), instant_key(agg.resolution_due),
             due and instant_key(due), sort_key(agg.state, agg.triage_due, agg.resolution_due, agg.reported_at),
             ",".join(agg.overdue), agg.reopened,
             json.dumps({"overdue": agg.overdue, "priority": agg.priority}), incident_next_due(agg),
             incident_closes_since(agg)),
        )

    def clear(self, cur: Cursor) -> None:
        for table in ("incident_view_v3", "violation_view_v2", "inspection_view"):
            cur.execute(f"DELETE FROM {{t:{table}}}")

    # -- queries ---------------------------------------------------------------------------------
    def due_incident_ids(self, now: datetime, reopen_days: int) -> list[UUID]:
        """Incidents a deadline tick at `now` may act on: a pending deadline passed (`next_due`), or
        resolved longer ago than the reopen window (`closes_since`); each a range scan of its index."""
        self.catch_up()
        due = self.rows("SELECT id FROM {t:incident_view_v3} WHERE next_due < %s", (instant_key(now),))
        expired = self.rows("SELECT id FROM {t:incident_view_v3} WHERE closes_since < %s",
                            (instant_key(now - timedelta(days=reopen_days)),))
        return sorted({UUID(r["id"]) for r in due + expired})

    def due_violation_ids(self, today: date) -> list[UUID]:
        """Violations with a measure not done, not yet marked, whose deadline day is before `today`."""
        return sorted(UUID(r["id"]) for r in self.fresh_rows(
            "SELECT id FROM {t:violation_view_v2} WHERE next_due < %s", (today.isoformat(),)))

    def incidents_of_reporter(self, reporter: str) -> list[str]:
        return [r["id"] for r in self.fresh_rows(
            "SELECT id FROM {t:incident_view_v3} WHERE reporter=%s ORDER BY reported_at DESC", (reporter,))]

    def list_incidents(self, state: str | None, site_id: str | None, limit: int, offset: int) -> list[str]:
        sql, params = "SELECT id FROM {t:incident_view_v3} WHERE 1=1", []
        if state:
            sql += " AND state=%s"
            params.append(state)
        if site_id:
            sql += " AND site_id=%s"
            params.append(site_id)
        return [r["id"] for r in self.fresh_rows(sql + " ORDER BY reported_at DESC, id LIMIT %s OFFSET %s", [*params, limit, offset])]

    def site_counts(self, site_id: str) -> dict:
        """Public: how many reports a site has, by state and category — never who reported."""
        rows = self.fresh_rows("SELECT state, category, COUNT(*) AS n FROM {t:incident_view_v3} WHERE site_id=%s "
                          "GROUP BY state, category ORDER BY state, category", (site_id,))
        by_state: dict[str, int] = {}
        by_category: dict[str, int] = {}
        for r in rows:
            by_state[r["state"]] = by_state.get(r["state"], 0) + int(r["n"])
            by_category[r["category"]] = by_category.get(r["category"], 0) + int(r["n"])
        return {"site_id": site_id, "total": sum(by_state.values()), "by_state": by_state, "by_category": by_category}

    def violations_of(self, establishment_id: str | None = None, state: str | None = None) -> list[str]:
        sql, params = "SELECT id FROM {t:violation_view_v2} WHERE 1=1", []
        if establishment_id:
            sql += " AND establishment_id=%s"
            params.append(establishment_id)
        if state:
            sql += " AND state=%s"
            params.append(state)
        return [r["id"] for r in self.fresh_rows(sql + " ORDER BY id", params)]

    def duplicates_of(self, incident: Any) -> list[dict]:
        lo = (incident.reported_at - DUPLICATE_WINDOW).isoformat()
        hi = (incident.reported_at + DUPLICATE_WINDOW).isoformat()
        rows = self.fresh_rows(
            "SELECT id, site_id, lat, lon, state, reported_at FROM {t:incident_view_v3} WHERE category=%s AND id<>%s "
            "AND reported_at >= %s AND reported_at <= %s AND state NOT IN ('rejected', 'merged') ORDER BY reported_at",
            (incident.category, str(incident.id), lo, hi))
        here = incident.location
        out = []
        for r in rows:
            same_site = incident.site_id is not None and r["site_id"] == str(incident.site_id)
            near = None
            if here and r["lat"] is not None:
                near = distance_m(here, {"lat": r["lat"], "lon": r["lon"]})
            if same_site or (near is not None and near <= DUPLICATE_RADIUS_M):
                out.append({"id": r["id"], "state": r["state"], "reported_at": r["reported_at"], "same_site": same_site,
                            "distance_m": None if near is None else round(near)})
        return out

    def tasks_of(self, inspector: str, states: tuple[str, ...], now: datetime, today: str, offset: int,
                 limit: int) -> tuple[list[dict], int]:
        """A page of an inspector's open tasks: urgent or overdue (running deadline passed, or the
        assignment's due day gone) first, then by the running deadline; with the count. The
        (inspector, sort_key) index finds them."""
        marks = ",".join(["%s"] * len(states))
        where = f"inspector=%s AND state IN ({marks})"
        total = int(self.fresh_rows(f"SELECT COUNT(*) AS n FROM {{t:incident_view_v3}} WHERE {where}",
                                    [inspector, *states])[0]["n"])
        late = "(due_at < %s OR assigned_due < %s)"
        rows = self.rows(
            f"SELECT id, state, category, priority, site_id, lat, lon, assigned_due, resolution_due, "
            f"CASE WHEN {late} THEN 1 ELSE 0 END AS late FROM {{t:incident_view_v3}} WHERE {where} "
            f"ORDER BY CASE WHEN priority='urgent' OR {late} THEN 0 ELSE 1 END, sort_key, id LIMIT %s OFFSET %s",
            [instant_key(now), today, inspector, *states, instant_key(now), today, limit, offset])
        return rows, total

    def inbox(self, *, states: list[str] | None = None, category: str | None = None,
              site_ids: list[str] | None = None, site_id: str | None = None, overdue_at: datetime | None = None,
              inspector: str | None = None, unit: str | None = None, offset: int = 0,
              limit: int = 50) -> tuple[list[dict], int]:
        """A page of the staff inbox and the count of every row matching. `site_ids` is the
        scope (None: city-wide; empty: nothing); `overdue_at`: only rows whose running deadline
        passed before that instant; `inspector` and `unit` together: assigned to either."""
        if site_ids is not None and not site_ids:
            return [], 0
        filters = dict(states=states, category=category, site_ids=site_ids, site_id=site_id, overdue_at=overdue_at,
                       inspector=inspector, unit=unit)
        self.catch_up()
        count_sql, count_params = self._inbox_where(**filters, page=False)
        total = int(self.rows(f"SELECT COUNT(*) AS n FROM {{t:incident_view_v3}} WHERE {count_sql}", count_params)[0]["n"])
        sql, params = self._inbox_where(**filters, page=True)
        rows = self.rows(f"SELECT {INBOX_COLUMNS} FROM {{t:incident_view_v3}} WHERE {sql} "
                         "ORDER BY sort_key, id LIMIT %s OFFSET %s", [*params, limit, offset])
        return rows, total

    def _inbox_where(self, *, states: list[str] | None, category: str | None, site_ids: list[str] | None,
                     site_id: str | None, overdue_at: datetime | None, inspector: str | None, unit: str | None,
                     page: bool) -> tuple[str, list]:
        """The WHERE of the inbox. On SQLite (no statistics unless analysed) the planner is
        steered: a unary `+` keeps a column from choosing the index, so a page walks the
        (sort_key) index and stops at its limit, and a site filter drives the (site_id) index."""
        sited = bool(site_ids or site_id or inspector or unit)  # a narrower index than the state's
        steer = "" if self.db.postgres else "+"
        where, params = ["1=1"], []
        if states:
            column = f"{steer}state" if (page or sited) else "state"
            where.append(f"{column} IN ({','.join(['%s'] * len(states))})")
            params.extend(states)
        if category:
            where.append(f"{steer}category=%s")
            params.append(category)
        if site_id:
            where.append("site_id=%s")
            params.append(site_id)
        if site_ids is not None:
            where.append(f"site_id IN ({','.join(['%s'] * len(site_ids))})")
            params.extend(site_ids)
        if overdue_at is not None:
            where.append("sort_key < %s")  # open rows only: the others' keys sort after every instant
            params.append(instant_key(overdue_at))
        if inspector and unit:
            where.append("(inspector=%s OR unit=%s)")
            params.extend([inspector, unit])
        elif inspector or unit:
            where.append("inspector=%s" if inspector else "unit=%s")
            params.append(inspector or unit)
        return " AND ".join(where), params
