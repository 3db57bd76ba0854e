"""Where a site is, for the staff inbox: the sites directory inspections follows, with each site's
new commune and old district (a commune officer's scope is either), indexed.

The directory of shared/directory.py keeps one place code per site (the stream's `communecode`:
the new commune, else the old district), which a reform mapping overwrites. The inbox matches a
member's communes against both, so this directory also keeps the two apart (`site_place`).

It also keeps each establishment's permit type (GPMT, ĐKMT or none, from its registration:
`establishment_permit`), which says who owes an annual report (services/inspections/reports.py).
An amendment carries the changed permit (since issue 16); one written before named the change
without its value: such a permit is then unknown (NULL, `amended` 1), shown apart in the owed list.

Versioned by name: a data dir whose `sites_directory` tracking is already ahead (projected before
`site_place` existed) starts this projection at position 0 and pulls the sites stream again; the
shared tables are rewritten in place (a registration replaces its row), so the replay converges.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatchmethod

from shared.contracts.base import PublicEvent
from shared.contracts.sites import (EstablishmentAmended, EstablishmentRegistered, SiteJurisdictionChanged,
                                    SiteRegistered)
from shared.directory import SitesDirectory
from shared.kit.envelope import Received
from shared.kit.sql import Cursor

MAX_CODES = 200  # a member's communes (bounded by the contract); a safety bound here too


class InboxSitesDirectory(SitesDirectory):
    name = "inspections_sites_directory_v3"  # v3: establishment_permit
    tables = SitesDirectory.tables + (
        "CREATE TABLE IF NOT EXISTS {t:site_place} (id TEXT PRIMARY KEY, commune TEXT, old_district TEXT)",
        "CREATE INDEX IF NOT EXISTS site_place_commune ON {t:site_place} (commune)",
        "CREATE INDEX IF NOT EXISTS site_place_old_district ON {t:site_place} (old_district)",
        "CREATE TABLE IF NOT EXISTS {t:establishment_permit} (id TEXT PRIMARY KEY, permit_type TEXT, "
        "amended INTEGER NOT NULL DEFAULT 0)",
    )

    def project_event(self, cur: Cursor, got: Received) -> None:
        super().project_event(cur, got)
        self.place(got.event, cur, got)

    @singledispatchmethod
    def place(self, event: PublicEvent, cur: Cursor, got: Received) -> None:
        """An event that changes neither a site's place nor an establishment's permit."""

    @place.register
    def _site_registered(self, event: SiteRegistered, cur: Cursor, got: Received) -> None:
        cur.execute("DELETE FROM {t:site_place} WHERE id=%s", (got.subject,))
        cur.execute("INSERT INTO {t:site_place} (id, commune, old_district) VALUES (%s,%s,%s)",
                    (got.subject, got.data.get("commune"), got.data.get("old_district")))

    @place.register
    def _site_jurisdiction_changed(self, event: SiteJurisdictionChanged, cur: Cursor, got: Received) -> None:
        cur.execute("UPDATE {t:site_place} SET commune=%s WHERE id=%s", (got.data["commune"], got.subject))

    @place.register
    def _establishment_registered(self, event: EstablishmentRegistered, cur: Cursor, got: Received) -> None:
        permit = (got.data.get("permit") or {}).get("type")
        cur.execute("DELETE FROM {t:establishment_permit} WHERE id=%s", (got.subject,))
        cur.execute("INSERT INTO {t:establishment_permit} (id, permit_type, amended) VALUES (%s,%s,0)",
                    (got.subject, permit))

    @place.register
    def _establishment_amended(self, event: EstablishmentAmended, cur: Cursor, got: Received) -> None:
        data = got.data
        if "permit" not in (data.get("changed") or []):
            return
        if "permit" in data:  # the amendment carries the permit since issue 16 (limits)
            cur.execute("UPDATE {t:establishment_permit} SET permit_type=%s, amended=0 WHERE id=%s",
                        ((data.get("permit") or {}).get("type"), got.subject))
        else:  # an event written before: the new value is not known
            cur.execute("UPDATE {t:establishment_permit} SET permit_type=NULL, amended=1 WHERE id=%s", (got.subject,))

    def clear(self, cur: Cursor) -> None:
        super().clear(cur)
        cur.execute("DELETE FROM {t:site_place}")
        cur.execute("DELETE FROM {t:establishment_permit}")

    def reporting_establishments(self) -> list[dict]:
        """Every active establishment with its site's kind and its permit type (None: none known,
        `permit_amended`: changed by an amendment whose value the stream does not carry)."""
        rows = self.rows("SELECT e.id, e.site_id, e.name, e.form, s.kind AS site_kind, p.permit_type, "
                         "COALESCE(p.amended, 0) AS amended FROM {t:known_establishment} e "
                         "JOIN {t:known_site} s ON s.id = e.site_id "
                         "LEFT JOIN {t:establishment_permit} p ON p.id = e.id WHERE e.active = 1 ORDER BY e.id", [])
        return [{"id": r["id"], "site_id": r["site_id"], "name": r["name"], "form": r["form"],
                 "site_kind": r["site_kind"], "permit_type": r["permit_type"], "permit_amended": bool(r["amended"])}
                for r in rows]

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
