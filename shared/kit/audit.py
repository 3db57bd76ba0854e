"""The audit trail: who did what and when, one row per stored event, from a service's own log.

Every service (and the gateway's staff accounts) keeps the same read model, `AuditTrail`, an
own-log projection (shared/kit/follower.py): one row per stored event with its notification id,
the aggregate's id and kind, the event's name, the actor's id, role and establishment, and the time
it was recorded; indexed by actor and by aggregate, newest first. A row holds no payload: no
free text, no personal data beyond the actor's id — and that id only where the viewer may see it.

Who sees which actor ids (`visible_actor`): an admin sees every actor id. Anyone else (the agency)
sees the ids of staff and of the platform (inspector, agency, admin, system roles) and, for every
other role — a resident's or a party's chat pseudonym, the gateway's Open311 reporters — only the
role and the establishment it acted for: `actor_id` is None. Asked by such an actor id, a trail
answers nothing but staff rows, so a non-admin cannot list what one resident did (their reports,
their additions) by their pseudonym, or confirm that a pseudonym exists.

Events that carry no actor (index entries and attempt counters kept beside the link codes) are
bookkeeping, not actions: they get no row.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from shared.kit.actor import Actor, Role
from shared.kit.errors import InvalidInput
from shared.kit.follower import OwnLogProjection
from shared.kit.sql import Cursor

SHOWN_ROLES = (Role.INSPECTOR.value, Role.AGENCY.value, Role.ADMIN.value, Role.SYSTEM.value)
MAX_LIMIT = 200
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def kind_of(domain_event: Any) -> tuple[str, str]:
    """(aggregate kind in snake case, event name): `Site.Registered` → ("site", "Registered"),
    `LinkCode.Issued` → ("link_code", "Issued")."""
    qualname = type(domain_event).__qualname__
    aggregate, _, name = qualname.rpartition(".")
    aggregate = aggregate.rpartition(".")[2] or "aggregate"
    return _CAMEL.sub("_", aggregate).lower(), name


def recorded_at(domain_event: Any) -> str:
    ts = getattr(domain_event, "timestamp", None)
    if not isinstance(ts, datetime):
        ts = datetime.now(timezone.utc)
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=timezone.utc)
    return ts.astimezone(timezone.utc).isoformat(timespec="microseconds")


def visible_actor(viewer: Actor, row: dict) -> str | None:
    """The actor id `viewer` may see for `row` (None: hidden)."""
    if viewer.role == Role.ADMIN or row.get("actor_role") in SHOWN_ROLES:
        return row.get("actor_id")
    return None


class AuditTrail(OwnLogProjection):
    """`service` names the rows (the gateway merges the trails of several logs)."""

    name = "audit_trail"
    tables = (
        "CREATE TABLE IF NOT EXISTS {t:lx_audit} (seq BIGINT PRIMARY KEY, aggregate_id TEXT NOT NULL, "
        "aggregate_kind TEXT NOT NULL, event TEXT NOT NULL, actor_id TEXT, actor_role TEXT, "
        "establishment TEXT, recorded_at TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS lx_audit_by_actor ON {t:lx_audit} (actor_id, seq)",
        "CREATE INDEX IF NOT EXISTS lx_audit_by_aggregate ON {t:lx_audit} (aggregate_id, seq)",
    )

    def __init__(self, db: Any, app: Any, service: str) -> None:
        self.service = service
        super().__init__(db, app)

    # -- projection ------------------------------------------------------------------------------
    def project(self, cur: Cursor, event: dict) -> None:
        domain_event = event["event"]
        actor = self.actor_of(event)
        if not isinstance(actor, dict):
            return  # bookkeeping without an actor (see the module's note)
        kind, name = kind_of(domain_event)
        cur.execute(
            "INSERT INTO {t:lx_audit} (seq, aggregate_id, aggregate_kind, event, actor_id, actor_role, "
            "establishment, recorded_at) VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (seq) DO NOTHING",
            (event["sequence"], str(domain_event.originator_id), kind, name, _text(actor.get("id")),
             _text(actor.get("role")), _text(actor.get("establishment")), recorded_at(domain_event)),
        )

    def actor_of(self, event: dict) -> dict | None:
        """Who did it: the event's `actor` (a log whose events name it otherwise says so here)."""
        actor = getattr(event["event"], "actor", None)
        return actor if isinstance(actor, dict) else None

    def clear(self, cur: Cursor) -> None:
        cur.execute("DELETE FROM {t:lx_audit}")

    # -- the query -------------------------------------------------------------------------------
    def trail(self, viewer: Actor, actor: str | None = None, aggregate_id: str | None = None,
              before: int | None = None, before_time: datetime | str | None = None, limit: int = 50) -> dict:
        """Rows newest first (by notification id), by actor and/or aggregate, before a position
        and/or a time; `next_before` continues the page (None at the end)."""
        if not actor and not aggregate_id:
            raise InvalidInput("name an actor or a record (aggregate_id)", "actor", "required")
        if not 1 <= int(limit) <= MAX_LIMIT:
            raise InvalidInput(f"limit is 1 to {MAX_LIMIT}", "limit", "range")
        where, params = ["1=1"], []
        if actor:
            where.append("actor_id=%s")
            params.append(actor)
            if viewer.role != Role.ADMIN:  # a non-admin never pages through a resident's pseudonym
                where.append(f"actor_role IN ({','.join(['%s'] * len(SHOWN_ROLES))})")
                params.extend(SHOWN_ROLES)
        if aggregate_id:
            where.append("aggregate_id=%s")
            params.append(str(aggregate_id))
        if before is not None:
            where.append("seq<%s")
            params.append(int(before))
        if before_time is not None:
            where.append("recorded_at<%s")
            params.append(_utc(before_time))
        self.catch_up()
        rows = self.rows(f"SELECT * FROM {{t:lx_audit}} WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT %s",
                         [*params, int(limit) + 1])
        more = len(rows) > int(limit)
        rows = rows[: int(limit)]
        return {"service": self.service, "rows": [self._shown(viewer, r) for r in rows],
                "next_before": int(rows[-1]["seq"]) if more else None}

    def _shown(self, viewer: Actor, row: dict) -> dict:
        return {"service": self.service, "sequence": int(row["seq"]), "aggregate_id": row["aggregate_id"],
                "aggregate_kind": row["aggregate_kind"], "event": row["event"],
                "actor_id": visible_actor(viewer, row), "actor_role": row["actor_role"],
                "establishment": row["establishment"], "recorded_at": row["recorded_at"]}


def _text(value: Any) -> str | None:
    value = getattr(value, "value", value)  # a Role
    return None if value is None else str(value)[:200]


def _utc(value: datetime | str) -> str:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise InvalidInput("before_time needs a time zone", "before_time", "timezone")
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
