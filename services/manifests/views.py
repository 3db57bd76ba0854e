"""Read models of manifests, projected from the service's own log: which manifests name which
establishment (and what awaits its signature), kilograms per step for the mass balance, and the
open ones the timers look at. The sites directory (shared/directory.py) is followed from the
sites stream."""
from __future__ import annotations

from uuid import UUID

from shared.directory import SitesDirectory  # noqa: F401  (the directory this service follows)
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.manifests.domainmodel import Manifest, StockDeclaration

CLOSED_STATES = ("closed", "cancelled")


class ManifestsViews(OwnLogProjection):
    name = "manifests_views"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:manifest_view} (id TEXT PRIMARY KEY, number TEXT NOT NULL, "
        "generator_id TEXT NOT NULL, state TEXT NOT NULL, year INTEGER NOT NULL, awaiting TEXT, "
        "handed_over_kg DOUBLE PRECISION NOT NULL, received_kg DOUBLE PRECISION NOT NULL, "
        "treated_kg DOUBLE PRECISION NOT NULL)",
        "CREATE TABLE IF NOT EXISTS {t:manifest_party} (manifest_id TEXT NOT NULL, establishment_id TEXT NOT NULL, "
        "party TEXT NOT NULL, PRIMARY KEY (manifest_id, party))",
        "CREATE TABLE IF NOT EXISTS {t:stock_view} (id TEXT PRIMARY KEY, generator_id TEXT NOT NULL, year INTEGER NOT NULL)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        agg = self.aggregate_at(event)
        if isinstance(agg, Manifest):
            live = [line for line in agg.lines if not line.get("rejected")]
            handed = sum(float(line["quantity_kg"]) for line in live) if agg.handed_over_at else 0.0
            received = sum(float(x["quantity_kg"]) for x in agg.received["lines"]) if agg.received else 0.0
            treated = received if agg.treatment else 0.0
            year = (agg.handed_over_at.year if agg.handed_over_at else int(agg.planned_date[:4]))
            cur.execute("DELETE FROM {t:manifest_view} WHERE id=%s", (str(agg.id),))
            cur.execute(
                "INSERT INTO {t:manifest_view} (id, number, generator_id, state, year, awaiting, handed_over_kg, "
                "received_kg, treated_kg) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (str(agg.id), agg.number, str(agg.generator_id), agg.state, year, awaiting(agg), handed, received, treated))
            cur.execute("DELETE FROM {t:manifest_party} WHERE manifest_id=%s", (str(agg.id),))
            parties = [("generator", agg.generator_id), ("facility1", agg.facility_1), ("facility2", agg.facility_2)]
            parties += [(f"transporter{i + 1}", t) for i, t in enumerate(agg.transporters)]
            for party, est in parties:
                if est is not None:
                    cur.execute("INSERT INTO {t:manifest_party} (manifest_id, establishment_id, party) VALUES (%s,%s,%s)",
                                (str(agg.id), str(est), party))
        elif isinstance(agg, StockDeclaration):
            cur.execute("DELETE FROM {t:stock_view} WHERE id=%s", (str(agg.id),))
            cur.execute("INSERT INTO {t:stock_view} (id, generator_id, year) VALUES (%s,%s,%s)",
                        (str(agg.id), str(agg.generator_id), agg.year))

    def clear(self, cur: Cursor) -> None:
        for table in ("manifest_view", "manifest_party", "stock_view"):
            cur.execute(f"DELETE FROM {{t:{table}}}")

    def open_manifest_ids(self) -> list[UUID]:
        return [UUID(r["id"]) for r in self.fresh_rows(
            "SELECT id FROM {t:manifest_view} WHERE state NOT IN ('closed', 'cancelled') ORDER BY id")]

    def stock_declaration_ids(self) -> list[UUID]:
        return [UUID(r["id"]) for r in self.fresh_rows("SELECT id FROM {t:stock_view} ORDER BY id")]

    def flows(self, generator_id: str, year: int) -> dict:
        rows = self.fresh_rows("SELECT SUM(handed_over_kg) AS h, SUM(received_kg) AS r, SUM(treated_kg) AS t "
                          "FROM {t:manifest_view} WHERE generator_id=%s AND year=%s", (generator_id, year))
        row = rows[0] if rows else {}
        return {"handed_over_kg": float(row.get("h") or 0), "received_kg": float(row.get("r") or 0),
                "treated_kg": float(row.get("t") or 0)}

    def of_establishment(self, establishment_id: str, awaiting_only: bool = False) -> list[dict]:
        sql = ("SELECT v.id, v.number, v.state, v.awaiting, p.party FROM {t:manifest_view} v JOIN {t:manifest_party} p "
               "ON p.manifest_id = v.id WHERE p.establishment_id=%s")
        rows = self.fresh_rows(sql + " ORDER BY v.number, v.id", (establishment_id,))
        if awaiting_only:
            rows = [r for r in rows if r["awaiting"] and r["awaiting"].split(",").count(r["party"])]
        return [{"id": r["id"], "number": r["number"], "state": r["state"], "party": r["party"],
                 "awaiting": r["awaiting"]} for r in rows]


def awaiting(m: Manifest) -> str | None:
    """Whose signature the manifest waits for next (comma-separated parties)."""
    if m.resign:
        return ",".join(m.resign)
    if m.state == "draft":
        return "generator"
    if m.state in ("handed_over", "in_transit"):
        nxt = m.next_transporter()
        return f"transporter{nxt + 1}" if nxt is not None else "facility1"
    if m.state == "received":
        return "facility1"
    if m.state == "treated":
        return "generator"
    if m.state == "copy4_returned":
        return "generator"
    return None
