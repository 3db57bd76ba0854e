"""Inspections: what residents report (incidents), planned and unannounced inspections with
samples, and violations with their sanctions and follow-up.

Aggregates in eventsourcing's declarative style; invariants in check_* methods raising the
domain errors defined here; reference tables (limits, sanctions) are passed in as plain data.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.kit.errors import Conflict, Forbidden, InvalidInput
from shared.kit.values import coarse  # noqa: F401  (re-exported)

NAMESPACE = uuid5(NAMESPACE_URL, "https://langxanh.vn/inspections")
MAX_PHOTOS = 3


class Category(str, Enum):
    WASTEWATER = "wastewater"
    SMOKE_ODOUR = "smoke_odour"
    DUST = "dust"
    NOISE = "noise"
    OPEN_BURNING = "open_burning"
    ILLEGAL_DUMPING = "illegal_dumping"
    HAZARDOUS_WASTE = "hazardous_waste"
    OTHER = "other"


class Priority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class IncidentState(str, Enum):
    REPORTED = "reported"
    TRIAGED = "triaged"
    REJECTED = "rejected"
    MERGED = "merged"
    ASSIGNED = "assigned"
    VERIFIED = "verified"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    CLOSED = "closed"


class InspectionKind(str, Enum):
    PLANNED = "planned"
    UNANNOUNCED = "unannounced"


class InspectionState(str, Enum):
    SCHEDULED = "scheduled"
    CONDUCTED = "conducted"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


class OffenderType(str, Enum):
    INDIVIDUAL = "individual"
    HOUSEHOLD = "household"      # fined as an individual (Decree 45)
    ORGANISATION = "organisation"  # twice the individual band (Decree 45)


class ViolationState(str, Enum):
    RECORDED = "recorded"
    SANCTION_DECIDED = "sanction_decided"
    EVIDENCE_SUBMITTED = "evidence_submitted"
    CLOSED = "closed"


OPEN_INCIDENT_STATES = {IncidentState.REPORTED, IncidentState.TRIAGED, IncidentState.ASSIGNED,
                        IncidentState.VERIFIED, IncidentState.REOPENED}


class WrongState(Conflict):
    pass


class NotYours(Forbidden):
    pass


class StateMachine:
    """A `check_state` guard for aggregates with a `state` attribute and a `NOUN` for messages."""

    NOUN = "record"
    state: str

    def check_state(self, action: str, *states: Enum) -> None:
        if self.state not in {s.value for s in states}:
            allowed = ", ".join(s.value for s in states)
            raise WrongState(f"cannot {action} {self.NOUN} that is {self.state} (must be {allowed})", "state", "transition")


def incident_id_for(reporter: str, client_ref: str) -> UUID:
    return uuid5(NAMESPACE, f"incident:{reporter}:{client_ref}")


class Incident(StateMachine, Aggregate):
    NOUN = "an incident"

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

    @event("Triaged")
    def triage(self, site_id: UUID | None, category: str, priority: str, actor: dict) -> None:
        self.site_id = site_id or self.site_id
        self.category = category
        self.priority = priority
        self.state = IncidentState.TRIAGED.value

    @event("Rejected")
    def reject(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.rejection = reason
        self.rejection_code = reason_code
        self.state = IncidentState.REJECTED.value

    @event("Merged")
    def merge_into(self, into: UUID, actor: dict) -> None:
        self.merged_into = into
        self.state = IncidentState.MERGED.value

    @event("Assigned")
    def assign(self, unit: str, inspector: str | None, due: str, actor: dict) -> None:
        self.assignment = {"unit": unit, "inspector": inspector, "due": due}
        self.state = IncidentState.ASSIGNED.value

    @event("Verified")
    def verify(self, finding: str, inspection_id: UUID | None, actor: dict, photos: list[str] | None = None) -> None:
        # `photos` came last, with a default: Verified events stored before it existed replay as none.
        self.finding = finding
        self.inspection_id = inspection_id
        self.site_photos = list(getattr(self, "site_photos", [])) + list(photos or [])
        self.state = IncidentState.VERIFIED.value

    @event("Resolved")
    def resolve(self, violation_id: UUID | None, note: str | None, resolved_at: datetime, actor: dict,
                photos: list[str] | None = None) -> None:
        # `photos` ("after", issue 15) came last, with a default: Resolved events stored before it replay as none.
        self.after_photos = list(photos or [])
        self.violation_id = violation_id
        self.resolution_note = note
        self.resolved_at = resolved_at
        self.state = IncidentState.RESOLVED.value

    @event("Closed")
    def close(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.state = IncidentState.CLOSED.value

    @event("InformationAdded")
    def add_information(self, text: str | None, photos: list[str], actor: dict) -> None:
        self.additions.append({"text": text, "photos": list(photos)})
        self.photos.extend(photos)

    def check_can_add_photos(self, photos: list[str]) -> None:
        if len(self.photos) + len(photos) > MAX_PHOTOS:
            raise InvalidInput(f"an incident keeps at most {MAX_PHOTOS} photos; it has {len(self.photos)}",
                               "photos", "max_items")

    def check_reopen(self, now: datetime, window_days: int) -> None:
        self.check_state("reopen", IncidentState.RESOLVED)
        if self.resolved_at is not None and now > self.resolved_at + timedelta(days=window_days):
            raise WrongState(f"an incident can be reopened within {window_days} days of its resolution",
                             "state", "reopen_window")

    @event("Reopened")
    def reopen(self, reason: str, photo: str, actor: dict) -> None:
        self.photos = (self.photos + [photo])[-MAX_PHOTOS:]
        self.reopened += 1
        self.after_photos = []  # the "after" of a resolution the resident disputed no longer stands
        self.violation_id = None
        self.resolved_at = None
        self.state = IncidentState.REOPENED.value

    @event("Overdue")
    def mark_overdue(self, deadline: str, due: datetime, actor: dict) -> None:
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


class Inspection(StateMachine, Aggregate):
    NOUN = "an inspection"

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


    @event("Conducted")
    def conduct(self, conducted_on: str, team: list[str], findings: str, samples: list[dict], actor: dict) -> None:
        self.conducted = {"date": conducted_on, "team": list(team), "findings": findings, "samples": samples}
        self.state = InspectionState.CONDUCTED.value

    @event("Concluded")
    def conclude(self, violation_ids: list[UUID], summary: str, actor: dict) -> None:
        self.violation_ids = list(violation_ids)
        self.state = InspectionState.CONCLUDED.value

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

    @event("Cancelled")
    def cancel(self, reason: str, actor: dict, reason_code: str = "other") -> None:
        self.cancel_reason = reason
        self.state = InspectionState.CANCELLED.value


def evaluate_sample(sample: dict, table: dict) -> dict:
    """A sample against a versioned limit table: Cmax = C × Kq × Kf; exceedance = value / Cmax.
    For a range (pH) the factor is how far outside the range, relative to the nearer bound."""
    params = {p["code"].lower(): p for p in table["parameters"]}
    param = params.get(sample["parameter"].lower())
    if param is None:
        raise InvalidInput(f"parameter {sample['parameter']!r} is not in {table['table']} column {table['column']}",
                           "samples.parameter", "in_table")
    if param["unit"] != sample["unit"]:
        raise InvalidInput(f"{param['code']} is measured in {param['unit']}, not {sample['unit']}", "samples.unit", "unit")
    applies = param.get("applies_kq_kf", True)
    kq = float(sample.get("kq") or 1.0) if applies else 1.0
    kf = float(sample.get("kf") or 1.0) if applies else 1.0
    value = float(sample["value"])
    out = {"parameter": param["code"], "value": value, "unit": param["unit"], "kq": kq, "kf": kf,
           "limit_table": f"{table['table']} {table['column']}", "limit_version": table["version"]}
    if "min" in param and param.get("min") is not None:
        lo, hi = float(param["min"]), float(param["max"])
        out.update(limit_min=lo, limit_max=hi)
        factor = max(lo / value if value < lo and value > 0 else 0, value / hi if value > hi else 0, 1.0 if lo <= value <= hi else 0)
        out["exceedance"] = round(factor, 3) if factor else None
        out["exceeds"] = not (lo <= value <= hi)
    else:
        cmax = float(param["max"]) * kq * kf
        out.update(limit_max=round(cmax, 6))
        out["exceedance"] = round(value / cmax, 3) if cmax else None
        out["exceeds"] = value > cmax
    return out


def fine_band(entry: dict, offender_type: str, rules: dict) -> tuple[int, int]:
    """The fine band for this offender: households as individuals, organisations ×2 (Decree 45)."""
    band = entry["band_individual_vnd"]
    factor = int(rules.get("organisation_multiplier", 2)) if offender_type == OffenderType.ORGANISATION else 1
    return int(band["min"]) * factor, int(band["max"]) * factor


FINE_BAND_RULE = "fine_band"  # the rule a refused fine names (the staff pages translate it, with the band)


def check_fine(entry: dict, offender_type: str, fine_vnd: int, rules: dict) -> None:
    lo, hi = fine_band(entry, offender_type, rules)
    if not lo <= fine_vnd <= hi:
        who = {"household": "a household (fined as an individual)", "individual": "an individual",
               "organisation": "an organisation (twice the individual band)"}[offender_type]
        raise InvalidInput(
            f"fine {fine_vnd:,} VND is outside the band of {entry['code']} (Decree 45 Art. {entry['article']}"
            f" cl. {entry['clause']}{(' pt. ' + entry['point']) if entry.get('point') else ''}) for {who}: "
            f"{lo:,}–{hi:,} VND", "fine_vnd", FINE_BAND_RULE)


class Violation(StateMachine, Aggregate):
    NOUN = "a violation"

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


    @event("SanctionDecided")
    def decide_sanction(self, decision_number: str, decided_on: str, fine_vnd: int, actor: dict) -> None:
        self.decision = {"number": decision_number, "date": decided_on, "fine_vnd": fine_vnd}
        self.fine_vnd = fine_vnd
        self.state = ViolationState.SANCTION_DECIDED.value

    @event("EvidenceSubmitted")
    def submit_evidence(self, text: str, files: list[str], actor: dict) -> None:
        self.evidence.append({"text": text, "files": list(files), "verdict": None})
        self.state = ViolationState.EVIDENCE_SUBMITTED.value

    @event("EvidenceRejected")
    def reject_evidence(self, reason: str, actor: dict) -> None:
        self.evidence[-1]["verdict"] = f"rejected: {reason}"
        self.state = ViolationState.SANCTION_DECIDED.value

    @event("Closed")
    def close(self, note: str, actor: dict) -> None:
        self.evidence[-1]["verdict"] = "accepted"
        for m in self.remedial_measures:
            m["done"] = True
        self.state = ViolationState.CLOSED.value

    @event("Overdue")
    def mark_overdue(self, measure: str, deadline: str, actor: dict) -> None:
        self.overdue.append(measure)


AGGREGATES: tuple[type[Aggregate], ...] = (Incident, InspectionPlan, Inspection, Violation)
