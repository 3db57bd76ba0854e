"""The staff's searches of the registry (issue 14): sites and establishments, filtered in SQL on
the read model's indexed columns, one page at a time with the total.

Text is matched diacritic-free (shared/kit/text.py fold): every word of the query must occur in
the folded search text; an exact or leading match of the folded name comes first, then the
folded name's order. A commune officer's list (`communes`) matches a site's new commune or its
old district.
"""
from __future__ import annotations

import json
from typing import Any

from shared.kit.text import fold

MAX_WORDS = 8
ESTABLISHMENT_ROLES = ("hw_generator", "transporter", "treatment_facility")


def _in(column: str, values: list[str]) -> tuple[str, list[str]]:
    return f"{column} IN ({','.join(['%s'] * len(values))})", list(values)


def _words(query: str, column: str) -> tuple[list[str], list[Any], list[str]]:
    words = fold(query).split()[:MAX_WORDS]
    return [f"{column} LIKE %s" for _ in words], [f"%{w}%" for w in words], words


def _ranking(column: str, words: list[str], id_column: str = "id") -> tuple[str, list[Any]]:
    """Exact folded name first, then a name starting with the query, then the rest; by name."""
    if not words:
        return f"{column}, {id_column}", []
    q = " ".join(words)
    return (f"CASE WHEN {column}=%s THEN 0 WHEN {column} LIKE %s THEN 1 ELSE 2 END, {column}, {id_column}",
            [q, f"{q}%"])


def site_filters(query: str = "", kind: str | None = None, commune: str | None = None,
                 old_district: str | None = None, recognised: bool | None = None, classified: bool | None = None,
                 conditions_met: bool | None = None, wwtp: str | None = None, active: bool | None = None,
                 communes: list[str] | None = None, prefix: str = "") -> tuple[list[str], list[Any], list[str]]:
    """WHERE clauses and their parameters over the site index (columns prefixed by `prefix`)."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("kind", kind), ("commune", commune), ("old_district", old_district)):
        if value:
            where.append(f"{prefix}{column}=%s")
            params.append(value)
    for column, flag in (("recognised", recognised), ("classified", classified),
                         ("conditions_met", conditions_met), ("active", active)):
        if flag is not None:
            where.append(f"{prefix}{column}=%s")
            params.append(int(flag))
    if wwtp == "unset":
        where.append(f"{prefix}wwtp IS NULL")
    elif wwtp:
        where.append(f"{prefix}wwtp=%s")
        params.append(wwtp)
    if communes:
        a, pa = _in(f"{prefix}commune", communes)
        b, pb = _in(f"{prefix}old_district", communes)
        where.append(f"({a} OR {b})")
        params += pa + pb
    text, tp, words = _words(query, f"{prefix}search")
    return where + text, params + tp, words


class StaffQueries:
    """Mixed into SitesViews (which provides catch_up and db)."""

    def _page(self, count_sql: str, page_sql: str, params: list[Any], order_params: list[Any],
              offset: int, limit: int) -> tuple[int, list[dict]]:
        self.catch_up()  # type: ignore[attr-defined]
        with self.db.transaction(commit=False) as cur:  # type: ignore[attr-defined]
            total = cur.execute(count_sql, params).scalar(0)
            rows = cur.execute(page_sql, [*params, *order_params, limit, offset]).all()
        return int(total), rows

    def staff_sites(self, query: str = "", offset: int = 0, limit: int = 50, **filters: Any) -> dict:
        """A page of sites matching the query and filters (site_filters), with the total."""
        where, params, words = site_filters(query, **filters)
        clause = " AND ".join(where) or "1=1"
        order, order_params = _ranking("sort", words)
        total, rows = self._page(
            f"SELECT COUNT(*) AS n FROM {{t:site_index}} WHERE {clause}",
            f"SELECT doc FROM {{t:site_index}} WHERE {clause} ORDER BY {order} LIMIT %s OFFSET %s",
            params, order_params, offset, limit)
        return {"total": total, "offset": offset, "limit": limit, "sites": [json.loads(r["doc"]) for r in rows]}

    def staff_establishments(self, query: str = "", site_id: str | None = None, role: str | None = None,
                             active: bool | None = None, communes: list[str] | None = None,
                             offset: int = 0, limit: int = 50) -> dict:
        """A page of establishments (with their site's name and place), with the total."""
        where, params, words = site_filters(communes=communes, prefix="s.")
        if site_id:
            where.append("e.site_id=%s")
            params.append(site_id)
        if role in ESTABLISHMENT_ROLES:
            where.append(f"e.{role}=1")
        if active is not None:
            where.append("e.active=%s")
            params.append(int(active))
        text, tp, words = _words(query, "e.search")
        clause = " AND ".join(where + text) or "1=1"
        order, order_params = _ranking("e.sort", words, "e.id")
        join = "FROM {t:establishment_index} e JOIN {t:site_index} s ON s.id = e.site_id"
        total, rows = self._page(
            f"SELECT COUNT(*) AS n {join} WHERE {clause}",
            f"SELECT e.doc, s.name AS site_name, s.commune, s.old_district {join} WHERE {clause} "
            f"ORDER BY {order} LIMIT %s OFFSET %s",
            params + tp, order_params, offset, limit)
        out = [dict(json.loads(r["doc"]), site_name=r["site_name"], site_commune=r["commune"],
                    site_old_district=r["old_district"]) for r in rows]
        return {"total": total, "offset": offset, "limit": limit, "establishments": out}
