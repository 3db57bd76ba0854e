"""Inspectors in the field (issue 15), a mixin of InspectionsApplication: the reports assigned to
the calling inspector (`my_tasks`, on the indexed read model incident_view_v3) and who a report
is assigned to (`incident_assignee`: the bot's push on assignment asks it, because the public
event IncidentAssigned never carries a staff e-mail). Reads only."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from shared.kit.actor import Actor, Role
from shared.kit.calendar import local_date
from shared.kit.values import coarse, plain as as_plain

TASK_STATES = ("assigned", "verified")  # still the inspector's to act on (verify, then resolve)
STAFF_PREFIX = "staff:"


def staff_email(actor: Actor) -> str | None:
    """The e-mail of a staff inspector actor (`staff:<e-mail>`); None for any other inspector (a
    chat account linked without a staff account has no tasks by name)."""
    actor.require(Role.INSPECTOR, action="list an inspector's tasks")
    if not actor.id.startswith(STAFF_PREFIX) or "@" not in actor.id:
        return None
    return actor.id[len(STAFF_PREFIX):].lower()


class FieldQueries:
    """Mixed into InspectionsApplication (uses its repository, views and clock)."""

    def my_tasks(self, actor: Actor, offset: int = 0, limit: int = 10) -> dict:
        email = staff_email(actor)
        if email is None:
            return {"items": [], "total": 0, "offset": offset, "limit": limit}
        now: datetime = self.clock()  # type: ignore[attr-defined]
        rows, total = self.views.tasks_of(email, TASK_STATES, now, local_date(now).isoformat(), offset, limit)  # type: ignore[attr-defined]
        from services.inspections.application import ticket

        items = [as_plain({
            "id": r["id"], "ticket": ticket(UUID(r["id"])), "state": r["state"], "category": r["category"],
            "priority": r["priority"], "site_id": r["site_id"], "due": r["assigned_due"],
            "resolution_due": r["resolution_due"], "overdue": bool(r["late"]),
            "location": coarse({"lat": r["lat"], "lon": r["lon"]}) if r["lat"] is not None else None,
        }) for r in rows]
        return {"items": items, "total": total, "offset": offset, "limit": limit}

    def incident_assignee(self, actor: Actor, incident_id: str) -> dict:
        """Who the report is assigned to now (unit, inspector's e-mail, due): staff only."""
        actor.require(Role.INSPECTOR, Role.AGENCY, Role.ADMIN, action="see who a report is assigned to")
        from services.inspections.application import ticket
        from services.inspections.domainmodel import Incident

        i = self._get(Incident, incident_id, "incident_id")  # type: ignore[attr-defined]
        job: dict[str, Any] = i.assignment or {}
        return as_plain({"id": i.id, "ticket": ticket(i.id), "version": i.version, "state": i.state,
                         "category": i.category, "priority": i.priority, "unit": job.get("unit"),
                         "inspector": (job.get("inspector") or "").strip().lower() or None, "due": job.get("due")})
