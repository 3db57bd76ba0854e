"""Read models of inspections.

- `SitesDirectory` (shared/directory.py): what the sites stream says about sites and
  establishments (followed from `langxanh.events` with the kit's follower).
- `InspectionsViews`: the service's own incidents, inspections and violations, for lists,
  counts, duplicate suggestions and the deadline timer (projected from its own log).
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from uuid import UUID

from shared.kit.calendar import distance_m
from shared.directory import SitesDirectory  # noqa: F401  (the directory this service follows)
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.inspections.domainmodel import Incident, Inspection, OPEN_INCIDENT_STATES, Violation

DUPLICATE_RADIUS_M = 300
DUPLICATE_WINDOW = timedelta(days=7)


class InspectionsViews(OwnLogProjection):
    name = "inspections_views"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:incident_view} (id TEXT PRIMARY KEY, state TEXT NOT NULL, category TEXT NOT NULL, "
        "site_id TEXT, reporter TEXT NOT NULL, lat DOUBLE PRECISION, lon DOUBLE PRECISION, reported_at TEXT NOT NULL, "
        "doc TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:violation_view} (id TEXT PRIMARY KEY, state TEXT NOT NULL, "
        "establishment_id TEXT NOT NULL, site_id TEXT NOT NULL, doc TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:inspection_view} (id TEXT PRIMARY KEY, state TEXT NOT NULL, site_id TEXT NOT NULL, "
        "kind TEXT NOT NULL, scheduled_for TEXT NOT NULL)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        agg = self.aggregate_at(event)
        if isinstance(agg, Incident):
            loc = agg.location or {}
            cur.execute("DELETE FROM {t:incident_view} WHERE id=%s", (str(agg.id),))
            cur.execute(
                "INSERT INTO {t:incident_view} (id, state, category, site_id, reporter, lat, lon, reported_at, doc) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (str(agg.id), agg.state, agg.category, str(agg.site_id) if agg.site_id else None, agg.reporter,
                 loc.get("lat"), loc.get("lon"), agg.reported_at.isoformat(),
                 json.dumps({"overdue": agg.overdue, "priority": agg.priority})),
            )
        elif isinstance(agg, Violation):
            cur.execute("DELETE FROM {t:violation_view} WHERE id=%s", (str(agg.id),))
            cur.execute("INSERT INTO {t:violation_view} (id, state, establishment_id, site_id, doc) VALUES (%s,%s,%s,%s,%s)",
                        (str(agg.id), agg.state, str(agg.establishment_id), str(agg.site_id),
                         json.dumps({"fine_vnd": agg.fine_vnd, "overdue": agg.overdue})))
        elif isinstance(agg, Inspection):
            cur.execute("DELETE FROM {t:inspection_view} WHERE id=%s", (str(agg.id),))
            cur.execute("INSERT INTO {t:inspection_view} (id, state, site_id, kind, scheduled_for) VALUES (%s,%s,%s,%s,%s)",
                        (str(agg.id), agg.state, str(agg.site_id), agg.kind, agg.scheduled_for))

    def clear(self, cur: Cursor) -> None:
        for table in ("incident_view", "violation_view", "inspection_view"):
            cur.execute(f"DELETE FROM {{t:{table}}}")

    # -- queries ---------------------------------------------------------------------------------
    def open_incident_ids(self) -> list[UUID]:
        states = sorted(s.value for s in OPEN_INCIDENT_STATES) + ["resolved"]
        marks = ",".join(["%s"] * len(states))
        return [UUID(r["id"]) for r in self.fresh_rows(f"SELECT id FROM {{t:incident_view}} WHERE state IN ({marks}) ORDER BY id", states)]

    def open_violation_ids(self) -> list[UUID]:
        return [UUID(r["id"]) for r in self.fresh_rows("SELECT id FROM {t:violation_view} WHERE state <> 'closed' ORDER BY id")]

    def incidents_of_reporter(self, reporter: str) -> list[str]:
        return [r["id"] for r in self.fresh_rows(
            "SELECT id FROM {t:incident_view} WHERE reporter=%s ORDER BY reported_at DESC", (reporter,))]

    def list_incidents(self, state: str | None, site_id: str | None, limit: int, offset: int) -> list[str]:
        sql, params = "SELECT id FROM {t:incident_view} WHERE 1=1", []
        if state:
            sql += " AND state=%s"
            params.append(state)
        if site_id:
            sql += " AND site_id=%s"
            params.append(site_id)
        return [r["id"] for r in self.fresh_rows(sql + " ORDER BY reported_at DESC, id LIMIT %s OFFSET %s", [*params, limit, offset])]

    def site_counts(self, site_id: str) -> dict:
        """Public: how many reports a site has, by state and category — never who reported."""
        rows = self.fresh_rows("SELECT state, category, COUNT(*) AS n FROM {t:incident_view} WHERE site_id=%s "
                          "GROUP BY state, category ORDER BY state, category", (site_id,))
        by_state: dict[str, int] = {}
        by_category: dict[str, int] = {}
        for r in rows:
            by_state[r["state"]] = by_state.get(r["state"], 0) + int(r["n"])
            by_category[r["category"]] = by_category.get(r["category"], 0) + int(r["n"])
        return {"site_id": site_id, "total": sum(by_state.values()), "by_state": by_state, "by_category": by_category}

    def violations_of(self, establishment_id: str | None = None, state: str | None = None) -> list[str]:
        sql, params = "SELECT id FROM {t:violation_view} WHERE 1=1", []
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
            "SELECT id, site_id, lat, lon, state, reported_at FROM {t:incident_view} WHERE category=%s AND id<>%s "
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
