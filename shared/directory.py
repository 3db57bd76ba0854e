"""The sites directory: what the sites public stream says about sites and establishments, as a
projection any service follows with the kit's follower (never by importing the sites service)."""
from __future__ import annotations

import json

from shared.kit.follower import SqlProjection
from shared.kit.sql import Cursor

ESTABLISHMENT_FLAGS = ("hw_generator", "transporter", "treatment_facility")


class EmptyDirectory:
    """A directory that knows nothing yet (before the composition root plugs the real one)."""

    def site(self, site_id: str) -> dict | None:
        return None

    def establishment(self, establishment_id: str) -> dict | None:
        return None


class SitesDirectory(SqlProjection):
    # v2: the old district joined the directory (known_site_district); a data directory made before
    # follows the sites stream again from its start under this name, filling it (rows are replaced)
    name = "sites_directory_v2"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:known_site} (id TEXT PRIMARY KEY, name TEXT, kind TEXT, commune TEXT, "
        "active INTEGER NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:known_establishment} (id TEXT PRIMARY KEY, site_id TEXT NOT NULL, "
        "name TEXT, form TEXT, hw_generator INTEGER NOT NULL DEFAULT 0, transporter INTEGER NOT NULL DEFAULT 0, "
        "treatment_facility INTEGER NOT NULL DEFAULT 0, licence TEXT, active INTEGER NOT NULL)",
        # the old district (before 1 July 2025) of a site: a commune officer's scope names a new
        # commune or an old district (a table of its own: the first one predates it)
        "CREATE TABLE IF NOT EXISTS {t:known_site_district} (id TEXT PRIMARY KEY, old_district TEXT)",
        "CREATE INDEX IF NOT EXISTS known_establishment_site ON {t:known_establishment} (site_id)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        name = event["type"].split(".")[3]
        data = event.get("data") or {}
        subject = event["subject"]
        if name == "site_registered":
            cur.execute("DELETE FROM {t:known_site} WHERE id=%s", (subject,))
            cur.execute("INSERT INTO {t:known_site} (id, name, kind, commune, active) VALUES (%s,%s,%s,%s,1)",
                        (subject, data.get("name"), data.get("kind"), event.get("communecode")))
            cur.execute("DELETE FROM {t:known_site_district} WHERE id=%s", (subject,))
            cur.execute("INSERT INTO {t:known_site_district} (id, old_district) VALUES (%s,%s)",
                        (subject, data.get("old_district")))
        elif name == "site_amended":
            changes = data.get("changes") or {}
            if "name" in changes:
                cur.execute("UPDATE {t:known_site} SET name=%s WHERE id=%s", (changes["name"], subject))
            if "old_district" in changes:
                cur.execute("UPDATE {t:known_site_district} SET old_district=%s WHERE id=%s",
                            (changes["old_district"], subject))
        elif name == "site_jurisdiction_changed":
            cur.execute("UPDATE {t:known_site} SET commune=%s WHERE id=%s", (data["commune"], subject))
        elif name == "site_deactivated":
            cur.execute("UPDATE {t:known_site} SET active=0 WHERE id=%s", (subject,))
        elif name == "establishment_registered":
            cur.execute("DELETE FROM {t:known_establishment} WHERE id=%s", (subject,))
            cur.execute(
                "INSERT INTO {t:known_establishment} (id, site_id, name, form, hw_generator, transporter, "
                "treatment_facility, licence, active) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,1)",
                (subject, data["site_id"], data.get("name"), data.get("form"), int(bool(data.get("hw_generator"))),
                 int(bool(data.get("transporter"))), int(bool(data.get("treatment_facility"))),
                 json.dumps(data.get("licence")) if data.get("licence") else None))
        elif name == "establishment_amended":
            for flag in ESTABLISHMENT_FLAGS:
                if data.get(flag) is not None:
                    cur.execute(f"UPDATE {{t:known_establishment}} SET {flag}=%s WHERE id=%s", (int(data[flag]), subject))
            if data.get("licence") is not None:
                cur.execute("UPDATE {t:known_establishment} SET licence=%s WHERE id=%s",
                            (json.dumps(data["licence"]), subject))
        elif name == "establishment_deactivated":
            cur.execute("UPDATE {t:known_establishment} SET active=0 WHERE id=%s", (subject,))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:known_site}")
        cur.execute("DELETE FROM {t:known_establishment}")
        cur.execute("DELETE FROM {t:known_site_district}")

    def site(self, site_id: str) -> dict | None:
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT s.*, d.old_district FROM {t:known_site} s LEFT JOIN {t:known_site_district} d "
                              "ON d.id = s.id WHERE s.id=%s", (site_id,)).one()
        return None if row is None else dict(row, active=bool(row["active"]))

    def establishments_in(self, areas: list[str] | tuple[str, ...]) -> list[str]:
        """The establishments whose site is in one of `areas` (new commune or old district codes)."""
        if not areas:
            return []
        marks = ",".join(["%s"] * len(areas))
        with self.db.transaction(commit=False) as cur:
            rows = cur.execute(
                "SELECT e.id FROM {t:known_establishment} e JOIN {t:known_site} s ON s.id = e.site_id "
                "LEFT JOIN {t:known_site_district} d ON d.id = s.id "
                f"WHERE s.commune IN ({marks}) OR d.old_district IN ({marks}) ORDER BY e.id",
                [*areas, *areas]).all()
        return [r["id"] for r in rows]

    def establishment(self, establishment_id: str) -> dict | None:
        with self.db.transaction(commit=False) as cur:
            row = cur.execute("SELECT * FROM {t:known_establishment} WHERE id=%s", (establishment_id,)).one()
        if row is None:
            return None
        out = dict(row, active=bool(row["active"]), licence=json.loads(row["licence"]) if row["licence"] else None)
        for flag in ESTABLISHMENT_FLAGS:
            out[flag] = bool(row[flag])
        return out
