"""Read models of the sites service, projected from its own notification log.

One row per site and per establishment, with folded search text. The projection records its
tracking position in the same transaction as each row (kit SqlProjection), catches up before
each query, and rebuilds from zero when its tables are dropped.
"""
from __future__ import annotations

import json
from typing import Any

from shared.kit.errors import InvalidInput
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from shared.kit.text import fold, score
from services.sites.application import SitesApplication, establishment_document, local_today, site_document
from services.sites.domainmodel import Establishment, Site

class SitesViews(OwnLogProjection):
    name = "sites_views"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:site_view} (id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, "
        "search TEXT NOT NULL, commune TEXT, old_district TEXT, old_commune TEXT, recognised INTEGER NOT NULL, "
        "active INTEGER NOT NULL, doc TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:establishment_view} (id TEXT PRIMARY KEY, site_id TEXT NOT NULL, "
        "name TEXT NOT NULL, search TEXT NOT NULL, doc TEXT NOT NULL)",
    )

    app: SitesApplication

    # -- projection ------------------------------------------------------------------------------
    def project(self, cur: Cursor, event: dict) -> None:
        aggregate = self.aggregate_at(event)
        if isinstance(aggregate, Site):
            doc = site_document(aggregate, local_today(self.app.clock()))
            j = aggregate.old_unit
            text = " ".join(filter(None, [aggregate.name, aggregate.trade, aggregate.commune, j["old_district"],
                                          j["old_commune"], aggregate.kind]))
            cur.execute("DELETE FROM {t:site_view} WHERE id=%s", (str(aggregate.id),))
            cur.execute(
                "INSERT INTO {t:site_view} (id, kind, name, search, commune, old_district, old_commune, recognised, "
                "active, doc) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (str(aggregate.id), aggregate.kind, aggregate.name, fold(text), aggregate.commune,
                 j["old_district"], fold(j["old_commune"] or ""), int(aggregate.recognition is not None),
                 int(aggregate.active), json.dumps(summary(doc), ensure_ascii=False)),
            )
        elif isinstance(aggregate, Establishment):
            doc = establishment_document(aggregate)
            cur.execute("DELETE FROM {t:establishment_view} WHERE id=%s", (str(aggregate.id),))
            cur.execute(
                "INSERT INTO {t:establishment_view} (id, site_id, name, search, doc) VALUES (%s,%s,%s,%s,%s)",
                (str(aggregate.id), str(aggregate.site_id), aggregate.name,
                 fold(f"{aggregate.name} {aggregate.registration_code}"), json.dumps(doc, ensure_ascii=False)),
            )

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:site_view}")
        cur.execute("DELETE FROM {t:establishment_view}")

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
        rows = self.fresh_rows(f"SELECT name, search, doc FROM {{t:site_view}} WHERE {where}", params)
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
        rows = self.fresh_rows(f"SELECT name, search, doc FROM {{t:establishment_view}} WHERE {where}", params)
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
            total = cur.execute(f"SELECT COUNT(*) AS n FROM {{t:site_view}} WHERE {where}", params).scalar(0)
            rows = cur.execute(
                f"SELECT doc FROM {{t:site_view}} WHERE {where} ORDER BY name, id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            ).all()
        return {"total": int(total), "offset": offset, "sites": [json.loads(r["doc"]) for r in rows]}

    def establishments_of(self, site_id: str) -> list[dict]:
        rows = self.fresh_rows("SELECT doc FROM {t:establishment_view} WHERE site_id=%s ORDER BY name, id", (site_id,))
        return [json.loads(r["doc"]) for r in rows]

    def site_ids_by_unit(self, old_district: str, old_commune: str | None) -> list[str]:
        sql, params = "SELECT id FROM {t:site_view} WHERE old_district=%s", [old_district]
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
            "recognition", "classification", "wwtp", "active", "location", "craft_village_cluster")
    return {k: doc.get(k) for k in keys}
