"""The sites directory: what the sites public stream says about sites and establishments, as a
projection any service follows with the kit's follower (never by importing the sites service)."""
from __future__ import annotations

import json
from functools import singledispatchmethod

from shared.contracts.base import PublicEvent
from shared.contracts.sites import (EstablishmentAmended, EstablishmentDeactivated, EstablishmentRegistered,
                                    SiteAmended, SiteDeactivated, SiteJurisdictionChanged, SiteRegistered)
from shared.kit.dispatch import ContractProjection
from shared.kit.envelope import Received
from shared.kit.sql import Cursor

ESTABLISHMENT_FLAGS = ("hw_generator", "transporter", "treatment_facility")


class EmptyDirectory:
    """A directory that knows nothing yet (before the composition root plugs the real one)."""

    def site(self, site_id: str) -> dict | None:
        return None

    def establishment(self, establishment_id: str) -> dict | None:
        return None


class SitesDirectory(ContractProjection):
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

    # One handler per sites contract (shared/kit/dispatch.py): `event` the contract instance,
    # `got.data` its JSON as published (the values stored), `got.subject` the site or establishment.
    @singledispatchmethod
    def on(self, event: PublicEvent, cur: Cursor, got: Received) -> None:
        """A sites event the directory does not need (recognition, classification, ...)."""

    @on.register
    def _site_registered(self, event: SiteRegistered, cur: Cursor, got: Received) -> None:
        subject, data = got.subject, got.data
        cur.execute("DELETE FROM {t:known_site} WHERE id=%s", (subject,))
        cur.execute("INSERT INTO {t:known_site} (id, name, kind, commune, active) VALUES (%s,%s,%s,%s,1)",
                    (subject, data.get("name"), data.get("kind"), got.commune))
        cur.execute("DELETE FROM {t:known_site_district} WHERE id=%s", (subject,))
        cur.execute("INSERT INTO {t:known_site_district} (id, old_district) VALUES (%s,%s)",
                    (subject, data.get("old_district")))

    @on.register
    def _site_amended(self, event: SiteAmended, cur: Cursor, got: Received) -> None:
        changes = got.data.get("changes") or {}
        if "name" in changes:
            cur.execute("UPDATE {t:known_site} SET name=%s WHERE id=%s", (changes["name"], got.subject))
        if "old_district" in changes:
            cur.execute("UPDATE {t:known_site_district} SET old_district=%s WHERE id=%s",
                        (changes["old_district"], got.subject))

    @on.register
    def _site_jurisdiction_changed(self, event: SiteJurisdictionChanged, cur: Cursor, got: Received) -> None:
        cur.execute("UPDATE {t:known_site} SET commune=%s WHERE id=%s", (got.data["commune"], got.subject))

    @on.register
    def _site_deactivated(self, event: SiteDeactivated, cur: Cursor, got: Received) -> None:
        cur.execute("UPDATE {t:known_site} SET active=0 WHERE id=%s", (got.subject,))

    @on.register
    def _establishment_registered(self, event: EstablishmentRegistered, cur: Cursor, got: Received) -> None:
        data = got.data
        cur.execute("DELETE FROM {t:known_establishment} WHERE id=%s", (got.subject,))
        cur.execute(
            "INSERT INTO {t:known_establishment} (id, site_id, name, form, hw_generator, transporter, "
            "treatment_facility, licence, active) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,1)",
            (got.subject, data["site_id"], data.get("name"), data.get("form"), int(bool(data.get("hw_generator"))),
             int(bool(data.get("transporter"))), int(bool(data.get("treatment_facility"))),
             json.dumps(data.get("licence")) if data.get("licence") else None))

    @on.register
    def _establishment_amended(self, event: EstablishmentAmended, cur: Cursor, got: Received) -> None:
        data = got.data
        for flag in ESTABLISHMENT_FLAGS:
            if data.get(flag) is not None:
                cur.execute(f"UPDATE {{t:known_establishment}} SET {flag}=%s WHERE id=%s", (int(data[flag]), got.subject))
        if data.get("licence") is not None:
            cur.execute("UPDATE {t:known_establishment} SET licence=%s WHERE id=%s",
                        (json.dumps(data["licence"]), got.subject))

    @on.register
    def _establishment_deactivated(self, event: EstablishmentDeactivated, cur: Cursor, got: Received) -> None:
        cur.execute("UPDATE {t:known_establishment} SET active=0 WHERE id=%s", (got.subject,))

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
