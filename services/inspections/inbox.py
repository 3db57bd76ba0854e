"""The staff inbox of resident reports: a page of incidents from the indexed read model, with
the running clock in working days, and what a report page needs beyond `get_incident`: its
history (the reopenings among it) and its photos.

Plain Python over the InspectionsApplication and its ports (`views`, `directory`, `blobs`,
`calendar`, `clock`); the service's entrypoints are thin calls into it. Staff only; no answer
here carries the reporter's pseudonym (a resident's own events show their role, never their id).

Scope: the gateway passes a commune officer's communes; a row is in scope when its site's new
commune or old district is one of them (the directory's `sites_in`). An incident without a site
yet (only coordinates or an address) is in no commune: city-wide staff see it and triage gives it
a site.
"""
from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

from shared.kit.actor import Actor, Role
from shared.kit.calendar import WorkingDays, local_date
from shared.kit.errors import NotFound
from shared.kit.values import coarse, plain
from services.inspections.application import STAFF, ticket
from services.inspections.domainmodel import Incident
from services.inspections.photos import blob_refs
from services.inspections.views import OPEN_CLOCK

MAX_SPAN_DAYS = 3660  # working days are counted day by day; a clock further than ten years is capped
HIDDEN_FIELDS = ("originator_id", "originator_version", "originator_topic", "timestamp", "actor", "reporter")
MEDIA_TYPES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def working_days_between(calendar: WorkingDays, today: date, due: date) -> int:
    """Working days from `today` to `due`: n >= 0 left (0: due today), -n when late by n."""
    step, sign = (1, 1) if due >= today else (-1, -1)
    day, count = today, 0
    for _ in range(MAX_SPAN_DAYS):
        if day == due:
            break
        if sign < 0 and calendar.is_working(day):
            count += 1  # late: every working day after the due day up to today
        day += timedelta(days=step)
        if sign > 0 and calendar.is_working(day):
            count += 1
    return count * sign


def media_type(data: bytes) -> str:
    for magic, kind in MEDIA_TYPES:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


class StaffInbox:
    def __init__(self, app: Any) -> None:
        self.app = app

    # -- the list --------------------------------------------------------------------------------
    def page(self, actor: Actor, *, states: list[str] | None = None, category: str | None = None,
             communes: list[str] | None = None, site_id: str | None = None, overdue: bool = False,
             inspector: str | None = None, unit: str | None = None, offset: int = 0, limit: int = 50) -> dict:
        actor.require(*STAFF, action="read the inbox")
        now = self.app.clock()
        site_ids = None
        if communes:
            sites_in = getattr(self.app.directory, "sites_in", None)
            site_ids = sites_in(communes) if sites_in is not None else []
        rows, total = self.app.views.inbox(states=states or None, category=category, site_ids=site_ids,
                                           site_id=site_id, overdue_at=now if overdue else None,
                                           inspector=inspector, unit=unit, offset=offset, limit=limit)
        places = self._places({r["site_id"] for r in rows if r["site_id"]})
        today = local_date(now)
        return {"rows": [self._row(r, places, now, today) for r in rows], "total": total, "offset": offset,
                "limit": limit, "as_of": now.astimezone(timezone.utc).isoformat()}

    def _places(self, site_ids: set[str]) -> dict[str, dict]:
        many = getattr(self.app.directory, "places", None)
        if many is not None:
            return many(site_ids)
        out = {}
        for sid in site_ids:
            site = self.app.directory.site(sid)
            if site:
                out[sid] = {"name": site.get("name"), "commune": site.get("commune"),
                            "old_district": site.get("old_district")}
        return out

    def _row(self, r: dict, places: dict[str, dict], now: datetime, today: date) -> dict:
        place = places.get(r["site_id"]) if r["site_id"] else None
        clock = None
        deadline = OPEN_CLOCK.get(r["state"])
        if deadline is not None and r["due_at"]:
            due = datetime.fromisoformat(r["due_at"])
            days = working_days_between(self.app.calendar, today, local_date(due))
            clock = {"deadline": deadline, "due": due.isoformat(), "due_date": local_date(due).isoformat(),
                     "overdue": due < now, "working_days_left": max(days, 0), "working_days_late": max(-days, 0)}
        location = coarse({"lat": r["lat"], "lon": r["lon"]}) if r["lat"] is not None else None
        return plain({
            "id": r["id"], "ticket": ticket(UUID(r["id"])), "state": r["state"], "category": r["category"],
            "priority": r["priority"], "site_id": r["site_id"], "site_name": (place or {}).get("name"),
            "commune": (place or {}).get("commune"), "old_district": (place or {}).get("old_district"),
            "reported_at": r["reported_at"], "triage_due": r["triage_due"], "resolution_due": r["resolution_due"],
            "clock": clock, "overdue": bool(clock and clock["overdue"]),
            "overdue_marks": [m for m in (r["overdue"] or "").split(",") if m],
            "assignment": {"unit": r["unit"], "inspector": r["inspector"], "due": r["assigned_due"]}
            if r["unit"] else None,
            "reopened": int(r["reopened"]), "location": location,
        })

    # -- one report ------------------------------------------------------------------------------
    def _events(self, incident_id: str) -> list[Any]:
        incident = self.app._get(Incident, incident_id, "incident_id")
        return list(self.app.events.get(incident.id))

    def history(self, actor: Actor, incident_id: str) -> list[dict]:
        """Every event of the report, oldest first, by whom (staff and the system by id; the
        resident by role only), with what it said (reopenings: their reason and photo)."""
        actor.require(*STAFF, action="read a report's history")
        out = []
        for e in self._events(incident_id):
            who = getattr(e, "actor", None) or {}
            role = who.get("role")
            out.append(plain({
                "version": e.originator_version, "event": type(e).__name__,
                "time": e.timestamp.astimezone(timezone.utc).isoformat(), "actor_role": role,
                "actor_id": who.get("id") if role not in (None, "resident") else None,
                "data": {k: v for k, v in vars(e).items() if k not in HIDDEN_FIELDS},
            }))
        return out

    def photo(self, actor: Actor, incident_id: str, digest: str) -> dict:
        """One photo of the report (any photo an event of it references), base64. Its reporter
        gets only its own photos ("before") and the resolution's ("after")."""
        refs: set[str] = set()
        if actor.role == Role.RESIDENT:
            i = self.app._get(Incident, incident_id, "incident_id")
            i.check_reporter(actor.id)
            refs.update(list(i.photos) + list(getattr(i, "after_photos", [])))
        else:
            actor.require(*STAFF, action="see a report's photos")
            for e in self._events(incident_id):
                refs.update(blob_refs({k: v for k, v in vars(e).items() if k not in HIDDEN_FIELDS}))
        if digest not in refs:
            raise NotFound(f"the report has no photo {digest[:12]}…", "photo", "exists")
        data = self.app.blobs.get(digest)
        return {"photo": digest, "media_type": media_type(data), "bytes": len(data),
                "data_b64": base64.b64encode(data).decode("ascii")}
