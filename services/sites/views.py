"""Read models of the sites service, projected from its own notification log.

One row per site and per establishment, with folded search text. The projection records its
tracking position in the same transaction as each row (kit SqlProjection), catches up before
each query, and rebuilds from zero when its tables are dropped.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from shared.kit.errors import InvalidInput
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from shared.kit.text import fold, score
from services.sites.application import SitesApplication, establishment_document, local_today, site_document
from services.sites.domainmodel import Establishment, Site
from services.sites.staff_views import StaffQueries

SITE_COLUMNS = ("id", "kind", "name", "sort", "search", "commune", "old_district", "old_commune", "recognised",
                "classified", "conditions_met", "wwtp", "active", "doc")
ESTABLISHMENT_COLUMNS = ("id", "site_id", "name", "sort", "search", "form", "hw_generator", "transporter",
                         "treatment_facility", "active", "doc")


def site_row(site: Site, today: date) -> tuple:
    """The read-model row of a site (SITE_COLUMNS): its filters as columns, its summary as JSON."""
    doc = site_document(site, today)
    j = site.old_unit
    text = " ".join(filter(None, [site.name, site.trade, site.commune, j["old_district"], j["old_commune"], site.kind]))
    return (str(site.id), site.kind, site.name, fold(site.name), fold(text), site.commune, j["old_district"],
            fold(j["old_commune"] or ""), int(recognised_on(site, today)), int(bool(site.classifications)),
            int(site.conditions_met), (site.wwtp or {}).get("status"), int(site.active),
            json.dumps(summary(doc), ensure_ascii=False))


def recognised_on(site: Site, today: date) -> bool:
    """Recognised and not withdrawn by today (a withdrawal dated later counts from its date)."""
    withdrawal = getattr(site, "withdrawal", None)
    return site.recognition is not None and not (withdrawal and withdrawal["effective"] <= today.isoformat())


def establishment_row(est: Establishment) -> tuple:
    doc = establishment_document(est)
    return (str(est.id), str(est.site_id), est.name, fold(est.name), fold(f"{est.name} {est.registration_code}"),
            est.form, int(bool(est.hw_generator)), int(bool(est.transporter)), int(bool(est.treatment_facility)),
            int(est.active), json.dumps(doc, ensure_ascii=False))


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {{t:{table}}} ({', '.join(columns)}) VALUES ({','.join(['%s'] * len(columns))})"


class SitesViews(StaffQueries, OwnLogProjection):
    # "sites_index" (issue 14): the rows gained the staff filters' columns; the tables of the
    # earlier projection "sites_views" (site_view, establishment_view) are no longer read
    name = "sites_index"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:site_index} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, "
        "sort TEXT NOT NULL, search TEXT NOT NULL, commune TEXT, old_district TEXT, old_commune TEXT, "
        "recognised INTEGER NOT NULL, classified INTEGER NOT NULL, conditions_met INTEGER NOT NULL, wwtp TEXT, "
        "active INTEGER NOT NULL, doc TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS site_index_sort ON {t:site_index} (sort, id)",
        "CREATE INDEX IF NOT EXISTS site_index_commune ON {t:site_index} (commune, sort)",
        "CREATE INDEX IF NOT EXISTS site_index_district ON {t:site_index} (old_district, sort)",
        "CREATE INDEX IF NOT EXISTS site_index_kind ON {t:site_index} (kind, sort)",
        "CREATE TABLE IF NOT EXISTS {t:establishment_index} (id TEXT PRIMARY KEY, site_id TEXT NOT NULL, "
        "name TEXT NOT NULL, sort TEXT NOT NULL, search TEXT NOT NULL, form TEXT NOT NULL, "
        "hw_generator INTEGER NOT NULL, transporter INTEGER NOT NULL, treatment_facility INTEGER NOT NULL, "
        "active INTEGER NOT NULL, doc TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS establishment_index_site ON {t:establishment_index} (site_id, sort)",
        "CREATE INDEX IF NOT EXISTS establishment_index_sort ON {t:establishment_index} (sort, id)",
    )

    app: SitesApplication

    def __init__(self, db: Any, log: Any, clock: Callable[[], datetime] | None = None) -> None:
        """`log` is what the rows are projected from (the service's store, or an application in
        tests); `clock` (the application's, by default `log.clock`) dates a site's status."""
        self.clock = clock or log.clock
        super().__init__(db, log)

    # -- projection ------------------------------------------------------------------------------
    def project(self, cur: Cursor, event: dict) -> None:
        aggregate = self.aggregate_at(event)
        if isinstance(aggregate, Site):
            cur.execute("DELETE FROM {t:site_index} WHERE id=%s", (str(aggregate.id),))
            cur.execute(insert_sql("site_index", SITE_COLUMNS), site_row(aggregate, local_today(self.clock())))
        elif isinstance(aggregate, Establishment):
            cur.execute("DELETE FROM {t:establishment_index} WHERE id=%s", (str(aggregate.id),))
            cur.execute(insert_sql("establishment_index", ESTABLISHMENT_COLUMNS), establishment_row(aggregate))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:site_index}")
        cur.execute("DELETE FROM {t:establishment_index}")

    # -- queries ---------------------------------------------------------------------------------
    def _filters(self, kind: str | None, commune: str | None, old_district: str | None,
                 recognised: bool | None = None) -> tuple[str, list[Any]]:
        where, params = ["1=1"], []
        for column, value in (("kind", kind), ("commune", commune), ("old_district", old_district)):
            if value:
                where.append(f"{column}=%s")
                params.append(value)
        if recognised is not None:
            where.append("recognised=%s")
            params.append(int(recognised))
        return " AND ".join(where), params

    def search(self, query: str, kind: str | None = None, commune: str | None = None,
               old_district: str | None = None, limit: int = 20) -> list[dict]:
        where, params = self._filters(kind, commune, old_district)
        words = fold(query).split()
        for w in words[:8]:
            where += " AND search LIKE %s"
            params.append(f"%{w}%")
        rows = self.fresh_rows(f"SELECT name, search, doc FROM {{t:site_index}} WHERE {where}", params)
        ranked = []
        for row in rows:
            doc = json.loads(row["doc"])
            s = score(query, row["name"], row["search"]) if words else 1.0
            if s > 0:
                ranked.append((-s, doc["name"], doc))
        ranked.sort(key=lambda r: (r[0], fold(r[1])))
        return [dict(doc, score=-s) for s, _name, doc in ranked[:limit]]

    def search_establishments(self, query: str, role: str, limit: int = 10) -> list[dict]:
        """Active enterprises registered as `role` (transporter or treatment_facility) whose folded
        name or registration code matches `query`, best first. Households are never listed."""
        if role not in ESTABLISHMENT_SEARCH_ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ESTABLISHMENT_SEARCH_ROLES)}", "role", "literal_error")
        where, params = "1=1", []
        words = fold(query).split()
        for w in words[:8]:
            where += " AND search LIKE %s"
            params.append(f"%{w}%")
        rows = self.fresh_rows(f"SELECT name, search, doc FROM {{t:establishment_index}} WHERE {where}", params)
        ranked = []
        for row in rows:
            doc = json.loads(row["doc"])
            if not doc.get(role) or not doc.get("active", True) or doc.get("form") == "household":
                continue
            s = score(query, row["name"], row["search"]) if words else 1.0
            if s > 0:
                ranked.append((-s, fold(doc["name"]), doc["id"], doc))
        ranked.sort(key=lambda r: r[:3])
        return [dict(establishment_card(doc), score=-s) for s, _name, _id, doc in ranked[:limit]]

    def list_sites(self, kind: str | None = None, commune: str | None = None, old_district: str | None = None,
                   recognised: bool | None = None, offset: int = 0, limit: int = 100) -> dict:
        self.catch_up()
        where, params = self._filters(kind, commune, old_district, recognised)
        with self.db.transaction(commit=False) as cur:
            total = cur.execute(f"SELECT COUNT(*) AS n FROM {{t:site_index}} WHERE {where}", params).scalar(0)
            rows = cur.execute(
                f"SELECT doc FROM {{t:site_index}} WHERE {where} ORDER BY name, id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            ).all()
        return {"total": int(total), "offset": offset, "sites": [json.loads(r["doc"]) for r in rows]}

    def establishments_of(self, site_id: str) -> list[dict]:
        rows = self.fresh_rows("SELECT doc FROM {t:establishment_index} WHERE site_id=%s ORDER BY name, id", (site_id,))
        return [json.loads(r["doc"]) for r in rows]

    def site_ids_by_unit(self, old_district: str, old_commune: str | None) -> list[str]:
        sql, params = "SELECT id FROM {t:site_index} WHERE old_district=%s", [old_district]
        if old_commune:
            sql += " AND old_commune=%s"
            params.append(fold(old_commune))
        return [r["id"] for r in self.fresh_rows(sql + " ORDER BY id", params)]


ESTABLISHMENT_SEARCH_ROLES = ("transporter", "treatment_facility")


def establishment_card(doc: dict) -> dict:
    """What a manifest filer sees of a transporter or treatment facility: no permit details,
    no trades, no actor ids."""
    keys = ("id", "name", "registration_code", "site_id", "transporter", "treatment_facility", "licence")
    return {k: doc.get(k) for k in keys}


def summary(doc: dict) -> dict:
    keys = ("id", "kind", "name", "trade", "trade_group", "commune", "old_district", "old_commune",
            "recognition", "recognition_withdrawn", "classification", "wwtp", "active", "location",
            "craft_village_cluster")
    met = [item for item, c in (doc.get("conditions") or {}).items() if c.get("state") in ("met", "not_applicable")]
    return {**{k: doc.get(k) for k in keys}, "conditions_met": len(met)}
