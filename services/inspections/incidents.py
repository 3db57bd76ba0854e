"""A resident's report from intake to closing, a mixin of InspectionsApplication: each command checks
who may act, then calls the Incident's command method (which checks the state) and saves."""
from __future__ import annotations

from datetime import date, timedelta

from shared.kit.actor import Actor, Role
from shared.kit.calendar import end_of_local_day, local_date
from shared.kit.errors import InvalidInput
from shared.kit.values import parse_uuid as _uuid
from services.inspections.domainmodel import Incident, IncidentState, Inspection, NotYours, Violation
from services.inspections.records import INSPECTORS, READ_ALL, REPORTERS, STAFF, incident_document, ticket


class IncidentCommands:
    """Mixed into InspectionsApplication (uses its repository, ports, clock and helpers)."""

    def report_incident(self, actor: Actor, command_id: str | None, *, category: str, description: str,
                        location: dict | None = None, site_id: str | None = None, photos: list[str] | None = None,
                        address: str | None = None) -> dict:
        actor.require(*REPORTERS, action="report an incident")
        photos = list(photos or [])
        address = (address or "").strip() or None
        Incident.check_new(location, site_id, photos, address)
        if site_id:
            self._known_site(site_id)
        self._check_photos(photos)
        now = self.clock()
        triage_due = end_of_local_day(self.calendar.add(local_date(now), self.triage_working_days))
        resolution_due = end_of_local_day(local_date(now) + timedelta(days=self.resolution_days))

        def work():  # type: ignore[no-untyped-def]
            incident = Incident(category=category, description=description, location=location,
                                site_id=_uuid(site_id, "site_id") if site_id else None, photos=photos,
                                reporter=actor.id, reported_at=now, triage_due=triage_due,
                                resolution_due=resolution_due, actor=actor.to_dict(), address=address)
            return [incident], self._answer(incident, state=incident.state, ticket=ticket(incident.id),
                                            triage_due=triage_due.isoformat(), resolution_due=resolution_due.isoformat())

        return self.execute(command_id, work)

    def add_information(self, actor: Actor, command_id: str | None, incident_id: str, text: str | None,
                        photos: list[str]) -> dict:
        if not text and not photos:
            raise InvalidInput("add a text or a photo", "text", "required_one_of")
        self._check_photos(photos)

        def act(i: Incident) -> None:
            if actor.role == Role.INSPECTOR and actor.id.startswith("staff:"):  # the assignee's note (issue 15)
                if i.assignment is None or photos:
                    raise NotYours("an inspector adds a note (no photos) only to a report assigned to them",
                                   "assignment", "assigned")
                i.check_assignee(actor.id, actor.role.value)
            else:
                i.check_reporter(actor.id)
            i.add_information(text=text, photos=photos, actor=actor.to_dict())

        actor.require(Role.RESIDENT, *STAFF, action="add information to a report")
        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def reopen_incident(self, actor: Actor, command_id: str | None, incident_id: str, reason: str, photo: str) -> dict:
        self._check_photos([photo], "photo")

        def act(i: Incident) -> None:
            i.check_reporter(actor.id)
            i.reopen(reason=reason, photo=photo, actor=actor.to_dict(), now=self.clock(), window_days=self.reopen_days)

        actor.require(Role.RESIDENT, action="reopen a report")
        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def triage_incident(self, actor: Actor, command_id: str | None, incident_id: str, category: str, priority: str,
                        site_id: str | None = None) -> dict:
        actor.require(*STAFF, action="triage an incident")
        if site_id:
            self._known_site(site_id)

        def act(i: Incident) -> None:
            i.triage(site_id=_uuid(site_id, "site_id") if site_id else None, category=category, priority=priority,
                     actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def reject_incident(self, actor: Actor, command_id: str | None, incident_id: str, reason: str,
                        reason_code: str = "other") -> dict:
        actor.require(*STAFF, action="reject an incident")

        def act(i: Incident) -> None:
            i.reject(reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def merge_incident(self, actor: Actor, command_id: str | None, incident_id: str, into: str) -> dict:
        actor.require(*STAFF, action="merge an incident")
        if str(into) == str(incident_id):
            raise InvalidInput("an incident cannot be merged into itself", "into", "different")
        target = self._get(Incident, into, "into")
        if target.state in (IncidentState.MERGED, IncidentState.REJECTED):
            raise InvalidInput(f"cannot merge into an incident that is {target.state}", "into", "open")

        def act(i: Incident) -> None:
            i.merge_into(into=target.id, actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def assign_incident(self, actor: Actor, command_id: str | None, incident_id: str, unit: str,
                        inspector: str | None = None, due: date | None = None) -> dict:
        actor.require(*STAFF, action="assign an incident")

        def act(i: Incident) -> None:
            when = due or local_date(i.resolution_due)
            named = (inspector or "").strip() or None  # a staff e-mail is kept lower-cased (my_tasks finds it)
            i.assign(unit=unit, inspector=named.lower() if named and "@" in named else named, due=when.isoformat(),
                     actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def verify_incident(self, actor: Actor, command_id: str | None, incident_id: str, finding: str,
                        inspection_id: str | None = None, photos: list[str] | None = None) -> dict:
        actor.require(*INSPECTORS, action="verify an incident on site")
        self._check_photos(list(photos or []))
        if inspection_id:
            self._get(Inspection, inspection_id, "inspection_id")

        def act(i: Incident) -> None:
            i.check_assignee(actor.id, actor.role.value)
            i.verify(finding=finding, inspection_id=_uuid(inspection_id, "inspection_id") if inspection_id else None,
                     actor=actor.to_dict(), photos=list(photos or []))

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def resolve_incident(self, actor: Actor, command_id: str | None, incident_id: str, violation_id: str | None,
                         note: str | None = None, photos: list[str] | None = None) -> dict:
        actor.require(*INSPECTORS, action="resolve an incident")
        if violation_id:
            self._get(Violation, violation_id, "violation_id")
        self._check_photos(list(photos or []))

        def act(i: Incident) -> None:
            i.check_assignee(actor.id, actor.role.value)
            i.resolve(violation_id=_uuid(violation_id, "violation_id") if violation_id else None, note=note,
                      resolved_at=self.clock(), actor=actor.to_dict(), photos=list(photos or []))

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def close_incident(self, actor: Actor, command_id: str | None, incident_id: str, reason: str,
                       reason_code: str = "other") -> dict:
        actor.require(*STAFF, Role.SYSTEM, action="close an incident")

        def act(i: Incident) -> None:
            i.close(reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def suggest_duplicates(self, actor: Actor, incident_id: str) -> list[dict]:
        """Same category, reported within 7 days of it, and the same site or within 300 m."""
        actor.require(*STAFF, action="look for duplicates")
        i = self._get(Incident, incident_id, "incident_id")
        return self.views.duplicates_of(i)

    def get_incident(self, actor: Actor, incident_id: str) -> dict:
        i = self._get(Incident, incident_id, "incident_id")
        own = actor.role in REPORTERS and actor.id == i.reporter  # the reporter, never another role by its id
        return incident_document(i, full=actor.role in READ_ALL or own,
                                 with_reporter=actor.role in READ_ALL)
