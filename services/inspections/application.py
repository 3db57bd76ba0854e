"""The inspections Application: incidents, the annual plan, inspections, violations.

Plain Python over eventsourcing. What it needs from outside comes in as ports set by the
composition root: `directory` (what the sites stream says about sites and establishments),
`blobs` (stored photos), `views` (its own read models), the limit table and the sanction
catalogue (reference data), and an injectable clock.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol
from uuid import UUID

from shared.directory import EmptyDirectory
from shared.kit.actor import Actor, Role
from shared.kit.calendar import WorkingDays, end_of_local_day, local_date
from shared.kit.errors import InvalidInput, NotFound
from shared.kit.store import ServiceApplication, cooperatively
from shared.kit.values import coarse, parse_uuid as _uuid, plain as as_plain
from services.inspections import sanctions
from services.inspections.limits import Facility, LimitTables, evaluated_for_record
from services.inspections.event_places import EventPlaces
from services.inspections.field import FieldQueries
from services.inspections.reports import ReportCommands
from services.inspections.staff_queries import StaffQueries
from services.inspections.domainmodel import (
    Incident, IncidentState, Inspection, InspectionKind, InspectionPlan, InspectionState, NotYours, OffenderType,
    Violation, ViolationState, check_fine, incident_id_for,
)

STAFF = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
INSPECTORS = (Role.INSPECTOR, Role.ADMIN)
PLANNERS = (Role.AGENCY, Role.ADMIN)
REPORTERS = (Role.RESIDENT, Role.INSPECTOR, Role.AGENCY, Role.ADMIN)
READ_ALL = (Role.INSPECTOR, Role.AGENCY, Role.ADMIN, Role.SYSTEM)


class Directory(Protocol):
    def site(self, site_id: str) -> dict | None: ...
    def establishment(self, establishment_id: str) -> dict | None: ...


class InspectionsApplication(EventPlaces, ReportCommands, FieldQueries, StaffQueries, ServiceApplication):
    name = "Inspections"

    def __init__(self, env: dict | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.directory: Directory = EmptyDirectory()
        self.blobs: Any = None
        self.views: Any = None
        self.limits = LimitTables()
        self.sanctions: dict = {"entries": [], "rules": {}}
        self.calendar = WorkingDays()
        self.triage_working_days = 2
        self.resolution_days = 15
        self.reopen_days = 30

    def connect(self, *, directory: Directory | None = None, blobs: Any = None, views: Any = None,
                limits: list[dict] | None = None, sanctions: dict | None = None, holidays: list | None = None,
                makeup_days: list | None = None,
                triage_working_days: int | None = None, resolution_days: int | None = None,
                reopen_days: int | None = None) -> "InspectionsApplication":
        """The composition root plugs the ports in (tests plug fakes)."""
        self.directory = directory or self.directory
        self.blobs = blobs if blobs is not None else self.blobs
        self.views = views if views is not None else self.views
        if limits is not None:
            self.limits = LimitTables(limits)
        self.sanctions = sanctions if sanctions is not None else self.sanctions
        if holidays is not None:
            self.calendar = WorkingDays(holidays, makeup_days or [])
        self.triage_working_days = triage_working_days or self.triage_working_days
        self.resolution_days = resolution_days or self.resolution_days
        self.reopen_days = reopen_days or self.reopen_days
        return self

    # -- helpers ---------------------------------------------------------------------------------
    def _get(self, cls: type, aggregate_id: Any, field: str) -> Any:
        agg = self.get_or_none(_uuid(aggregate_id, field))
        if not isinstance(agg, cls):
            raise NotFound(f"no {cls.__name__.lower()} with id {aggregate_id}", field, "exists")
        return agg

    def _known_site(self, site_id: Any, field: str = "site_id") -> dict:
        site = self.directory.site(str(_uuid(site_id, field)))
        if site is None:
            raise NotFound(f"no site {site_id} is known from the sites registry", field, "exists")
        if not site.get("active", True):
            raise InvalidInput(f"site {site.get('name') or site_id} is deactivated", field, "active")
        return site

    def _known_establishment(self, establishment_id: Any, field: str = "establishment_id") -> dict:
        est = self.directory.establishment(str(_uuid(establishment_id, field)))
        if est is None:
            raise NotFound(f"no establishment {establishment_id} is known from the sites registry", field, "exists")
        return est

    def _check_photos(self, photos: list[str], field: str = "photos") -> None:
        for p in photos:
            if self.blobs is not None and not self.blobs.claim(p):  # claimed: safe from the photo GC
                raise NotFound(f"photo {p[:12]}… was not uploaded (store it first)", field, "exists")

    @staticmethod
    def _answer(agg: Any, **extra: Any) -> dict:
        return {"id": str(agg.id), "version": agg.version, **extra}

    def _work(self, command_id: str | None, cls: type, aggregate_id: Any, field: str,
              act: Callable[[Any], None]) -> dict:
        def work():  # type: ignore[no-untyped-def]
            agg = self._get(cls, aggregate_id, field)
            act(agg)
            return [agg], self._answer(agg, state=getattr(agg, "state", None))

        return self.execute(command_id, work)

    # -- incidents -------------------------------------------------------------------------------
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
            i.check_state("add information to", *[IncidentState(s) for s in
                                                   ("reported", "triaged", "assigned", "verified", "reopened", "resolved")])
            i.check_can_add_photos(photos)
            i.add_information(text=text, photos=photos, actor=actor.to_dict())

        actor.require(Role.RESIDENT, *STAFF, action="add information to a report")
        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def reopen_incident(self, actor: Actor, command_id: str | None, incident_id: str, reason: str, photo: str) -> dict:
        self._check_photos([photo], "photo")

        def act(i: Incident) -> None:
            i.check_reporter(actor.id)
            i.check_reopen(self.clock(), self.reopen_days)
            i.reopen(reason=reason, photo=photo, actor=actor.to_dict())

        actor.require(Role.RESIDENT, action="reopen a report")
        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def triage_incident(self, actor: Actor, command_id: str | None, incident_id: str, category: str, priority: str,
                        site_id: str | None = None) -> dict:
        actor.require(*STAFF, action="triage an incident")
        if site_id:
            self._known_site(site_id)

        def act(i: Incident) -> None:
            i.check_state("triage", IncidentState.REPORTED)
            i.triage(site_id=_uuid(site_id, "site_id") if site_id else None, category=category, priority=priority,
                     actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def reject_incident(self, actor: Actor, command_id: str | None, incident_id: str, reason: str,
                        reason_code: str = "other") -> dict:
        actor.require(*STAFF, action="reject an incident")

        def act(i: Incident) -> None:
            i.check_state("reject", IncidentState.REPORTED)
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
            i.check_state("merge", IncidentState.REPORTED)
            i.merge_into(into=target.id, actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def assign_incident(self, actor: Actor, command_id: str | None, incident_id: str, unit: str,
                        inspector: str | None = None, due: date | None = None) -> dict:
        actor.require(*STAFF, action="assign an incident")

        def act(i: Incident) -> None:
            i.check_state("assign", IncidentState.TRIAGED, IncidentState.REOPENED)
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
            i.check_state("verify", IncidentState.ASSIGNED)
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
            i.check_state("resolve", IncidentState.VERIFIED)
            i.resolve(violation_id=_uuid(violation_id, "violation_id") if violation_id else None, note=note,
                      resolved_at=self.clock(), actor=actor.to_dict(), photos=list(photos or []))

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def close_incident(self, actor: Actor, command_id: str | None, incident_id: str, reason: str,
                       reason_code: str = "other") -> dict:
        actor.require(*STAFF, Role.SYSTEM, action="close an incident")

        def act(i: Incident) -> None:
            i.check_state("close", IncidentState.RESOLVED)
            i.close(reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, Incident, incident_id, "incident_id", act)

    def suggest_duplicates(self, actor: Actor, incident_id: str) -> list[dict]:
        """Same category, reported within 7 days of it, and the same site or within 300 m."""
        actor.require(*STAFF, action="look for duplicates")
        i = self._get(Incident, incident_id, "incident_id")
        return self.views.duplicates_of(i) if self.views is not None else []

    def get_incident(self, actor: Actor, incident_id: str) -> dict:
        i = self._get(Incident, incident_id, "incident_id")
        own = actor.role in REPORTERS and actor.id == i.reporter  # the reporter, never another role by its id
        return incident_document(i, full=actor.role in READ_ALL or own,
                                 with_reporter=actor.role in READ_ALL)

    # -- plan and inspections --------------------------------------------------------------------
    def add_plan_item(self, actor: Actor, command_id: str | None, year: int, ref: str, site_id: str,
                      establishment_id: str | None = None, month: int | None = None, topic: str | None = None) -> dict:
        actor.require(*PLANNERS, action="plan inspections")
        self._known_site(site_id)
        if establishment_id:
            self._check_establishment_at(establishment_id, site_id)

        def work():  # type: ignore[no-untyped-def]
            plan = self.get_or_none(InspectionPlan.create_id(year)) or InspectionPlan(year=year, actor=actor.to_dict())
            if ref in plan.items:
                raise InvalidInput(f"plan {year} already has an item {ref!r}", "ref", "unique")
            plan.add_item(ref=ref, site_id=_uuid(site_id, "site_id"),
                          establishment_id=_uuid(establishment_id, "establishment_id") if establishment_id else None,
                          month=month, topic=topic, actor=actor.to_dict())
            return [plan], self._answer(plan, items=len(plan.items))

        return self.execute(command_id, work)

    def _check_establishment_at(self, establishment_id: str, site_id: str) -> dict:
        est = self._known_establishment(establishment_id)
        if est.get("site_id") != str(_uuid(site_id, "site_id")):
            raise InvalidInput("the establishment is not at that site", "establishment_id", "at_site")
        return est

    def schedule_inspection(self, actor: Actor, command_id: str | None, *, kind: str, scheduled_for: date,
                            site_id: str | None = None, establishment_id: str | None = None,
                            plan_year: int | None = None, plan_ref: str | None = None,
                            incident_ids: list[str] | None = None, unit: str | None = None,
                            inspector: str | None = None) -> dict:
        actor.require(*STAFF, action="schedule an inspection")
        incident_ids = list(incident_ids or [])

        def work():  # type: ignore[no-untyped-def]
            nonlocal site_id, establishment_id, unit, inspector
            changed: list[Any] = []
            if kind == InspectionKind.PLANNED:
                if plan_year is None or not plan_ref:
                    raise InvalidInput("a planned inspection names its plan item (plan_year, plan_ref)", "plan_ref", "required")
                plan = self.get_or_none(InspectionPlan.create_id(plan_year))
                item = plan.items.get(plan_ref) if plan else None
                if item is None:
                    raise NotFound(f"plan {plan_year} has no item {plan_ref!r}", "plan_ref", "exists")
                if item["inspection_id"] is not None:
                    raise InvalidInput(f"plan item {plan_ref!r} is already scheduled", "plan_ref", "once")
                site_id = str(item["site_id"])
                establishment_id = str(item["establishment_id"]) if item["establishment_id"] else None
            else:
                if not incident_ids:
                    raise InvalidInput("an unannounced inspection is triggered by at least one incident",
                                       "incident_ids", "required")
                reports = [self._get(Incident, iid, "incident_ids") for iid in incident_ids]
                site_id, unit, inspector = self.unannounced_defaults(reports, site_id, unit, inspector)
                if not site_id:
                    raise InvalidInput("say which site is inspected", "site_id", "required")
                plan = None
            self._known_site(site_id)
            if establishment_id:
                self._check_establishment_at(establishment_id, site_id)
            inspection = Inspection(kind=kind, site_id=_uuid(site_id, "site_id"),
                                    establishment_id=_uuid(establishment_id, "establishment_id") if establishment_id else None,
                                    plan_year=plan_year if plan else None, plan_ref=plan_ref if plan else None,
                                    incident_ids=[_uuid(i, "incident_ids") for i in incident_ids],
                                    scheduled_for=scheduled_for.isoformat(), actor=actor.to_dict(),
                                    unit=(unit or "").strip() or None, inspector=(inspector or "").strip() or None)
            changed.append(inspection)
            if plan is not None:
                plan.item_scheduled(ref=plan_ref, inspection_id=inspection.id, actor=actor.to_dict())
                changed.append(plan)
            return changed, self._answer(inspection, state=inspection.state)

        return self.execute(command_id, work)

    def conduct_inspection(self, actor: Actor, command_id: str | None, inspection_id: str, conducted_on: date,
                           team: list[str], findings: str, samples: list[dict]) -> dict:
        actor.require(*INSPECTORS, action="conduct an inspection")
        if conducted_on > local_date(self.clock()):
            raise InvalidInput("an inspection cannot be conducted in the future", "conducted_on", "not_future")

        def act(ins: Inspection) -> None:
            evaluated = evaluated_for_record(self.limits, self.facility(ins.establishment_id), conducted_on, samples)
            ins.check_state("conduct", InspectionState.SCHEDULED)
            ins.conduct(conducted_on=conducted_on.isoformat(), team=team, findings=findings, samples=evaluated,
                        actor=actor.to_dict())

        return self._work(command_id, Inspection, inspection_id, "inspection_id", act)

    def facility(self, establishment_id: Any) -> Facility:
        """What the establishment's permit says for its limits (services/inspections/limits.py)."""
        return Facility.of(self.directory.establishment(str(establishment_id)) if establishment_id else None)

    def conclude_inspection(self, actor: Actor, command_id: str | None, inspection_id: str,
                            violation_ids: list[str], summary: str) -> dict:
        actor.require(*INSPECTORS, action="conclude an inspection")
        for vid in violation_ids:
            v = self._get(Violation, vid, "violation_ids")
            if str(v.inspection_id) != str(inspection_id):
                raise InvalidInput(f"violation {vid} was not recorded at this inspection", "violation_ids", "same_inspection")

        def act(ins: Inspection) -> None:
            ins.check_state("conclude", InspectionState.CONDUCTED)
            ins.conclude(violation_ids=[_uuid(v, "violation_ids") for v in violation_ids], summary=summary,
                         actor=actor.to_dict())

        return self._work(command_id, Inspection, inspection_id, "inspection_id", act)

    def cancel_inspection(self, actor: Actor, command_id: str | None, inspection_id: str, reason: str,
                          reason_code: str = "other") -> dict:
        actor.require(*STAFF, action="cancel an inspection")

        def act(ins: Inspection) -> None:
            ins.check_state("cancel", InspectionState.SCHEDULED)
            ins.cancel(reason=reason, reason_code=reason_code, actor=actor.to_dict())

        return self._work(command_id, Inspection, inspection_id, "inspection_id", act)

    def get_inspection(self, actor: Actor, inspection_id: str) -> dict:
        ins = self._get(Inspection, inspection_id, "inspection_id")
        if actor.role not in READ_ALL:
            if not (actor.role == Role.BUSINESS and ins.establishment_id and str(ins.establishment_id) == actor.establishment):
                raise NotYours("only staff and the inspected establishment may read an inspection", "actor.role", "role")
        return inspection_document(ins, staff=actor.role in READ_ALL)

    # -- violations ------------------------------------------------------------------------------
    def catalogue_entry(self, code: str) -> dict:
        for entry in self.sanctions.get("entries", []):
            if entry["code"] == code:
                return entry
        raise NotFound(f"no entry {code!r} in the sanction catalogue {self.sanctions.get('catalogue')}",
                       "catalogue_code", "exists")

    def record_violation(self, actor: Actor, command_id: str | None, *, establishment_id: str, catalogue_code: str,
                         description: str, offender_type: str, fine_vnd: int, inspection_id: str | None = None,
                         additional_sanctions: list[str] | None = None,
                         remedial_measures: list[dict] | None = None) -> dict:
        actor.require(*INSPECTORS, action="record a violation")
        est = self._known_establishment(establishment_id)
        if est.get("form") == "household" and offender_type == OffenderType.ORGANISATION:
            raise InvalidInput("a household establishment is fined as an individual", "offender_type", "household")
        if est.get("form") == "enterprise" and offender_type != OffenderType.ORGANISATION:
            raise InvalidInput("an enterprise is fined as an organisation", "offender_type", "enterprise")
        entry = self.catalogue_entry(catalogue_code)
        sanctions.check_usable(entry)
        check_fine(entry, offender_type, fine_vnd, self.sanctions.get("rules", {}))
        today = local_date(self.clock())
        for m in remedial_measures or []:
            if m["deadline"] <= today:
                raise InvalidInput("a remedial measure's deadline must be after today", "remedial_measures.deadline", "future")
        if inspection_id:
            self._get(Inspection, inspection_id, "inspection_id").check_violation_of(est, establishment_id)
        legal_basis = {"decree": "45/2022/NĐ-CP", "version": self.sanctions.get("version"), "code": entry["code"],
                       "article": entry["article"], "clause": entry["clause"], "point": entry.get("point")}

        def work():  # type: ignore[no-untyped-def]
            v = Violation(establishment_id=_uuid(establishment_id, "establishment_id"), site_id=UUID(est["site_id"]),
                          inspection_id=_uuid(inspection_id, "inspection_id") if inspection_id else None,
                          legal_basis=legal_basis, description=description, offender_type=offender_type,
                          fine_vnd=fine_vnd, additional_sanctions=list(additional_sanctions or []),
                          remedial_measures=[{"measure": m["measure"], "deadline": m["deadline"].isoformat()}
                                             for m in remedial_measures or []], actor=actor.to_dict())
            return [v], self._answer(v, state=v.state)

        return self.execute(command_id, work)

    def decide_sanction(self, actor: Actor, command_id: str | None, violation_id: str, decision_number: str,
                        decided_on: date, fine_vnd: int, authority: str) -> dict:
        actor.require(Role.INSPECTOR, Role.AGENCY, Role.ADMIN, action="decide a sanction")

        def act(v: Violation) -> None:
            v.check_state("decide the sanction of", ViolationState.RECORDED)
            entry = self.catalogue_entry(v.legal_basis["code"])
            sanctions.check_usable(entry)
            check_fine(entry, v.offender_type, fine_vnd, self.sanctions.get("rules", {}))
            sanctions.check_authority(self.sanctions, entry, v.offender_type, authority)
            v.decide_sanction(decision_number=decision_number, decided_on=decided_on.isoformat(), fine_vnd=fine_vnd,
                              actor=actor.to_dict())

        return self._work(command_id, Violation, violation_id, "violation_id", act)

    def submit_evidence(self, actor: Actor, command_id: str | None, violation_id: str, text: str,
                        files: list[str]) -> dict:
        actor.require(Role.BUSINESS, action="submit remediation evidence")
        self._check_photos(files, "files")

        def act(v: Violation) -> None:
            if actor.establishment != str(v.establishment_id):
                raise NotYours("only the sanctioned establishment submits its remediation evidence",
                               "actor.establishment", "owner")
            v.check_state("submit evidence for", ViolationState.SANCTION_DECIDED)
            v.submit_evidence(text=text, files=files, actor=actor.to_dict())

        return self._work(command_id, Violation, violation_id, "violation_id", act)

    def review_evidence(self, actor: Actor, command_id: str | None, violation_id: str, accepted: bool,
                        note: str) -> dict:
        actor.require(*INSPECTORS, action="verify remediation")

        def act(v: Violation) -> None:
            v.check_state("verify remediation of", ViolationState.EVIDENCE_SUBMITTED)
            if accepted:
                v.close(note=note, actor=actor.to_dict())
            else:
                v.reject_evidence(reason=note, actor=actor.to_dict())

        return self._work(command_id, Violation, violation_id, "violation_id", act)

    def get_violation(self, actor: Actor, violation_id: str) -> dict:
        v = self._get(Violation, violation_id, "violation_id")
        if actor.role not in READ_ALL and not (actor.role == Role.BUSINESS and actor.establishment == str(v.establishment_id)):
            raise NotYours("only staff and the sanctioned establishment may read a violation", "actor.role", "role")
        return violation_document(v)

    # -- timers ----------------------------------------------------------------------------------
    def check_deadlines(self, now: datetime | None = None) -> dict:
        """Emit each overdue event once: triage, resolution, remedial measures; auto-close
        resolved incidents past the reopen window. Loads only the aggregates the read model says
        are due (its indexed due columns), then decides on the aggregate itself."""
        now = now or self.clock()
        system = Actor("timer", Role.SYSTEM).to_dict()
        counts = {"triage": 0, "resolution": 0, "remediation": 0, "closed": 0}
        for iid in cooperatively(self.views.due_incident_ids(now, self.reopen_days)):
            i = self.repository.get(iid)
            changed = False
            if i.state == IncidentState.REPORTED and now > i.triage_due and "triage" not in i.overdue:
                i.mark_overdue(deadline="triage", due=i.triage_due, actor=system)
                counts["triage"] += 1
                changed = True
            if i.state in {s.value for s in (IncidentState.REPORTED, IncidentState.TRIAGED, IncidentState.ASSIGNED,
                                             IncidentState.VERIFIED, IncidentState.REOPENED)} \
                    and now > i.resolution_due and "resolution" not in i.overdue:
                i.mark_overdue(deadline="resolution", due=i.resolution_due, actor=system)
                counts["resolution"] += 1
                changed = True
            if i.state == IncidentState.RESOLVED and i.resolved_at and now > i.resolved_at + timedelta(days=self.reopen_days):
                i.close(reason=f"not reopened within {self.reopen_days} days", reason_code="reopen_window_expired",
                        actor=system)
                counts["closed"] += 1
                changed = True
            if changed:
                self.save_unless_raced(i)
        today = local_date(now)
        for vid in cooperatively(self.views.due_violation_ids(today)):
            v = self.repository.get(vid)
            changed = False
            for m in v.remedial_measures:
                if not m["done"] and date.fromisoformat(m["deadline"]) < today and m["measure"] not in v.overdue:
                    v.mark_overdue(measure=m["measure"], deadline=m["deadline"], actor=system)
                    counts["remediation"] += 1
                    changed = True
            if changed:
                self.save_unless_raced(v)
        return counts


def ticket(incident_id: UUID) -> str:
    """A short ticket number residents can quote."""
    return "PA-" + incident_id.hex[:8].upper()


def incident_document(i: Incident, full: bool, with_reporter: bool = False) -> dict:
    doc = {
        "id": i.id, "ticket": ticket(i.id), "version": i.version, "category": i.category, "state": i.state,
        "site_id": i.site_id, "priority": i.priority, "reported_at": i.reported_at, "triage_due": i.triage_due,
        "resolution_due": i.resolution_due, "overdue": i.overdue, "assignment": {"unit": i.assignment["unit"],
        "due": i.assignment["due"]} if i.assignment else None, "violation_found": i.violation_id is not None,
        "reopened": i.reopened, "location": coarse(i.location), "photo_count": len(i.photos),
    }
    if full:
        doc.update(description=i.description, location=i.location, address=i.address,
                   photos=i.photos, additions=i.additions,
                   finding=i.finding, rejection=i.rejection, merged_into=i.merged_into, violation_id=i.violation_id,
                   resolution_note=i.resolution_note, resolved_at=i.resolved_at, assignment=i.assignment,
                   site_photos=getattr(i, "site_photos", []), after_photos=getattr(i, "after_photos", []))
    if with_reporter:
        doc["reporter"] = i.reporter
    return as_plain(doc)


def inspection_document(ins: Inspection, staff: bool = True) -> dict:
    """Who is assigned (unit, inspector: staff ids) only for staff."""
    return as_plain({"id": ins.id, "version": ins.version, "kind": ins.kind, "state": ins.state, "site_id": ins.site_id,
                     "establishment_id": ins.establishment_id, "plan_year": ins.plan_year, "plan_ref": ins.plan_ref,
                     "incident_ids": ins.incident_ids, "scheduled_for": ins.scheduled_for, "conducted": ins.conducted,
                     "violation_ids": ins.violation_ids, "cancel_reason": ins.cancel_reason,
                     **({"unit": ins.unit, "inspector": ins.inspector} if staff else {})})


def violation_document(v: Violation) -> dict:
    return as_plain({"id": v.id, "version": v.version, "state": v.state, "establishment_id": v.establishment_id,
                     "site_id": v.site_id, "inspection_id": v.inspection_id, "legal_basis": v.legal_basis,
                     "description": v.description, "offender_type": v.offender_type, "fine_vnd": v.fine_vnd,
                     "additional_sanctions": v.additional_sanctions, "remedial_measures": v.remedial_measures,
                     "decision": v.decision, "evidence": v.evidence, "overdue": v.overdue})


__all__ = ["InspectionsApplication", "incident_id_for"]
