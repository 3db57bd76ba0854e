"""Public events of the inspections service (the stream agencies subscribe to), and the domain's
words they share with the commands (shared/contracts/inspections.py re-exports every name here).

Public events never carry the reporter, an incident's description or photos, staff ids or
anything a business or another resident must not read; locations are coarsened.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared import vocabulary
from shared.contracts.base import PublicEvent
from shared.contracts.sites import Location
from shared.vocabulary import literal


# the domain's words, from their single source (shared/vocabulary.py): the same Literal types as before
Category = literal(vocabulary.Category)
Priority = literal(vocabulary.Priority)
IncidentState = literal(vocabulary.IncidentState)
InspectionKind = literal(vocabulary.InspectionKind)
InspectionState = literal(vocabulary.InspectionState)
OffenderType = literal(vocabulary.OffenderType)
ViolationState = literal(vocabulary.ViolationState)
# Reason codes: what the public stream says instead of the staff's own words (issue 13). The text
# (`reason`) stays in the service for staff and the reporter; the caller chooses the code.
IncidentRejectionCode = Literal["duplicate", "outside_jurisdiction", "not_environmental", "insufficient_information",
                                "unfounded", "abusive", "other"]
IncidentClosingCode = Literal["resolved", "no_violation_found", "withdrawn", "duplicate", "reopen_window_expired",
                              "other"]
SYSTEM_CLOSING_CODES = ("reopen_window_expired",)  # the service's own (the reopening window ran out): staff never choose it
InspectionCancellationCode = Literal["rescheduled", "site_closed", "duplicate", "merged_with_other", "resources",
                                     "other"]



# -- public events ---------------------------------------------------------------------------------
class _Incident(PublicEvent):
    id: UUID


class IncidentReported(_Incident):
    event = "incident_reported"
    source_event = "Incident.Reported"
    category: Category
    site_id: UUID | None = None
    location: Location | None = Field(None, description="Coarsened to 2 decimals (about 1 km)")
    photo_count: int
    reported_at: datetime
    triage_due: datetime
    resolution_due: datetime

    @classmethod
    def from_domain(cls, e: Any) -> "IncidentReported":
        loc = e.location
        coarse = {"lat": round(loc["lat"], 2), "lon": round(loc["lon"], 2)} if loc else None
        return cls(id=e.originator_id, category=e.category, site_id=e.site_id, location=coarse,
                   photo_count=len(e.photos), reported_at=e.reported_at, triage_due=e.triage_due,
                   resolution_due=e.resolution_due)


class IncidentTriaged(_Incident):
    event = "incident_triaged"
    source_event = "Incident.Triaged"
    site_id: UUID | None = None
    category: Category
    priority: Priority


class IncidentRejected(_Incident):
    event = "incident_rejected"
    version = 2  # v1 carried the staff's reason verbatim
    source_event = "Incident.Rejected"
    reason_code: IncidentRejectionCode

    @classmethod
    def from_domain(cls, e: Any) -> "IncidentRejected":
        return cls(id=e.originator_id, reason_code=getattr(e, "reason_code", "other"))


class IncidentMerged(_Incident):
    event = "incident_merged"
    source_event = "Incident.Merged"
    into: UUID


class IncidentAssigned(_Incident):
    event = "incident_assigned"
    source_event = "Incident.Assigned"
    unit: str
    due: date


class IncidentVerified(_Incident):
    event = "incident_verified"
    source_event = "Incident.Verified"
    inspection_id: UUID | None = None


class IncidentResolved(_Incident):
    event = "incident_resolved"
    source_event = "Incident.Resolved"
    violation_id: UUID | None = None
    violation_found: bool
    resolved_at: datetime

    @classmethod
    def from_domain(cls, e: Any) -> "IncidentResolved":
        return cls(id=e.originator_id, violation_id=e.violation_id, violation_found=e.violation_id is not None,
                   resolved_at=e.resolved_at)


class IncidentClosed(_Incident):
    event = "incident_closed"
    version = 2  # v1 carried the staff's reason verbatim
    source_event = "Incident.Closed"
    reason_code: IncidentClosingCode

    @classmethod
    def from_domain(cls, e: Any) -> "IncidentClosed":
        return cls(id=e.originator_id, reason_code=getattr(e, "reason_code", "other"))


class IncidentInformationAdded(_Incident):
    event = "incident_information_added"
    source_event = "Incident.InformationAdded"
    photos_added: int

    @classmethod
    def from_domain(cls, e: Any) -> "IncidentInformationAdded":
        return cls(id=e.originator_id, photos_added=len(e.photos))


class IncidentReopened(_Incident):
    event = "incident_reopened"
    source_event = "Incident.Reopened"


class IncidentOverdue(_Incident):
    event = "incident_overdue"
    source_event = "Incident.Overdue"
    deadline: Literal["triage", "resolution"]
    due: datetime


class InspectionPlanOpened(PublicEvent):
    event = "inspection_plan_opened"
    source_event = "InspectionPlan.Opened"
    id: UUID
    year: int


class InspectionPlanItemAdded(PublicEvent):
    event = "inspection_plan_item_added"
    source_event = "InspectionPlan.ItemAdded"
    id: UUID
    ref: str
    site_id: UUID
    establishment_id: UUID | None = None
    month: int | None = None
    topic: str | None = None


class InspectionPlanItemScheduled(PublicEvent):
    event = "inspection_plan_item_scheduled"
    source_event = "InspectionPlan.ItemScheduled"
    id: UUID
    ref: str
    inspection_id: UUID


class _Inspection(PublicEvent):
    id: UUID


class InspectionScheduled(_Inspection):
    event = "inspection_scheduled"
    source_event = "Inspection.Scheduled"
    kind: InspectionKind
    site_id: UUID
    establishment_id: UUID | None = None
    plan_year: int | None = None
    plan_ref: str | None = None
    incident_ids: list[UUID] = []
    scheduled_for: date


class SampleResult(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    parameter: str
    value: float
    unit: str
    limit_table: str
    limit_version: str
    limit_min: float | None = None
    limit_max: float | None = None
    kq: float
    kf: float
    exceedance: float | None = None
    exceeds: bool


class InspectionConducted(_Inspection):
    """The measured samples are published; the inspectors' findings in words are not (get_inspection)."""

    event = "inspection_conducted"
    version = 2  # v1 carried the findings verbatim
    source_event = "Inspection.Conducted"
    conducted_on: date
    samples: list[SampleResult]


class InspectionConcluded(_Inspection):
    event = "inspection_concluded"
    version = 2  # v1 carried the summary verbatim
    source_event = "Inspection.Concluded"
    violation_ids: list[UUID]


class InspectionCancelled(_Inspection):
    event = "inspection_cancelled"
    version = 2  # v1 carried the staff's reason verbatim
    source_event = "Inspection.Cancelled"
    reason_code: InspectionCancellationCode

    @classmethod
    def from_domain(cls, e: Any) -> "InspectionCancelled":
        return cls(id=e.originator_id, reason_code=getattr(e, "reason_code", "other"))


class LegalBasis(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    decree: str
    version: str | None = None
    code: str
    article: int
    clause: int | None = None
    point: str | None = None


class _Violation(PublicEvent):
    id: UUID


class ViolationRecorded(_Violation):
    """The legal basis, fine and measures are published; the inspector's description is not."""

    event = "violation_recorded"
    version = 2  # v1 carried the description verbatim
    source_event = "Violation.Recorded"
    establishment_id: UUID
    site_id: UUID
    inspection_id: UUID | None = None
    legal_basis: LegalBasis
    offender_type: OffenderType
    fine_vnd: int
    additional_sanctions: list[str]
    remedial_measures: list[dict[str, Any]]


class ViolationSanctionDecided(_Violation):
    event = "violation_sanction_decided"
    source_event = "Violation.SanctionDecided"
    decision_number: str
    decided_on: date
    fine_vnd: int


class ViolationEvidenceSubmitted(_Violation):
    event = "violation_evidence_submitted"
    source_event = "Violation.EvidenceSubmitted"
    files: int

    @classmethod
    def from_domain(cls, e: Any) -> "ViolationEvidenceSubmitted":
        return cls(id=e.originator_id, files=len(e.files))


class ViolationEvidenceRejected(_Violation):
    event = "violation_evidence_rejected"
    version = 2  # v1 carried the inspector's note verbatim
    source_event = "Violation.EvidenceRejected"


class ViolationClosed(_Violation):
    event = "violation_closed"
    version = 2  # v1 carried the inspector's note verbatim
    source_event = "Violation.Closed"


class ViolationOverdue(_Violation):
    event = "violation_overdue"
    source_event = "Violation.Overdue"
    measure: str
    deadline: date


PUBLIC_EVENTS: list[type[PublicEvent]] = [
    IncidentReported, IncidentTriaged, IncidentRejected, IncidentMerged, IncidentAssigned, IncidentVerified,
    IncidentResolved, IncidentClosed, IncidentInformationAdded, IncidentReopened, IncidentOverdue,
    InspectionPlanOpened, InspectionPlanItemAdded, InspectionPlanItemScheduled, InspectionScheduled,
    InspectionConducted, InspectionConcluded, InspectionCancelled, ViolationRecorded, ViolationSanctionDecided,
    ViolationEvidenceSubmitted, ViolationEvidenceRejected, ViolationClosed, ViolationOverdue,
]
