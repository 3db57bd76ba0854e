"""Contracts of the inspections service: RPC inputs and public events.

Public events never carry the reporter, an incident's description or photos, staff ids or
anything a business or another resident must not read; locations are coarsened.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.contracts.clean_text import MultiLine, SingleLine
from shared.contracts.base import Command, LongText, OptShortText, PublicEvent, Query, ShortText, MAX_OFFSET
from shared.contracts.sites import Location
from shared import vocabulary
from shared.vocabulary import literal

# the domain's words, from their single source (shared/vocabulary.py): the same Literal types as before
Category = literal(vocabulary.Category)
Priority = literal(vocabulary.Priority)
IncidentState = literal(vocabulary.IncidentState)
InspectionKind = literal(vocabulary.InspectionKind)
InspectionState = literal(vocabulary.InspectionState)
OffenderType = literal(vocabulary.OffenderType)
ViolationState = literal(vocabulary.ViolationState)
BlobRef = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=5000), MultiLine]
# Reason codes: what the public stream says instead of the staff's own words (issue 13). The text
# (`reason`) stays in the service for staff and the reporter; the caller chooses the code.
IncidentRejectionCode = Literal["duplicate", "outside_jurisdiction", "not_environmental", "insufficient_information",
                                "unfounded", "abusive", "other"]
IncidentClosingCode = Literal["resolved", "no_violation_found", "withdrawn", "duplicate", "reopen_window_expired",
                              "other"]
InspectionCancellationCode = Literal["rescheduled", "site_closed", "duplicate", "merged_with_other", "resources",
                                     "other"]


# -- commands --------------------------------------------------------------------------------------
class StorePhoto(Command):
    data_b64: Annotated[str, StringConstraints(min_length=4, max_length=14_000_000)] = Field(
        description="The photo, base64; stored without its EXIF, answered with its sha256")


class ReportIncident(Command):
    category: Category
    description: Description
    location: Location | None = None
    site_id: UUID | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3)
    address: OptShortText = Field(None, description="Where, in words, when there are no coordinates and no site "
                                                    "(seen by the reporter and staff only, never published)")


class AddInformation(Command):
    incident_id: UUID
    text: LongText | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3)


class ReopenIncident(Command):
    incident_id: UUID
    reason: ShortText
    photo: BlobRef = Field(description="A new photo is required to reopen")


class TriageIncident(Command):
    incident_id: UUID
    category: Category
    priority: Priority
    site_id: UUID | None = None


class RejectIncident(Command):
    incident_id: UUID
    reason: ShortText = Field(description="In words, for staff and the reporter; never published")
    reason_code: IncidentRejectionCode = Field("other", description="Published instead of the reason")


class MergeIncident(Command):
    incident_id: UUID
    into: UUID


class AssignIncident(Command):
    incident_id: UUID
    unit: ShortText
    inspector: OptShortText = None
    due: date | None = None


class VerifyIncident(Command):
    incident_id: UUID
    finding: LongText
    inspection_id: UUID | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3, description="Taken on site (store_photo first)")


class ResolveIncident(Command):
    incident_id: UUID
    violation_id: UUID | None = None
    note: LongText | None = None
    photos: list[BlobRef] = Field(default_factory=list, max_length=3,
                                  description="'After' photos taken on site (store_photo first); the reporter sees them")


class CloseIncident(Command):
    incident_id: UUID
    reason: ShortText = Field(description="In words, for staff and the reporter; never published")
    reason_code: IncidentClosingCode = Field("other", description="Published instead of the reason")


class AddPlanItem(Command):
    year: int = Field(ge=2021, le=2100)
    ref: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine]
    site_id: UUID
    establishment_id: UUID | None = None
    month: int | None = Field(None, ge=1, le=12)
    topic: OptShortText = None


class ScheduleInspection(Command):
    kind: InspectionKind
    scheduled_for: date
    site_id: UUID | None = None
    establishment_id: UUID | None = None
    plan_year: int | None = Field(None, ge=2021, le=2100)
    plan_ref: OptShortText = None
    incident_ids: list[UUID] = Field(default_factory=list, max_length=50)
    unit: OptShortText = Field(None, description="The unit assigned (unannounced: default the first report's)")
    inspector: OptShortText = Field(None, description="The inspector assigned (staff e-mail; never published)")


class Sample(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    parameter: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine]
    value: float = Field(ge=0, le=1e9)
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20), SingleLine]
    kq: float | None = Field(None, gt=0, le=2)
    kf: float | None = Field(None, gt=0, le=2)


class ConductInspection(Command):
    inspection_id: UUID
    conducted_on: date
    team: list[ShortText] = Field(min_length=1, max_length=20)
    findings: LongText
    samples: list[Sample] = Field(default_factory=list, max_length=100)


class ConcludeInspection(Command):
    inspection_id: UUID
    violation_ids: list[UUID] = Field(default_factory=list, max_length=100)
    summary: LongText


class CancelInspection(Command):
    inspection_id: UUID
    reason: ShortText = Field(description="In words, for staff; never published")
    reason_code: InspectionCancellationCode = Field("other", description="Published instead of the reason")


class RemedialMeasure(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    measure: ShortText
    deadline: date


class RecordViolation(Command):
    establishment_id: UUID
    catalogue_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), SingleLine]
    description: LongText
    offender_type: OffenderType
    fine_vnd: int = Field(ge=0, le=2_000_000_000)
    inspection_id: UUID | None = None
    additional_sanctions: list[ShortText] = Field(default_factory=list, max_length=10)
    remedial_measures: list[RemedialMeasure] = Field(default_factory=list, max_length=20)


class DecideSanction(Command):
    violation_id: UUID
    decision_number: ShortText
    decided_on: date
    fine_vnd: int = Field(ge=0, le=2_000_000_000)
    authority: Annotated[str, StringConstraints(pattern=r"^[a-z_]{2,40}$")] = Field(
        description="Who decides: a level key of the catalogue's authorities (commune_chair, province_chair, ...); "
                    "refused when the violation's band exceeds its cap")


class SubmitEvidence(Command):
    violation_id: UUID
    text: LongText
    files: list[BlobRef] = Field(default_factory=list, max_length=10)


class ReviewEvidence(Command):
    violation_id: UUID
    accepted: bool
    note: ShortText


# -- queries ---------------------------------------------------------------------------------------
class IncidentRef(Query):
    incident_id: UUID


class InspectionRef(Query):
    inspection_id: UUID


class ViolationRef(Query):
    violation_id: UUID


class SiteIncidents(Query):
    site_id: UUID


class ListIncidents(Query):
    state: IncidentState | None = None
    site_id: UUID | None = None
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(50, ge=1, le=500)


class ListViolations(Query):
    establishment_id: UUID | None = None
    state: ViolationState | None = None


class PlanRef(Query):
    year: int = Field(ge=2021, le=2100)


class Catalogue(Query):
    pass


class MyIncidents(Query):
    pass


class MyTasks(Query):
    """The reports assigned to the calling inspector (a staff actor `staff:<e-mail>`) that are still
    theirs to act on (assigned, verified): urgent and overdue first, then by the running deadline."""
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    limit: int = Field(10, ge=1, le=50)


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
