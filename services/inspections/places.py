"""Where a site is, for the staff inbox: the sites directory inspections follows, with each site's
new commune and old district (a commune officer's scope is either), indexed.

The directory of shared/directory.py keeps one place code per site (the stream's `communecode`:
the new commune, else the old district), which a reform mapping overwrites. The inbox matches a
member's communes against both, so this directory also keeps the two apart (`site_place`).

Versioned by name: a data dir whose `sites_directory` tracking is already ahead (projected before
`site_place` existed) starts this projection at position 0 and pulls the sites stream again; the
shared tables are rewritten in place (a registration replaces its row), so the replay converges.
"""
from __future__ import annotations

from collections.abc import Iterable

from shared.directory import SitesDirectory
from shared.kit.sql import Cursor

MAX_CODES = 200  # a member's communes (bounded by the contract); a safety bound here too


class InboxSitesDirectory(SitesDirectory):
    name = "inspections_sites_directory_v2"
    tables = SitesDirectory.tables + (
        "CREATE TABLE IF NOT EXISTS {t:site_place} (id TEXT PRIMARY KEY, commune TEXT, old_district TEXT)",
        "CREATE INDEX IF NOT EXISTS site_place_commune ON {t:site_place} (commune)",
        "CREATE INDEX IF NOT EXISTS site_place_old_district ON {t:site_place} (old_district)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        super().project(cur, event)
        name = event["type"].split(".")[3]
        data = event.get("data") or {}
        subject = event["subject"]
        if name == "site_registered":
            cur.execute("DELETE FROM {t:site_place} WHERE id=%s", (subject,))
            cur.execute("INSERT INTO {t:site_place} (id, commune, old_district) VALUES (%s,%s,%s)",
                        (subject, data.get("commune"), data.get("old_district")))
        elif name == "site_jurisdiction_changed":
            cur.execute("UPDATE {t:site_place} SET commune=%s WHERE id=%s", (data["commune"], subject))

    def clear(self, cur: Cursor) -> None:
        super().clear(cur)
        cur.execute("DELETE FROM {t:site_place}")

    def sites_in(self, codes: Iterable[str]) -> list[str]:
        """The ids of the sites whose new commune or old district is one of `codes`."""
        codes = sorted(set(codes))[:MAX_CODES]
        if not codes:
            return []
        marks = ",".join(["%s"] * len(codes))
        return [r["id"] for r in self.rows(
            f"SELECT id FROM {{t:site_place}} WHERE commune IN ({marks}) OR old_district IN ({marks}) ORDER BY id",
            [*codes, *codes])]

    def places(self, site_ids: Iterable[str]) -> dict[str, dict]:
        """{site id: {name, commune, old_district}} for the given sites (one query)."""
        ids = sorted(set(site_ids))
        if not ids:
            return {}
        marks = ",".join(["%s"] * len(ids))
        rows = self.rows(f"SELECT s.id, s.name, p.commune, p.old_district FROM {{t:known_site}} s "
                         f"LEFT JOIN {{t:site_place}} p ON p.id = s.id WHERE s.id IN ({marks})", ids)
        return {r["id"]: {"name": r["name"], "commune": r["commune"], "old_district": r["old_district"]} for r in rows}
