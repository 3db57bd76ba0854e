"""Inspections: what residents report (incidents), planned and unannounced inspections with
samples, and violations with their sanctions and follow-up.

Aggregates in eventsourcing's declarative style: a plain command method checks the aggregate's
state (the *_STEPS tables) and its invariants, then calls the private @event method that records
the change (eventsourcing runs only that one again on replay). Errors are the domain's own, defined
here; reference tables (limits, sanctions) are passed in as plain data; the words (categories,
priorities, states) come from shared/vocabulary.py.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import Conflict, Forbidden, InvalidInput
from shared.kit.states import Transitions
from services.inspections.measures import FINE_BAND_RULE, check_fine, evaluate_sample, fine_band  # noqa: F401
from shared.vocabulary import (  # noqa: F401  (the domain's words, re-exported)
    INFORMATION_STATES, OPEN_INCIDENT_STATES, Category, IncidentState, InspectionKind, InspectionState, OffenderType, Priority,
    ViolationState,
)
from shared.kit.values import coarse  # noqa: F401  (re-exported)

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/inspections")
MAX_PHOTOS = 3


class WrongState(Conflict):
    pass


class NotYours(Forbidden):
    pass


def _wrong_state(noun: str) -> Callable[[Any, str, str], WrongState]:
    def refuse(record: Any, verb: str, allowed: str) -> WrongState:
        return WrongState(f"cannot {verb} {noun} that is {record.state} (must be {allowed})", "state", "transition")

    return refuse


# Which state each command starts from (shared/kit/states.py); the command methods check them.
INCIDENT_STEPS = Transitions(
    _wrong_state("an incident"),
    add_information=("add information to", INFORMATION_STATES),
    triage=("triage", [IncidentState.REPORTED]),
    reject=("reject", [IncidentState.REPORTED]),
    merge_into=("merge", [IncidentState.REPORTED]),
    assign=("assign", [IncidentState.TRIAGED, IncidentState.REOPENED]),
    verify=("verify", [IncidentState.ASSIGNED]),
    resolve=("resolve", [IncidentState.VERIFIED]),
    close=("close", [IncidentState.RESOLVED]),
    reopen=("reopen", [IncidentState.RESOLVED]),
)
INSPECTION_STEPS = Transitions(
    _wrong_state("an inspection"),
    conduct=("conduct", [InspectionState.SCHEDULED]),
    conclude=("conclude", [InspectionState.CONDUCTED]),
    cancel=("cancel", [InspectionState.SCHEDULED]),
)
VIOLATION_STEPS = Transitions(
    _wrong_state("a violation"),
    decide_sanction=("decide the sanction of", [ViolationState.RECORDED]),
    submit_evidence=("submit evidence for", [ViolationState.SANCTION_DECIDED]),
    reject_evidence=("verify remediation of", [ViolationState.EVIDENCE_SUBMITTED]),
    close=("verify remediation of", [ViolationState.EVIDENCE_SUBMITTED]),
)


def incident_id_for(reporter: str, client_ref: str) -> UUID:
    return uuid5(NAMESPACE, f"incident:{reporter}:{client_ref}")


class Incident(Aggregate):
    """A resident's report. The reporter is a pseudonym, kept only here (never published)."""

    @event("Reported")
    def __init__(self, category: str, description: str, location: dict | None, site_id: UUID | None,
                 photos: list[str], reporter: str, reported_at: datetime, triage_due: datetime,
                 resolution_due: datetime, actor: dict, address: str | None = None) -> None:
        # `address` came last, with a default: Reported events stored before it existed replay as None.
        self.category = category
        self.description = description
        self.location = location
        self.site_id = site_id
        self.address = address
        self.photos = list(photos)
        self.reporter = reporter
        self.reported_at = reported_at
        self.triage_due = triage_due
        self.resolution_due = resolution_due
        self.state = IncidentState.REPORTED.value
        self.priority: str | None = None
        self.rejection: str | None = None
        self.merged_into: UUID | None = None
        self.assignment: dict | None = None
        self.finding: str | None = None
        self.violation_id: UUID | None = None
        self.resolution_note: str | None = None
        self.resolved_at: datetime | None = None
        self.additions: list[dict] = []
        self.reopened = 0
        self.overdue: list[str] = []
        self.inspection_id: UUID | None = None
        self.site_photos: list[str] = []  # taken on site by the inspector who verified
        self.after_photos: list[str] = []  # taken when resolved ("after"; the reporter sees them)

    @staticmethod
    def check_new(location: dict | None, site_id: UUID | None, photos: list[str], address: str | None = None) -> None:
        if not location and not site_id and not address:
            raise InvalidInput("say where: a location (coordinates), a site or an address", "location",
                               "required_one_of")
        if len(photos) > MAX_PHOTOS:
            raise InvalidInput(f"at most {MAX_PHOTOS} photos per report", "photos", "max_items")


    def check_assignee(self, actor_id: str, role: str) -> None:
        """A staff inspector (`staff:<e-mail>`) acts only on what is assigned to them by name, or to
        a unit without a name (the gateway checks the unit: the service does not know units)."""
        if role != "inspector" or not actor_id.startswith("staff:"):
            return
        named = ((self.assignment or {}).get("inspector") or "").strip().lower()
        if named and named != actor_id[len("staff:"):].lower():
            raise NotYours("only the inspector it is assigned to may do that", "assignment", "assigned")

    def check_reporter(self, actor_id: str) -> None:
        if actor_id != self.reporter:
            raise NotYours("only the resident who reported this incident may do that", "actor.id", "owner")

    # -- commands: check, then record ---------------------------------------------------------------
    def triage(self, site_id: UUID | None, category: str, priority: str, actor: dict) -> None:
        INCIDENT_STEPS.check(self, "triage")
        self._triaged(site_id=site_id, category=category, priority=priority, actor=actor)

    def reject(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        INCIDENT_STEPS.check(self, "reject")
        self._rejected(reason=reason, actor=actor, reason_code=reason_code)

    def merge_into(self, into: UUID, actor: dict) -> None:
        INCIDENT_STEPS.check(self, "merge_into")
        self._merged(into=into, actor=actor)

    def assign(self, unit: str, inspector: str | None, due: str, actor: dict) -> None:
        INCIDENT_STEPS.check(self, "assign")
        self._assigned(unit=unit, inspector=inspector, due=due, actor=actor)

    def verify(self, finding: str, inspection_id: UUID | None, actor: dict, photos: list[str] | None = None) -> None:
        INCIDENT_STEPS.check(self, "verify")
        self._verified(finding=finding, inspection_id=inspection_id, actor=actor, photos=list(photos or []))

    def resolve(self, violation_id: UUID | None, note: str | None, resolved_at: datetime, actor: dict,
                photos: list[str] | None = None) -> None:
        INCIDENT_STEPS.check(self, "resolve")
        self._resolved(violation_id=violation_id, note=note, resolved_at=resolved_at, actor=actor,
                       photos=list(photos or []))

    def close(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        INCIDENT_STEPS.check(self, "close")
        self._closed(reason=reason, actor=actor, reason_code=reason_code)

    def add_information(self, text: str | None, photos: list[str], actor: dict) -> None:
        INCIDENT_STEPS.check(self, "add_information")
        if len(self.photos) + len(photos) > MAX_PHOTOS:
            raise InvalidInput(f"an incident keeps at most {MAX_PHOTOS} photos; it has {len(self.photos)}",
                               "photos", "max_items")
        self._information_added(text=text, photos=photos, actor=actor)

    def reopen(self, reason: str, photo: str, actor: dict, now: datetime, window_days: int) -> None:
        """The reporter disputes the resolution, within `window_days` of it."""
        INCIDENT_STEPS.check(self, "reopen")
        if self.resolved_at is not None and now > self.resolved_at + timedelta(days=window_days):
            raise WrongState(f"an incident can be reopened within {window_days} days of its resolution",
                             "state", "reopen_window")
        self._reopened(reason=reason, photo=photo, actor=actor)

    # -- events (their bodies run again on replay: no checks here) ---------------------------------
    @event("Triaged")
    def _triaged(self, site_id: UUID | None, category: str, priority: str, actor: dict) -> None:
        self.site_id = site_id or self.site_id
        self.category = category
        self.priority = priority
        self.state = IncidentState.TRIAGED.value

    @event("Rejected")
    def _rejected(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.rejection = reason
        self.rejection_code = reason_code
        self.state = IncidentState.REJECTED.value

    @event("Merged")
    def _merged(self, into: UUID, actor: dict) -> None:
        self.merged_into = into
        self.state = IncidentState.MERGED.value

    @event("Assigned")
    def _assigned(self, unit: str, inspector: str | None, due: str, actor: dict) -> None:
        self.assignment = {"unit": unit, "inspector": inspector, "due": due}
        self.state = IncidentState.ASSIGNED.value

    @event("Verified")
    def _verified(self, finding: str, inspection_id: UUID | None, actor: dict, photos: list[str] | None = None) -> None:
        # `photos` came last, with a default: Verified events stored before it existed replay as none.
        self.finding = finding
        self.inspection_id = inspection_id
        self.site_photos = list(getattr(self, "site_photos", [])) + list(photos or [])
        self.state = IncidentState.VERIFIED.value

    @event("Resolved")
    def _resolved(self, violation_id: UUID | None, note: str | None, resolved_at: datetime, actor: dict,
                  photos: list[str] | None = None) -> None:
        # `photos` ("after", issue 15) came last, with a default: Resolved events stored before it replay as none.
        self.after_photos = list(photos or [])
        self.violation_id = violation_id
        self.resolution_note = note
        self.resolved_at = resolved_at
        self.state = IncidentState.RESOLVED.value

    @event("Closed")
    def _closed(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.state = IncidentState.CLOSED.value

    @event("InformationAdded")
    def _information_added(self, text: str | None, photos: list[str], actor: dict) -> None:
        self.additions.append({"text": text, "photos": list(photos)})
        self.photos.extend(photos)

    @event("Reopened")
    def _reopened(self, reason: str, photo: str, actor: dict) -> None:
        self.photos = (self.photos + [photo])[-MAX_PHOTOS:]
        self.reopened += 1
        self.after_photos = []  # the "after" of a resolution the resident disputed no longer stands
        self.violation_id = None
        self.resolved_at = None
        self.state = IncidentState.REOPENED.value

    @event("Overdue")
    def mark_overdue(self, deadline: str, due: datetime, actor: dict) -> None:
        """The timer's mark (once per deadline, the timer checks): no state rule."""
        self.overdue.append(deadline)


class InspectionPlan(Aggregate):
    """The annual inspection plan: items for a site or an establishment."""

    @staticmethod
    def create_id(year: int) -> UUID:
        return uuid5(NAMESPACE, f"plan:{year}")

    @event("Opened")
    def __init__(self, year: int, actor: dict) -> None:
        self.year = year
        self.items: dict[str, dict] = {}

    @event("ItemAdded")
    def add_item(self, ref: str, site_id: UUID, establishment_id: UUID | None, month: int | None,
                 topic: str | None, actor: dict) -> None:
        self.items[ref] = {"ref": ref, "site_id": site_id, "establishment_id": establishment_id,
                           "month": month, "topic": topic, "inspection_id": None}

    @event("ItemScheduled")
    def item_scheduled(self, ref: str, inspection_id: UUID, actor: dict) -> None:
        self.items[ref]["inspection_id"] = inspection_id


class Inspection(Aggregate):

    @event("Scheduled")
    def __init__(self, kind: str, site_id: UUID, establishment_id: UUID | None, plan_year: int | None,
                 plan_ref: str | None, incident_ids: list[UUID], scheduled_for: str, actor: dict,
                 unit: str | None = None, inspector: str | None = None) -> None:
        # `unit` and `inspector` (who is assigned) came last, with defaults: older events replay as None.
        self.kind = kind
        self.unit = unit
        self.inspector = inspector
        self.site_id = site_id
        self.establishment_id = establishment_id
        self.plan_year = plan_year
        self.plan_ref = plan_ref
        self.incident_ids = list(incident_ids)
        self.scheduled_for = scheduled_for
        self.state = InspectionState.SCHEDULED.value
        self.conducted: dict | None = None
        self.violation_ids: list[UUID] = []
        self.cancel_reason: str | None = None


    def conduct(self, conducted_on: str, team: list[str], findings: str, samples: list[dict], actor: dict) -> None:
        INSPECTION_STEPS.check(self, "conduct")
        self._conducted(conducted_on=conducted_on, team=team, findings=findings, samples=samples, actor=actor)

    def conclude(self, violation_ids: list[UUID], summary: str, actor: dict) -> None:
        INSPECTION_STEPS.check(self, "conclude")
        self._concluded(violation_ids=violation_ids, summary=summary, actor=actor)

    def cancel(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        INSPECTION_STEPS.check(self, "cancel")
        self._cancelled(reason=reason, actor=actor, reason_code=reason_code)

    @event("Conducted")
    def _conducted(self, conducted_on: str, team: list[str], findings: str, samples: list[dict], actor: dict) -> None:
        self.conducted = {"date": conducted_on, "team": list(team), "findings": findings, "samples": samples}
        self.state = InspectionState.CONDUCTED.value

    @event("Concluded")
    def _concluded(self, violation_ids: list[UUID], summary: str, actor: dict) -> None:
        self.violation_ids = list(violation_ids)
        self.state = InspectionState.CONCLUDED.value

    @event("Cancelled")
    def _cancelled(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.cancel_reason = reason
        self.state = InspectionState.CANCELLED.value

    def check_violation_of(self, establishment: dict, establishment_id: str) -> None:
        """A violation recorded at this inspection: conducted and not concluded, of an establishment at
        the inspected site (the inspected establishment, when it names one)."""
        if self.state != InspectionState.CONDUCTED:
            raise InvalidInput("violations are recorded on a conducted, not yet concluded inspection",
                               "inspection_id", "conducted")
        if establishment.get("site_id") != str(self.site_id):
            raise InvalidInput("the establishment is not at the inspected site", "establishment_id", "at_site")
        if self.establishment_id is not None and str(self.establishment_id) != str(establishment_id):
            raise InvalidInput("this inspection is of another establishment", "establishment_id", "same_inspection")


class Violation(Aggregate):

    @event("Recorded")
    def __init__(self, establishment_id: UUID, site_id: UUID, inspection_id: UUID | None, legal_basis: dict,
                 description: str, offender_type: str, fine_vnd: int, additional_sanctions: list[str],
                 remedial_measures: list[dict], actor: dict) -> None:
        self.establishment_id = establishment_id
        self.site_id = site_id
        self.inspection_id = inspection_id
        self.legal_basis = legal_basis
        self.description = description
        self.offender_type = offender_type
        self.fine_vnd = fine_vnd
        self.additional_sanctions = list(additional_sanctions)
        self.remedial_measures = [dict(m, done=False) for m in remedial_measures]
        self.state = ViolationState.RECORDED.value
        self.decision: dict | None = None
        self.evidence: list[dict] = []
        self.overdue: list[str] = []


    def decide_sanction(self, decision_number: str, decided_on: str, fine_vnd: int, actor: dict) -> None:
        VIOLATION_STEPS.check(self, "decide_sanction")
        self._sanction_decided(decision_number=decision_number, decided_on=decided_on, fine_vnd=fine_vnd, actor=actor)

    def submit_evidence(self, text: str, files: list[str], actor: dict) -> None:
        VIOLATION_STEPS.check(self, "submit_evidence")
        self._evidence_submitted(text=text, files=files, actor=actor)

    def reject_evidence(self, reason: str, actor: dict) -> None:
        VIOLATION_STEPS.check(self, "reject_evidence")
        self._evidence_rejected(reason=reason, actor=actor)

    def close(self, note: str, actor: dict) -> None:
        """The evidence is accepted: every remedial measure is done."""
        VIOLATION_STEPS.check(self, "close")
        self._closed(note=note, actor=actor)

    @event("SanctionDecided")
    def _sanction_decided(self, decision_number: str, decided_on: str, fine_vnd: int, actor: dict) -> None:
        self.decision = {"number": decision_number, "date": decided_on, "fine_vnd": fine_vnd}
        self.fine_vnd = fine_vnd
        self.state = ViolationState.SANCTION_DECIDED.value

    @event("EvidenceSubmitted")
    def _evidence_submitted(self, text: str, files: list[str], actor: dict) -> None:
        self.evidence.append({"text": text, "files": list(files), "verdict": None})
        self.state = ViolationState.EVIDENCE_SUBMITTED.value

    @event("EvidenceRejected")
    def _evidence_rejected(self, reason: str, actor: dict) -> None:
        self.evidence[-1]["verdict"] = f"rejected: {reason}"
        self.state = ViolationState.SANCTION_DECIDED.value

    @event("Closed")
    def _closed(self, note: str, actor: dict) -> None:
        self.evidence[-1]["verdict"] = "accepted"
        for m in self.remedial_measures:
            m["done"] = True
        self.state = ViolationState.CLOSED.value

    @event("Overdue")
    def mark_overdue(self, measure: str, deadline: str, actor: dict) -> None:
        self.overdue.append(measure)


AGGREGATES: tuple[type[Aggregate], ...] = (Incident, InspectionPlan, Inspection, Violation)
