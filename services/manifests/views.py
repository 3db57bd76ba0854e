"""Read models of manifests, projected from the service's own log: which manifests name which
establishment (and what awaits its signature), kilograms per step for the mass balance, and the
open ones the timers look at. The sites directory (shared/directory.py) is followed from the
sites stream.

The timers read only what is due. Every rule runs a setting's days from a base moment, so a row
keeps the base of each rule still to fire (NULL once marked overdue, or when the rule no longer
applies): `copy4_since` (handed over, copy 4 not back), `transit_since` (picked up, in transit),
`discrepancy_since` (an open discrepancy's opening), and a declaration's `storage_since` (the
oldest stored-since day of its items not yet marked). The tick subtracts today's setting and
range-scans each column's index, so a setting changed between restarts applies to every row.
Versioned by name (`manifest_view_v2`, `manifests_views_v2`): a data dir projected by an older
release rebuilds these tables from the log; the old tables stay, unused."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from shared.directory import SitesDirectory  # noqa: F401  (the directory this service follows)
from shared.kit.calendar import instant_key
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.manifests.domainmodel import DiscrepancyState, Manifest, ManifestState, StockDeclaration

CLOSED_STATES = ("closed", "cancelled")


class ManifestsViews(OwnLogProjection):
    name = "manifests_views_v2"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:manifest_view_v2} (id TEXT PRIMARY KEY, number TEXT NOT NULL, "
        "generator_id TEXT NOT NULL, state TEXT NOT NULL, year INTEGER NOT NULL, awaiting TEXT, "
        "handed_over_kg DOUBLE PRECISION NOT NULL, received_kg DOUBLE PRECISION NOT NULL, "
        "treated_kg DOUBLE PRECISION NOT NULL, copy4_since TEXT, transit_since TEXT, discrepancy_since TEXT)",
        "CREATE INDEX IF NOT EXISTS manifest_v2_copy4 ON {t:manifest_view_v2} (copy4_since) WHERE copy4_since IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS manifest_v2_transit ON {t:manifest_view_v2} (transit_since) "
        "WHERE transit_since IS NOT NULL",
        "CREATE INDEX IF NOT EXISTS manifest_v2_discrepancy ON {t:manifest_view_v2} (discrepancy_since) "
        "WHERE discrepancy_since IS NOT NULL",
        "CREATE TABLE IF NOT EXISTS {t:manifest_party} (manifest_id TEXT NOT NULL, establishment_id TEXT NOT NULL, "
        "party TEXT NOT NULL, PRIMARY KEY (manifest_id, party))",
        "CREATE TABLE IF NOT EXISTS {t:stock_view_v2} (id TEXT PRIMARY KEY, generator_id TEXT NOT NULL, year INTEGER NOT NULL, "
        "storage_since TEXT)",
        "CREATE INDEX IF NOT EXISTS stock_v2_storage ON {t:stock_view_v2} (storage_since) WHERE storage_since IS NOT NULL",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        agg = self.aggregate_at(event)
        if isinstance(agg, Manifest):
            live = [line for line in agg.lines if not line.get("rejected")]
            handed = sum(float(line["quantity_kg"]) for line in live) if agg.handed_over_at else 0.0
            received = sum(float(x["quantity_kg"]) for x in agg.received["lines"]) if agg.received else 0.0
            treated = received if agg.treatment else 0.0
            year = (agg.handed_over_at.year if agg.handed_over_at else int(agg.planned_date[:4]))
            cur.execute("DELETE FROM {t:manifest_view_v2} WHERE id=%s", (str(agg.id),))
            cur.execute(
                "INSERT INTO {t:manifest_view_v2} (id, number, generator_id, state, year, awaiting, handed_over_kg, "
                "received_kg, treated_kg, copy4_since, transit_since, discrepancy_since) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                (str(agg.id), agg.number, str(agg.generator_id), agg.state, year, awaiting(agg), handed, received, treated,
                 *timer_bases(agg)))
            cur.execute("DELETE FROM {t:manifest_party} WHERE manifest_id=%s", (str(agg.id),))
            parties = [("generator", agg.generator_id), ("facility1", agg.facility_1), ("facility2", agg.facility_2)]
            parties += [(f"transporter{i + 1}", t) for i, t in enumerate(agg.transporters)]
            for party, est in parties:
                if est is not None:
                    cur.execute("INSERT INTO {t:manifest_party} (manifest_id, establishment_id, party) VALUES (%s,%s,%s)",
                                (str(agg.id), str(est), party))
        elif isinstance(agg, StockDeclaration):
            cur.execute("DELETE FROM {t:stock_view_v2} WHERE id=%s", (str(agg.id),))
            cur.execute("INSERT INTO {t:stock_view_v2} (id, generator_id, year, storage_since) VALUES (%s,%s,%s,%s)",
                        (str(agg.id), str(agg.generator_id), agg.year, storage_since(agg)))

    def clear(self, cur: Cursor) -> None:
        for table in ("manifest_view_v2", "manifest_party", "stock_view_v2"):
            cur.execute(f"DELETE FROM {{t:{table}}}")

    def due_manifest_ids(self, now: datetime, copy4_days: int, transit_days: int, discrepancy_days: int) -> list[UUID]:
        """Manifests a timer tick at `now` may act on: a rule's base older than its setting's days."""
        self.catch_up()
        ids: set[UUID] = set()
        for column, days in (("copy4_since", copy4_days), ("transit_since", transit_days),
                             ("discrepancy_since", discrepancy_days)):
            rows = self.rows(f"SELECT id FROM {{t:manifest_view_v2}} WHERE {column} < %s",
                             (instant_key(now - timedelta(days=days)),))
            ids.update(UUID(r["id"]) for r in rows)
        return sorted(ids)

    def due_stock_ids(self, today: date, storage_days: int) -> list[UUID]:
        """Declarations with an item not yet marked, stored since before `today` - `storage_days`."""
        return sorted(UUID(r["id"]) for r in self.fresh_rows(
            "SELECT id FROM {t:stock_view_v2} WHERE storage_since < %s",
            ((today - timedelta(days=storage_days)).isoformat(),)))

    def flows(self, generator_id: str, year: int) -> dict:
        rows = self.fresh_rows("SELECT SUM(handed_over_kg) AS h, SUM(received_kg) AS r, SUM(treated_kg) AS t "
                          "FROM {t:manifest_view_v2} WHERE generator_id=%s AND year=%s", (generator_id, year))
        row = rows[0] if rows else {}
        return {"handed_over_kg": float(row.get("h") or 0), "received_kg": float(row.get("r") or 0),
                "treated_kg": float(row.get("t") or 0)}

    def of_establishment(self, establishment_id: str, awaiting_only: bool = False) -> list[dict]:
        sql = ("SELECT v.id, v.number, v.state, v.awaiting, p.party FROM {t:manifest_view_v2} v JOIN {t:manifest_party} p "
               "ON p.manifest_id = v.id WHERE p.establishment_id=%s")
        rows = self.fresh_rows(sql + " ORDER BY v.number, v.id", (establishment_id,))
        if awaiting_only:
            rows = [r for r in rows if r["awaiting"] and r["awaiting"].split(",").count(r["party"])]
        return [{"id": r["id"], "number": r["number"], "state": r["state"], "party": r["party"],
                 "awaiting": r["awaiting"]} for r in rows]


def timer_bases(m: Manifest) -> tuple[str | None, str | None, str | None]:
    """The base moment of each timer rule still to fire (check_timers' conditions, before the days
    are counted): copy 4, transit, discrepancy. None once marked, or when the rule does not apply
    (nor on a closed or cancelled manifest, which the timers never looked at)."""
    if m.state in CLOSED_STATES:
        return None, None, None
    copy4 = m.handed_over_at if (m.handed_over_at and m.copy4_returned_at is None and m.state != "rejected"
                                 and "copy4" not in m.overdue) else None
    transit = m.picked_up_at if (m.state == ManifestState.IN_TRANSIT and m.picked_up_at
                                 and "transit" not in m.overdue) else None
    opened = None
    if m.discrepancy and m.discrepancy["state"] == DiscrepancyState.OPEN and "discrepancy" not in m.overdue:
        opened = datetime.fromisoformat(m.discrepancy["opened_at"])
    return tuple(None if at is None else instant_key(at) for at in (copy4, transit, opened))  # type: ignore[return-value]


def storage_since(d: StockDeclaration) -> str | None:
    """The oldest stored-since day of the items not yet marked as stored too long."""
    days = [date.fromisoformat(item["stored_since"]) for i, item in enumerate(d.items) if i not in d.overdue]
    return min(days).isoformat() if days else None


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
