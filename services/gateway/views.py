"""Read models of the gateway: its webhooks by agency (projected from its own log)."""
from __future__ import annotations

from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor
from services.gateway.domainmodel import Webhook


class GatewayViews(OwnLogProjection):
    name = "gateway_views"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:webhook_view} (id TEXT PRIMARY KEY, agency TEXT NOT NULL, state TEXT NOT NULL)",
    )

    def project(self, cur: Cursor, event: dict) -> None:
        n = event["notification"]
        aggregate = self.app.repository.get(n.originator_id, version=event["event"].originator_version)
        if isinstance(aggregate, Webhook):
            cur.execute("DELETE FROM {t:webhook_view} WHERE id=%s", (str(aggregate.id),))
            cur.execute("INSERT INTO {t:webhook_view} (id, agency, state) VALUES (%s,%s,%s)",
                        (str(aggregate.id), aggregate.agency, aggregate.state))

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:webhook_view}")

    def webhook_ids(self, agency: str | None = None, states: tuple[str, ...] = ("active", "parked")) -> list[str]:
        marks = ",".join(["%s"] * len(states))
        sql, params = f"SELECT id FROM {{t:webhook_view}} WHERE state IN ({marks})", list(states)
        if agency is not None:
            sql += " AND agency=%s"
            params.append(agency)
        return [r["id"] for r in self.fresh_rows(sql + " ORDER BY id", params)]
