"""The inspections service's sites directory with each establishment's permit: the limits of a
sample are chosen from the permit's discharge terms (services/inspections/limits.py).

The permit comes on `establishment_registered` and, since issue 16, on `establishment_amended`
when its `changed` names it (before, an amendment dropped it: the directory kept none at all).
Versioned by name (as places.py): a data dir made before follows the sites stream again from its
start under this name, filling the permits (rows are replaced, so the replay converges).
"""
from __future__ import annotations

import json

from services.inspections.places import InboxSitesDirectory
from shared.contracts.sites import EstablishmentAmended, EstablishmentRegistered
from shared.kit.envelope import Received
from shared.kit.sql import Cursor

MAX_PERMIT_CHARS = 64_000  # a permit with 60 limits is a few kB; a larger one is not stored


class InspectionsDirectory(InboxSitesDirectory):
    name = "inspections_sites_directory_v4"  # v3 added the permit type (places.py), v4 the whole permit
    tables = InboxSitesDirectory.tables + (
        "CREATE TABLE IF NOT EXISTS {t:known_permit} (id TEXT PRIMARY KEY, permit TEXT)",
    )

    def project_event(self, cur: Cursor, got: Received) -> None:
        super().project_event(cur, got)
        event = got.event
        if isinstance(event, EstablishmentRegistered) or (isinstance(event, EstablishmentAmended)
                                                          and "permit" in event.changed):
            self._keep(cur, got.subject, got.data.get("permit"))

    @staticmethod
    def _keep(cur: Cursor, establishment_id: str, permit: object) -> None:
        text = json.dumps(permit, ensure_ascii=False) if isinstance(permit, dict) else None
        cur.execute("DELETE FROM {t:known_permit} WHERE id=%s", (establishment_id,))
        if text is not None and len(text) <= MAX_PERMIT_CHARS:
            cur.execute("INSERT INTO {t:known_permit} (id, permit) VALUES (%s,%s)", (establishment_id, text))

    def clear(self, cur: Cursor) -> None:
        super().clear(cur)
        cur.execute("DELETE FROM {t:known_permit}")

    def establishment(self, establishment_id: str) -> dict | None:
        out = super().establishment(establishment_id)
        if out is None:
            return None
        rows = self.rows("SELECT permit FROM {t:known_permit} WHERE id=%s", [establishment_id])
        out["permit"] = json.loads(rows[0]["permit"]) if rows else None
        return out
