"""The staff read model of manifests: one indexed row per manifest (state, parties, waste codes,
the instants the oversight lists compare with their limits, the kilograms of the mass balance)
and one row per declared stock item, projected from the service's own log.

A projection of its own (its own tracking row), so a deployment that predates it builds it from
the log on first use. The commune of a generator is not stored here: it is read from the sites
directory at query time, so a jurisdiction change is seen at once (services/manifests/oversight.py).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.manifests.domainmodel import Manifest, StockDeclaration


def utc(value: Any) -> str | None:
    """An instant as UTC ISO text (comparable as text), or None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(timezone.utc).isoformat()


class ManifestsListing(OwnLogProjection):
    name = "manifests_listing"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:mlist} (id TEXT PRIMARY KEY, number TEXT NOT NULL, generator_id TEXT NOT NULL, "
        "state TEXT NOT NULL, year INTEGER NOT NULL, planned_date TEXT NOT NULL, handed_over_at TEXT, "
        "picked_up_at TEXT, received_at TEXT, copy4_returned_at TEXT, discrepancy TEXT, discrepancy_opened_at TEXT, "
        "handed_over_kg DOUBLE PRECISION NOT NULL, received_kg DOUBLE PRECISION NOT NULL, "
        "treated_kg DOUBLE PRECISION NOT NULL, updated_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS mlist_state ON {t:mlist} (state, updated_at)",
        "CREATE INDEX IF NOT EXISTS mlist_generator ON {t:mlist} (generator_id, year)",
        "CREATE INDEX IF NOT EXISTS mlist_updated ON {t:mlist} (updated_at, id)",
        "CREATE INDEX IF NOT EXISTS mlist_discrepancy ON {t:mlist} (discrepancy)",
        "CREATE INDEX IF NOT EXISTS mlist_handed ON {t:mlist} (handed_over_at)",
        "CREATE TABLE IF NOT EXISTS {t:mlist_party} (manifest_id TEXT NOT NULL, establishment_id TEXT NOT NULL, "
        "party TEXT NOT NULL, PRIMARY KEY (manifest_id, party))",
        "CREATE INDEX IF NOT EXISTS mlist_party_est ON {t:mlist_party} (establishment_id, party)",
        "CREATE TABLE IF NOT EXISTS {t:mlist_code} (manifest_id TEXT NOT NULL, code TEXT NOT NULL, "
        "PRIMARY KEY (manifest_id, code))",
        "CREATE INDEX IF NOT EXISTS mlist_code_code ON {t:mlist_code} (code)",
        "CREATE TABLE IF NOT EXISTS {t:mlist_stock} (declaration_id TEXT NOT NULL, item INTEGER NOT NULL, "
        "generator_id TEXT NOT NULL, year INTEGER NOT NULL, code TEXT NOT NULL, quantity_kg DOUBLE PRECISION NOT NULL, "
        "stored_since TEXT NOT NULL, PRIMARY KEY (declaration_id, item))",
        "CREATE INDEX IF NOT EXISTS mlist_stock_since ON {t:mlist_stock} (stored_since)",
        "CREATE INDEX IF NOT EXISTS mlist_stock_generator ON {t:mlist_stock} (generator_id, year)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        agg = self.aggregate_at(event)
        at = utc(getattr(event["event"], "timestamp", None)) or ""
        if isinstance(agg, Manifest):
            self._manifest(cur, agg, at)
        elif isinstance(agg, StockDeclaration):
            cur.execute("DELETE FROM {t:mlist_stock} WHERE declaration_id=%s", (str(agg.id),))
            for i, item in enumerate(agg.items):
                cur.execute("INSERT INTO {t:mlist_stock} (declaration_id, item, generator_id, year, code, quantity_kg, "
                            "stored_since) VALUES (%s,%s,%s,%s,%s,%s,%s)",
                            (str(agg.id), i, str(agg.generator_id), agg.year, item["code"], float(item["quantity_kg"]),
                             item["stored_since"]))

    def _manifest(self, cur: Cursor, m: Manifest, at: str) -> None:
        mid = str(m.id)
        live = [line for line in m.lines if not line.get("rejected")]
        handed = sum(float(line["quantity_kg"]) for line in live) if m.handed_over_at else 0.0
        received = sum(float(x["quantity_kg"]) for x in m.received["lines"]) if m.received else 0.0
        year = m.handed_over_at.year if m.handed_over_at else int(m.planned_date[:4])
        disc = m.discrepancy or {}
        cur.execute("DELETE FROM {t:mlist} WHERE id=%s", (mid,))
        cur.execute(
            "INSERT INTO {t:mlist} (id, number, generator_id, state, year, planned_date, handed_over_at, picked_up_at, "
            "received_at, copy4_returned_at, discrepancy, discrepancy_opened_at, handed_over_kg, received_kg, "
            "treated_kg, updated_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            (mid, m.number, str(m.generator_id), m.state, year, m.planned_date, utc(m.handed_over_at),
             utc(m.picked_up_at), utc((m.received or {}).get("at")), utc(m.copy4_returned_at), disc.get("state"),
             utc(disc.get("opened_at")), handed, received, received if m.treatment else 0.0, at))
        cur.execute("DELETE FROM {t:mlist_party} WHERE manifest_id=%s", (mid,))
        parties = [("generator", m.generator_id), ("facility1", m.facility_1), ("facility2", m.facility_2)]
        parties += [(f"transporter{i + 1}", t) for i, t in enumerate(m.transporters)]
        for party, est in parties:
            if est is not None:
                cur.execute("INSERT INTO {t:mlist_party} (manifest_id, establishment_id, party) VALUES (%s,%s,%s)",
                            (mid, str(est), party))
        cur.execute("DELETE FROM {t:mlist_code} WHERE manifest_id=%s", (mid,))
        for code in sorted({line["code"] for line in m.lines}):
            cur.execute("INSERT INTO {t:mlist_code} (manifest_id, code) VALUES (%s,%s)", (mid, code))

    def clear(self, cur: Cursor) -> None:
        for table in ("mlist", "mlist_party", "mlist_code", "mlist_stock"):
            cur.execute(f"DELETE FROM {{t:{table}}}")

    def read(self, sql: str, params: tuple | list = ()) -> list[dict]:
        return self.fresh_rows(sql, params)
